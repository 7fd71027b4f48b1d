"""Property tests over the page (POST /) and the JSON API with generated good and bad input.

At least 10,000 generated requests per run (each test asserts its share, EXAMPLES): valid and
boundary values, wrong types, huge numbers, NaN/Infinity, nulls, nested objects, long and non-ASCII
strings, duplicate keys in raw bodies, repeated form fields, extra fields, random bytes, deep
nesting, oversized bodies and wrong content types. The oracle is written here, independently of
calculator.validation and calculator.forms: every answer is a 200 carrying the model's estimate for
exactly those inputs, or a 4xx naming exactly the bad fields. Never a 5xx. Deterministic
(derandomize, no example database); the Flask test client keeps 10,000 requests to well under a
minute. tests/test_server.py repeats a smaller run against real gunicorn.
"""

from __future__ import annotations

import json
import math
from collections import Counter
from urllib.parse import urlencode

import jsonschema
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from markupsafe import escape
from werkzeug.datastructures import MultiDict

from calculator import create_app
from calculator.features import FEATURES
from calculator.forms import INVALID, MISSING, conflict_message, form_value
from calculator.incomplete import answer
from calculator.openapi import document
from calculator.validation import BODY

pytestmark = pytest.mark.slow

EXAMPLES = {"api_objects": 4000, "api_raw": 3000, "form": 3000}  # generated requests, per test
assert sum(EXAMPLES.values()) >= 10_000

ENDPOINT = "/api/v1/estimate"
NAMES = [f.name for f in FEATURES]
NULLABLE = {"kps", "other_metastases", "mccormick_grade"}  # JSON null / form "unknown": not known yet
ECOG_GRADES = [0, 1, 2, 3, 4]
FORM_VALUES = {
    f.name: [form_value(v) for v in f.values]
    + ([f"ecog-{g}" for g in ECOG_GRADES] if f.name == "kps" else [])
    + (["unknown"] if f.name in NULLABLE else [])
    for f in FEATURES
}
# The OpenAPI document's Estimate schema, with its $refs resolved inside the document.
ESTIMATE = jsonschema.Draft202012Validator({**document(), "$ref": "#/components/schemas/Estimate"})


def fuzz_settings(n: int):
    return settings(
        max_examples=n,
        derandomize=True,
        database=None,
        deadline=None,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
    )


@pytest.fixture(scope="module")
def fuzz_app():
    return create_app({"TESTING": True})


# --- generated values ----------------------------------------------------------------------------

# Long strings are built by repetition: generating thousands of random characters per example
# would spend the run's time in the generator instead of in the app.
long_text = st.builds(
    lambda unit, n: unit * n,
    st.sampled_from(["x", "é", "漢字", "🙂", "\u202e", "ﷺ", "a\x00"]),
    st.integers(300, 3000),
)
tricky_text = st.sampled_from(
    ["70", " 70", "70 ", "070", "70.0", "1e2", "III", "iii", "yes ", "YES", "true", "GROSS_TOTAL",
     "gross total", "٧٠", "７０", "NaN", "Infinity", "-0", "\x00", "\u2003", "null", "<script>"]
)  # fmt: skip
text = st.one_of(st.text(max_size=30), tricky_text, long_text)
numbers = st.one_of(
    st.integers(),
    st.integers(min_value=-(10**300), max_value=10**300),
    st.sampled_from([0, -10, 9, 11, 101, 110, 6, 2**63, -(2**63) - 1]),
    st.floats(allow_nan=True, allow_infinity=True),
    st.sampled_from([70.0, 3.0, 70.5, -0.0, 1e308]),
)
json_values = st.recursive(
    st.one_of(st.none(), st.booleans(), numbers, text),
    lambda inner: st.one_of(
        st.lists(inner, max_size=3),
        st.dictionaries(st.sampled_from(["", "a", "kps", "é"]), inner, max_size=3),
    ),
    max_leaves=6,
)
valid_payloads = st.fixed_dictionaries(
    {f.name: st.sampled_from(f.values + ((None,) if f.name in NULLABLE else ())) for f in FEATURES}
)


