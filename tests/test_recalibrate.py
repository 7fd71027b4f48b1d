"""Recalibration (training/recalibrate.py, `python -m training recalibrate`): a cohort simulated
from a known miscalibrated truth gives back its intercept and slope, and the closed test picks the
update that made it."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import training.recalibrate_command
from calculator.artifact import DEFAULT_MODEL_DIR, load_model
from calculator.features import COHORT_COLUMNS, FEATURES
from calculator.predict import design_columns
from training.__main__ import main
from training.cohort import write_cohort
from training.recalibrate import closed_test, linear_predictor


@pytest.fixture(scope="module")
def parent():
    return load_model(DEFAULT_MODEL_DIR)


def simulated(parent, n: int, a: float, b: float, seed: int) -> pd.DataFrame:
    """n patients with random inputs whose true log odds of death are a + b x the parent's."""
    rng = np.random.default_rng(seed)
    frame = pd.DataFrame({f.name: rng.choice(np.array(f.values, dtype=object), n) for f in FEATURES})
    frame["kps"] = frame["kps"].astype(int)
    frame["mccormick_grade"] = frame["mccormick_grade"].astype(int)
    frame["other_metastases"] = frame["other_metastases"].astype(bool)
    lp = a + b * linear_predictor(parent.coefficients, design_columns(frame))
    died = rng.random(n) < 1 / (1 + np.exp(-lp))
    frame["study_id"] = "site_a"
    # distinct follow-up times, so that no two patients coincide in every column
    frame["survival_days"] = np.round(np.where(died, rng.uniform(1, 89, n), rng.uniform(91, 3000, n)), 2)
    frame["died"] = died.astype(int)
    return frame.loc[:, list(COHORT_COLUMNS)]


def arrays(parent, frame):
    return design_columns(frame), frame["died"].to_numpy(), np.ones(len(frame))


@pytest.mark.parametrize(
    ("a", "b", "chosen"),
    [(0.0, 1.0, "original"), (-0.8, 1.0, "intercept"), (-0.5, 0.6, "logistic")],
)
def test_closed_test_recovers_known_miscalibration(parent, a, b, chosen):
    test = closed_test(*arrays(parent, simulated(parent, 4000, a, b, seed=11)), parent.coefficients)
    assert test["chosen"] == chosen
    est = test["estimates"]["logistic"]
    assert est["a"] == pytest.approx(a, abs=0.15)
    assert est["b"] == pytest.approx(b, abs=0.12)
    if b == 1.0:
        assert test["estimates"]["intercept"]["a"] == pytest.approx(a, abs=0.12)


def test_closed_test_picks_refit_when_one_coefficient_differs(parent):
    frame = simulated(parent, 4000, 0.0, 1.0, seed=12)
    # the truth: other metastases carry 1.5 more log odds than the parent says
    D = design_columns(frame)
    lp = linear_predictor(parent.coefficients, D) + 1.5 * D[:, 2] - 0.75
    died = np.random.default_rng(13).random(len(frame)) < 1 / (1 + np.exp(-lp))
    assert closed_test(D, died.astype(int), np.ones(len(frame)), parent.coefficients)["chosen"] == "refit"


@pytest.fixture(scope="module")
def recalibrated(parent, tmp_path_factory) -> Path:
    """One `python -m training recalibrate` run (in process) on a 600-patient registry, shared by
    the tests below: what it writes, and how the calculator serves it."""
    tmp = tmp_path_factory.mktemp("recalibrated")
    registry = tmp / "our_registry.csv"
    write_cohort(simulated(parent, 600, -0.8, 1.0, seed=17), registry)
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(training.recalibrate_command, "RESAMPLES", 8)
        assert main(["recalibrate", "--cohort", str(registry), "--out", str(tmp / "model")]) == 0
    return tmp / "model"


def test_recalibrate_writes_a_servable_model_with_lineage(parent, recalibrated):
    model = load_model(recalibrated)  # the calculator's checks: hash, version, shapes
    lineage = model.manifest["lineage"]
    assert lineage["parent_version"] == parent.version
    assert lineage["parent_sha256"] == parent.manifest["sha256"]
    assert lineage["method"] == "intercept"
    assert lineage["registry"]["n"] == 600 and len(lineage["registry"]["sha256"]) == 64
    assert set(lineage["cv_log_loss"]) == {"original", "intercept", "logistic", "refit"}
    a = lineage["closed_test"]["estimates"]["intercept"]["a"]
    assert model.coefficients[0] == pytest.approx(parent.coefficients[0] + a)
    assert np.allclose(model.coefficients[1:], parent.coefficients[1:])
    assert model.manifest["synthetic"] is True  # the relative effects are still the synthetic model's
    assert "site_a" not in json.dumps(lineage)  # counts and a hash, never rows


def test_recalibrate_writes_nothing_from_a_flagged_file(parent, tmp_path):
    frame = simulated(parent, 60, 0.0, 1.0, seed=15)
    frame = pd.concat([frame, frame.iloc[:5]])  # duplicated patients: needs --accept
    registry = tmp_path / "registry.csv"
    write_cohort(frame, registry)
    out = tmp_path / "model"
    assert main(["recalibrate", "--cohort", str(registry), "--out", str(out)]) == 2
    assert not out.exists()


def test_recalibrate_with_imputation_pools_the_imputations(parent, tmp_path, monkeypatch):
    monkeypatch.setattr(training.recalibrate_command, "RESAMPLES", 8)
    frame = simulated(parent, 800, -0.8, 1.0, seed=16)
    frame["kps"] = frame["kps"].astype(object)
    frame.loc[frame.index[::5], "kps"] = None  # 20% of KPS missing
    registry = tmp_path / "registry.csv"
    write_cohort(frame, registry)
    out = tmp_path / "model"
    args = ["recalibrate", "--cohort", str(registry), "--out", str(out), "--impute", "--imputations", "3"]
    assert main(args) == 0
    lineage = load_model(out).manifest["lineage"]
    assert lineage["imputations"] == 3 and lineage["registry"]["n"] == 800
    assert lineage["method"] == "intercept"
    assert lineage["closed_test"]["estimates"]["intercept"]["a"] == pytest.approx(-0.8, abs=0.2)
    assert "D2" in lineage["closed_test"]["procedure"]


def test_the_calculator_serves_a_recalibrated_model_and_says_so(recalibrated):
    from calculator import create_app
    from calculator.model_card import build_card, card_markdown

    out = recalibrated
    pin = hashlib.sha256((out / "manifest.json").read_bytes()).hexdigest()  # the operator's pin
    app = create_app({"TESTING": True, "MODEL_DIR": str(out), "MODEL_SHA256": pin})
    client = app.test_client()
    page = client.get("/").get_data(as_text=True)
    model_page = client.get("/model")
    assert model_page.status_code == 200 and "Recalibrated on a registry" in model_page.get_data(as_text=True)
    assert "Recalibrated on our_registry.csv (600 patients," in page
    card = card_markdown(build_card(load_model(out).manifest))
    assert "Recalibrated on our_registry.csv (600 patients," in card
