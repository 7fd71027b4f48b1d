"""Each study left out in turn (internal-external validation) and the calibration plot of its
out-of-study predictions, from the manifest's `metrics`."""

from __future__ import annotations

from calculator.calibration_svg import calibration_svg
from calculator.model_card.blocks import Figure, Paragraph, Section, count, num, pct, plain, pooled, table


def by_study(m: dict) -> Section:
    iecv, h = m["metrics"]["internal_external"], m["horizon_days"]
    refit_c = any(s.get("C") is not None for s in iecv["per_study"])  # C re-chosen per left-out study
    rows = [
        (
            s["study_id"],
            s["n"],
            count(s["events_90d"]),
            pct(s.get("observed_survival_90d")),
            pct(s.get("mean_predicted_survival_90d")),
            num(s.get("c_statistic")),
            *((plain(s.get("C")),) if refit_c else ()),
            s.get("reason") or s.get("status", ""),
        )
        for s in iecv["per_study"]
    ]
    loso = iecv.get("pooled", {})
    if "n" in loso:
        rows.append(
            (
                f"Pooled ({loso['studies_predicted']} studies)",
                loso["n"],
                "",
                pct(1 - loso["observed_mortality_90d"]),
                pct(1 - loso["mean_predicted_mortality_90d"]),
                num(loso.get("c_statistic")),
                *(("",) if refit_c else ()),
                "",
            )
        )
    return Section(
        "by-study",
        "Internal-external validation: each study left out in turn",
        (
            Paragraph(
                (
                    f"Each study is predicted by the pooled procedure at the shipped C = {m['model']['C']:g} "
                    "fitted on the other studies' patients in each reconstruction; deaths and observed "
                    "survival are over the reconstructions. "
                    if pooled(m)
                    else "Each study is predicted by the whole procedure refitted on the other studies. "
                )
                + f"Observed survival is the study's own Kaplan-Meier at day {h}; a c-statistic needs "
                "both deaths and survivors in the study, and rests on very few deaths in the small ones."
            ),
            table(
                "Left-out study: observed vs mean predicted 90-day survival",
                (
                    "Study left out",
                    "n",
                    f"Deaths by day {h}" + (" (mean)" if pooled(m) else ""),
                    "Observed",
                    "Mean predicted",
                    "c-statistic",
                    *(("C",) if refit_c else ()),
                    "Status",
                ),
                rows,
                numeric=tuple(range(1, 6 + refit_c)),
                wide=True,
            ),
        ),
        level=3,
    )


def _source(curve: dict) -> str:
    """Out-of-study (leave-one-study-out), or cross-validated for a single-site registry."""
    return "cross-validated" if "cross-validated" in curve["method"] else "out-of-study"


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
                calibration_svg(
                    groups,
                    title=f"Calibration of {_source(curve)} predictions, {h}-day survival",
                    element_id="calibration-plot",  # "calibration-title" is the section's heading
                ),
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
