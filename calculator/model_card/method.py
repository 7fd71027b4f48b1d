"""The method: how the model is made, what its 95% interval holds, and how stable it is.

For the default model, the pooled procedure (training/pooled.py) in plain words, with the number of
draws and the stability measurements read from the manifest; for a cohort fit, one fit and its
bootstrap. What the interval does not contain is stated as firmly as what it does.
"""

from __future__ import annotations

from calculator.i18n import _, decimal_text
from calculator.model_card.blocks import (
    Paragraph,
    Section,
    bullets,
    num,
    pooled,
    table,
)
from calculator.model_card.stability import stability_section


def method_sections(m: dict) -> list[Section]:
    sections = [method_section(m), interval_section(m)]
    if m.get("stability"):
        sections.append(stability_section(m))
    return sections


def method_section(m: dict) -> Section:
    model = m["model"]
    grid = model.get("cv_log_loss", {})
    chosen = decimal_text(f"{model['C']:g}")
    # The method's sentence is the manifest's, as training wrote it.
    items = [Paragraph(model["method"] + ".", _("In one sentence.")), *draws_or_fit(m)]
    items += [
        Paragraph(penalty(m, chosen), _("Choice of the penalty.")),
        Paragraph(censoring(m), _("Censoring.")),
        Paragraph(
            _(
                "KPS (per 10 points) and McCormick grade (per grade) enter linearly on the log-odds scale; "
                "other metastases as yes/no; resection and compartment as indicators against biopsy and "
                "intramedullary. No interactions, no splines, no variable selection."
            ),
            _("Predictors."),
        ),
    ]
    blocks = [bullets(*items)]
    if grid:
        blocks.append(
            table(
                _("Choice of C: mean held-out weighted log-loss (lower is better)"),
                (_("C"), _("Log-loss"), _("Choice")),
                # TRANSLATORS: in the column "Choice": this value of C is the one chosen.
                [(c, num(v, 4), _("chosen") if c == chosen else "") for c, v in grid.items()],
                numeric=(0, 1),
            )
        )
    return Section("method", _("Method"), tuple(blocks))


def draws_or_fit(m: dict) -> list[Paragraph]:
    """What one draw is and how the draws are pooled; or, for a cohort fit, the one fit."""
    model, n = m["model"], m["cohort"]["n"]
    if not pooled(m):
        return [
            Paragraph(
                _(
                    "One fit on the cohort; the 95%% interval of an estimate: %(method)s.",
                    method=model["interval"]["method"],
                ),
                _("One cohort."),
            )
        ]
    draws = model["interval"]["draws"]
    return [
        Paragraph(
            _(
                "Each of the %(draws)s draws takes every assumption of the reconstruction from its "
                "distribution (Every assumption with its uncertainty, above), rebuilds the %(n)s published "
                "patients from the series' published figures under those values with its own random "
                "stream, and fits that reconstruction twice at the same penalty: as it is (the draw's point "
                "fit) and on a bootstrap resample of its %(n)s patients (the draw's sampled fit).",
                draws=draws,
                n=n,
            ),
            _("One draw."),
        ),
        Paragraph(
            _(
                "The coefficients are the mean of the %(draws)s point fits, so every estimate comes from one "
                "formula (below). The 95%% interval of an estimate is the 2.5th to 97.5th percentile of that "
                "estimate over the %(draws)s sampled fits.",
                draws=draws,
            ),
            _("Pooling."),
        ),
    ]


