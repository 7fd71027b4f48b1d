"""The method: how the model is made, what its 95% interval holds, and how stable it is.

For the default model, the pooled procedure (training/pooled.py) in plain words, with the number of
draws and the stability measurements read from the manifest; for a cohort fit, one fit and its
bootstrap. What the interval does not contain is stated as firmly as what it does.
"""

from __future__ import annotations

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
    model, h, n = m["model"], m["horizon_days"], m["cohort"]["n"]
    grid = model.get("cv_log_loss", {})
    chosen = f"{model['C']:g}"
    items = [Paragraph(model["method"] + ".", "In one sentence.")]
    if pooled(m):
        draws = model["interval"]["draws"]
        items += [
            Paragraph(
                f"Each of the {draws} draws takes every assumption of the reconstruction from its "
                "distribution (Every assumption with its uncertainty, above), rebuilds the "
                f"{n} published patients from the series' published figures under those values with "
                "its own random stream, and fits that reconstruction twice at the same penalty: as it "
                f"is (the draw's point fit) and on a bootstrap resample of its {n} patients (the draw's "
                "sampled fit).",
                "One draw.",
            ),
            Paragraph(
                f"The coefficients are the mean of the {draws} point fits, so every estimate comes from "
                "one formula (below). The 95% interval of an estimate is the 2.5th to 97.5th percentile "
                f"of that estimate over the {draws} sampled fits.",
                "Pooling.",
            ),
        ]
    else:
        items.append(
            Paragraph(
                f"One fit on the cohort; the 95% interval of an estimate: {model['interval']['method']}.",
                "One cohort.",
            )
        )
    items += [
        Paragraph(
            f"Ridge (L2) penalty, C = {chosen} (smaller C shrinks more): the value with the lowest "
            "weighted log-loss in repeated stratified 5-fold cross-validation (tabled below)"
            + (
                ", averaged over the reconstructions the sentence above names. C is chosen once, before "
                "the draws, and used in every draw, so that the draws differ only in their data. "
                if pooled(m)
                else ". "
            )
            + "Ridge keeps every pre-specified predictor and shrinks them together, which a cohort with "
            "few events per parameter needs; lasso would drop predictors chosen in advance.",
            "Choice of the penalty.",
        ),
        Paragraph(
            f"A patient last seen alive before day {h} has an unknown {h}-day status. Dropping such "
            "patients biases the estimate towards death, counting them as survivors towards survival. "
            "Instead each patient of known status is weighted by 1 / G, G being the Kaplan-Meier "
            "probability of remaining uncensored until that status became known (inverse probability "
            f"of censoring weights, IPCW); those censored before day {h} get weight 0. "
            + ("The reconstructions have " if pooled(m) else "This cohort has ")
            + f"{m['cohort']['censored_before_90d']} of them.",
            "Censoring.",
        ),
        Paragraph(
            "KPS (per 10 points) and McCormick grade (per grade) enter linearly on the log-odds scale; "
            "other metastases as yes/no; resection and compartment as indicators against biopsy and "
            "intramedullary. No interactions, no splines, no variable selection.",
            "Predictors.",
        ),
    ]
    blocks = [bullets(*items)]
    if grid:
        blocks.append(
            table(
                "Choice of C: mean held-out weighted log-loss (lower is better)",
                ("C", "Log-loss", "Choice"),
                [(c, num(v, 4), "chosen" if c == chosen else "") for c, v in grid.items()],
                numeric=(0, 1),
            )
        )
    return Section("method", "Method", tuple(blocks))


def interval_section(m: dict) -> Section:
    n = m["cohort"]["n"]
    if pooled(m):
        contains = (
            f"the sampling error of a cohort of {n} patients: each draw's sampled fit is on a bootstrap "
            "resample;",
            "the uncertainty of every assumption, as stated in the table of assumptions: each draw "
            "takes every one from its distribution;",
            "the randomness of reconstructing patients from published summaries: each draw rebuilds "
            "them afresh.",
        )
        lacks = (
            "errors in the published figures themselves: series sizes, resection splits, deaths and "
            "medians are data, the same in every draw;",
            "the choice of model form: an additive logistic model, linear in KPS and in McCormick "
            "grade, with no interactions;",
            "differences between the patients of the published series and this hospital's (case mix, "
            "era, who is offered surgery);",
            "an assumption's uncertainty beyond the range stated for it;",
            "the gap between the resection planned and the one achieved (Extent of resection, above).",
        )
    else:
        contains = (f"the sampling error of a cohort of {n} patients (bootstrap refits of this cohort).",)
        lacks = (
            "errors in the cohort's recorded values;",
            "the choice of model form: an additive logistic model, linear in KPS and in McCormick "
            "grade, with no interactions;",
            "differences between this cohort's patients and the patients it is applied to;",
            "the gap between the resection planned and the one achieved (Extent of resection, above).",
        )
    return Section(
        "interval",
        "What the 95% interval does and does not contain",
        (
            Paragraph("It contains:"),
            bullets(*contains),
            Paragraph("It does not contain:"),
            bullets(*lacks),
            Paragraph(
                "So the true uncertainty is wider than the interval, by an amount no figure here measures."
            ),
        ),
        level=3,
    )
