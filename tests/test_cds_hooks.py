"""CDS Hooks: discovery, the patient-view card, and the JWT every service call must carry.

The JWTs are real: signed with EC P-384 and RSA keys made here, whose public halves are the
trusted issuers' JWKS (inline and from a file), as the specification describes.
"""

from __future__ import annotations

import base64
import json
import threading
import time
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from joserfc import jwt
from joserfc.jwk import ECKey, OctKey, RSAKey

from calculator import StartupRefused, create_app
from calculator.cds_hooks import PREFETCH, SERVICE_ID
from calculator.cds_jwt import MAX_LIFETIME_SECONDS

SERVICE = f"http://localhost/cds-services/{SERVICE_ID}"
EHR = "https://ehr.example.org"
OTHER_EHR = "https://other-ehr.example.org"
EC_KEY = ECKey.generate_key("P-384", parameters={"kid": "ec-1"})
RSA_KEY = RSAKey.generate_key(2048, parameters={"kid": "rsa-1"})
STRANGER = ECKey.generate_key("P-384", parameters={"kid": "ec-1"})  # same kid, not the EHR's key
HMAC = OctKey.generate_key(256, parameters={"kid": "hs-1"})


def jwks(*keys) -> dict:
    return {"keys": [k.as_dict(private=False) for k in keys]}


@pytest.fixture()
def app(tmp_path):
    path = tmp_path / "other-ehr-jwks.json"
    path.write_text(json.dumps(jwks(RSA_KEY)), encoding="utf-8")
    issuers = {EHR: jwks(EC_KEY), OTHER_EHR: str(path)}
    return create_app({"TESTING": True, "CDS_HOOKS_ISSUERS": issuers})


def claims(**changes) -> dict:
    now = int(time.time())
    base = {"iss": EHR, "aud": SERVICE, "iat": now, "exp": now + 60, "jti": str(uuid.uuid4())}
    return {k: v for k, v in {**base, **changes}.items() if v is not None}


def signed(payload: dict, key=EC_KEY, alg="ES384") -> str:
    return jwt.encode({"alg": alg, "typ": "JWT", "kid": key.kid}, payload, key, algorithms=[alg])


def hook_request(kps=None, ecog=None) -> dict:
    def bundle(code, value):
        if value is None:
            return {"resourceType": "Bundle", "type": "searchset", "total": 0}
        observation = {
            "resourceType": "Observation",
            "status": "final",
            "code": {"coding": [{"system": "http://loinc.org", "code": code}]},
            "effectiveDateTime": "2026-11-20",
            "valueInteger": value,
        }
        return {"resourceType": "Bundle", "type": "searchset", "entry": [{"resource": observation}]}

    return {
        "hook": "patient-view",
        "hookInstance": str(uuid.uuid4()),
        "context": {"userId": "Practitioner/1", "patientId": "p1"},
        "prefetch": {"kps": bundle("89243-0", kps), "ecog": bundle("89247-1", ecog)},
    }


def call(client, token: str | None, body: dict | None = None):
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    return client.post(f"/cds-services/{SERVICE_ID}", json=body or hook_request(kps=70), headers=headers)


def test_discovery_lists_the_patient_view_service_with_its_prefetch(client):
    services = client.get("/cds-services").get_json()["services"]
    assert services == [
        {
            "hook": "patient-view",
            "id": SERVICE_ID,
            "title": services[0]["title"],
            "description": services[0]["description"],
            "prefetch": PREFETCH,
        }
    ]
    assert PREFETCH["kps"] == (
        "Observation?patient={{context.patientId}}&code=http://loinc.org|89243-0&_sort=-date&_count=1"
    )
    assert "89247-1" in PREFETCH["ecog"]


def check_card(card: dict) -> None:
    """The fields CDS Hooks 2.0 requires of a card, with their constraints."""
    assert isinstance(card["summary"], str) and 0 < len(card["summary"]) <= 140
    assert card["indicator"] in ("info", "warning", "critical")
    assert isinstance(card["source"]["label"], str) and card["source"]["label"]
    uuid.UUID(card["uuid"])
    for link in card.get("links", []):
        assert link["type"] in ("absolute", "smart") and link["label"] and link["url"].startswith("http")