@st.composite
def api_payloads(draw):
    """A valid payload with fields dropped or replaced by anything, ECOG given instead of (or as
    well as) KPS, and maybe extra fields."""
    payload = draw(valid_payloads)
    ecog = draw(st.sampled_from(["absent", "absent", "instead", "both", "junk"]))
    if ecog != "absent":
        payload["ecog"] = draw(st.sampled_from(ECOG_GRADES)) if ecog != "junk" else draw(json_values)
        if ecog != "both":
            del payload["kps"]
    for name in NAMES:
        action = draw(st.sampled_from(["keep", "keep", "drop", "junk"]))
        if action == "drop":
            payload.pop(name, None)
        elif action == "junk":
            payload[name] = draw(json_values)
    if draw(st.booleans()):
        extras = draw(st.dictionaries(st.one_of(st.text(max_size=100), tricky_text), json_values, max_size=3))
        payload.update({k: v for k, v in extras.items() if k not in (*NAMES, "ecog")})
    return payload


def non_finite(value) -> bool:
    if isinstance(value, float):
        return not math.isfinite(value)
    if isinstance(value, dict):
        return any(non_finite(v) for v in value.values())
    if isinstance(value, list):
        return any(non_finite(v) for v in value)
    return False


def bad_api_fields(payload) -> set[str]:
    """The fields the API must name: missing, wrongly typed or out of range, and unknown ones."""
    if not isinstance(payload, dict):
        return {BODY}
    bad = set()
    has_ecog = "ecog" in payload
    for feature in FEATURES:
        if feature.name == "kps" and has_ecog and "kps" not in payload:
            continue  # ECOG instead of KPS
        value = payload.get(feature.name, KeyError)
        if value is None and feature.name in NULLABLE:
            continue  # not known yet
        if not any(type(value) is type(v) and value == v for v in feature.values):
            bad.add(feature.name)
    if has_ecog and (
        "kps" in payload or type(payload["ecog"]) is not int or payload["ecog"] not in ECOG_GRADES
    ):
        bad.add("ecog")  # exactly one of kps and ecog; a grade 0-4
    return bad | {key[:64] for key in payload if key not in (*NAMES, "ecog")}


def assert_names_fields(response, fields: set[str]) -> None:
    errors = response.get_json()["errors"]
    assert set(errors) == fields, (fields, errors)
    assert all(isinstance(m, str) and m for m in errors.values())


_ESTIMATES: dict = {}


def complete(inputs: dict) -> dict:
    """Every input key, None where not given (not known yet; ecog unless given)."""
    return {**{name: inputs.get(name) for name in NAMES}, "ecog": inputs.get("ecog")}


def expected_estimate(model, inputs: dict):
    """The model's own estimate for these inputs (a few thousand possible: memoised)."""
    key = (id(model), tuple(complete(inputs).items()))
    if key not in _ESTIMATES:
        _ESTIMATES[key] = answer(model, complete(inputs))
    return _ESTIMATES[key]


def assert_estimate(response, inputs: dict, model) -> None:
    assert response.status_code == 200, response.data[:300]
    body = response.get_json()
    ESTIMATE.validate(body)
    expected = expected_estimate(model, inputs)
    assert body["inputs"] == complete(inputs)
    interval = None if expected.interval_95 is None else list(expected.interval_95)
    assert (body["survival_90d"], body["interval_95"]) == (expected.survival_90d, interval)


# --- JSON API: generated objects -----------------------------------------------------------------


def test_api_generated_objects_get_an_estimate_or_400_naming_each_bad_field(fuzz_app):
    client, model, seen = fuzz_app.test_client(), fuzz_app.extensions["calculator.model"], Counter()
    limit = fuzz_app.config["MAX_CONTENT_LENGTH"]

    @fuzz_settings(EXAMPLES["api_objects"])
    @given(
        st.integers(0, 9).flatmap(lambda i: [valid_payloads, json_values][i % 2] if i < 2 else api_payloads())
    )
    def run(payload):
        body = json.dumps(payload)  # non-finite floats become bare NaN/Infinity: not JSON
        response = client.post(ENDPOINT, data=body, content_type="application/json")
        seen[response.status_code] += 1
        if len(body.encode()) > limit:
            assert response.status_code == 413
            assert_names_fields(response, {BODY})
        elif non_finite(payload):
            assert response.status_code == 400
            assert_names_fields(response, {BODY})
        elif bad := bad_api_fields(payload):
            assert response.status_code == 400, response.data[:300]
            assert_names_fields(response, bad)
        else:
            assert_estimate(response, payload, model)

    run()
    assert sum(seen.values()) >= EXAMPLES["api_objects"], seen
    assert seen[200] >= 100 and seen[400] >= 1000 and set(seen) <= {200, 400, 413}, seen