def penalty(m: dict, chosen: str) -> str:
    if pooled(m):
        return _(
            "Ridge (L2) penalty, C = %(C)s (smaller C shrinks more): the value with the lowest weighted "
            "log-loss in repeated stratified 5-fold cross-validation (tabled below), averaged over the "
            "reconstructions the sentence above names. C is chosen once, before the draws, and used in "
            "every draw, so that the draws differ only in their data. Ridge keeps every pre-specified "
            "predictor and shrinks them together, which a cohort with few events per parameter needs; "
            "lasso would drop predictors chosen in advance.",
            C=chosen,
        )
    return _(
        "Ridge (L2) penalty, C = %(C)s (smaller C shrinks more): the value with the lowest weighted "
        "log-loss in repeated stratified 5-fold cross-validation (tabled below). Ridge keeps every "
        "pre-specified predictor and shrinks them together, which a cohort with few events per parameter "
        "needs; lasso would drop predictors chosen in advance.",
        C=chosen,
    )


def censoring(m: dict) -> str:
    variables = {"day": m["horizon_days"], "censored": m["cohort"]["censored_before_90d"]}
    if pooled(m):
        return _(
            "A patient last seen alive before day %(day)s has an unknown %(day)s-day status. Dropping such "
            "patients biases the estimate towards death, counting them as survivors towards survival. "
            "Instead each patient of known status is weighted by 1 / G, G being the Kaplan-Meier "
            "probability of remaining uncensored until that status became known (inverse probability of "
            "censoring weights, IPCW); those censored before day %(day)s get weight 0. The "
            "reconstructions have %(censored)s of them.",
            **variables,
        )
    return _(
        "A patient last seen alive before day %(day)s has an unknown %(day)s-day status. Dropping such "
        "patients biases the estimate towards death, counting them as survivors towards survival. "
        "Instead each patient of known status is weighted by 1 / G, G being the Kaplan-Meier probability "
        "of remaining uncensored until that status became known (inverse probability of censoring "
        "weights, IPCW); those censored before day %(day)s get weight 0. This cohort has %(censored)s of "
        "them.",
        **variables,
    )


def interval_section(m: dict) -> Section:
    n = m["cohort"]["n"]
    # Each item below completes "It contains:" or "It does not contain:" (a list, one item a line).
    if pooled(m):
        contains = (
            _(
                "the sampling error of a cohort of %(n)s patients: each draw's sampled fit is on a "
                "bootstrap resample;",
                n=n,
            ),
            _(
                "the uncertainty of every assumption, as stated in the table of assumptions: each draw "
                "takes every one from its distribution;"
            ),
            _(
                "the randomness of reconstructing patients from published summaries: each draw rebuilds "
                "them afresh."
            ),
        )
        lacks = (
            _(
                "errors in the published figures themselves: series sizes, resection splits, deaths and "
                "medians are data, the same in every draw;"
            ),
            model_form(),
            _(
                "differences between the patients of the published series and this hospital's (case mix, "
                "era, who is offered surgery);"
            ),
            _("an assumption's uncertainty beyond the range stated for it;"),
            planned_gap(),
        )
    else:
        contains = (
            _(
                "the sampling error of a cohort of %(n)s patients (bootstrap refits of this cohort).",
                n=n,
            ),
        )
        lacks = (
            _("errors in the cohort's recorded values;"),
            model_form(),
            _("differences between this cohort's patients and the patients it is applied to;"),
            planned_gap(),
        )
    return Section(
        "interval",
        _("What the 95%% interval does and does not contain"),
        (
            # TRANSLATORS: introduces a list of items (what the 95% interval contains).
            Paragraph(_("It contains:")),
            bullets(*contains),
            # TRANSLATORS: introduces a list of items (what the 95% interval does not contain).
            Paragraph(_("It does not contain:")),
            bullets(*lacks),
            Paragraph(
                _("So the true uncertainty is wider than the interval, by an amount no figure here measures.")
            ),
        ),
        level=3,
    )


def model_form() -> str:
    # TRANSLATORS: an item of the list "It does not contain:" (the 95% interval).
    return _(
        "the choice of model form: an additive logistic model, linear in KPS and in McCormick grade, "
        "with no interactions;"
    )


def planned_gap() -> str:
    # TRANSLATORS: an item of the list "It does not contain:" (the 95% interval).
    return _("the gap between the resection planned and the one achieved (Extent of resection, above).")
