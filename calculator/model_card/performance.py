"""Performance: apparent vs optimism-corrected, each study left out in turn, calibration plot,
shrinkage and the minimum sample size. Every figure is read from the manifest's `metrics`.

For the pooled default the validation is of the pooled procedure in a stated reduced version
(training/pooled_validation.py); its reasons are quoted from there."""

from __future__ import annotations

from calculator.i18n import N_, _, decimal_text
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

MEASURES = (  # key in metrics, name, how to read it (translated where shown)
    ("c_statistic", N_("c-statistic (AUC), death by day 90"), N_("0.5 chance, 1 perfect ranking")),
    ("calibration_slope", N_("Calibration slope"), N_("1 ideal; below 1, estimates too extreme")),
    (
        "calibration_intercept",
        N_("Calibration in the large (log odds)"),
        N_("0 ideal; above 0, more deaths than predicted"),
    ),
    ("brier", N_("Brier score"), N_("lower is better; compare with the null model")),
    ("brier_null", N_("Brier score of the null model"), N_("everyone given the observed mortality")),
)
MORTALITY = (  # key in metrics, row name (translated where shown)
    ("observed_mortality_90d", N_("Observed 90-day mortality")),
    ("mean_predicted_mortality_90d", N_("Mean predicted 90-day mortality")),
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
                _("No internal validation is recorded for this model: only apparent (optimistic) figures.")
            ),
        )
    if not pooled(m):
        return (
            Paragraph(
                _(
                    "Apparent performance is measured on the patients the model was fitted to, and is "
                    "optimistic. Optimism: Harrell's bootstrap, %(n)s resamples, each refitted by the whole "
                    "procedure including the choice of C; corrected = apparent minus optimism, the figures "
                    "to quote. Leave-one-study-out: each study predicted by a model refitted on the others.",
                    n=n,
                )
            ),
        )
    draws, C = m["model"]["interval"]["draws"], decimal_text(f"{m['model']['C']:g}")
    return (
        Paragraph(
            _(
                "The shipped model averages %(draws)s fits; repeating all of that inside every bootstrap "
                "resample and for every left-out study would cost hundreds of times the fit itself, so the "
                "validation makes two stated reductions, on %(n)s of the reconstructions:",
                draws=draws,
                n=n,
            )
        ),
        bullets(
            Paragraph(
                _(
                    "the pooled model's own performance on each of those reconstructions, averaged. It is "
                    "optimistic: the model was fitted to reconstructions like them."
                ),
                # TRANSLATORS: a lead-in in bold, followed by what the apparent performance is
                # (also "Optimism-corrected:", "Leave-one-study-out:").
                _("Apparent:"),
            ),
            Paragraph(
                _(
                    "Harrell's bootstrap (Harrell, Lee & Mark, Stat Med 1996), reduced: for each of the "
                    "%(n)s reconstructions one bootstrap resample, on which the single-draw procedure is "
                    "refitted with the choice of C repeated by cross-validation on the resample; optimism = "
                    "performance on the resample minus performance on the reconstruction it came from, "
                    "averaged; corrected = apparent minus optimism. The pooled model averages many such "
                    "fits and overfits less than one, so this optimism is if anything too large: the "
                    "corrected figures are conservative. They are the figures to quote.",
                    n=n,
                ),
                _("Optimism-corrected:"),
            ),
            Paragraph(
                _(
                    "for each series (Steyerberg & Harrell, J Clin Epidemiol 2016), the pooled procedure at "
                    "the shipped C = %(C)s on the %(n)s reconstructions without that series (the mean of "
                    "their fits) predicts that series' patients in each reconstruction. C is not re-chosen "
                    "without the series: its choice pools cross-validation over many reconstructions, and "
                    "one choice is all the budget allows.",
                    C=C,
                    n=n,
                ),
                _("Leave-one-study-out:"),
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
            _(name),
            num(apparent.get(key)),
            signed(optimism.get(key)),
            num(corrected.get(key)),
            num(loso.get(key)),
            _(meaning),
        )
        for key, name, meaning in MEASURES
    ]
    for key, name in MORTALITY:
        shown = pct(apparent[key]) if key in apparent else "—"
        rows.append((_(name), shown, "", "", pct(loso.get(key)), ""))
    return Section(
        "performance",
        _("Performance"),
        (
            *how_validated(m),
            table(
                _("Apparent and validated performance"),
                (
                    _("Measure"),
                    # TRANSLATORS: a column header: the performance measured on the fitting data.
                    _("Apparent (pooled model)") if pooled(m) else _("Apparent"),
                    _("Optimism"),
                    _("Optimism-corrected"),
                    _("Leave-one-study-out"),
                    _("How to read it"),
                ),
                rows,
                numeric=(1, 2, 3, 4),
                wide=True,
            ),
        ),
    )
