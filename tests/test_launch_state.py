"""The sealed SMART launch state: opens only unchanged, under the same key, before it expires."""

import pytest

from calculator.launch_state import LIFETIME_SECONDS, LaunchStateError, seal, unseal

KEY = "s" * 40
VALUES = {"iss": "https://ehr.example.org/fhir", "verifier": "v" * 86, "token_endpoint": "https://ehr/token"}


def test_a_state_opens_to_what_was_sealed():
    state = unseal(seal(VALUES, KEY, now=1000), KEY, now=1000 + LIFETIME_SECONDS)
    assert {k: state[k] for k in VALUES} == VALUES


def test_the_state_is_opaque_and_never_the_same_twice():
    first, second = seal(VALUES, KEY, now=1000), seal(VALUES, KEY, now=1000)
    assert first != second
    assert VALUES["verifier"] not in first and "ehr.example.org" not in first


@pytest.mark.parametrize(
    "state, key, now",
    [
        (lambda s: s, "o" * 40, 1000),  # sealed under another key
        (lambda s: s, KEY, 1001 + LIFETIME_SECONDS),  # expired
        (lambda s: s[:-2] + ("AA" if not s.endswith("AA") else "BB"), KEY, 1000),  # tag altered
        (lambda s: ".".join(p if i != 3 else p[::-1] for i, p in enumerate(s.split("."))), KEY, 1000),
        (lambda s: "", KEY, 1000),
        (lambda s: "not.a.jwe.at.all", KEY, 1000),
        (lambda s: "e30.e30.e30", KEY, 1000),  # a JWS-shaped token
    ],
)
def test_anything_else_is_refused(state, key, now):
    with pytest.raises(LaunchStateError):
        unseal(state(seal(VALUES, KEY, now=1000)), key, now=now)