@pytest.mark.parametrize(
    "prefetch, status",
    [
        ({"kps": 70}, "chart KPS 70 (2026-11-20)"),
        ({"ecog": 2}, "chart ECOG 2 (2026-11-20)"),
        ({"kps": 60, "ecog": 1}, "chart KPS 60 (2026-11-20)"),
        ({}, "no KPS or ECOG in the chart"),
    ],
)
def test_one_info_card_with_the_prefetched_status_and_no_estimate(client, prefetch, status):
    response = call(client, signed(claims()), hook_request(**prefetch))
    assert response.status_code == 200
    (card,) = response.get_json()["cards"]
    check_card(card)
    assert card["indicator"] == "info"
    assert card["summary"].endswith(status)
    assert "%" not in json.dumps(card)  # a card never carries an estimate
    assert card["links"] == [
        {"label": card["links"][0]["label"], "url": "http://localhost/", "type": "absolute"}
    ]


def test_with_smart_enabled_the_card_links_the_smart_launch(tmp_path):
    smart = {"SMART_ENABLED": True, "SMART_ISSUERS": "https://ehr.example.org/fhir", "SMART_CLIENT_ID": "c"}
    config = {"TESTING": True, "CDS_HOOKS_ISSUERS": {EHR: jwks(EC_KEY)}, "SMART_KEY": "k" * 40, **smart}
    client = create_app(config).test_client()
    (card,) = call(client, signed(claims())).get_json()["cards"]
    assert card["links"][0]["type"] == "smart"
    assert card["links"][0]["url"] == "http://localhost/launch"


def test_a_prefetch_that_is_missing_or_not_a_bundle_still_gets_a_card(client):
    body = {**hook_request(), "prefetch": {"kps": {"resourceType": "OperationOutcome"}, "ecog": None}}
    (card,) = call(client, signed(claims()), body).get_json()["cards"]
    assert card["summary"].endswith("no KPS or ECOG in the chart")


def test_rsa_keys_from_a_jwks_file_are_trusted_too(client):
    assert call(client, signed(claims(iss=OTHER_EHR), RSA_KEY, "RS384")).status_code == 200


def none_token(payload: dict) -> str:
    def part(data):
        return base64.urlsafe_b64encode(json.dumps(data).encode()).rstrip(b"=").decode()

    return f"{part({'alg': 'none', 'typ': 'JWT'})}.{part(payload)}."


@pytest.mark.parametrize(
    "token",
    [
        pytest.param(lambda: None, id="no Authorization header"),
        pytest.param(lambda: "not-a-jwt", id="garbage"),
        pytest.param(lambda: none_token(claims()), id="alg none"),
        pytest.param(lambda: signed(claims(), HMAC, "HS256"), id="HS256"),
        pytest.param(lambda: signed(claims(), STRANGER), id="signed by another key"),
        pytest.param(lambda: signed(claims(iss="https://evil.example.org")), id="untrusted iss"),
        pytest.param(lambda: signed(claims(iss=OTHER_EHR)), id="iss whose keys did not sign it"),
        pytest.param(lambda: signed(claims(aud="http://localhost/cds-services")), id="aud not the service"),
        pytest.param(lambda: signed(claims(aud=None)), id="no aud"),
        pytest.param(lambda: signed(claims(exp=int(time.time()) - 120)), id="expired"),
        pytest.param(lambda: signed(claims(exp=None)), id="no exp"),
        pytest.param(lambda: signed(claims(iat=None)), id="no iat"),
        pytest.param(lambda: signed(claims(jti=None)), id="no jti"),
        pytest.param(
            lambda: signed(claims(exp=int(time.time()) + 2 * MAX_LIFETIME_SECONDS)), id="exp too far ahead"
        ),
    ],
)
def test_requests_without_a_valid_jwt_are_refused(client, token):
    response = call(client, token())
    assert response.status_code == 401
    assert "cards" not in (response.get_json() or {})


