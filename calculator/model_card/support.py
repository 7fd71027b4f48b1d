"""Where the evidence has essentially no patients the calculator shows no number; where it has few,
a warning. The rule (calculator.coverage) and what it leaves out, from the manifest's `support`.

`evidence_gaps` applies calculator.coverage's rule (Coverage.gaps and Coverage.rare) to the
manifest's marginal and pair tables, so the card can list every value and pair concerned without
the model's arrays; tests/test_model_card.py checks it against Coverage itself.
"""

from __future__ import annotations

import math

from calculator.features import BY_NAME, FEATURES
from calculator.i18n import _, decimal_text
from calculator.model_card.blocks import Paragraph, Section, pooled, table
from calculator.wording import value_phrase as phrase

GRID = math.prod(len(f.values) for f in FEATURES)  # every input combination: 600


def value_of(name: str, key: str):
    """The declared input value a support-table key ('100', 'true', 'gross_total') stands for."""
    for v in BY_NAME[name].values:
        if (str(v).lower() if isinstance(v, bool) else str(v)) == key:
            return v
    raise KeyError(f"{name}: {key!r}")


def evidence_gaps(support: dict) -> tuple[list[tuple], list[tuple]]:
    """([(words, patients)] without a number, [(words, patients)] with a warning): each value,
    then each pair of values, in declared order."""
    rule, marginal = support["rule"], support["marginal"]
    none, rare_value, rare_pair = rule["no_evidence_below"], rule["rare_value_below"], rule["rare_pair_below"]
    gaps, rare = [], []
    for f in FEATURES:
        for key, n in marginal[f.name].items():
            words = phrase(f.name, value_of(f.name, key))
            if n < none:
                gaps.append((words, n))
            elif n < rare_value:
                rare.append((words, n))
    for pair in support["pairs"]:
        a, b = pair["features"]
        for ka, kb, n in pair["counts"]:
            na, nb = marginal[a][ka], marginal[b][kb]
            # TRANSLATORS: a pair of input values, e.g. "KPS 10 with McCormick grade V".
            words = _(
                "%(value)s with %(other)s", value=phrase(a, value_of(a, ka)), other=phrase(b, value_of(b, kb))
            )
            if min(na, nb) >= none and n < none:
                gaps.append((words, n))
            elif min(na, nb) >= rare_value and none <= n < rare_pair:
                rare.append((words, n))
    return gaps, rare


def no_number_section(m: dict) -> Section | None:
    support = m.get("support") or {}
    rule = support.get("rule")
    if not rule:
        return None
    gaps, rare = evidence_gaps(support)
    # TRANSLATORS: a table cell: for this value or pair, the calculator shows no estimate.
    rows = [(w, f"{n:.3g}", _("no number")) for w, n in gaps]
    # TRANSLATORS: a table cell: for this value or pair, the calculator shows an estimate with a warning.
    rows += [(w, f"{n:.3g}", _("a number, with a warning")) for w, n in rare]
    blocks = [
        Paragraph(no_number(m, rule), _("No number.")),
        Paragraph(rare_values(m, rule), _("Rare values and pairs.")),
    ]
    if rows:
        blocks.append(
            table(
                _("Every value and pair of values without a number or with a warning"),
                (
                    _("Value or pair of values"),
                    _("Expected patients per reconstruction") if pooled(m) else _("Patients in the cohort"),
                    _("The calculator shows"),
                ),
                rows,
                numeric=(1,),
            )
        )
    return Section("no-number", _("No number where the evidence has no patients"), tuple(blocks), level=3)


def no_number(m: dict, rule: dict) -> str:
    """The rule: no number where the evidence has essentially no patients."""
    none, covered = rule["no_evidence_below"], rule["covered_combinations"]
    variables = {
        "none": decimal_text(f"{none:g}"),
        "covered": covered,
        "grid": GRID,
        "uncovered": GRID - covered,
    }
    if pooled(m):
        return _(
            "The calculator shows no number where the evidence behind the model has essentially no "
            "patients: a value, or a pair of values, with fewer than %(none)s expected patients per "
            "reconstruction of the %(n)s published patients (fewer than one such patient in "
            "%(reconstructions)s reconstructions). It says instead which value or pair the evidence lacks: "
            "a number there would be an extrapolation of the formula, not a summary of evidence. "
            "%(covered)s of the %(grid)s combinations of the five inputs are covered; the other "
            "%(uncovered)s get no number.",
            n=m["cohort"]["n"],
            reconstructions=round(1 / none),
            **variables,
        )
    return _(
        "The calculator shows no number where the evidence behind the model has essentially no patients: "
        "a value, or a pair of values, that no patient of the cohort had (fewer than %(none)s). It says "
        "instead which value or pair the evidence lacks: a number there would be an extrapolation of the "
        "formula, not a summary of evidence. %(covered)s of the %(grid)s combinations of the five inputs "
        "are covered; the other %(uncovered)s get no number.",
        **variables,
    )


def rare_values(m: dict, rule: dict) -> str:
    """The warning: a value or a pair rare in the evidence."""
    variables = {
        "value_below": decimal_text(f"{rule['rare_value_below']:g}"),
        "pair_below": decimal_text(f"{rule['rare_pair_below']:g}"),
    }
    if pooled(m):
        return _(
            "A number is shown with a warning when one of the patient's values occurs in fewer than "
            "%(value_below)s expected patients per reconstruction, or a pair of them in fewer than "
            "%(pair_below)s: the estimate then rests mostly on the model's assumptions. These thresholds "
            "are product rules, not figures from the literature.",
            **variables,
        )
    return _(
        "A number is shown with a warning when one of the patient's values occurs in fewer than "
        "%(value_below)s patients of the cohort, or a pair of them in fewer than %(pair_below)s: the "
        "estimate then rests mostly on the model's assumptions. These thresholds are product rules, not "
        "figures from the literature.",
        **variables,
    )
