"""Performance: apparent vs optimism-corrected, each study left out in turn, calibration plot,
shrinkage and the minimum sample size. Every figure is read from the manifest's `metrics`.

For the pooled default the validation is of the pooled procedure in a stated reduced version
(training/pooled_validation.py); its reasons are quoted from there."""

from __future__ import annotations

from calculator.model_card.blocks import (
    Paragraph,
    Section,
    bullets,
    num,
    pct,
    pooled,
    signed,
    table,
)
from calculator.model_card.left_out import by_study, calibration
from calculator.model_card.sample_size import shrinkage_and_size

MEASURES = (  # key in metrics, name, how to read it
    ("c_statistic", "c-statistic (AUC), death by day 90", "0.5 chance, 1 perfect ranking"),
    ("calibration_slope", "Calibration slope", "1 ideal; below 1, estimates too extreme"),
    (
        "calibration_intercept",
        "Calibration in the large (log odds)",
        "0 ideal; above 0, more deaths than predicted",
    ),
    ("brier", "Brier score", "lower is better; compare with the null model"),
    ("brier_null", "Brier score of the null model", "everyone given the observed mortality"),
)


def performance_sections(m: dict) -> list[Section]:
    metrics = m.get("metrics", {})
    sections = [overview(m)]
    if "internal_external" in metrics:
        sections.append(by_study(m))
    if "calibration_curve" in metrics:
        sections.append(calibration(metrics["calibration_curve"], m["horizon_days"]))
    if "shrinkage" in metrics or "sample_size" in metrics:
        sections.append(shrinkage_and_size(m))
    return sections


def how_validated(m: dict) -> tuple:
    """How the figures were made, in words: for the pooled default, the reduced version and why."""
    metrics = m["metrics"]
    n = metrics.get("bootstrap_resamples")
    if not metrics.get("optimism_corrected"):
        return (
            Paragraph(
                "No internal validation is recorded for this model: only apparent (optimistic) figures."
            ),
        )
    if not pooled(m):
        return (
            Paragraph(
                "Apparent performance is measured on the patients the model was fitted to, and is "
                f"optimistic. Optimism: Harrell's bootstrap, {n} resamples, each refitted by the whole "
                "procedure including the choice of C; corrected = apparent minus optimism, the figures to "
                "quote. Leave-one-study-out: each study predicted by a model refitted on the others."
            ),
        )
    draws, C = m["model"]["interval"]["draws"], f"{m['model']['C']:g}"
    return (
        Paragraph(
            f"The shipped model averages {draws} fits; repeating all of that inside every bootstrap "
            "resample and for every left-out study would cost hundreds of times the fit itself, so the "
            f"validation makes two stated reductions, on {n} of the reconstructions:"
        ),
        bullets(
            Paragraph(
                "the pooled model's own performance on each of those reconstructions, averaged. It is "
                "optimistic: the model was fitted to reconstructions like them.",
                "Apparent:",
            ),
            Paragraph(
                "Harrell's bootstrap (Harrell, Lee & Mark, Stat Med 1996), reduced: for each of the "
                f"{n} reconstructions one bootstrap resample, on which the single-draw procedure is "
                "refitted with the choice of C repeated by cross-validation on the resample; optimism = "
                "performance on the resample minus performance on the reconstruction it came from, "
                "averaged; corrected = apparent minus optimism. The pooled model averages many such "
                "fits and overfits less than one, so this optimism is if anything too large: the "
                "corrected figures are conservative. They are the figures to quote.",
                "Optimism-corrected:",
            ),
            Paragraph(
                "for each series (Steyerberg & Harrell, J Clin Epidemiol 2016), the pooled procedure at "
                f"the shipped C = {C} on the {n} reconstructions without that series (the mean of their "
                "fits) predicts that series' patients in each reconstruction. C is not re-chosen without "
                "the series: its choice pools cross-validation over many reconstructions, and one choice "
                "is all the budget allows.",
                "Leave-one-study-out:",
            ),
        ),
    )


def overview(m: dict) -> Section:
    metrics = m.get("metrics", {})
    apparent, optimism = metrics.get("apparent", {}), metrics.get("optimism", {})
    corrected = metrics.get("optimism_corrected", {})
    loso = metrics.get("internal_external", {}).get("pooled", {})
    rows = [
        (
            name,
            num(apparent.get(key)),
            signed(optimism.get(key)),
            num(corrected.get(key)),
            num(loso.get(key)),
            meaning,
        )
        for key, name, meaning in MEASURES
    ]
    for key, name in (
        ("observed_mortality_90d", "Observed"),
        ("mean_predicted_mortality_90d", "Mean predicted"),
    ):
        shown = pct(apparent[key]) if key in apparent else "—"
        rows.append((f"{name} 90-day mortality", shown, "", "", pct(loso.get(key)), ""))
    return Section(
        "performance",
        "Performance",
        (
            *how_validated(m),
            table(
                "Apparent and validated performance",
                (
                    "Measure",
                    "Apparent" + (" (pooled model)" if pooled(m) else ""),
                    "Optimism",
                    "Optimism-corrected",
                    "Leave-one-study-out",
                    "How to read it",
                ),
                rows,
                numeric=(1, 2, 3, 4),
                wide=True,
            ),
        ),
    )
