"""The OpenAPI 3.1 document for the JSON API, built from calculator.features so it cannot drift.

Served at GET /api/openapi.json. Every input's type and allowed values come from the same
declarations the validator (calculator.validation) and the form use; tests check the document
with a standard validator, check real responses against it, and run schemathesis from it
against the live server. Pure: no Flask.
"""

from __future__ import annotations

from functools import cache

from calculator.features import ECOG_KPS_BAND, ECOG_SOURCE, FEATURE_NAMES, FEATURES, RESECTION
from calculator.i18n import LANGUAGES
from calculator.validation import BODY, EXPECTED, NULLABLE

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
    kind = JSON_TYPES[type(feature.values[0])]
    nullable = feature.name in NULLABLE
    schema = {"type": [kind, "null"] if nullable else kind, "title": feature.label}
    if kind != "boolean":  # a boolean's two values need no enum
        schema["enum"] = list(feature.values) + ([None] if nullable else [])
    schema["description"] = f"{feature.help} Expected: {EXPECTED[feature.name]}."
    return schema


def _nullable(schema: dict) -> dict:
    return {"anyOf": [schema, {"type": "null"}]}


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
    prediction = _object({"survival_90d": _nullable(PROBABILITY), "interval_95": _nullable(INTERVAL)})
    ecog = {
        "type": "integer",
        "title": "ECOG performance status",
        "enum": list(ECOG_KPS_BAND),
        "description": f"Instead of kps. Used as its band of KPS values ({ECOG_SOURCE}). "
        f"Expected: {EXPECTED['ecog']}.",
    }
    inputs = _object({**{f.name: _input(f) for f in FEATURES}, "ecog": ecog})
    inputs["required"] = [n for n in FEATURE_NAMES if n != "kps"]
    inputs["oneOf"] = [{"required": ["kps"]}, {"required": ["ecog"]}]
    inputs["description"] = (
        "The five inputs with exact JSON types: no strings for numbers, no floats, no extra fields. "
        "kps, other_metastases and mccormick_grade may be null (not known yet): the estimate then "
        "averages over that input. Exactly one of kps and ecog."
    )
    averaged = {
        "type": "object",
        "description": "Each input the estimate averages over (not known yet, or KPS from ECOG)",
        "additionalProperties": _object(
            {
                "reason": {"enum": ["not_known", "ecog"]},
                "estimate_range": _nullable(
                    {**INTERVAL, "description": "lowest and highest estimate over its values"}
                ),
            }
        )
        | {"required": ["reason", "estimate_range"], "additionalProperties": True},
    }
    schemas = {
        "Inputs": inputs,
        "Estimate": _object(
            {
                "inputs": {
                    "type": "object",
                    "description": "The inputs as understood, every key present (null: not known yet; "
                    "ecog null unless given)",
                },
                "survival_90d": _nullable(
                    {
                        **PROBABILITY,
                        "description": "Estimated probability of being alive at 90 days; null where "
                        "the evidence has no patients like this one (warnings say why)",
                    }
                ),
                "interval_95": _nullable(INTERVAL),
                "by_resection": _object(
                    {option: prediction for option in RESECTION.values},
                    "Patients like this one, by the operation they had: an association, not an "
                    "effect. Differences largely reflect which patients were chosen for which "
                    "operation, not the effect of the operation.",
                ),
                "averaged_over": averaged,
                "contributions": _nullable(
                    _object(
                        {
                            "reference": {
                                **PROBABILITY,
                                "description": "the reference patient's estimate, same planned resection",
                            },
                            "shares": {
                                "type": "object",
                                "description": "input -> its share of survival_90d minus reference "
                                "(exact Shapley values over the four patient inputs; they add up)",
                                "additionalProperties": {"type": "number"},
                            },
                            "ranges": {
                                "type": "object",
                                "description": "input not known exactly -> lowest and highest share "
                                "over its possible values",
                                "additionalProperties": {"type": "array", "items": {"type": "number"}},
                            },
                        },
                        "Each input's contribution on the probability scale; null with no estimate",
                    )
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
        "HealthProblem": _object(
            {"status": {"const": "error"}, "problem": {"type": "string"}, "model_version": {"type": "string"}}
        ),
        "Messages": _object(
            {
                "language": {"enum": list(LANGUAGES)},
                "summary": {"type": "string"},
                "explanation": {"type": "array", "items": {"type": "string"}},
                "warnings": {"type": "array", "items": {"type": "string"}},
                "averaged_over": {"type": "object", "additionalProperties": {"type": "string"}},
                "note": {"type": "string"},
            },
            "The texts of the estimate in the language asked for (?lang= or Accept-Language); only when one "
            "was asked for. The keys and the texts elsewhere in the response stay English.",
        ),
    }
    # Optional: present only when a language was asked for (calculator.api)
    schemas["Estimate"]["properties"]["messages"] = {"$ref": "#/components/schemas/Messages"}
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
                    "parameters": [
                        {
                            "name": "lang",
                            "in": "query",
                            "required": False,
                            "description": "Add `messages`: the texts in this language (else from "
                            "Accept-Language, if it names en, de or it)",
                            "schema": {"enum": list(LANGUAGES)},
                        }
                    ],
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
                    "responses": {
                        "200": _json_response("Serving", "Health"),
                        "503": _json_response(
                            "The model files on disk no longer match the model served", "HealthProblem"
                        ),
                    },
                }
            },
        },
        "components": {"schemas": schemas},
    }
