"""Where the evidence has essentially no patients the calculator shows no number; where it has few,
a warning. The rule (calculator.coverage) and what it leaves out, from the manifest's `support`.

`evidence_gaps` applies calculator.coverage's rule (Coverage.gaps and Coverage.rare) to the
manifest's marginal and pair tables, so the card can list every value and pair concerned without
the model's arrays; tests/test_model_card.py checks it against Coverage itself.
"""

from __future__ import annotations

import math

from calculator.explain import phrase
from calculator.features import BY_NAME, FEATURES
from calculator.model_card.blocks import Paragraph, Section, pooled, table

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
            words = f"{phrase(a, value_of(a, ka))} with {phrase(b, value_of(b, kb))}"
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
    none = rule["no_evidence_below"]
    covered = rule["covered_combinations"]
    if pooled(m):
        where = (
            f"fewer than {none:g} expected patients per reconstruction of the {m['cohort']['n']} published "
            f"patients (fewer than one such patient in {round(1 / none)} reconstructions)"
        )
        unit, counted = "Expected patients per reconstruction", "expected patients per reconstruction"
    else:
        where = f"that no patient of the cohort had (fewer than {none:g})"
        unit, counted = "Patients in the cohort", "patients of the cohort"
    gaps, rare = evidence_gaps(support)
    rows = [(w, f"{n:.3g}", "no number") for w, n in gaps]
    rows += [(w, f"{n:.3g}", "a number, with a warning") for w, n in rare]
    blocks = [
        Paragraph(
            f"The calculator shows no number where the evidence behind the model has essentially no "
            f"patients: a value, or a pair of values, with {where}. It says instead which value or pair "
            "the evidence lacks: a number there would be an extrapolation of the formula, not a summary "
            f"of evidence. {covered} of the {GRID} combinations of the five inputs are covered; the other "
            f"{GRID - covered} get no number.",
            "No number.",
        ),
        Paragraph(
            f"A number is shown with a warning when one of the patient's values occurs in fewer than "
            f"{rule['rare_value_below']:g} {counted}, or a pair of them in fewer than "
            f"{rule['rare_pair_below']:g}: the estimate then rests mostly on the model's assumptions. "
            "These thresholds are product rules, not figures from the literature.",
            "Rare values and pairs.",
        ),
    ]
    if rows:
        blocks.append(
            table(
                "Every value and pair of values without a number or with a warning",
                ("Value or pair of values", unit, "The calculator shows"),
                rows,
                numeric=(1,),
            )
        )
    return Section("no-number", "No number where the evidence has no patients", tuple(blocks), level=3)
