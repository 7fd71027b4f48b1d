"""One formula: the model's coefficients on the fixed design, and a worked example by hand.

The manifest's `model.coefficients.pooled` holds the intercept and coefficients on the design of
calculator.predict (DESIGN, centred on the reference patient), each with its 95% interval over the
draws. `by_hand` is the formula exactly as the card prints it, term by term, so that a reader can
redo any estimate and a test can check that it gives every reference prediction in the manifest.
"""

from __future__ import annotations

import math

from calculator.explain import describe
from calculator.features import COMPARTMENT, REFERENCE_PATIENT, RESECTION
from calculator.model_card.blocks import (
    Formula,
    Paragraph,
    Section,
    coef,
    draws_named,
    interval,
    num,
    odds_ratio,
    pct,
    plain,
    table,
)
from calculator.predict import GRADE_CENTRE, KPS_CENTRE, KPS_UNIT


def _indicator(name: str, value):
    return lambda p: int(p[name] == value)


# Per design column (calculator.predict.DESIGN): its symbol in the formula, the contrast in words,
# and its value for a patient's inputs.
TERMS = {
    "kps_per_10": (
        f"(KPS - {KPS_CENTRE}) / {KPS_UNIT}",
        f"per {KPS_UNIT} KPS points more",
        lambda p: (p["kps"] - KPS_CENTRE) / KPS_UNIT,
    ),
    "mccormick_grade": (
        f"(McCormick grade - {GRADE_CENTRE})",
        "per McCormick grade worse",
        lambda p: p["mccormick_grade"] - GRADE_CENTRE,
    ),
    "other_metastases": ("[other metastases]", "yes vs no", lambda p: int(bool(p["other_metastases"]))),
    **{
        f"resection_{v}": (
            f"[{RESECTION.choice(v).label.lower()}]",
            f"vs {RESECTION.choice(RESECTION.values[0]).label.lower()}",
            _indicator("resection", v),
        )
        for v in RESECTION.values[1:]
    },
    **{
        f"compartment_{v}": (
            f"[{COMPARTMENT.choice(v).label.lower()}]",
            f"vs {COMPARTMENT.choice(COMPARTMENT.values[0]).label.lower()}",
            _indicator("compartment", v),
        )
        for v in COMPARTMENT.values[1:]
    },
}


def estimates(m: dict) -> dict[str, float]:
    """{coefficient name: estimate}, intercept first, as the manifest records them."""
    return {n: c["estimate"] for n, c in m["model"]["coefficients"]["pooled"].items()}


def by_hand(
    coefficients: dict[str, float], inputs: dict
) -> tuple[list[tuple[str, float, float]], float, float]:
    """([(name, x, coefficient)], linear predictor, P(alive at the horizon)) for complete inputs.
    KeyError for a coefficient name the card has no term for."""
    terms = [(n, TERMS[n][2](inputs), b) for n, b in coefficients.items() if n != "intercept"]
    lp = coefficients["intercept"] + sum(x * b for _, x, b in terms)
    return terms, lp, 1 / (1 + math.exp(lp))


def worked_profile(m: dict) -> dict:
    """The reference prediction for the explanation's reference patient (else the first one)."""
    refs = m["reference_predictions"]
    matches = [r for r in refs if all(r["inputs"][k] == v for k, v in REFERENCE_PATIENT.items())]
    return (matches or refs)[0]


def formula_text(coefficients: dict[str, float], h: int) -> str:
    lines = [f"LP = {coef(coefficients['intercept'])}"]
    lines += [
        f"     {'-' if b < 0 else '+'} {coef(abs(b))} × {TERMS[n][0]}"
        for n, b in coefficients.items()
        if n != "intercept"
    ]
    return "\n".join([*lines, f"P(alive at day {h}) = 1 / (1 + exp(LP))"])


def coefficients_section(m: dict) -> Section:
    c = m["model"]["coefficients"]
    design = c.get("design", {})
    reference = design.get("intercept", "the reference patient")
    rows = []
    for name, entry in c["pooled"].items():
        b, (low, high) = entry["estimate"], entry["interval_95"]
        symbol, contrast = ("Intercept", reference) if name == "intercept" else TERMS[name][:2]
        ratio = "—" if name == "intercept" else f"{odds_ratio(b)} ({interval(low, high, odds_ratio)})"
        rows.append((symbol, contrast, coef(b), interval(low, high, coef), ratio))
    return Section(
        "coefficients",
        "One formula: the coefficients",
        (
            Paragraph(
                "Every estimate the calculator shows for a patient whose five inputs are known comes from "
                f"one formula: the {c['outcome']} (positive: higher risk of death) is the intercept plus "
                "each coefficient times the patient's value of its term, on a fixed design centred on the "
                f"reference patient, so that the intercept is {reference}. "
                "An indicator in brackets is 1 when true, else 0. Each coefficient's 95% interval is "
                f"the 2.5th to 97.5th percentile of its values over the {draws_named(m)} (see "
                "Method); the odds ratio is exp(coefficient)."
            ),
            table(
                "Coefficients on the fixed design",
                (
                    "Term",
                    "Contrast",
                    "Coefficient (log odds of death)",
                    "95% interval",
                    "Odds ratio for death (95% interval)",
                ),
                rows,
                numeric=(2, 3, 4),
                wide=True,
            ),
            Paragraph("To reproduce an estimate by hand:"),
            Formula(formula_text(estimates(m), m["horizon_days"])),
        ),
    )


def worked_example(m: dict) -> Section:
    ref = worked_profile(m)
    coefficients = estimates(m)
    terms, lp, survival = by_hand(coefficients, ref["inputs"])
    rows = [("Intercept", "1", coef(coefficients["intercept"]), num(coefficients["intercept"], 4))]
    rows += [
        (TERMS[n][0], plain(float(x)), coef(b), num(x * b + 0.0, 4)) for n, x, b in terms
    ]  # + 0.0: no "-0.0000"
    rows.append(("LP (sum)", "", "", num(lp, 4)))
    low, high = ref["interval_95"]
    h = m["horizon_days"]
    return Section(
        "worked-example",
        "Worked example",
        (
            Paragraph(f"A patient with {describe(ref['inputs'])}:"),
            table(
                "The linear predictor term by term",
                ("Term", "Value", "Coefficient", "Product"),
                rows,
                (1, 2, 3),
            ),
            Paragraph(
                f"P(alive at day {h}) = 1 / (1 + exp({num(lp, 4)})) = {pct(survival)}. The calculator gives "
                f"{pct(ref['survival_90d'])} for this patient (95% interval {pct(low)} to {pct(high)}): the "
                "prediction recorded in the manifest when the model was built. The interval is the 2.5th to "
                f"97.5th percentile of this patient's estimate over the {draws_named(m)}, whose coefficient "
                "vectors are stored in the artifact; it cannot be redone from the coefficients' intervals "
                "above, because the coefficients vary together."
            ),
        ),
        level=3,
    )
