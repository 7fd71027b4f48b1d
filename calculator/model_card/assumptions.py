"""Every assumption of the reconstruction with its uncertainty, and the effects they add up to.

Read from the manifest's `reconstruction.parameters` (each with its central `value`, `source`,
`reason`, `evidence` row and, for the pooled default, the `distribution` every draw takes it from
and its `uncertainty_basis`) and `reconstruction.data_generating_log_hr` (the example draw's).
"""

from __future__ import annotations

import math

from calculator.i18n import N_, _
from calculator.model_card.blocks import Paragraph, num, plain, pooled, table

# The parameters behind each data-generating log hazard ratio (training.reconstruct.Effects); the
# contrast is translated where shown.
EFFECT_SOURCES = {
    "kps_per_10": (N_("per 10 KPS points"), ("hr_kps_per_10_points",)),
    "other_metastases": (N_("other metastases vs none"), ("hr_other_metastases",)),
    "per_mccormick_grade": (
        N_("per McCormick grade"),
        ("hr_non_ambulatory_general", "hr_neuro_deficit_intradural", "grades_between_ambulatory_groups"),
    ),
    "intradural_extramedullary": (
        N_("intradural extramedullary vs intramedullary"),
        ("hr_intradural_extramedullary_vs_intramedullary",),
    ),
    "gross_total_vs_biopsy": (
        N_("gross total resection vs biopsy (causal; subtotal half-way on the log scale)"),
        ("hr_resection_adjusted",),
    ),
}


def drawn(p: dict) -> str:
    """A parameter's distribution in words ('fixed' for a convention, definition or choice), as
    training wrote it in the manifest."""
    return p["distribution"]["text"] if "distribution" in p else "—"


def _behind(m: dict, params: dict, names: tuple) -> str:
    """The parameters behind an effect, with their values (and, pooled, their distributions)."""
    if pooled(m):
        items = [
            # TRANSLATORS: an item of a list: a parameter's name (not translated), its value and the
            # distribution each draw takes it from (as training wrote it).
            _(
                "%(name)s = %(value)s, drawn from: %(distribution)s",
                name=n,
                value=plain(params[n]["value"]),
                distribution=drawn(params[n]),
            )
            for n in names
            if n in params
        ]
    else:
        items = [f"{n} = {plain(params[n]['value'])}" for n in names if n in params]
    return "; ".join(items)


def assumption_blocks(m: dict) -> tuple:
    rec = m["reconstruction"]
    params = {p["name"]: p for p in rec["parameters"]}
    effect_rows = []
    for key, log_hr in rec.get("data_generating_log_hr", {}).items():
        contrast, names = EFFECT_SOURCES.get(key, (key, ()))
        effect_rows.append(
            (
                _(contrast) if key in EFFECT_SOURCES else key,
                _behind(m, params, names) or "—",
                num(math.exp(log_hr), 2),
                num(log_hr, 3),
            )
        )
    sentences = [
        _("The synthetic survival times are drawn from a proportional-hazards model with these effects.")
    ]
    if pooled(m):
        sentences.append(
            _(
                "Each draw has its own, from the distributions of the parameters behind them; the last two "
                "columns give those of the example reconstruction kept with the model (the first draw), to "
                "show one."
            )
        )
    # TRANSLATORS: %(generator)s names the program (and its version) that made the synthetic cohort.
    sentences.append(_("Made by '%(generator)s'.", generator=rec["generator"]))
    blocks = [
        Paragraph(" ".join(sentences)),
        table(
            _("Effects used to generate the synthetic survival times"),
            (
                _("Effect"),
                _("Parameters behind it"),
                _("Hazard ratio in the example reconstruction") if pooled(m) else _("Hazard ratio used"),
                _("log HR"),
            ),
            effect_rows,
            numeric=(2, 3),
            wide=True,
        ),
    ]
    with_distributions = any("distribution" in p for p in rec["parameters"])
    if with_distributions:
        blocks += [
            Paragraph(
                _(
                    "Every parameter of the reconstruction, with the distribution each draw takes it from "
                    "and the basis of that uncertainty. The value is the centre of the distribution. "
                    "'fixed' marks a convention, a definition or a modelling choice, the same in every "
                    "draw. The series' published figures (sizes, resection splits, deaths, medians) are "
                    "data, not parameters: they are never drawn (the targets table shows them reproduced)."
                )
            ),
            table(
                _("Every assumption with its uncertainty, its source and the reason for it"),
                (
                    _("Parameter"),
                    _("Value"),
                    _("Distribution"),
                    _("Source"),
                    _("Reason"),
                    _("Basis of the uncertainty"),
                ),
                [
                    (
                        p["name"],
                        plain(p["value"]),
                        drawn(p),
                        p["source"] + (f" ({p['evidence']})" if p.get("evidence") else ""),
                        p["reason"],
                        p.get("uncertainty_basis", "—"),
                    )
                    for p in rec["parameters"]
                ],
                wide=True,
            ),
        ]
    else:
        blocks.append(
            table(
                _("Every parameter of the reconstruction, with its source or the reason for the assumption"),
                (_("Parameter"), _("Value"), _("Source"), _("Reason"), _("Evidence row")),
                [
                    (p["name"], plain(p["value"]), p["source"], p["reason"], plain(p["evidence"]))
                    for p in rec["parameters"]
                ],
                wide=True,
            )
        )
    return tuple(blocks)
