"""Internal validation (training/validation.py), the calibration plot (calculator/calibration_svg.py),
grouped calibration (training/metrics.py) and local validation (`python -m training validate`)."""

from __future__ import annotations

import json
import re
import xml.etree.ElementTree as ET

import numpy as np
import pandas as pd
import pytest
from sklearn.metrics import log_loss

from calculator.artifact import DEFAULT_MODEL_DIR
from calculator.calibration_svg import calibration_svg
from calculator.features import COHORT_COLUMNS, FEATURES
from training.__main__ import main
from training.cohort import model_frame, write_cohort
from training.fit import fit_procedure, ipcw, weighted_log_loss
from training.local_validation import local_validation
from training.metrics import calibration_groups, wilson_interval
from training.validation import (
    BOOTSTRAP_RESAMPLES,
    calibration_curve,
    internal_external,
    optimism_corrected,
    validation_metrics,
)

SVG = "{http://www.w3.org/2000/svg}"
LOW_RISK = {
    "kps": 100,
    "other_metastases": False,
    "mccormick_grade": 1,
    "resection": "gross_total",
    "compartment": "intradural_extramedullary",
}
HIGH_RISK = {
    "kps": 30,
    "other_metastases": True,
    "mccormick_grade": 5,
    "resection": "biopsy",
    "compartment": "intramedullary",
}


def cohort_of(rows: list[dict]) -> pd.DataFrame:
    return pd.DataFrame.from_records(rows, columns=list(COHORT_COLUMNS))


def patient(study: str, inputs: dict, died: bool) -> dict:
    return {"study_id": study, **inputs, "survival_days": 30.0 if died else 400.0, "died": int(died)}


def random_cohort(n: int, studies: list[str], seed: int, signal: float) -> pd.DataFrame:
    """Patients with random inputs whose log-odds of death is `signal` x (70 - KPS) / 20 - 1:
    small n and weak signal make an overfitted model whose apparent c is optimistic."""
    rng = np.random.default_rng(seed)
    rows = []
    for i in range(n):
        inputs = {f.name: f.values[rng.integers(len(f.values))] for f in FEATURES}
        risk = 1 / (1 + np.exp(-(signal * (70 - inputs["kps"]) / 20 - 1)))
        rows.append(patient(studies[i % len(studies)], inputs, bool(rng.random() < risk)))
    return cohort_of(rows)


# --- bootstrap optimism --------------------------------------------------------------------------


@pytest.mark.slow
def test_optimism_is_positive_and_correction_lowers_the_c_statistic():
    cohort = random_cohort(80, ["a"], seed=3, signal=0.5)
    X = model_frame(cohort)
    y, w = ipcw(cohort["survival_days"], cohort["died"])
    pipeline = fit_procedure(X, y, w, seed=1).pipeline
    result = optimism_corrected(pipeline, X, y, w, seed=1, resamples=20, n_jobs=2)
    assert result["bootstrap_resamples"] == 20
    assert result["optimism"]["c_statistic"] > 0
    corrected, optimism = result["optimism_corrected"], result["optimism"]
    apparent_c = corrected["c_statistic"] + optimism["c_statistic"]
    assert corrected["c_statistic"] < apparent_c
    assert optimism["brier"] < 0  # the apparent Brier score is too good, so correction raises it
    # Determinism of the full procedure: tests/test_artifact.py fits twice and compares metrics.


def test_the_shipped_default_is_at_least_200_resamples():
    assert BOOTSTRAP_RESAMPLES >= 200


def test_the_fast_log_loss_of_the_c_search_is_sklearns():
    # The C search uses it 90 times per fit and the bootstrap 200 fits: it must not change C.
    rng = np.random.default_rng(0)
    for _ in range(200):
        n = int(rng.integers(5, 40))
        y, p, w = rng.integers(0, 2, n), rng.random(n), rng.random(n) * 3
        p[0] = 0.0  # clipped as sklearn clips
        expected = log_loss(y, p, sample_weight=w, labels=[0, 1])
        assert weighted_log_loss(y, p, w) == pytest.approx(expected, rel=1e-14)


# --- leave one study out -------------------------------------------------------------------------


