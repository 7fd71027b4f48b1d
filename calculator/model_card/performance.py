"""Performance: apparent vs optimism-corrected, each study left out in turn, calibration plot,
shrinkage and the minimum sample size. Every figure is read from the manifest's `metrics`."""

from __future__ import annotations

from calculator.calibration_svg import calibration_svg
from calculator.model_card.blocks import Figure, Paragraph, Section, num, pct, plain, signed, table

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

# Riley et al. (Stat Med 2019) criteria, by the manifest's keys.
CRITERIA = {
    "shrinkage_at_least_0.9": "(i) expected shrinkage of at least 0.9",
    "nagelkerke_optimism_at_most_0.05": "(ii) optimism in Nagelkerke R² of at most 0.05",
    "overall_risk_within_0.05": "(iii) overall risk estimated within ±0.05",
}


def performance_sections(m: dict) -> list[Section]:
    metrics = m.get("metrics", {})
    sections = [overview(metrics)]
    if "internal_external" in metrics:
        sections.append(by_study(metrics["internal_external"], m["horizon_days"]))
    if "calibration_curve" in metrics:
        sections.append(calibration(metrics["calibration_curve"], m["horizon_days"]))
    if "shrinkage" in metrics or "sample_size" in metrics:
        sections.append(shrinkage_and_size(metrics))
    return sections


def overview(metrics: dict) -> Section:
    apparent, optimism = metrics.get("apparent", {}), metrics.get("optimism", {})
    corrected = metrics.get("optimism_corrected", {})
    pooled = metrics.get("internal_external", {}).get("pooled", {})
    rows = [
        (
            name,
            num(apparent.get(key)),
            signed(optimism.get(key)),
            num(corrected.get(key)),
            num(pooled.get(key)),
            meaning,
        )
        for key, name, meaning in MEASURES
    ]
    for key, name in (
        ("observed_mortality_90d", "Observed"),
        ("mean_predicted_mortality_90d", "Mean predicted"),
    ):
        rows.append((f"{name} 90-day mortality", pct(apparent.get(key)), "", "", pct(pooled.get(key)), ""))
    if corrected:
        text = (
            "Apparent performance is measured on the patients the model was fitted to, and is optimistic. "
            f"Optimism: Harrell's bootstrap, {metrics.get('bootstrap_resamples')} resamples, each refitted "
            "by the whole procedure including the choice of C; corrected = apparent minus optimism, the "
            "figures to quote. Leave-one-study-out: each study predicted by a model refitted on the others."
        )
    else:
        text = "No internal validation is recorded for this model: only apparent (optimistic) figures."
    return Section(
        "performance",
        "Performance",
        (
            Paragraph(text),
            table(
                "Apparent and validated performance",
                (
                    "Measure",
                    "Apparent",
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


def by_study(iecv: dict, h: int) -> Section:
    rows = [
        (
            s["study_id"],
            s["n"],
            s["events_90d"],
            pct(s.get("observed_survival_90d")),
            pct(s.get("mean_predicted_survival_90d")),
            num(s.get("c_statistic")),
            plain(s.get("C")),
            s.get("reason") or s.get("status", ""),
        )
        for s in iecv["per_study"]
    ]
    pooled = iecv.get("pooled", {})
    if "n" in pooled:
        rows.append(
            (
                f"Pooled ({pooled['studies_predicted']} studies)",
                pooled["n"],
                "",
                pct(1 - pooled["observed_mortality_90d"]),
                pct(1 - pooled["mean_predicted_mortality_90d"]),
                num(pooled.get("c_statistic")),
                "",
                "",
            )
        )
    return Section(
        "by-study",
        "Internal-external validation: each study left out in turn",
        (
            Paragraph(
                "Each study is predicted by the whole procedure refitted on the other studies. Observed "
                f"survival is the study's own Kaplan-Meier at day {h}; a c-statistic needs both deaths and "
                "survivors in the study, and rests on very few deaths in the small ones."
            ),
            table(
                "Left-out study: observed vs mean predicted 90-day survival",
                (
                    "Study left out",
                    "n",
                    f"Deaths by day {h}",
                    "Observed",
                    "Mean predicted",
                    "c-statistic",
                    "C",
                    "Status",
                ),
                rows,
                numeric=(1, 2, 3, 4, 5, 6),
                wide=True,
            ),
        ),
        level=3,
    )


def calibration(curve: dict, h: int) -> Section:
    groups = curve["groups"]
    rows = [
        (i, g["n"], pct(g["predicted"]), pct(g["observed"]), f"{pct(g['ci_low'])} to {pct(g['ci_high'])}")
        for i, g in enumerate(groups, start=1)
    ]
    return Section(
        "calibration",
        "Calibration plot",
        (
            Figure(
                calibration_svg(groups, title=f"Calibration of out-of-study predictions, {h}-day survival"),
                f"Observed vs predicted {h}-day survival. Method: {curve['method']}. Points below the "
                "diagonal: fewer survived than predicted.",
            ),
            table(
                "The plotted groups",
                ("Group", "n", "Mean predicted", "Observed", "95% interval"),
                rows,
                numeric=(0, 1, 2, 3, 4),
            ),
        ),
        level=3,
    )


def shrinkage_and_size(metrics: dict) -> Section:
    blocks = []
    s = metrics.get("shrinkage")
    if s:
        blocks.append(
            Paragraph(
                f"Global shrinkage factor {num(s['van_houwelingen_le_cessie'])} (likelihood-ratio chi-square "
                f"{num(s['lr_chi_square'], 1)} on {s['df']} df): {s['method']}. Optimism-corrected "
                f"calibration slope: {num(s['bootstrap_calibration_slope'])}.",
                "Shrinkage.",
            )
        )
    size = metrics.get("sample_size")
    if size:
        blocks.append(Paragraph(size["statement"], "Sample size."))
        rows = [(CRITERIA.get(k, k), v) for k, v in size["required_n"].items()]
        rows += [
            ("Required n (largest of the above)", size["required_n_final"]),
            ("Required deaths by day 90", num(size["required_events"], 0)),
            (
                "This cohort: n, deaths, per parameter",
                f"{plain(size['n'])}, {size['events']}, {plain(size['events_per_parameter'])}",
            ),
            ("Parameters", size["parameters"]),
            ("Prevalence of death by day 90", num(size["prevalence"])),
            (
                "Anticipated Cox-Snell R²",
                f"{num(size['anticipated_cox_snell_r2'])}; source: {size['anticipated_r2_source']}",
            ),
            ("Maximum Cox-Snell R²", num(size["max_cox_snell_r2"])),
        ]
        blocks.append(
            table(f"Minimum sample size: {size['reference']}", ("Criterion or input", "Value"), rows)
        )
    return Section("sample-size", "Shrinkage and sample size", tuple(blocks), level=3)
