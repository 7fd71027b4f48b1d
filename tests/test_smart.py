"""SMART on FHIR launch against the test EHR (tests/ehr/) running as a real process on loopback.

The calculator runs in-process (Flask's test client plays the browser's part of the redirects);
the discovery, token exchange and FHIR reads are real HTTP to the EHR, which enforces PKCE S256,
`aud`, registered redirect URIs and single-use codes. The whole launch in Chromium, in a
cross-site frame: tests/test_browser_smart.py.
"""

from __future__ import annotations

import html as html_text
import re
from urllib.parse import parse_qs, urlsplit

import pytest
import requests
from ehr import CLIENT_ID, running_ehr

from calculator import StartupRefused, create_app
from calculator import smart as smart_module

pytestmark = pytest.mark.slow  # starts the test EHR

REDIRECT_URI = "http://localhost/launch/callback"  # the test client's host
KEY = "k" * 40


@pytest.fixture(scope="module")
def ehr(tmp_path_factory):
    with running_ehr([REDIRECT_URI], tmp_path_factory.mktemp("ehr") / "ehr.log") as iss:
        yield iss


@pytest.fixture()
def smart_app(ehr):
    config = {"SMART_ENABLED": True, "SMART_ISSUERS": ehr, "SMART_CLIENT_ID": CLIENT_ID, "SMART_KEY": KEY}
    return create_app({"TESTING": True, **config})


@pytest.fixture()
def client(smart_app):
    return smart_app.test_client()


def authorize(client, ehr, launch="kps-recent", **extra):
    """GET /launch, then the EHR's authorize; returns the callback path with its query."""
    query = {"iss": ehr, **({"launch": launch} if launch else {}), **extra}
    response = client.get("/launch", query_string=query)
    assert response.status_code == 302, response.get_data(as_text=True)
    at_ehr = requests.get(response.location, allow_redirects=False, timeout=5)
    assert at_ehr.status_code == 302, at_ehr.text
    back = urlsplit(at_ehr.headers["Location"])
    assert f"http://{back.netloc}{back.path}" == REDIRECT_URI
    return f"{back.path}?{back.query}"


def launch(client, ehr, launch_id):
    page = client.get(authorize(client, ehr, launch_id))
    assert page.status_code == 200
    assert "Set-Cookie" not in page.headers
    assert page.headers["Cache-Control"] == "no-store"  # the page holds a patient's score
    assert "frame-ancestors" in page.headers["Content-Security-Policy"]
    return page.get_data(as_text=True)


def selected_kps(html: str) -> str | None:
    match = re.search(r'<option selected value="([^"]*)">', html)
    return (match[1] or None) if match else None  # "" is the "Choose KPS" placeholder


def test_the_authorize_request_is_what_app_launch_2_asks(client, ehr):
    response = client.get("/launch", query_string={"iss": ehr, "launch": "kps-recent"})
    url = urlsplit(response.location)
    query = {k: v[0] for k, v in parse_qs(url.query).items()}
    assert query["response_type"] == "code"
    assert query["client_id"] == CLIENT_ID
    assert query["redirect_uri"] == REDIRECT_URI
    assert query["aud"] == ehr
    assert query["launch"] == "kps-recent"
    assert query["scope"] == "launch openid fhirUser patient/Patient.r patient/Observation.rs"
    assert query["code_challenge_method"] == "S256" and len(query["code_challenge"]) == 43
    # The state is opaque (a JWE) and different on every launch: unpredictable, and no verifier in clear.
    again = parse_qs(urlsplit(client.get(response.request.url).location).query)["state"][0]
    assert query["state"].count(".") == 4 and query["state"] != again
    assert "Set-Cookie" not in response.headers


def test_ehr_launch_prefills_the_most_recent_kps_to_confirm_and_estimates_nothing(client, ehr):
    html = launch(client, ehr, "kps-recent")
    assert selected_kps(html) == "70"  # the newer of 70 and 40
    assert "From the chart: KPS 70, recorded " in html and "(5 days ago). Please confirm." in html
    assert "From the EHR: please confirm." in html
    assert "nothing has been estimated yet" in html
    assert 'id="result"' not in html and "%" not in html.split("<form", 1)[0]


def test_the_surgeon_confirms_and_only_then_gets_an_estimate(client, ehr):
    launch(client, ehr, "kps-recent")
    form = {"kps": "70", "other_metastases": "no", "mccormick_grade": "2", "resection": "biopsy"}
    page = client.post(
        "/", data={**form, "compartment": "intramedullary"}, headers={"Sec-Fetch-Site": "same-origin"}
    )
    assert page.status_code == 200
    assert 'id="result"' in page.get_data(as_text=True)


def test_a_stale_kps_is_marked_old(client, ehr):
    html = launch(client, ehr, "kps-stale")
    assert selected_kps(html) == "60"
    assert "(200 days ago). Old: more than 30 days, it may no longer describe the patient." in html