@pytest.mark.slow
def test_leave_one_study_out_gives_one_row_per_study():
    studies = ["s1", "s2", "s3", "s4"]
    cohort = random_cohort(120, studies, seed=5, signal=1.0)
    iecv, death = internal_external(cohort, seed=1, n_jobs=2)
    rows = iecv["per_study"]
    assert [r["study_id"] for r in rows] == studies
    assert all(r["status"] == "ok" for r in rows)
    for r in rows:
        in_study = cohort[cohort["study_id"] == r["study_id"]]
        assert r["n"] == len(in_study) == 30
        assert r["events_90d"] == int(in_study["died"].sum())
        assert r["observed_survival_90d"] == pytest.approx(1 - in_study["died"].mean())
        assert 0 < r["mean_predicted_survival_90d"] < 1
    assert not np.isnan(death).any()
    assert iecv["pooled"]["n"] == 120 and iecv["pooled"]["studies_predicted"] == 4
    curve = calibration_curve(cohort, death)
    assert [g["n"] for g in curve["groups"]] == [24] * 5


def test_a_study_whose_remainder_cannot_be_fitted_is_reported_not_fatal():
    # Without "big", only 3 deaths remain: too few to fit. Without "small", "big" fits.
    rng = np.random.default_rng(0)
    big = [
        patient("big", HIGH_RISK if i % 3 else LOW_RISK, died=bool(i % 3) and rng.random() < 0.8)
        for i in range(40)
    ]
    small = [patient("small", LOW_RISK, died=i < 3) for i in range(20)]
    iecv, death = internal_external(cohort_of(big + small), seed=1, n_jobs=1)
    by_study = {r["study_id"]: r for r in iecv["per_study"]}
    assert by_study["big"]["status"] == "not fitted"
    assert "at least 5" in by_study["big"]["reason"]
    assert by_study["small"]["status"] == "ok"
    assert np.isnan(death[:40]).all() and not np.isnan(death[40:]).any()
    # "small" has one input profile, so one prediction: no pooled slope, and no crash.
    assert iecv["pooled"]["status"] == "not available"


def test_a_single_study_cohort_has_no_pooled_figures():
    cohort = cohort_of([patient("only", LOW_RISK, died=i < 8) for i in range(30)])
    iecv, death = internal_external(cohort, seed=1, n_jobs=1)
    assert [r["status"] for r in iecv["per_study"]] == ["not fitted"]
    assert iecv["pooled"]["status"] == "not available"
    assert calibration_curve(cohort, death)["groups"] == []


# --- grouped calibration and its plot ------------------------------------------------------------


def test_wilson_interval_known_answers():
    # 0 of 10: upper limit z^2 / (n + z^2) (Wilson 1927); 10 of 50: 0.1124 to 0.3304.
    low, high = wilson_interval(0.0, 10)
    assert low == 0 and high == pytest.approx(1.959964**2 / (10 + 1.959964**2))
    assert wilson_interval(0.2, 50) == pytest.approx((0.11244, 0.33037), abs=1e-5)


def test_calibration_groups_on_a_known_table():
    p = np.array([0.1, 0.1, 0.2, 0.2, 0.5, 0.5, 0.8, 0.8, 0.9, 0.9])
    y = np.array([0, 0, 0, 1, 1, 0, 1, 1, 1, 1])
    w = np.ones(10)
    w[0] = 0.0  # status unknown: left out
    groups = calibration_groups(y, p, w, groups=3)
    assert [g["n"] for g in groups] == [3, 3, 3]
    assert [g["predicted"] for g in groups] == pytest.approx([0.5 / 3, 1.8 / 3, 2.6 / 3])
    assert [g["observed"] for g in groups] == pytest.approx([1 / 3, 2 / 3, 1.0])
    assert all(g["ci_low"] <= g["observed"] <= g["ci_high"] for g in groups)
    with pytest.raises(ValueError, match="cannot form 20 calibration groups"):
        calibration_groups(y, p, w, groups=20)


def test_calibration_svg_is_svg_with_one_point_per_group():
    groups = [
        {"predicted": 0.3, "observed": 0.25, "ci_low": 0.1, "ci_high": 0.45, "n": 30},
        {"predicted": 0.6, "observed": 0.7, "ci_low": 0.5, "ci_high": 0.85, "n": 31},
        {"predicted": 0.9, "observed": 1.0, "ci_low": 0.88, "ci_high": 1.2, "n": 29},  # clipped
    ]
    svg = calibration_svg(groups, title="Cohort <A & B>", element_id="cal")
    root = ET.fromstring(svg)
    assert root.tag == f"{SVG}svg"
    assert root.get("role") == "img" and root.get("aria-labelledby") == "cal-title cal-desc"
    assert root.find(f"{SVG}title").text == "Cohort <A & B>"
    assert "group 2: predicted 60%, observed 70% (95% CI 50% to 85%), n = 31" in root.find(f"{SVG}desc").text
    points = [c for c in root.iter(f"{SVG}circle") if c.get("class") == "point"]
    bars = [line for line in root.iter(f"{SVG}line") if line.get("class") == "ci"]
    assert len(points) == len(bars) == 3
    assert len([line for line in root.iter(f"{SVG}line") if line.get("class") == "diagonal"]) == 1
    assert {t.text for t in root.iter(f"{SVG}text")} >= {"0%", "100%", "Predicted 90-day survival"}
    ys = [float(line.get("y2")) for line in bars]
    assert min(ys) >= 0  # the interval above 100% is drawn at the top edge
    assert "<script" not in svg and "href" not in svg