# --- JSON API: raw bodies and content types -------------------------------------------------------


@st.composite
def duplicate_key_bodies(draw):
    """A valid body in which one key, at the top or nested, appears twice."""
    payload = draw(valid_payloads)
    pairs = [f"{json.dumps(k)}: {json.dumps(v)}" for k, v in payload.items()]
    key = draw(st.sampled_from(NAMES))
    again = draw(st.one_of(st.just(payload[key]), json_values.filter(lambda v: not non_finite(v))))
    pairs.insert(draw(st.integers(0, len(pairs))), f"{json.dumps(key)}: {json.dumps(again)}")
    body = "{" + ", ".join(pairs) + "}"
    if draw(st.booleans()):  # nested duplicates: ambiguous too, though the field is wrong anyway
        body = body[:-1] + ', "extra": {"a": 1, "a": 2}}'
    return "application/json", body.encode(), 400, {BODY}


def _raw(content_type, body: bytes, status, fields):
    return content_type, body, status, fields


raw_requests = st.one_of(
    duplicate_key_bodies(),
    # random bytes: not UTF-8, not JSON, or JSON of the wrong shape; always a 400 naming something
    st.builds(_raw, st.just("application/json"), st.binary(max_size=200), st.just(400), st.none()),
    st.builds(
        _raw,
        st.just("application/json; charset=utf-8"),
        st.text(max_size=200).map(str.encode),
        st.just(400),
        st.none(),
    ),
    # nesting deeper than the parser's recursion limit
    st.builds(
        lambda n, c: _raw("application/json", (c[0] * n + c[1] * n).encode(), 400, {BODY}),
        st.integers(1000, 2500),  # deep, yet under the size limit
        st.sampled_from(["[]", "{}"]).map(lambda c: ('[', ']') if c == "[]" else ('{"a":', "}")),
    ),
    # a number with more digits than Python will parse (int max str digits)
    st.builds(
        lambda n: _raw("application/json", b'{"kps": ' + b"7" * n + b"}", 400, {BODY}),
        st.integers(4301, 12000),
    ),
    # valid body padded with whitespace to around the 16 KiB limit: 200 under it, 413 over it
    st.builds(
        lambda payload, pad: _raw("application/json", (json.dumps(payload) + " " * pad).encode(), None, None),
        valid_payloads,
        st.integers(16_000, 17_000),
    ),
    # valid body, wrong content type
    st.builds(
        lambda payload, ct: _raw(ct, json.dumps(payload).encode(), 415, {BODY}),
        valid_payloads,
        st.sampled_from(
            ["text/plain", "application/x-www-form-urlencoded", "multipart/form-data; boundary=x",
             "application/jsonx", "application/json-patch+json", "text/json", ""]
        ),
    ),
)  # fmt: skip


def test_api_raw_bodies_get_a_4xx_naming_the_body_or_field(fuzz_app):
    client, seen = fuzz_app.test_client(), Counter()
    limit = fuzz_app.config["MAX_CONTENT_LENGTH"]

    @fuzz_settings(EXAMPLES["api_raw"])
    @given(raw_requests)
    def run(request):
        content_type, body, status, fields = request
        response = client.post(ENDPOINT, data=body, content_type=content_type or None)
        seen[response.status_code] += 1
        if len(body) > limit:  # whatever else is wrong with it
            status, fields = 413, {BODY}
        elif status is None:  # the padded valid body, under the limit
            status = 200
        assert response.status_code == status, (response.status_code, response.data[:300])
        if fields is not None:
            assert_names_fields(response, fields)
        elif status == 400:
            assert response.get_json()["errors"]  # names something: the body or fields

    run()
    assert sum(seen.values()) >= EXAMPLES["api_raw"], seen
    assert {400, 413, 415} <= set(seen) <= {200, 400, 413, 415}, seen


# --- the page: POST / with generated form data -----------------------------------------------------


