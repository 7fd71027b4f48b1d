"""Multiple imputation (training/imputation.py) and `fit --impute` (training/imputed_fit.py)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import training.imputed_fit
from calculator.artifact import load_model
from calculator.features import COHORT_COLUMNS
from training.__main__ import main
from training.cohort import read_cohort
from training.imputation import imputations


def registry(path, n: int = 300, seed: int = 3, outcome_related: bool = False):
    """n invented patients; 20% of KPS missing (more often among early deaths when asked)."""
    rng = np.random.default_rng(seed)
    kps = rng.choice(np.arange(30, 101, 10), n)
    death = rng.random(n) < 1 / (1 + np.exp((kps - 55) / 10))
    p_missing = np.where(death, 0.45, 0.1) if outcome_related else np.full(n, 0.2)
    frame = pd.DataFrame(
        {
            "study_id": np.where(np.arange(n) % 2 == 0, "site_a", "site_b"),
            "kps": pd.array([None if m else int(k) for k, m in zip(kps, rng.random(n) < p_missing)], "Int64"),
            "other_metastases": rng.choice(["yes", "no"], n),
            "mccormick_grade": rng.integers(1, 6, n),
            "resection": rng.choice(["biopsy", "subtotal", "gross_total"], n),
            "compartment": rng.choice(["intramedullary", "intradural_extramedullary"], n),
            "survival_days": np.round(np.where(death, rng.uniform(1, 89, n), rng.uniform(91, 2000, n)), 2),
            "died": np.where(death, 1, rng.integers(0, 2, n)),
        }
    )
    frame.loc[:, list(COHORT_COLUMNS)].to_csv(path, index=False)
    return path


def test_imputations_keep_observed_values_and_put_imputed_ones_on_the_scale(tmp_path):
    frame, _ = read_cohort(registry(tmp_path / "r.csv"), keep_missing_predictors=True)
    missing = frame["kps"].isna().to_numpy()
    assert 0.1 < missing.mean() < 0.3
    sets = imputations(frame, 3, seed=7, progress=False)
    again = imputations(frame, 3, seed=7, progress=False)
    for s, t in zip(sets, again):
        pd.testing.assert_frame_equal(s, t)  # one master seed: reproducible
    for s in sets:
        assert (s.loc[~missing, "kps"].to_numpy() == frame.loc[~missing, "kps"].to_numpy()).all()
        assert set(s["kps"]) <= set(range(10, 101, 10))
        assert (s["died"] == frame["died"]).all() and (s["survival_days"] == frame["survival_days"]).all()
    # each imputation its own stream: the imputed values differ between imputations
    assert (sets[0].loc[missing, "kps"].to_numpy() != sets[1].loc[missing, "kps"].to_numpy()).any()


def test_fit_with_imputation_pools_the_imputations(tmp_path, monkeypatch):
    monkeypatch.setattr(training.imputed_fit, "RESAMPLES_PER_IMPUTATION", 2)
    path, out = registry(tmp_path / "r.csv"), tmp_path / "model"
    assert main(["fit", "--cohort", str(path), "--out", str(out), "--impute", "--imputations", "4"]) == 0
    model = load_model(out)
    imputation = model.manifest["cohort"]["imputation"]
    assert imputation["imputations"] == 4 and imputation["rows"] == 300
    assert imputation["missing_by_column"]["kps"] > 30
    assert len(model.draws) == 8  # 4 imputations x 2 resamples
    assert model.manifest["cohort"]["n"] == 300  # no row dropped for a missing KPS


def test_outcome_related_missingness_stops_complete_cases_but_not_imputation(tmp_path, monkeypatch, capsys):
    monkeypatch.setattr(training.imputed_fit, "RESAMPLES_PER_IMPUTATION", 2)
    path, out = registry(tmp_path / "r.csv", n=400, outcome_related=True), tmp_path / "model"
    assert main(["fit", "--cohort", str(path), "--out", str(out)]) == 2
    assert "missingness-outcome" in capsys.readouterr().err and not out.exists()
    assert main(["fit", "--cohort", str(path), "--out", str(out), "--impute", "--imputations", "3"]) == 0


@pytest.mark.parametrize("m", ["1", "0"])
def test_fewer_than_two_imputations_are_refused(tmp_path, m):
    path = registry(tmp_path / "r.csv", n=60)
    assert (
        main(["fit", "--cohort", str(path), "--out", str(tmp_path / "x"), "--impute", "--imputations", m])
        == 2
    )
    assert not (tmp_path / "x").exists()


def test_validate_with_imputation_pools_and_says_how(tmp_path, capsys):
    path, out = registry(tmp_path / "r.csv", n=200), tmp_path / "report.html"
    assert main(["validate", "--cohort", str(path), "--out", str(out), "--impute", "--imputations", "3"]) == 0
    html = out.read_text(encoding="utf-8")
    assert "multiple imputation by chained equations, m = 3" in html
    assert "Rubin" in html and "--impute --imputations 3" in html
    assert "200 (0 rows excluded" in html  # no row dropped for a missing KPS