def test_calibration_svg_without_groups_still_parses():
    root = ET.fromstring(calibration_svg([]))
    assert not list(root.iter(f"{SVG}circle"))
    assert "No groups to show." in root.find(f"{SVG}desc").text


# --- local validation: known extremes ------------------------------------------------------------


def test_a_perfect_predictor_gives_c_of_one(model):
    # Every death is a high-risk patient, every survivor a low-risk one.
    cohort = cohort_of([patient("site", HIGH_RISK, True)] * 12 + [patient("site", LOW_RISK, False)] * 18)
    result = local_validation(model, cohort, seed=1, resamples=50)
    c = result["measures"]["c_statistic"]
    assert c["estimate"] == 1.0 and c["ci_95"] == [1.0, 1.0]
    assert result["measures"]["calibration_slope"]["estimate"] is None  # infinite: not estimable
    assert result["measures"]["calibration_intercept"]["estimate"] is not None
    assert any("slope cannot be estimated" in a for a in result["advice"])
    assert result["deaths_90d"] == 12 and result["observed_survival_90d"] == pytest.approx(0.6)


def test_a_constant_prediction_gives_c_of_one_half(model):
    # Everyone has the same inputs, so the same prediction: no discrimination at all.
    cohort = cohort_of([patient("site", LOW_RISK, i % 2 == 0) for i in range(40)])
    result = local_validation(model, cohort, seed=1, resamples=50)
    assert result["measures"]["c_statistic"]["estimate"] == 0.5
    assert result["measures"]["calibration_slope"]["estimate"] is None
    # Half died where the model predicts a low risk: far more deaths than predicted.
    intercept = result["measures"]["calibration_intercept"]
    assert intercept["estimate"] > 0 and intercept["ci_95"][0] > 0
    assert any("includes 0.5" in a for a in result["advice"])
    assert any("too optimistic" in a for a in result["advice"])


def test_a_constant_outcome_has_no_c_statistic(model):
    cohort = cohort_of([patient("site", HIGH_RISK, False)] * 10 + [patient("site", LOW_RISK, False)] * 10)
    result = local_validation(model, cohort, seed=1, resamples=50)
    assert all(m["estimate"] is None for m in result["measures"].values())
    assert result["observed_survival_90d"] == 1.0
    assert any("cannot be computed" in a for a in result["advice"])


