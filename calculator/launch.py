"""Launch from the EHR: inputs prefilled for the surgeon to confirm, never computed on arrival.

Patient values never travel in a URL query (server and proxy logs, browser history keep it), so
the EHR launches the page in one of two ways, both ending here (docs/ehr-integration.md):

- a POST of the form fields with `prefill=1` (any POST from another site counts as one), which
  works without JavaScript;
- the URL fragment, `/#kps=70&mccormick_grade=3`, which browsers never send to any server;
  calculator/static/calculator.js (section 2) removes it from the address and re-sends it as that POST.

`read_prefill` decides which values are shown as prefilled and what is said about the others:
a value outside the declared choices is dropped with a note (never a silent default), and an
ECOG grade (when no KPS is sent) is prefilled as the ECOG choice of the KPS list, which the
estimate averages over its KPS band (calculator.features.ECOG_KPS_BAND), for the surgeon to confirm.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from urllib.parse import urlsplit

from calculator.features import BY_NAME, ECOG_KPS_BAND, FEATURE_NAMES, KPS, N_
from calculator.forms import ECOG_PREFIX, form_value
from calculator.i18n import _

PREFILL_FLAG = "prefill"
LAUNCH_REFUSED = N_(
    "This launch came from a site that is not allowed to launch the calculator, so nothing it sent "
    "is shown. Open the calculator from your EHR, or enter the values yourself."
)
ECOG = "ecog"


@dataclass(frozen=True)
class Prefill:
    """What the EHR sent, as the form will show it."""

    accepted: dict[str, str] = field(default_factory=dict)  # field name -> form value, shown selected
    notes: dict[str, str] = field(default_factory=dict)  # field name -> sentence shown beside the field


def is_prefill(form_data: Mapping[str, str], fetch_site: str | None) -> bool:
    """A launch: the flag is set, or the POST comes from another site (the browser's Sec-Fetch-Site
    header; the surgeon's own button posts from the page itself), so that an integration that
    forgets the flag still cannot have a value computed before the surgeon confirms it."""
    return form_data.get(PREFILL_FLAG) == "1" or fetch_site in ("cross-site", "same-site")


def launch_allowed(origin: str | None, fetch_site: str | None, own_host: str, frame_ancestors: str) -> bool:
    """Whether a launch may prefill the form: it comes from this site or from an origin allowed to
    frame it (CALCULATOR_FRAME_ANCESTORS), as the browser's Origin header says. Any site can make
    a browser POST here; without this, any site could show values labelled "From the EHR".

    Browsers send Origin on every POST, but as "null" from a page whose Referrer-Policy is
    no-referrer, which includes this page's own fragment launch (calculator.js): then only the
    browser's Sec-Fetch-Site "same-origin" admits it; a "null" from anywhere else (a sandboxed
    frame, a file, another site's no-referrer page) names no one and is refused. Without Origin
    (a script, or a browser too old to send it) only Sec-Fetch-Site can refuse it.
    """
    if origin is None:
        return fetch_site not in ("cross-site", "same-site")
    if origin == "null":
        return fetch_site == "same-origin"
    allowed = frame_ancestors.split()
    if "'self'" in allowed and urlsplit(origin).netloc == own_host:  # behind TLS the app sees http
        return True
    return origin.rstrip("/") in allowed


def read_prefill(form_data: Mapping[str, str]) -> Prefill:
    """Sort the EHR's values into those shown selected and those explained beside their field."""
    accepted: dict[str, str] = {}
    notes: dict[str, list[str]] = {}
    getlist = getattr(form_data, "getlist", lambda key: [form_data[key]] if key in form_data else [])
    for name in FEATURE_NAMES:
        raw = (form_data.get(name) or "").strip()
        if len(set(getlist(name))) > 1:
            notes[name] = [_("The EHR sent different values for this field.")]  # never the first alone
        elif raw in {form_value(v) for v in BY_NAME[name].values}:
            accepted[name] = raw
        elif raw:
            sentence = _("The EHR sent %(value)s, which is not one of the choices here.", value=_quoted(raw))
            notes[name] = [sentence]
    ecog = (form_data.get(ECOG) or "").strip()
    if ecog and KPS.name not in accepted and len(set(getlist(ECOG))) > 1:
        notes.setdefault(KPS.name, []).append(_("The EHR sent different ECOG grades."))  # never the first
    elif ecog and KPS.name not in accepted:
        if ecog in {str(grade) for grade in ECOG_KPS_BAND}:
            accepted[KPS.name] = f"{ECOG_PREFIX}{ecog}"
        else:
            notes.setdefault(KPS.name, []).append(
                _("The EHR sent ECOG %(value)s, which is not a grade from 0 to 4.", value=_quoted(ecog))
            )
    return Prefill(
        accepted=accepted,
        notes={
            name: " ".join([*sentences, _("Choose the value yourself.")]) for name, sentences in notes.items()
        },
    )


def inputs_in_query(args: Mapping[str, str]) -> list[str]:
    """Names of calculator inputs found in a URL query string: ignored, and the page says why."""
    return [name for name in (*FEATURE_NAMES, ECOG) if name in args]


def _quoted(raw: str) -> str:
    # TRANSLATORS: a value the EHR sent, quoted as the language quotes („…“ in German, «…» in Italian).
    shown = raw[:40] + ("…" if len(raw) > 40 else "")
    return _("“%(value)s”", value=shown)
