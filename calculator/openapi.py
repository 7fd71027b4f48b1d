"""The OpenAPI 3.1 document for the JSON API, built from calculator.features so it cannot drift.

Served at GET /api/openapi.json. Every input's type and allowed values come from the same
declarations the validator (calculator.validation) and the form use; tests check the document
with a standard validator, check real responses against it, and run schemathesis from it
against the live server. Pure: no Flask.
"""

from __future__ import annotations

from functools import cache

from calculator.features import FEATURE_NAMES, FEATURES, RESECTION
from calculator.validation import BODY, EXPECTED

JSON_TYPES = {bool: "boolean", int: "integer", str: "string"}
PROBABILITY = {"type": "number", "minimum": 0, "maximum": 1}
INTERVAL = {
    "type": "array",
    "items": PROBABILITY,
    "minItems": 2,
    "maxItems": 2,
    "description": "[low, high] of the 95% interval",
}


def _input(feature) -> dict:
    schema = {"type": JSON_TYPES[type(feature.values[0])], "title": feature.label}
    if schema["type"] != "boolean":  # a boolean's two values need no enum
        schema["enum"] = list(feature.values)
    schema["description"] = f"{feature.help} Expected: {EXPECTED[feature.name]}."
    return schema


def _object(properties: dict, description: str = "") -> dict:
    schema = {
        "type": "object",
        "properties": properties,
        "required": list(properties),
        "additionalProperties": False,
    }
    return {"description": description, **schema} if description else schema


def _errors_response(description: str) -> dict:
    return {
        "description": description,
        "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Errors"}}},
    }


def _json_response(description: str, ref: str) -> dict:
    return {
        "description": description,
        "content": {"application/json": {"schema": {"$ref": f"#/components/schemas/{ref}"}}},
    }


@cache
def document() -> dict:
    """The OpenAPI 3.1 document (a fresh copy is not needed: callers only serialise it)."""
    prediction = _object({"survival_90d": PROBABILITY, "interval_95": INTERVAL})
    schemas = {
        "Inputs": _object(
            {f.name: _input(f) for f in FEATURES},
            "Exactly these five fields, with exact JSON types: no strings for numbers, no floats, "
            "no extra fields.",
        ),
        "Estimate": _object(
            {
                "inputs": {"$ref": "#/components/schemas/Inputs"},
                "survival_90d": {
                    **PROBABILITY,
                    "description": "Estimated probability of being alive at 90 days",
                },
                "interval_95": INTERVAL,
                "by_resection": _object(
                    {option: prediction for option in RESECTION.values},
                    "The same patient under each resection option. Differences largely reflect "
                    "which patients were chosen for which operation, not the effect of the operation.",
                ),
                "explanation": {"type": "array", "items": {"type": "string"}},
                "warnings": {"type": "array", "items": {"type": "string"}},
                "model": _object(
                    {
                        "version": {"type": "string"},
                        "sha256": {"type": "string", "pattern": "^[0-9a-f]{64}$"},
                        "synthetic": {"type": "boolean"},
                    }
                ),
            }
        ),
        "Errors": _object(
            {
                "errors": {
                    "type": "object",
                    "description": f"field name -> message; {BODY!r} for the body as a whole",
                    "additionalProperties": {"type": "string"},
                    "minProperties": 1,
                }
            }
        ),
        "Health": _object({"status": {"const": "ok"}, "model_version": {"type": "string"}}),
    }
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "Intradural spinal metastases: 90-day survival after surgery",
            "version": "1",
            "description": (
                "Decision support, not a decision: the estimate supports the judgement of a case "
                "conference. Inputs: " + ", ".join(FEATURE_NAMES) + "."
            ),
        },
        "paths": {
            "/api/v1/estimate": {
                "post": {
                    "operationId": "estimate",
                    "summary": "90-day survival estimate with interval, comparison and explanation",
                    "requestBody": {
                        "required": True,
                        "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Inputs"}}},
                    },
                    "responses": {
                        "200": _json_response("The estimate", "Estimate"),
                        "400": _errors_response("Invalid input, or a Host not in CALCULATOR_TRUSTED_HOSTS"),
                        "413": _errors_response("Body larger than CALCULATOR_MAX_CONTENT_LENGTH"),
                        "415": _errors_response("Content-Type is not application/json"),
                    },
                }
            },
            "/healthz": {
                "get": {
                    "operationId": "health",
                    "summary": "Liveness and the model version, for load balancers",
                    "responses": {"200": _json_response("Serving", "Health")},
                }
            },
        },
        "components": {"schemas": schemas},
    }