@pytest.mark.slow
def test_validate_cli_writes_a_self_contained_report(tmp_path, capsys):
    cohort = cohort_of([patient("site", HIGH_RISK, True)] * 12 + [patient("site", LOW_RISK, False)] * 18)
    registry = tmp_path / "our_registry.csv"
    write_cohort(cohort, registry)
    out = tmp_path / "report.html"
    # 30 rows of two patients: the duplicate check stops it unless accepted, as a person would.
    assert main(["validate", "--cohort", str(registry), "--out", str(out)]) == 2
    assert "--accept duplicate-patients" in capsys.readouterr().err and not out.exists()
    args = ["--cohort", str(registry), "--out", str(out), "--accept", "duplicate-patients"]
    assert main(["validate", *args]) == 0
    assert "c-statistic 1.000" in capsys.readouterr().out
    html = out.read_text(encoding="utf-8")
    assert "<script" not in html.lower() and "<link" not in html.lower()
    # The only URL is the SVG namespace, which nothing fetches.
    assert set(re.findall(r"https?://[^\s\"'<>]*", html)) == {"http://www.w3.org/2000/svg"}
    assert "url(" not in html and "@import" not in html
    manifest = json.loads((DEFAULT_MODEL_DIR / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["sha256"] in html and manifest["version"] in html
    assert "our_registry.csv" in html and "python -m training recalibrate --cohort our_registry.csv" in html
    assert "real data" not in html.lower() and "no evidence" not in html.lower()
    assert "Resection performed" in html
    # it ends with the update the closed test recommends and the command that makes it
    assert html.rindex("Recommended:") > html.rindex("<h2>")
    svg = re.search(r"<svg.*?</svg>", html, re.S).group(0)
    assert len([c for c in ET.fromstring(svg).iter(f"{SVG}circle") if c.get("class") == "point"]) == 5


def test_validate_cli_on_a_bad_cohort_exits_2_and_writes_nothing(tmp_path, capsys):
    bad = tmp_path / "bad.csv"
    bad.write_text(",".join(COHORT_COLUMNS) + "\nsite,75,no,1,biopsy,intramedullary,30,1\n", encoding="utf-8")
    out = tmp_path / "report.html"
    assert main(["validate", "--cohort", str(bad), "--out", str(out)]) == 2
    assert "line 2, column 'kps'" in capsys.readouterr().err
    assert not out.exists()
    missing_model = tmp_path / "no_model"
    good = tmp_path / "good.csv"
    write_cohort(cohort_of([patient("site", LOW_RISK, False)] * 5), good)
    args = ["--cohort", str(good), "--out", str(out), "--accept", "duplicate-patients"]
    assert main(["validate", *args, "--model", str(missing_model)]) == 2
    assert "does not exist" in capsys.readouterr().err
    assert not out.exists()


def test_subgroup_observed_expected_equals_the_hand_computed_figure(model):
    # 10 intramedullary patients (4 died) and 10 extramedullary (1 died), nobody censored.
    rows = [patient("site", HIGH_RISK, i < 4) for i in range(10)]
    rows += [patient("site", LOW_RISK, i < 1) for i in range(10)]
    result = local_validation(model, cohort_of(rows), seed=1, resamples=20)
    risk_high = 1 - model.table[tuple(HIGH_RISK[f.name] for f in FEATURES)].survival_90d
    risk_low = 1 - model.table[tuple(LOW_RISK[f.name] for f in FEATURES)].survival_90d
    groups = {g["group"]: g for g in result["statistician"]["subgroups"]["Compartment"]}
    intra, extra = groups["Intramedullary"], groups["Intradural extramedullary"]
    assert intra["oe"] == pytest.approx(4 / (10 * risk_high), rel=1e-9)
    assert extra["oe"] == pytest.approx(1 / (10 * risk_low), rel=1e-9)
    # 95% CI: O/E x exp(+-1.96 sqrt((1 - o) / (n o))), o = 0.4, n = 10
    se = np.sqrt(0.6 / (10 * 0.4))
    assert intra["ci_95"][0] == pytest.approx(intra["oe"] * np.exp(-1.959963984540054 * se), rel=1e-9)
    overall = result["statistician"]["oe"]
    assert overall["oe"] == pytest.approx(5 / (10 * risk_high + 10 * risk_low), rel=1e-9)


def test_a_single_site_registry_gets_a_calibration_plot_and_the_true_reason():
    cohort = random_cohort(120, ["only_site"], seed=5, signal=2.0)
    X = model_frame(cohort)
    y, w = ipcw(cohort["survival_days"], cohort["died"])
    pipeline = fit_procedure(X, y, w, 0).pipeline
    metrics = validation_metrics(cohort, pipeline, seed=3, resamples=2, n_jobs=1)
    reason = metrics["internal_external"]["pooled"]["reason"]
    assert "one study_id (only_site)" in reason and "only 0" not in reason
    assert metrics["internal_external"]["per_study"][0]["reason"] == reason
    curve = metrics["calibration_curve"]
    assert len(curve["groups"]) == 5 and sum(g["n"] for g in curve["groups"]) == 120
    assert "5-fold cross-validated" in curve["method"]


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_the_fast_weighted_auc_is_sklearns(seed):
    from sklearn.metrics import roc_auc_score

    from training.validation_measures import weighted_auc

    rng = np.random.default_rng(seed)
    y = rng.integers(0, 2, 300)
    p = np.round(rng.random(300), 1)  # many ties
    w = rng.uniform(0.5, 2.0, 300)
    assert weighted_auc(y, p, w) == pytest.approx(roc_auc_score(y, p, sample_weight=w), abs=1e-12)


@pytest.mark.parametrize(
    "ci, verdict",
    [((0.85, 1.1), "within"), ((0.3, 0.6), "outside"), ((1.3, 2.0), "outside"), ((0.7, 0.9), "undetermined")],
)
def test_the_verdict_says_cannot_tell_when_an_interval_crosses_a_limit(ci, verdict):
    """README and CHANGES: within only when the whole 95% interval lies inside the tolerance, and
    'cannot tell' (undetermined) when it straddles a limit, never 'no evidence of miscalibration'."""
    from training.local_measures import OE_TOLERANCE, within

    assert within(ci, OE_TOLERANCE) == verdict
