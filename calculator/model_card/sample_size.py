"""Shrinkage and the minimum sample size (Riley et al., Stat Med 2019), from `metrics`."""

from __future__ import annotations

from calculator.model_card.blocks import Paragraph, Section, num, plain, pooled, table

# Riley et al. (Stat Med 2019) criteria, by the manifest's keys.
CRITERIA = {
    "shrinkage_at_least_0.9": "(i) expected shrinkage of at least 0.9",
    "nagelkerke_optimism_at_most_0.05": "(ii) optimism in Nagelkerke R² of at most 0.05",
    "overall_risk_within_0.05": "(iii) overall risk estimated within ±0.05",
}


def shrinkage_and_size(m: dict) -> Section:
    metrics, blocks = m["metrics"], []
    size = metrics.get("sample_size")
    if pooled(m) and "events_90d_range" in m["cohort"]:
        low, high = m["cohort"]["events_90d_range"]
        per = (
            f" ({low / size['parameters']:.1f} to {high / size['parameters']:.1f} per parameter)"
            if size
            else ""
        )
        blocks.append(
            Paragraph(
                "Both are computed on one reconstruction, the example kept with the model. Every "
                f"reconstruction has the same {m['cohort']['n']} patients, but the deaths by day "
                f"{m['horizon_days']} vary by draw, from {low} to {high}{per}: the counts below are that "
                "one draw's.",
                "One reconstruction.",
            )
        )
    s = metrics.get("shrinkage")
    if s:
        slope = metrics.get("optimism_corrected", {}).get("calibration_slope")
        blocks.append(
            Paragraph(
                f"Global shrinkage factor {num(s['van_houwelingen_le_cessie'])} (likelihood-ratio chi-square "
                f"{num(s['lr_chi_square'], 1)} on {s['df']} df): {s['method']}."
                + (f" Optimism-corrected calibration slope: {num(slope)}." if slope is not None else ""),
                "Shrinkage.",
            )
        )
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
