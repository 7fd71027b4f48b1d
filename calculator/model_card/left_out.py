"""Each study left out in turn (internal-external validation) and the calibration plot of its
out-of-study predictions, from the manifest's `metrics`."""

from __future__ import annotations

from calculator.calibration_svg import calibration_svg
from calculator.i18n import _, decimal_text
from calculator.model_card.blocks import (
    Figure,
    Paragraph,
    Section,
    count,
    interval,
    num,
    pct,
    plain,
    pooled,
    table,
)


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
            s.get("reason") or s.get("status", ""),  # as training recorded it
        )
        for s in iecv["per_study"]
    ]
    loso = iecv.get("pooled", {})
    if "n" in loso:
        rows.append(
            (
                # TRANSLATORS: the last row of a table of left-out studies: all of them together.
                _("Pooled (%(studies)s studies)", studies=loso["studies_predicted"]),
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
        _("Internal-external validation: each study left out in turn"),
        (
            Paragraph(by_study_text(m)),
            table(
                _("Left-out study: observed vs mean predicted 90-day survival"),
                (
                    _("Study left out"),
                    _("n"),
                    _("Deaths by day %(day)s (mean)", day=h)
                    if pooled(m)
                    else _("Deaths by day %(day)s", day=h),
                    # TRANSLATORS: a column header: the observed survival.
                    _("Observed"),
                    _("Mean predicted"),
                    _("c-statistic"),
                    # TRANSLATORS: a column header: the ridge penalty C (a symbol, usually kept).
                    *((_("C"),) if refit_c else ()),
                    _("Status"),
                ),
                rows,
                numeric=tuple(range(1, 6 + refit_c)),
                wide=True,
            ),
        ),
        level=3,
    )


def by_study_text(m: dict) -> str:
    """How each left-out study is predicted, and what its figures rest on."""
    if pooled(m):
        how = _(
            "Each study is predicted by the pooled procedure at the shipped C = %(C)s fitted on the other "
            "studies' patients in each reconstruction; deaths and observed survival are over the "
            "reconstructions.",
            C=decimal_text(f"{m['model']['C']:g}"),
        )
    else:
        how = _("Each study is predicted by the whole procedure refitted on the other studies.")
    return " ".join(
        (
            how,
            _(
                "Observed survival is the study's own Kaplan-Meier at day %(day)s; a c-statistic needs both "
                "deaths and survivors in the study, and rests on very few deaths in the small ones.",
                day=m["horizon_days"],
            ),
        )
    )


def _title(curve: dict, h: int) -> str:
    """Out-of-study (leave-one-study-out), or cross-validated for a single-site registry."""
    if "cross-validated" in curve["method"]:
        return _("Calibration of cross-validated predictions, %(day)s-day survival", day=h)
    return _("Calibration of out-of-study predictions, %(day)s-day survival", day=h)


def calibration(curve: dict, h: int) -> Section:
    groups = curve["groups"]
    rows = [
        (i, g["n"], pct(g["predicted"]), pct(g["observed"]), interval(g["ci_low"], g["ci_high"], fmt=pct))
        for i, g in enumerate(groups, start=1)
    ]
    return Section(
        "calibration",
        _("Calibration plot"),
        (
            Figure(
                calibration_svg(
                    groups,
                    title=_title(curve, h),
                    element_id="calibration-plot",  # "calibration-title" is the section's heading
                ),
                # TRANSLATORS: %(method)s is the manifest's description of the method (in English).
                _(
                    "Observed vs predicted %(day)s-day survival. Method: %(method)s. Points below the "
                    "diagonal: fewer survived than predicted.",
                    day=h,
                    method=curve["method"],
                ),
            ),
            table(
                _("The plotted groups"),
                (_("Group"), _("n"), _("Mean predicted"), _("Observed"), _("95%% interval")),
                rows,
                numeric=(0, 1, 2, 3, 4),
            ),
        ),
        level=3,
    )
