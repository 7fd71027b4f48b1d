"""Shrinkage and the minimum sample size (Riley et al., Stat Med 2019), from `metrics`."""

from __future__ import annotations

from calculator.i18n import N_, _, decimal_text
from calculator.model_card.blocks import Paragraph, Section, num, plain, pooled, table

# Riley et al. (Stat Med 2019) criteria, by the manifest's keys (translated where shown).
CRITERIA = {
    "shrinkage_at_least_0.9": N_("(i) expected shrinkage of at least 0.9"),
    "nagelkerke_optimism_at_most_0.05": N_("(ii) optimism in Nagelkerke R² of at most 0.05"),
    "overall_risk_within_0.05": N_("(iii) overall risk estimated within ±0.05"),
}


def shrinkage_and_size(m: dict) -> Section:
    metrics, blocks = m["metrics"], []
    size = metrics.get("sample_size")
    if pooled(m) and "events_90d_range" in m["cohort"]:
        blocks.append(Paragraph(one_reconstruction(m, size), _("One reconstruction.")))
    s = metrics.get("shrinkage")
    if s:
        blocks.append(Paragraph(shrinkage(s, metrics), _("Shrinkage.")))
    if size:
        # The statement is the manifest's, as training wrote it.
        blocks.append(Paragraph(size["statement"], _("Sample size.")))
        blocks.append(
            table(
                _("Minimum sample size: %(reference)s", reference=size["reference"]),
                (_("Criterion or input"), _("Value")),
                size_rows(size),
            )
        )
    return Section("sample-size", _("Shrinkage and sample size"), tuple(blocks), level=3)


def one_reconstruction(m: dict, size: dict | None) -> str:
    """For the pooled default: both figures count one reconstruction, whose deaths vary by draw."""
    low, high = m["cohort"]["events_90d_range"]
    variables = {"n": m["cohort"]["n"], "day": m["horizon_days"], "low": low, "high": high}
    if size:
        return _(
            "Both are computed on one reconstruction, the example kept with the model. Every "
            "reconstruction has the same %(n)s patients, but the deaths by day %(day)s vary by draw, from "
            "%(low)s to %(high)s (%(low_per)s to %(high_per)s per parameter): the counts below are that one "
            "draw's.",
            low_per=decimal_text(f"{low / size['parameters']:.1f}"),
            high_per=decimal_text(f"{high / size['parameters']:.1f}"),
            **variables,
        )
    return _(
        "Both are computed on one reconstruction, the example kept with the model. Every reconstruction "
        "has the same %(n)s patients, but the deaths by day %(day)s vary by draw, from %(low)s to "
        "%(high)s: the counts below are that one draw's.",
        **variables,
    )


def shrinkage(s: dict, metrics: dict) -> str:
    """The global shrinkage factor; the method's words are the manifest's, as training wrote them."""
    text = _(
        "Global shrinkage factor %(factor)s (likelihood-ratio chi-square %(chi_square)s on %(df)s df): "
        "%(method)s.",
        factor=num(s["van_houwelingen_le_cessie"]),
        chi_square=num(s["lr_chi_square"], 1),
        df=s["df"],
        method=s["method"],
    )
    slope = metrics.get("optimism_corrected", {}).get("calibration_slope")
    if slope is None:
        return text
    return text + " " + _("Optimism-corrected calibration slope: %(slope)s.", slope=num(slope))


def size_rows(size: dict) -> list[tuple]:
    """Riley's criteria and the inputs behind them."""
    rows = [(_(CRITERIA[k]) if k in CRITERIA else k, v) for k, v in size["required_n"].items()]
    return rows + [
        (_("Required n (largest of the above)"), size["required_n_final"]),
        (_("Required deaths by day 90"), num(size["required_events"], 0)),
        (
            _("This cohort: n, deaths, per parameter"),
            f"{plain(size['n'])}, {size['events']}, {plain(size['events_per_parameter'])}",
        ),
        (_("Parameters"), size["parameters"]),
        (_("Prevalence of death by day 90"), num(size["prevalence"])),
        (
            _("Anticipated Cox-Snell R²"),
            # TRANSLATORS: a table cell: the anticipated R² and where it comes from
            # (the source stays in English).
            _(
                "%(r2)s; source: %(source)s",
                r2=num(size["anticipated_cox_snell_r2"]),
                source=size["anticipated_r2_source"],
            ),
        ),
        (_("Maximum Cox-Snell R²"), num(size["max_cox_snell_r2"])),
    ]
