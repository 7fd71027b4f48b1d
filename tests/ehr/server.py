"""A small test EHR on loopback: a SMART authorization server and a FHIR R4 endpoint with fixtures.

Run as a real process (tests/ehr_fixture.py starts it with bench.common.serve):
`python tests/ehr/server.py PORT CLIENT_ID REDIRECT_URI [REDIRECT_URI ...]`. Its FHIR base URL
(the `iss`) is http://127.0.0.1:PORT/fhir.

It enforces what App Launch 2.x asks of an EHR, with the spec's error codes: a registered client
and redirect URI (else a 400 page, never a redirect), `response_type=code`, PKCE with S256 only,
`aud` equal to its FHIR base URL, a known `launch` (or `launch/patient` for a standalone launch),
single-use codes that expire, `code_verifier` checked at the token endpoint, and bearer tokens
scoped to the launch's patient on every FHIR read. Launch ids are the fixture patients' ids
(fixtures.PATIENTS); the patient "denied" refuses consent (error=access_denied).
"""

from __future__ import annotations

import base64
import hashlib
import secrets
import sys
import time
from urllib.parse import urlencode

from fixtures import PATIENTS, observations
from flask import Flask, abort, jsonify, redirect, request

CODE_SECONDS = 60


def create_ehr(port: int, client_id: str, redirect_uris: list[str]) -> Flask:
    app = Flask(__name__)
    base = f"http://127.0.0.1:{port}"
    iss = f"{base}/fhir"
    codes: dict[str, dict] = {}  # one process, so the EHR's own memory is its session store
    tokens: dict[str, str] = {}  # access token -> patient id

    @app.get("/fhir/.well-known/smart-configuration")
    def smart_configuration():
        return jsonify(
            authorization_endpoint=f"{base}/authorize",
            token_endpoint=f"{base}/token",
            grant_types_supported=["authorization_code"],
            code_challenge_methods_supported=["S256"],
            token_endpoint_auth_methods_supported=["none"],
            scopes_supported=["launch", "launch/patient", "openid", "fhirUser", "patient/*.rs"],
            response_types_supported=["code"],
            capabilities=["launch-ehr", "launch-standalone", "client-public", "context-ehr-patient"],
        )

    @app.get("/authorize")
    def authorize():
        args = request.args
        if args.get("client_id") != client_id or args.get("redirect_uri") not in redirect_uris:
            return "unknown client or redirect_uri", 400  # never redirect to an unregistered URI

        def error(code: str):
            query = {"error": code, **({"state": args["state"]} if "state" in args else {})}
            return redirect(f"{args['redirect_uri']}?{urlencode(query)}")

        scopes = args.get("scope", "").split()
        if args.get("response_type") != "code" or not args.get("state"):
            return error("invalid_request")
        if args.get("code_challenge_method") != "S256" or len(args.get("code_challenge", "")) != 43:
            return error("invalid_request")
        if args.get("aud") != iss:
            return error("invalid_request")
        if "launch" in scopes:
            patient = args.get("launch")
        elif "launch/patient" in scopes:
            patient = "kps-recent"  # the standalone patient picker, answered by the fixture
        else:
            return error("invalid_scope")
        if patient not in PATIENTS:
            return error("invalid_request")  # an unknown or expired launch
        if patient == "denied":
            return error("access_denied")
        code = secrets.token_urlsafe(24)
        codes[code] = {
            "patient": patient,
            "challenge": args["code_challenge"],
            "redirect_uri": args["redirect_uri"],
            "expires": time.time() + CODE_SECONDS,
            "scope": " ".join(scopes),
        }
        return redirect(f"{args['redirect_uri']}?{urlencode({'code': code, 'state': args['state']})}")

    @app.post("/token")
    def token():
        form = request.form
        grant = codes.pop(form.get("code", ""), None)  # single use, whatever happens next
        if form.get("grant_type") != "authorization_code" or form.get("client_id") != client_id:
            return jsonify(error="invalid_request"), 400
        if (
            grant is None
            or grant["expires"] < time.time()
            or form.get("redirect_uri") != grant["redirect_uri"]
        ):
            return jsonify(error="invalid_grant"), 400
        digest = hashlib.sha256(form.get("code_verifier", "").encode("ascii")).digest()
        if base64.urlsafe_b64encode(digest).rstrip(b"=").decode("ascii") != grant["challenge"]:
            return jsonify(error="invalid_grant", error_description="PKCE verification failed"), 400
        access = secrets.token_urlsafe(24)
        tokens[access] = grant["patient"]
        return jsonify(
            access_token=access,
            token_type="Bearer",
            expires_in=300,
            scope=grant["scope"],
            patient=grant["patient"],
        )

    def patient_of_token() -> str:
        scheme, _, access = request.headers.get("Authorization", "").partition(" ")
        if scheme != "Bearer" or access not in tokens:
            abort(401)
        return tokens[access]

    @app.get("/fhir/Patient/<pid>")
    def patient(pid):
        if patient_of_token() != pid:
            abort(403)
        return jsonify(resourceType="Patient", id=pid)

    @app.get("/fhir/Observation")
    def observation_search():
        pid = patient_of_token()
        if request.args.get("patient") != pid:
            abort(403)
        if pid == "fhir-error":
            outcome = {
                "resourceType": "OperationOutcome",
                "issue": [{"severity": "error", "code": "exception"}],
            }
            return jsonify(outcome), 500
        found = observations(pid, request.args.get("code", ""))[: int(request.args.get("_count", "100"))]
        bundle = {
            "resourceType": "Bundle",
            "type": "searchset",
            "total": len(found),
            "entry": [{"resource": r, "search": {"mode": "match"}} for r in found],
        }
        return app.response_class(jsonify(bundle).get_data(), mimetype="application/fhir+json")

    @app.get("/healthz")
    def healthz():
        return "ok"

    return app


if __name__ == "__main__":
    port, client, *uris = sys.argv[1:]
    create_ehr(int(port), client, uris).run("127.0.0.1", int(port), threaded=True)
