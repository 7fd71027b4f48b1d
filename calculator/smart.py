"""SMART on FHIR launch (App Launch 2.x): read KPS or ECOG from the chart into the form to confirm.

`GET /launch?iss=...&launch=...` (EHR launch) or `GET /launch?iss=...` (standalone launch, the
EHR asks for the patient) -> the EHR's smart-configuration -> its authorize endpoint (PKCE S256,
`aud`, a sealed `state`) -> `GET /launch/callback` -> token exchange -> the two Observation reads
-> the form, prefilled for the surgeon to confirm, nothing estimated (calculator.chart).

Stateless and cookie-free (calculator.launch_state says how). The access token lives in this
request only: used for the reads, then dropped; never sent to the browser, never logged. Any
failure ends on the normal form with one sentence, never a traceback. Registered by create_app
only when CALCULATOR_SMART_ENABLED is set; `check_settings` (calculator.smart_settings) is the
start-up check.
"""

from __future__ import annotations

import secrets
from datetime import UTC, datetime

import requests
from authlib.integrations.base_client import OAuthError
from authlib.integrations.requests_client import OAuth2Session
from flask import Blueprint, current_app, redirect, render_template, request, url_for
from werkzeug.datastructures import MultiDict

from calculator import launch_state
from calculator.chart import ECOG_LOINC, KPS_LOINC, LOINC, ChartError, chart_launch, latest_reading
from calculator.features import N_
from calculator.forms import EstimateForm
from calculator.i18n import LANG_FIELD, _, language, language_of
from calculator.launch import Prefill
from calculator.model import get_model
from calculator.public_url import public_url
from calculator.smart_settings import check_settings, client_id

__all__ = ["bp", "check_settings"]

bp = Blueprint("smart", __name__)

EHR_SCOPES = "launch openid fhirUser patient/Patient.r patient/Observation.rs"
STANDALONE_SCOPES = "launch/patient openid fhirUser patient/Patient.r patient/Observation.rs"
TIMEOUT = (3, 10)  # seconds to connect, to read: the surgeon is waiting in front of the chart

# One sentence per way the launch can end without values; the form is shown empty under it.
NOT_ALLOWED = N_(
    "This EHR is not on the calculator's list of allowed EHRs, so nothing was read from the chart."
)
DISCOVERY = N_("The EHR's SMART configuration could not be read, so nothing was read from the chart.")
DENIED = N_("The EHR did not allow the calculator to read the chart, so nothing was read from it.")
EXPIRED = N_(
    "The launch from the EHR was not valid or has expired; open the calculator from the chart again."
)
REFUSED = N_("The EHR refused the calculator access to the chart, so nothing was read; open it again.")
FHIR = N_(
    "The chart could not be read (the EHR's FHIR server answered with an error); enter the values by hand."
)
NONE_FOUND = N_(
    "The chart holds no KPS (LOINC 89243-0) or ECOG (LOINC 89247-1) score for this patient; "
    "enter the values by hand."
)


class LaunchFailed(Exception):
    """Ends a launch on the form with `sentence` (one of the module's sentences; no patient value)."""

    def __init__(self, sentence: str):
        super().__init__(sentence)
        self.sentence = sentence


def redirect_uri() -> str:
    return public_url(url_for("smart.callback"))


@bp.get("/launch")
def launch():
    try:
        args = request.args
        return redirect(authorize_url(args.get("iss", ""), args.get("launch"), args.get(LANG_FIELD)))
    except LaunchFailed as failed:
        return failed_form(failed.sentence)


def authorize_url(iss: str, launch_id: str | None, lang: str | None = None) -> str:
    """The EHR's authorize URL for this launch, with the sealed state. Raises LaunchFailed.
    `lang`: the language the EHR pinned in the launch URL (calculator.i18n), kept for the page
    shown after the EHR's login."""
    config = current_app.config
    issuers = config["SMART_ISSUERS"]
    iss = iss.rstrip("/") or (issuers[0] if len(issuers) == 1 and launch_id is None else "")
    if iss not in issuers:
        raise LaunchFailed(NOT_ALLOWED)
    endpoints = discover(iss)
    verifier = secrets.token_urlsafe(64)  # 86 characters, within RFC 7636's 43-128
    state = launch_state.seal(
        {
            "iss": iss,
            "verifier": verifier,
            "token_endpoint": endpoints["token_endpoint"],
            **({"lang": language(lang)} if language(lang) else {}),
        },
        config["SMART_KEY"],
    )
    extra = {"aud": iss, **({"launch": launch_id} if launch_id else {})}
    with _oauth(iss, EHR_SCOPES if launch_id else STANDALONE_SCOPES) as oauth:
        url, _ = oauth.create_authorization_url(
            endpoints["authorization_endpoint"], state=state, code_verifier=verifier, **extra
        )
    return url