def test_the_old_marker_follows_the_configured_age(ehr):
    config = {"SMART_ENABLED": True, "SMART_ISSUERS": ehr, "SMART_CLIENT_ID": CLIENT_ID, "SMART_KEY": KEY}
    client = create_app({"TESTING": True, **config, "SMART_MAX_AGE_DAYS": 365}).test_client()
    assert "Old:" not in launch(client, ehr, "kps-stale")


def test_ecog_only_prefills_the_ecog_choice(client, ehr):
    html = launch(client, ehr, "ecog-only")
    assert selected_kps(html) == "ecog-2"
    assert "From the chart: ECOG 2 (no KPS in the chart, so ECOG is used), recorded " in html


def test_a_kps_the_form_does_not_offer_is_refused_not_rounded(client, ehr):
    html = launch(client, ehr, "kps-odd")
    assert selected_kps(html) is None
    assert "From the chart: KPS 75" in html and "which is not one of the choices here" in html


def test_standalone_launch_asks_for_launch_patient(client, ehr):
    response = client.get("/launch", query_string={"iss": ehr})
    assert "launch/patient" in parse_qs(urlsplit(response.location).query)["scope"][0]
    assert selected_kps(client.get(authorize(client, ehr, launch=None)).get_data(as_text=True)) == "70"


@pytest.mark.parametrize(
    "launch_id, sentence",
    [
        ("none", smart_module.NONE_FOUND),
        ("fhir-error", smart_module.FHIR),
        ("denied", smart_module.DENIED),
    ],
)
def test_failures_end_on_the_empty_form_with_one_sentence(client, ehr, launch_id, sentence):
    html = launch(client, ehr, launch_id)
    assert sentence in html_text.unescape(html)
    assert selected_kps(html) is None and "Traceback" not in html
    assert 'name="kps"' in html  # the normal form, to fill in by hand


def test_an_issuer_not_on_the_list_is_refused_before_any_request(client):
    response = client.get("/launch", query_string={"iss": "https://evil.example.org/fhir", "launch": "x"})
    assert response.status_code == 200
    assert smart_module.NOT_ALLOWED in html_text.unescape(response.get_data(as_text=True))


def test_an_unreachable_smart_configuration_is_one_sentence(ehr):
    dead = "http://127.0.0.1:9/fhir"  # discard port: nothing listens
    config = {"SMART_ENABLED": True, "SMART_ISSUERS": dead, "SMART_CLIENT_ID": CLIENT_ID, "SMART_KEY": KEY}
    client = create_app({"TESTING": True, **config}).test_client()
    html = client.get("/launch", query_string={"iss": dead, "launch": "kps-recent"}).get_data(as_text=True)
    assert smart_module.DISCOVERY in html_text.unescape(html)


@pytest.mark.parametrize(
    "configuration",
    [
        {"code_challenge_methods_supported": ["plain"]},  # no S256
        {"code_challenge_methods_supported": []},
        {"token_endpoint": "http://ehr.example.org/token"},  # an https EHR with a plain-http endpoint
        {"authorization_endpoint": None},
    ],
)
def test_a_smart_configuration_without_s256_or_with_insecure_endpoints_is_refused(monkeypatch, configuration):
    iss = "https://ehr.example.org/fhir"
    good = {
        "authorization_endpoint": "https://ehr.example.org/authorize",
        "token_endpoint": "https://ehr.example.org/token",
        "code_challenge_methods_supported": ["S256"],
    }

    class Answer:
        def raise_for_status(self):
            pass

        def json(self):
            return {**good, **configuration}

    monkeypatch.setattr(smart_module.requests, "get", lambda *args, **kwargs: Answer())
    config = {"SMART_ENABLED": True, "SMART_ISSUERS": iss, "SMART_CLIENT_ID": CLIENT_ID, "SMART_KEY": KEY}
    client = create_app({"TESTING": True, **config}).test_client()
    html = client.get("/launch", query_string={"iss": iss, "launch": "x"}).get_data(as_text=True)
    assert smart_module.DISCOVERY in html_text.unescape(html)
    monkeypatch.setattr(Answer, "json", lambda self: good)
    assert client.get("/launch", query_string={"iss": iss, "launch": "x"}).status_code == 302  # the control


def test_an_unknown_or_expired_launch_at_the_ehr_is_one_sentence(client, ehr):
    assert smart_module.DENIED in launch(client, ehr, "no-such-launch")


