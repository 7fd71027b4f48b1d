"""POST /api/v1/estimate: exact contract, every bad input a 4xx naming the field, never a 500."""

import json

import pytest

from calculator.features import RESECTION

GOOD = {
    "kps": 70,
    "other_metastases": True,
    "mccormick_grade": 3,
    "resection": "gross_total",
    "compartment": "intramedullary",
}


def post(client, body, content_type="application/json"):
    data = body if isinstance(body, (bytes, str)) else json.dumps(body)
    return client.post("/api/v1/estimate", data=data, content_type=content_type)


def test_contract(client, model):
    response = post(client, GOOD)
    assert response.status_code == 200
    body = response.get_json()
    assert set(body) == {
        "inputs",
        "survival_90d",
        "interval_95",
        "by_resection",
        "averaged_over",
        "contributions",
        "explanation",
        "warnings",
        "model",
    }
    assert body["inputs"] == {**GOOD, "ecog": None}
    shares = body["contributions"]["shares"]
    assert abs(sum(shares.values()) - (body["survival_90d"] - body["contributions"]["reference"])) < 1e-12
    assert body["averaged_over"] == {}
    assert 0 <= body["interval_95"][0] <= body["survival_90d"] <= body["interval_95"][1] <= 1
    assert set(body["by_resection"]) == set(RESECTION.values)
    assert body["by_resection"]["gross_total"]["survival_90d"] == body["survival_90d"]
    assert body["model"] == {"version": model.version, "sha256": model.manifest["sha256"], "synthetic": True}
    assert all(isinstance(s, str) and s for s in body["explanation"])
    assert response.headers["Cache-Control"] == "no-store"


def test_reference_profiles_known_answers(client, model):
    """The manifest records the formula's prediction for every reference profile; the API gives it
    where the evidence covers the profile and no number, with the reason, where it does not."""
    shown = 0
    for ref in model.manifest["reference_predictions"]:
        body = post(client, ref["inputs"]).get_json()
        if model.coverage.covered(ref["inputs"]):
            shown += 1
            assert body["survival_90d"] == pytest.approx(ref["survival_90d"], abs=1e-12)
            assert body["interval_95"] == pytest.approx(ref["interval_95"], abs=1e-12)
        else:
            assert body["survival_90d"] is None and body["interval_95"] is None
            assert body["warnings"][0].startswith("No estimate:")
    assert shown >= 10


def test_not_known_inputs_are_null_and_averaged(client):
    body = post(client, with_(kps=None, other_metastases=None)).get_json()
    assert body["inputs"]["kps"] is None and body["inputs"]["other_metastases"] is None
    assert set(body["averaged_over"]) == {"kps", "other_metastases"}
    low, high = body["averaged_over"]["kps"]["estimate_range"]
    assert body["averaged_over"]["kps"]["reason"] == "not_known"
    assert low <= body["survival_90d"] <= high
    assert any(s.startswith("KPS is not known yet") for s in body["explanation"])


def test_ecog_instead_of_kps(client):
    body = post(client, {**without("kps"), "ecog": 2}).get_json()
    assert body["inputs"]["ecog"] == 2 and body["inputs"]["kps"] is None
    assert body["averaged_over"]["kps"]["reason"] == "ecog"
    assert body["averaged_over"]["kps"]["kps_values"] == [60, 50]
    assert any("ECOG 2, which corresponds to KPS 60-50" in s for s in body["explanation"])


def test_out_of_evidence_is_200_with_null_and_a_warning(client):
    response = post(client, with_(kps=10, mccormick_grade=1, other_metastases=False))
    assert response.status_code == 200
    body = response.get_json()
    assert body["survival_90d"] is None and body["interval_95"] is None
    assert body["warnings"][0].startswith("No estimate: the evidence behind the model has essentially no")
    assert "KPS 10" in body["warnings"][0] and "it covers" in body["warnings"][0]
    assert all(v["survival_90d"] is None for v in body["by_resection"].values())


def with_(**changes):
    return {**GOOD, **changes}


def without(name):
    return {k: v for k, v in GOOD.items() if k != name}


@pytest.mark.parametrize(
    "body, field, fragment",
    [
        (with_(kps="70"), "kps", "whole number from 10 to 100"),
        (with_(kps=True), "kps", "whole number from 10 to 100"),
        (with_(kps=70.5), "kps", "whole number from 10 to 100"),
        (with_(kps=70.0), "kps", "whole number from 10 to 100"),
        (with_(kps=75), "kps", "steps of 10"),
        (with_(kps=0), "kps", "steps of 10"),
        (with_(kps=10**30), "kps", "steps of 10"),
        (with_(kps=None, ecog=2), "ecog", "not both"),
        (with_(ecog=2), "ecog", "not both"),
        ({**without("kps"), "ecog": 5}, "ecog", "0 to 4"),
        ({**without("kps"), "ecog": None}, "ecog", "0 to 4"),
        ({**without("kps"), "ecog": "2"}, "ecog", "0 to 4"),
        (with_(resection=None), "resection", "one of"),
        (with_(compartment=None), "compartment", "one of"),
        (with_(other_metastases=1), "other_metastases", "true or false"),
        (with_(other_metastases="yes"), "other_metastases", "true or false"),
        (with_(mccormick_grade=6), "mccormick_grade", "1 to 5"),
        (with_(mccormick_grade="III"), "mccormick_grade", "1 to 5"),
        (with_(mccormick_grade=False), "mccormick_grade", "1 to 5"),
        (with_(resection="total"), "resection", '"biopsy", "subtotal", "gross_total"'),
        (with_(resection=["biopsy"]), "resection", "one of"),
        (with_(compartment={"x": 1}), "compartment", "one of"),
        (without("kps"), "kps", "required"),
        (without("compartment"), "compartment", "required"),
        (with_(age=64), "age", "unknown field"),
        ([GOOD], "_body", "expected a JSON object"),
        ("not json", "_body", "not valid JSON"),
        ('{"kps": NaN}', "_body", "not valid JSON"),
        ('{"kps": 70, "kps": 80}', "_body", "appears more than once"),
        (b'{"kps": "\xff"}', "_body", "not UTF-8"),
        ("", "_body", "not valid JSON"),
    ],
)
def test_bad_input_is_400_naming_the_field(client, body, field, fragment):
    response = post(client, body)
    assert response.status_code == 400
    errors = response.get_json()["errors"]
    assert fragment in errors[field]


def test_wrong_content_type_is_415(client):
    response = post(client, json.dumps(GOOD), content_type="text/plain")
    assert response.status_code == 415
    assert "application/json" in response.get_json()["errors"]["_body"]


def test_form_encoded_body_is_415(client):
    response = client.post("/api/v1/estimate", data={k: str(v) for k, v in GOOD.items()})
    assert response.status_code == 415


def test_oversized_body_is_413_json(client):
    response = post(client, json.dumps({**GOOD, "pad": "x" * 20_000}))
    assert response.status_code == 413
    assert "_body" in response.get_json()["errors"]


@pytest.mark.parametrize("method", ["get", "put", "delete"])
def test_other_methods_are_405_json(client, method):
    response = getattr(client, method)("/api/v1/estimate")
    assert response.status_code == 405
    assert response.is_json


def test_unknown_api_path_is_404_json(client):
    response = client.get("/api/v2/estimate")
    assert response.status_code == 404
    assert response.is_json
