"""The prediction module (calculator/predict.py) on the shipped model: known answers from the
manifest, the shape of an estimate, and monotonicity as property tests (deterministic)."""

from __future__ import annotations

import copy
import itertools
import json

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from calculator.artifact import DEFAULT_MODEL_DIR
from calculator.features import (
    COMPARTMENT,
    FEATURE_NAMES,
    KPS,
    MCCORMICK,
    OTHER_METASTASES,
    REFERENCE_PATIENT,
    RESECTION,
)
from calculator.predict import estimate, grid_key, input_grid, predict_survival, to_frame

MANIFEST = json.loads((DEFAULT_MODEL_DIR / "manifest.json").read_text(encoding="utf-8"))
REFERENCES = MANIFEST["reference_predictions"]

# Derandomized: the same examples on every run and machine, no example database written.
PROPERTY = settings(derandomize=True, database=None, max_examples=150, deadline=None)

profiles = st.fixed_dictionaries(
    {
        "kps": st.sampled_from(KPS.values),
        "other_metastases": st.sampled_from(OTHER_METASTASES.values),
        "mccormick_grade": st.sampled_from(MCCORMICK.values),
        "resection": st.sampled_from(RESECTION.values),
        "compartment": st.sampled_from(COMPARTMENT.values),
    }
)


def survival(model, *rows: dict) -> np.ndarray:
    return predict_survival(model, list(rows))[0]


@PROPERTY
@given(profile=profiles, other_kps=st.sampled_from(KPS.values))
def test_higher_kps_never_lowers_the_estimate(model, profile, other_kps):
    low, high = sorted([profile["kps"], other_kps])
    worse, better = survival(model, {**profile, "kps": low}, {**profile, "kps": high})
    assert better >= worse


@PROPERTY
@given(profile=profiles)
def test_other_metastases_never_raise_the_estimate(model, profile):
    without, with_ = survival(
        model, {**profile, "other_metastases": False}, {**profile, "other_metastases": True}
    )
    assert with_ <= without


@PROPERTY
@given(profile=profiles, other_grade=st.sampled_from(MCCORMICK.values))
def test_worse_mccormick_grade_never_raises_the_estimate(model, profile, other_grade):
    better_grade, worse_grade = sorted([profile["mccormick_grade"], other_grade])
    better, worse = survival(
        model, {**profile, "mccormick_grade": better_grade}, {**profile, "mccormick_grade": worse_grade}
    )
    assert worse <= better


@PROPERTY
@given(profile=profiles)
def test_interval_is_ordered_and_a_probability(model, profile):
    _, interval = predict_survival(model, [profile])
    low, high = interval[0]
    assert 0 <= low <= high <= 1


def test_monotone_over_the_whole_input_grid(model):
    # The input space is small (10 x 2 x 5 x 3 x 2 = 600 profiles): check every neighbouring pair.
    grid = [
        dict(zip(FEATURE_NAMES, values))
        for values in itertools.product(
            KPS.values, OTHER_METASTASES.values, MCCORMICK.values, RESECTION.values, COMPARTMENT.values
        )
    ]
    point = dict(zip((tuple(p.values()) for p in grid), survival(model, *grid)))

    def at(profile: dict) -> float:
        return point[tuple(profile[name] for name in FEATURE_NAMES)]

    for p in grid:
        if p["kps"] < 100:
            assert at({**p, "kps": p["kps"] + 10}) >= at(p)
        if p["mccormick_grade"] < 5:
            assert at({**p, "mccormick_grade": p["mccormick_grade"] + 1}) <= at(p)
        if not p["other_metastases"]:
            assert at({**p, "other_metastases": True}) <= at(p)


def reference_id(reference: dict) -> str:
    i = reference["inputs"]
    other = "mets" if i["other_metastases"] else "nomets"
    return f"kps{i['kps']}-{other}-mc{i['mccormick_grade']}-{i['resection']}-{i['compartment']}"