def discover(iss: str) -> dict:
    """The EHR's endpoints from {iss}/.well-known/smart-configuration; it must offer PKCE S256."""
    try:
        response = requests.get(
            f"{iss}/.well-known/smart-configuration", headers={"Accept": "application/json"}, timeout=TIMEOUT
        )
        response.raise_for_status()
        configuration = response.json()
    except (requests.RequestException, ValueError):
        raise LaunchFailed(DISCOVERY) from None
    endpoints = {k: configuration.get(k) for k in ("authorization_endpoint", "token_endpoint")}
    # An https EHR's endpoints must be https too: the code and the PKCE verifier go to the token
    # endpoint. (Plain http is allowed only for a loopback test EHR, see check_settings.)
    schemes = ("https://",) if iss.startswith("https://") else ("https://", "http://")
    if not all(isinstance(u, str) and u.startswith(schemes) for u in endpoints.values()):
        raise LaunchFailed(DISCOVERY)
    if "S256" not in (configuration.get("code_challenge_methods_supported") or []):
        raise LaunchFailed(DISCOVERY)  # the spec requires S256; without it the code could be stolen
    return endpoints


@bp.get("/launch/callback")
def callback():
    try:
        state = launch_state.unseal(request.args.get("state", ""), current_app.config["SMART_KEY"])
    except launch_state.LaunchStateError:
        return failed_form(EXPIRED)
    with language_of(state.get("lang")):
        if "error" in request.args or not request.args.get("code"):
            return failed_form(DENIED)
        try:
            prefill = read_chart(state, request.args["code"])
        except LaunchFailed as failed:
            return failed_form(failed.sentence)
        return render_template("index.html", **_page(prefill=prefill))


def read_chart(state: dict, code: str) -> Prefill:
    """Exchange the code, read the two scores, drop the token. Raises LaunchFailed."""
    with _oauth(state["iss"], None) as oauth:
        try:
            token = oauth.fetch_token(
                state["token_endpoint"],
                grant_type="authorization_code",
                code=code,
                code_verifier=state["verifier"],
                redirect_uri=redirect_uri(),
                timeout=TIMEOUT,
            )
        except (OAuthError, requests.RequestException, ValueError, KeyError):
            raise LaunchFailed(REFUSED) from None
        patient = token.get("patient")
        if not isinstance(patient, str) or not patient:
            raise LaunchFailed(REFUSED)  # no patient in context: there is no chart to read
        kps, ecog = (_latest(oauth, state["iss"], patient, loinc) for loinc in (KPS_LOINC, ECOG_LOINC))
    today = datetime.now(UTC).date()
    prefill = chart_launch(kps, ecog, today, int(current_app.config["SMART_MAX_AGE_DAYS"]))
    if prefill is None:
        raise LaunchFailed(NONE_FOUND)
    return prefill


def _latest(oauth: OAuth2Session, iss: str, patient: str, loinc: str):
    params = {"patient": patient, "code": f"{LOINC}|{loinc}", "_sort": "-date", "_count": "1"}
    try:
        response = oauth.get(
            f"{iss}/Observation", params=params, headers={"Accept": "application/fhir+json"}, timeout=TIMEOUT
        )
        response.raise_for_status()
        return latest_reading(response.json())
    except (OAuthError, requests.RequestException, ValueError, ChartError):
        raise LaunchFailed(FHIR) from None


def _oauth(iss: str, scope: str | None) -> OAuth2Session:
    # A public client (no secret): PKCE S256 is what binds the code to this launch.
    return OAuth2Session(
        client_id=client_id(current_app.config, iss),
        redirect_uri=redirect_uri(),
        scope=scope,
        code_challenge_method="S256",
        token_endpoint_auth_method="none",  # noqa: S106 - a method name, not a password
    )


def failed_form(sentence: str):
    return render_template("index.html", **_page(launch_error=_(sentence)))


def _page(prefill: Prefill | None = None, launch_error: str | None = None) -> dict:
    form = EstimateForm(formdata=MultiDict(prefill.accepted if prefill else {}))
    return {
        "form": form,
        "result": None,
        "prefill": prefill,
        "ignored_query": [],
        "launch_error": launch_error,
        "model": get_model(),
    }
