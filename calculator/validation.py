"""Strict validation of API input, from the same declarations as the form (calculator.features).

The API takes the five inputs with exact JSON types: numbers must be whole JSON numbers (not
strings like "70", not booleans, not 70.5), other_metastases a JSON boolean, categories one of the
declared strings. KPS, other_metastases and mccormick_grade may be JSON null: not known yet (every
key is still required, so a forgotten field is never read as "not known"). ECOG may be given
instead of KPS: exactly one of `kps` and `ecog`. Anything else is named in `errors` as
field -> message. Pure: no Flask.
"""

from __future__ import annotations

import json

from calculator.features import BY_NAME, ECOG_KPS_BAND, FEATURE_NAMES, N_, NOT_KNOWN_YET_ALLOWED

ECOG = "ecog"

BODY = "_body"  # the errors key for a problem with the body as a whole

EXPECTED = {
    "kps": N_(
        "a whole number from 10 to 100 in steps of 10 (Karnofsky performance status), or null if "
        "not known yet; or give ecog instead"
    ),
    "ecog": "a whole number from 0 to 4 (ECOG performance status), instead of kps",
    "other_metastases": "true or false (metastases beyond the operated lesion), or null if not known yet",
    "mccormick_grade": N_(
        "a whole number from 1 to 5 (modified McCormick grade I-V), or null if not known yet"
    ),
    "resection": "one of " + ", ".join(f'"{v}"' for v in BY_NAME["resection"].values),
    "compartment": "one of " + ", ".join(f'"{v}"' for v in BY_NAME["compartment"].values),
}


class DuplicateKeyError(ValueError):
    pass


def _no_duplicates(pairs):
    keys = [k for k, _ in pairs]
    for i, k in enumerate(keys):
        if k in keys[:i]:
            raise DuplicateKeyError(f'the key "{k}" appears more than once')
    return dict(pairs)


def _reject_constant(name):
    raise ValueError(f"{name} is not valid JSON")


def parse_json(body: bytes) -> tuple[object, dict[str, str]]:
    """Parse a request body strictly: UTF-8, no NaN/Infinity, no duplicate keys."""
    try:
        return json.loads(
            body.decode("utf-8"), object_pairs_hook=_no_duplicates, parse_constant=_reject_constant
        ), {}
    except UnicodeDecodeError:
        return None, {BODY: "the body is not UTF-8 text"}
    except DuplicateKeyError as e:
        return None, {BODY: f"the JSON body is ambiguous: {e}"}
    except (ValueError, RecursionError) as e:
        return None, {BODY: f"the body is not valid JSON ({e})"}


NULLABLE = NOT_KNOWN_YET_ALLOWED  # null: not known yet
FIELDS = (*FEATURE_NAMES, ECOG)


def _valid(name: str, value) -> bool:
    if value is None:
        return name in NULLABLE
    if name == ECOG:
        return type(value) is int and value in ECOG_KPS_BAND
    feature = BY_NAME[name]
    if name == "other_metastases":
        return isinstance(value, bool)
    if name in ("kps", "mccormick_grade"):
        return type(value) is int and value in feature.values  # bool is not int here
    return isinstance(value, str) and value in feature.values


def validate_inputs(payload: object) -> tuple[dict, dict[str, str]]:
    """(inputs, {}) when valid, else ({}, errors) naming every bad, missing or unknown field.

    Valid inputs hold every name of FIELDS: `ecog` is None unless given, and then `kps` is None."""
    if not isinstance(payload, dict):
        return {}, {BODY: "expected a JSON object with the fields " + ", ".join(FEATURE_NAMES)}
    errors = {}
    for key in payload:
        if key not in FIELDS:
            errors[str(key)[:64]] = "unknown field; expected only " + ", ".join(FIELDS)
    if "kps" in payload and ECOG in payload:
        errors[ECOG] = "give either kps or ecog, not both"
    for name in FIELDS:
        if name == ECOG and ECOG not in payload:
            continue
        if name == "kps" and name not in payload and ECOG in payload:
            continue
        if name not in payload:
            errors[name] = f"required: {EXPECTED[name]}"
        elif not _valid(name, payload[name]):
            errors[name] = f"expected {EXPECTED[name]}"
    if errors:
        return {}, errors
    inputs = {name: payload.get(name) for name in FIELDS}
    return inputs, {}
