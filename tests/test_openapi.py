"""GET /api/openapi.json: a valid OpenAPI 3.1 document, built from the declarations, that the live
API honours (openapi-spec-validator checks the document; schemathesis fuzzes the live server)."""

from __future__ import annotations

import json
import subprocess
import sys

import jsonschema
import pytest
from live import gunicorn_server
from openapi_spec_validator import OpenAPIV31SpecValidator, validate

from calculator.features import FEATURE_NAMES, FEATURES
from calculator.openapi import document

GOOD = {"kps": 70, "other_metastases": True, "mccormick_grade": 3, "resection": "gross_total",
        "compartment": "intramedullary"}  # fmt: skip
SCHEMATHESIS_EXAMPLES = 300  # per operation; with the coverage phase, ~500 requests in a few seconds


def schema_validator(name: str) -> jsonschema.Draft202012Validator:
    return jsonschema.Draft202012Validator({**document(), "$ref": f"#/components/schemas/{name}"})


def test_document_is_valid_openapi_3_1():
    validate(document(), cls=OpenAPIV31SpecValidator)


def test_served_document_is_the_built_one(client):
    response = client.get("/api/openapi.json")
    assert response.status_code == 200
    assert response.mimetype == "application/json"
    assert response.get_json() == json.loads(json.dumps(document()))
    validate(response.get_json(), cls=OpenAPIV31SpecValidator)


def test_inputs_are_the_declared_features():
    inputs = document()["components"]["schemas"]["Inputs"]
    assert inputs["required"] == [n for n in FEATURE_NAMES if n != "kps"]
    assert inputs["oneOf"] == [{"required": ["kps"]}, {"required": ["ecog"]}]  # exactly one of the two
    assert inputs["additionalProperties"] is False
    assert list(inputs["properties"]) == [*FEATURE_NAMES, "ecog"]
    assert inputs["properties"]["ecog"]["enum"] == [0, 1, 2, 3, 4]
    for feature in FEATURES:
        schema = inputs["properties"][feature.name]
        nullable = feature.name in ("kps", "other_metastases", "mccormick_grade")
        kind = schema["type"][0] if nullable else schema["type"]
        assert schema["type"] == ([kind, "null"] if nullable else kind)
        if kind == "boolean":
            assert set(feature.values) == {True, False}
        else:
            assert schema["enum"] == list(feature.values) + ([None] if nullable else [])
            assert {"integer": int, "string": str}[kind] is type(feature.values[0])


def test_every_json_route_is_documented(app):
    paths = document()["paths"]
    for rule in app.url_map.iter_rules():
        if rule.rule.startswith("/api/") and rule.rule != "/api/openapi.json" or rule.rule == "/healthz":
            assert set(paths[rule.rule]) == {m.lower() for m in rule.methods - {"HEAD", "OPTIONS"}}


@pytest.mark.parametrize(
    "method, path, body, content_type, status, schema",
    [
        ("POST", "/api/v1/estimate", json.dumps(GOOD), "application/json", 200, "Estimate"),
        ("POST", "/api/v1/estimate", json.dumps({**GOOD, "kps": "70"}), "application/json", 400, "Errors"),
        ("POST", "/api/v1/estimate", "{", "application/json", 400, "Errors"),
        ("POST", "/api/v1/estimate", json.dumps(GOOD), "text/plain", 415, "Errors"),
        ("POST", "/api/v1/estimate", " " * 20_000, "application/json", 413, "Errors"),
        ("GET", "/healthz", None, None, 200, "Health"),
    ],
)
def test_responses_match_the_document(client, method, path, body, content_type, status, schema):
    response = client.open(path, method=method, data=body, content_type=content_type)
    assert response.status_code == status
    operation = document()["paths"][path][method.lower()]
    assert str(status) in operation["responses"]
    schema_validator(schema).validate(response.get_json())


@pytest.mark.slow
def test_schemathesis_finds_nothing_against_live_gunicorn(tmp_path):
    """Every check schemathesis has (server errors, status codes, content types, response schemas,
    negative data rejected, positive data accepted, unsupported methods...), on loopback."""
    with gunicorn_server(log_path=tmp_path / "gunicorn.log", startup_seconds=60) as (base, _):
        run = subprocess.run(
            [sys.executable, "-m", "schemathesis.cli", "run", f"{base}/api/openapi.json",
             "--checks", "all", "--max-examples", str(SCHEMATHESIS_EXAMPLES), "--seed", "1",
             "--workers", "1", "--request-timeout", "30", "--no-color"],
            cwd=tmp_path, capture_output=True, text=True, timeout=600,
        )  # fmt: skip
    assert run.returncode == 0, run.stdout[-4000:] + run.stderr[-2000:]
    assert "No issues found" in run.stdout, run.stdout[-4000:]
