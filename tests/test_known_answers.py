"""Known answers of the shipped model through the API (tests/data/known_answers.json, written by
tests/data/make_known_answers.py after each refit): complete inputs, not known yet, ECOG, and no
number outside the evidence."""

import json
from pathlib import Path

import pytest

KNOWN = json.loads((Path(__file__).parent / "data" / "known_answers.json").read_text(encoding="utf-8"))


def test_the_file_belongs_to_the_shipped_model(model):
    assert KNOWN["model_version"] == model.version, "refit models/: regenerate tests/data/known_answers.json"


def close(a, b) -> bool:
    """Equal structures, numbers within 1e-9."""
    if isinstance(a, dict):
        return isinstance(b, dict) and a.keys() == b.keys() and all(close(a[k], b[k]) for k in a)
    if isinstance(a, list):
        return isinstance(b, list) and len(a) == len(b) and all(close(x, y) for x, y in zip(a, b))
    if isinstance(a, float) and isinstance(b, float):
        return abs(a - b) <= 1e-9
    return a == b


@pytest.mark.parametrize("known", KNOWN["answers"], ids=lambda k: json.dumps(k["request"], sort_keys=True))
def test_known_answer(client, known):
    response = client.post("/api/v1/estimate", json=known["request"])
    assert response.status_code == 200
    body = response.get_json()
    for key in ("survival_90d", "interval_95", "by_resection", "averaged_over"):
        assert close(body[key], known[key]), key
    if known["no_estimate"]:
        assert body["warnings"][0].startswith("No estimate:")