@st.composite
def form_pairs(draw):
    """(key, value) pairs as a browser (or anyone) could post them: fields valid, missing, junk,
    repeated with conflicting values, and extra fields."""
    pairs = []
    for name in NAMES:
        valid = st.sampled_from(FORM_VALUES[name])
        action = draw(st.sampled_from(["valid", "valid", "valid", "missing", "junk", "repeat"]))
        if action == "valid":
            pairs.append((name, draw(valid)))
        elif action == "junk":
            pairs.append((name, draw(st.one_of(text, valid.map(lambda v: v + " ")))))
        elif action == "repeat":
            pairs += [(name, draw(st.one_of(valid, text))) for _ in range(draw(st.integers(2, 3)))]
    if draw(st.booleans()):  # extra fields, including the EHR launch's own (calculator/launch.py)
        keys = st.one_of(st.text(max_size=20), st.sampled_from(["prefill", "ecog"]))
        values = st.one_of(text, st.sampled_from(["1", "0", "2", "4", "5", ""]))
        pairs += draw(st.lists(st.tuples(keys, values), max_size=3))
    return draw(st.permutations(pairs))


def form_messages(pairs) -> dict[str, str | None]:
    """The message each field must show (None for a valid field): different values sent for one
    field are refused, never resolved to the first."""
    messages = {}
    for name in NAMES:
        values = [v for k, v in pairs if k == name]
        if len(set(values)) > 1:
            messages[name] = conflict_message(name)
        elif not values or not values[0].strip():
            messages[name] = MISSING[name]
        elif values[0] not in FORM_VALUES[name]:
            messages[name] = INVALID[name]
        else:
            messages[name] = None
    return messages


def inputs_from_form(pairs) -> dict:
    first = {name: next(v for k, v in pairs if k == name) for name in NAMES}
    inputs = {}
    for f in FEATURES:
        text = first[f.name]
        if text == "unknown":
            inputs[f.name] = None
        elif text.startswith("ecog-"):
            inputs[f.name], inputs["ecog"] = None, int(text[len("ecog-") :])
        else:
            inputs[f.name] = next(v for v in f.values if form_value(v) == text)
    return inputs


def test_form_generated_posts_get_an_estimate_or_422_naming_each_bad_field(fuzz_app):
    client, model, seen = fuzz_app.test_client(), fuzz_app.extensions["calculator.model"], Counter()
    limit = fuzz_app.config["MAX_CONTENT_LENGTH"]

    @fuzz_settings(EXAMPLES["form"])
    @given(form_pairs(), st.sampled_from(["urlencoded", "multipart"]))
    def run(pairs, encoding):
        if encoding == "urlencoded":
            data, content_type = urlencode(pairs), "application/x-www-form-urlencoded"
        else:
            data, content_type = MultiDict(pairs), "multipart/form-data"
        response = client.post("/", data=data, content_type=content_type)
        seen[response.status_code] += 1
        if response.request.content_length > limit:
            assert response.status_code == 413
            return
        page = response.get_data(as_text=True)
        messages = form_messages(pairs)
        if next((v for k, v in pairs if k == "prefill"), None) == "1":  # an EHR launch: shown to confirm
            assert response.status_code == 200
            assert 'id="result"' not in page
            seen["prefill"] += 1
        elif any(messages.values()):
            assert response.status_code == 422
            assert 'id="result"' not in page
            for name, message in messages.items():
                error = f'<p class="error" id="{name}-error">{escape(message)}</p>' if message else None
                assert (error in page) if error else (f'id="{name}-error"' not in page), (name, message)
        else:
            assert response.status_code == 200
            survival = expected_estimate(model, inputs_from_form(pairs)).survival_90d
            if survival is None:
                assert "No estimate for this patient" in page
            else:
                assert (
                    f'Estimated 90-day survival: <span class="value">{round(100 * survival)}%</span>' in page
                )

    run()
    assert sum(seen.values()) >= EXAMPLES["form"], seen
    assert seen[200] >= 100 and seen[422] >= 1000 and seen["prefill"] > 0, seen
    assert set(seen) <= {200, 413, 422, "prefill"}, seen


@pytest.mark.parametrize(
    "content_type, body",
    [
        ("application/json", b"[1, 2]"),  # Flask-WTF would have read this into the form: a 500
        ("application/json", b'{"kps": 70, "mccormick_grade": true}'),  # and taken true for grade I
        ("application/x-www-form-urlencoded", b"kps=%FF%FE&resection=%C0%AF"),  # not UTF-8
        ("text/plain", b"kps=70"),
        ("multipart/form-data; boundary=x", b"--x\r\nbroken"),
    ],
)
def test_form_ignores_bodies_that_are_not_a_form(client, content_type, body):
    response = client.post("/", data=body, content_type=content_type)
    assert response.status_code == 422
    assert 'id="result"' not in response.get_data(as_text=True)