def test_a_jwks_url_is_fetched_at_run_time_and_cached():
    """A trusted EHR's JWKS URL (here a loopback server standing in for it), read once per 5 minutes."""
    body = json.dumps(jwks(EC_KEY)).encode()
    fetched = []

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self):
            fetched.append(self.path)
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        url = f"http://127.0.0.1:{server.server_port}/jwks.json"
        client = create_app({"TESTING": True, "CDS_HOOKS_ISSUERS": {EHR: url}}).test_client()
        assert call(client, signed(claims())).status_code == 200
        assert call(client, signed(claims())).status_code == 200
        assert call(client, signed(claims(), STRANGER)).status_code == 401
        assert fetched == ["/jwks.json"]
    finally:
        server.shutdown()
        server.server_close()


def test_an_unreachable_jwks_url_authenticates_nobody():
    client = create_app(
        {"TESTING": True, "CDS_HOOKS_ISSUERS": {EHR: "http://127.0.0.1:9/jwks"}}
    ).test_client()
    assert call(client, signed(claims())).status_code == 401


def test_a_jwks_with_a_symmetric_key_still_refuses_hs256(tmp_path):
    config = {"TESTING": True, "CDS_HOOKS_ISSUERS": {EHR: {"keys": [HMAC.as_dict(private=True)]}}}
    client = create_app(config).test_client()
    assert call(client, signed(claims(), HMAC, "HS256")).status_code == 401


def test_a_replayed_jti_is_refused(client):
    token = signed(claims())
    assert call(client, token).status_code == 200
    assert call(client, token).status_code == 401
    assert call(client, signed(claims())).status_code == 200  # a new jti is fine


def test_a_request_that_is_not_a_patient_view_hook_is_refused(client):
    assert call(client, signed(claims()), {"hook": "order-select"}).status_code == 400


def test_cds_hooks_is_off_by_default():
    client = create_app({"TESTING": True}).test_client()
    assert client.get("/cds-services").status_code == 404


@pytest.mark.parametrize("issuers", ['["https://ehr"]', {EHR: "/no/such/jwks.json"}, {EHR: {"keys": "x"}}])
def test_start_refuses_unusable_issuer_settings(issuers):
    with pytest.raises(StartupRefused, match="CALCULATOR_CDS_HOOKS_ISSUERS"):
        create_app({"TESTING": True, "CDS_HOOKS_ISSUERS": issuers})


def test_the_jti_cache_is_bounded_and_forgets_expired_tokens():
    from calculator.cds_jwt import JtiCache

    cache = JtiCache(size=2)
    assert cache.first_use("a", exp=100, now=50) and not cache.first_use("a", exp=100, now=60)
    assert cache.first_use("b", exp=100, now=60) and cache.first_use("c", exp=100, now=60)
    assert len(cache.seen) == 2  # bounded: "a" was forgotten
    assert cache.first_use("d", exp=500, now=400) and cache.seen == {"d": 500}  # expired ones dropped


def test_the_card_says_the_shipped_model_is_synthetic(client):
    (card,) = call(client, signed(claims()), hook_request(kps=70)).get_json()["cards"]
    assert "synthetic cohorts reconstructed from published series" in card["detail"]
    assert "not been validated on real patients" in card["detail"]


@pytest.mark.parametrize("url", ["http://ehr.example.org/jwks.json", "ftp://ehr.example.org/jwks"])
def test_a_jwks_is_fetched_over_https_only(url):
    """Keys fetched over plain http could be swapped in transit, letting anyone sign a request;
    plain http stays allowed on loopback, for a test EHR."""
    with pytest.raises(StartupRefused, match="CALCULATOR_CDS_HOOKS_ISSUERS"):
        create_app({"TESTING": True, "CDS_HOOKS_ISSUERS": {EHR: url}})


def test_public_url_names_the_calculator_as_the_ehr_reaches_it():
    """Behind the hospital's proxy the request's own host is not the public one: CALCULATOR_PUBLIC_URL
    makes the SMART redirect URI, the CDS Hooks `aud` and the card's link."""
    from calculator.public_url import public_url

    app = create_app({"TESTING": True, "PUBLIC_URL": "https://calculator.example.org/"})
    with app.test_request_context("/cds-services/x", base_url="http://127.0.0.1:8000"):
        assert public_url("/launch/callback") == "https://calculator.example.org/launch/callback"
    with create_app({"TESTING": True}).test_request_context("/", base_url="http://127.0.0.1:8000"):
        assert public_url("/launch/callback") == "http://127.0.0.1:8000/launch/callback"