@pytest.mark.parametrize("reference", REFERENCES, ids=[reference_id(r) for r in REFERENCES])
def test_estimate_reproduces_the_manifest_reference(model, reference):
    result = estimate(model, reference["inputs"])
    assert result.survival_90d == pytest.approx(reference["survival_90d"], abs=1e-9)
    assert result.interval_95 == pytest.approx(tuple(reference["interval_95"]), abs=1e-9)


@pytest.mark.parametrize("reference", REFERENCES, ids=[reference_id(r) for r in REFERENCES])
def test_estimate_gives_every_resection_and_the_planned_one_is_the_estimate(model, reference):
    inputs = reference["inputs"]
    result = estimate(model, inputs)
    assert list(result.by_resection) == list(RESECTION.values)
    planned = result.by_resection[inputs["resection"]]
    assert (result.survival_90d, result.interval_95) == (planned.survival_90d, planned.interval_95)
    for option, prediction in result.by_resection.items():
        point, interval = predict_survival(model, [{**inputs, "resection": option}])
        assert prediction.survival_90d == pytest.approx(point[0], abs=1e-12)
        assert prediction.interval_95 == pytest.approx(tuple(interval[0]), abs=1e-12)


def test_estimate_compares_with_the_reference_patient_one_input_at_a_time(model):
    inputs = {
        "kps": 50,
        "other_metastases": True,
        "mccormick_grade": 2,  # as the reference patient
        "resection": "biopsy",
        "compartment": "intradural_extramedullary",
    }
    result = estimate(model, inputs)
    reference = {**REFERENCE_PATIENT, "resection": "biopsy"}
    assert result.reference.survival_90d == pytest.approx(survival(model, reference)[0], abs=1e-12)
    assert set(result.one_at_a_time) == {"kps", "other_metastases", "compartment"}
    for name, value in result.one_at_a_time.items():
        assert value == pytest.approx(survival(model, {**reference, name: inputs[name]})[0], abs=1e-12)


def test_the_reference_patient_has_nothing_to_explain(model):
    result = estimate(model, {**REFERENCE_PATIENT, "resection": "subtotal"})
    assert result.one_at_a_time == {}
    assert result.reference == result.by_resection["subtotal"]


def test_to_frame_builds_columns_by_name_not_position():
    inputs = REFERENCES[2]["inputs"]
    reordered = dict(reversed(list(inputs.items())))
    frame = to_frame([inputs])
    assert list(frame.columns) == list(FEATURE_NAMES)
    assert frame.equals(to_frame([reordered]))
    assert frame.loc[0, "other_metastases"] == 1
    with pytest.raises(KeyError, match="compartment"):
        to_frame([{k: v for k, v in inputs.items() if k != "compartment"}])


# --- the table of every input combination (built once per Model; see calculator/predict.py) -----


def test_the_table_holds_every_input_combination_as_the_pipeline_predicts_it(model):
    grid = input_grid()
    assert len(grid) == len(model.table) == 10 * 2 * 5 * 3 * 2
    for row in grid[::37]:  # a spread of rows, each predicted on its own
        point, interval = predict_survival(model, [row])
        assert model.table[grid_key(row)].survival_90d == pytest.approx(point[0], abs=1e-12)
        assert model.table[grid_key(row)].interval_95 == pytest.approx(tuple(interval[0]), abs=1e-12)


def test_an_estimate_never_runs_the_pipeline(model):
    class Refuses:
        def __getattr__(self, name):
            raise AssertionError("estimate() ran the pipeline; it should read the model's table")

    offline = copy.copy(model)
    object.__setattr__(offline, "pipeline", Refuses())
    assert estimate(offline, REFERENCES[0]["inputs"]) == estimate(model, REFERENCES[0]["inputs"])


def test_an_undeclared_value_is_refused_not_extrapolated(model):
    with pytest.raises(KeyError):
        estimate(model, {**REFERENCES[0]["inputs"], "kps": 55})