@pytest.mark.parametrize("change", ["tampered", "other key", "expired", "missing"])
def test_a_state_that_did_not_come_back_unchanged_is_refused(client, ehr, change, monkeypatch):
    callback = authorize(client, ehr)
    path, query = callback.split("?", 1)
    params = {k: v[0] for k, v in parse_qs(query).items()}
    if change == "tampered":
        params["state"] = params["state"][:-4] + ("AAAA" if not params["state"].endswith("AAAA") else "BBBB")
    elif change == "other key":
        from calculator.launch_state import seal

        params["state"] = seal({"iss": ehr, "verifier": "v" * 43, "token_endpoint": "x"}, "o" * 40)
    elif change == "expired":
        monkeypatch.setattr("calculator.launch_state.time.time", lambda: 10**10)
    else:
        del params["state"]
    html = client.get(path, query_string=params).get_data(as_text=True)
    assert smart_module.EXPIRED in html and selected_kps(html) is None


def test_a_replayed_callback_is_refused_by_the_ehr(client, ehr):
    callback = authorize(client, ehr)
    assert selected_kps(client.get(callback).get_data(as_text=True)) == "70"
    assert smart_module.REFUSED in client.get(callback).get_data(as_text=True)  # codes are single-use


def test_the_access_token_never_reaches_the_page(client, ehr, monkeypatch):
    seen = []
    original = smart_module.OAuth2Session.fetch_token

    def spy(self, *args, **kwargs):
        token = original(self, *args, **kwargs)
        seen.append(token["access_token"])
        return token

    monkeypatch.setattr(smart_module.OAuth2Session, "fetch_token", spy)
    html = launch(client, ehr, "kps-recent")
    assert seen and seen[0] not in html


def test_the_test_ehr_enforces_pkce_and_aud(client, ehr):
    """The EHR the suite trusts must refuse what a real one refuses, or the tests above prove little."""
    url = urlsplit(client.get("/launch", query_string={"iss": ehr, "launch": "kps-recent"}).location)
    query = {k: v[0] for k, v in parse_qs(url.query).items()}
    authorize_url = f"{url.scheme}://{url.netloc}{url.path}"
    for broken in ({"code_challenge_method": "plain"}, {"aud": "https://other/fhir"}):
        answer = requests.get(authorize_url, params={**query, **broken}, allow_redirects=False, timeout=5)
        assert "error=invalid_request" in answer.headers["Location"]
    answer = requests.get(authorize_url, params=query, allow_redirects=False, timeout=5)
    code = parse_qs(urlsplit(answer.headers["Location"]).query)["code"][0]
    token_url = authorize_url.replace("/authorize", "/token")
    wrong = {"grant_type": "authorization_code", "code": code, "client_id": CLIENT_ID}
    wrong |= {"redirect_uri": REDIRECT_URI, "code_verifier": "x" * 64}
    assert requests.post(token_url, data=wrong, timeout=5).json()["error"] == "invalid_grant"


@pytest.mark.parametrize(
    "config, variable",
    [
        ({"SMART_KEY": ""}, "CALCULATOR_SMART_KEY"),
        ({"SMART_KEY": "short"}, "CALCULATOR_SMART_KEY"),
        ({"SMART_ISSUERS": ""}, "CALCULATOR_SMART_ISSUERS"),
        ({"SMART_ISSUERS": "http://ehr.example.org/fhir"}, "CALCULATOR_SMART_ISSUERS"),
        ({"SMART_ISSUERS": {"not": "a list"}}, "CALCULATOR_SMART_ISSUERS"),
        ({"SMART_MAX_AGE_DAYS": "thirty"}, "CALCULATOR_SMART_MAX_AGE_DAYS"),
        ({"SMART_MAX_AGE_DAYS": -1}, "CALCULATOR_SMART_MAX_AGE_DAYS"),
        ({"SMART_CLIENT_ID": ""}, "CALCULATOR_SMART_CLIENT_ID"),
        ({"SMART_CLIENT_ID": {"https://other/fhir": "x"}}, "CALCULATOR_SMART_CLIENT_ID"),
    ],
)
def test_start_refuses_smart_without_its_settings(config, variable):
    base = {"SMART_ENABLED": True, "SMART_ISSUERS": "https://ehr.example.org/fhir", "SMART_CLIENT_ID": "c"}
    with pytest.raises(StartupRefused, match=variable):
        create_app({"TESTING": True, **base, "SMART_KEY": KEY, **config})


def test_smart_is_off_by_default():
    client = create_app({"TESTING": True}).test_client()
    assert client.get("/launch?iss=x&launch=y").status_code == 404


def test_the_ehr_pins_the_language_in_the_launch_url(client, ehr):
    """`lang` in the launch URL travels sealed in the state: the page after the EHR's login is in
    it, whatever the browser's Accept-Language."""
    path = authorize(client, ehr, "kps-recent", lang="de")
    page = client.get(path, headers={"Accept-Language": "it"}).get_data(as_text=True)
    assert '<html lang="de"' in page
    assert "Aus der Patientenakte: KPS 70, erfasst am " in page and "(vor 5 Tagen)" in page
    assert "de" not in parse_qs(urlsplit(path).query).get("lang", [])  # only inside the sealed state
