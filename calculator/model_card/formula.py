"""One formula: the model's coefficients on the fixed design, and a worked example by hand.

The manifest's `model.coefficients.pooled` holds the intercept and coefficients on the design of
calculator.predict (DESIGN, centred on the reference patient), each with its 95% interval over the
draws. `by_hand` is the formula exactly as the card prints it, term by term, so that a reader can
redo any estimate and a test can check that it gives every reference prediction in the manifest.
"""

from __future__ import annotations

import math

from calculator.features import COMPARTMENT, REFERENCE_PATIENT, RESECTION
from calculator.i18n import _
from calculator.model_card.blocks import (
    Formula,
    Paragraph,
    Section,
    coef,
    interval,
    num,
    odds_ratio,
    pct,
    plain,
    pooled,
    table,
)
from calculator.predict import GRADE_CENTRE, KPS_CENTRE, KPS_UNIT
from calculator.wording import describe
from calculator.wording import value_phrase as phrase


def _indicator(name: str, value):
    return lambda p: int(p[name] == value)


def _versus(reference: str) -> str:
    # TRANSLATORS: the contrast of an indicator in the coefficient table, e.g. "vs biopsy".
    return _("vs %(reference)s", reference=reference)


# Per design column (calculator.predict.DESIGN): its symbol in the formula (formula text, not
# translated), the contrast in words (a function: translated when the card is built) and its value
# for a patient's inputs.
TERMS = {
    "kps_per_10": (
        f"(KPS - {KPS_CENTRE}) / {KPS_UNIT}",
        lambda: _("per %(points)s KPS points more", points=KPS_UNIT),
        lambda p: (p["kps"] - KPS_CENTRE) / KPS_UNIT,
    ),
    "mccormick_grade": (
        f"(McCormick grade - {GRADE_CENTRE})",
        lambda: _("per McCormick grade worse"),
        lambda p: p["mccormick_grade"] - GRADE_CENTRE,
    ),
    "other_metastases": (
        "[other metastases]",
        # TRANSLATORS: the contrast of the indicator "other metastases": having them vs not.
        lambda: _("yes vs no"),
        lambda p: int(bool(p["other_metastases"])),
    ),
    **{
        f"resection_{v}": (
            f"[{RESECTION.choice(v).label.lower()}]",
            lambda: _versus(phrase("resection", RESECTION.values[0])),
            _indicator("resection", v),
        )
        for v in RESECTION.values[1:]
    },
    **{
        f"compartment_{v}": (
            f"[{COMPARTMENT.choice(v).label.lower()}]",
            lambda: _versus(_(COMPARTMENT.choice(COMPARTMENT.values[0]).label).lower()),
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
    return "\n".join([*lines, f"P(alive at day {h}) = 1 / (1 + exp(LP))"])  # formula text: not translated


def coefficients_section(m: dict) -> Section:
    c = m["model"]["coefficients"]
    design = c.get("design", {})
    reference = design["intercept"] if "intercept" in design else _("the reference patient")
    rows = []
    for name, entry in c["pooled"].items():
        b, (low, high) = entry["estimate"], entry["interval_95"]
        if name == "intercept":
            symbol, contrast, ratio = _("Intercept"), reference, "—"
        else:
            symbol, contrast = TERMS[name][0], TERMS[name][1]()
            ratio = f"{odds_ratio(b)} ({interval(low, high, odds_ratio)})"
        rows.append((symbol, contrast, coef(b), interval(low, high, coef), ratio))
    return Section(
        "coefficients",
        _("One formula: the coefficients"),
        (
            Paragraph(one_formula(m, c["outcome"], reference)),
            table(
                _("Coefficients on the fixed design"),
                (
                    _("Term"),
                    _("Contrast"),
                    _("Coefficient (log odds of death)"),
                    _("95%% interval"),
                    _("Odds ratio for death (95%% interval)"),
                ),
                rows,
                numeric=(2, 3, 4),
                wide=True,
            ),
            Paragraph(_("To reproduce an estimate by hand:")),
            Formula(formula_text(estimates(m), m["horizon_days"])),
        ),
    )


def one_formula(m: dict, outcome: str, reference: str) -> str:
    """How every estimate comes from the formula; what the coefficients' intervals are over."""
    variables = {"outcome": outcome, "reference": reference, "n": m["model"]["interval"]["draws"]}
    if pooled(m):
        return _(
            "Every estimate the calculator shows for a patient whose five inputs are known comes from one "
            "formula: the %(outcome)s (positive: higher risk of death) is the intercept plus each "
            "coefficient times the patient's value of its term, on a fixed design centred on the "
            "reference patient, so that the intercept is %(reference)s. An indicator in brackets is 1 "
            "when true, else 0. Each coefficient's 95%% interval is the 2.5th to 97.5th percentile of its "
            "values over the %(n)s draws (see Method); the odds ratio is exp(coefficient).",
            **variables,
        )
    return _(
        "Every estimate the calculator shows for a patient whose five inputs are known comes from one "
        "formula: the %(outcome)s (positive: higher risk of death) is the intercept plus each "
        "coefficient times the patient's value of its term, on a fixed design centred on the "
        "reference patient, so that the intercept is %(reference)s. An indicator in brackets is 1 "
        "when true, else 0. Each coefficient's 95%% interval is the 2.5th to 97.5th percentile of its "
        "values over the %(n)s bootstrap refits (see Method); the odds ratio is exp(coefficient).",
        **variables,
    )


def worked_example(m: dict) -> Section:
    ref = worked_profile(m)
    coefficients = estimates(m)
    terms, lp, survival = by_hand(coefficients, ref["inputs"])
    rows = [(_("Intercept"), "1", coef(coefficients["intercept"]), num(coefficients["intercept"], 4))]
    rows += [
        (TERMS[n][0], plain(float(x)), coef(b), num(x * b + 0.0, 4)) for n, x, b in terms
    ]  # + 0.0: no "-0.0000"
    rows.append((_("LP (sum)"), "", "", num(lp, 4)))
    return Section(
        "worked-example",
        _("Worked example"),
        (
            Paragraph(_("A patient with %(inputs)s:", inputs=describe(ref["inputs"]))),
            table(
                _("The linear predictor term by term"),
                (_("Term"), _("Value"), _("Coefficient"), _("Product")),
                rows,
                (1, 2, 3),
            ),
            Paragraph(by_hand_result(m, ref, lp, survival)),
        ),
        level=3,
    )


def by_hand_result(m: dict, ref: dict, lp: float, survival: float) -> str:
    """The worked example's result by hand against the calculator's recorded prediction."""
    low, high = ref["interval_95"]
    variables = {
        "day": m["horizon_days"],
        "lp": num(lp, 4),
        "by_hand": pct(survival),
        "estimate": pct(ref["survival_90d"]),
        "low": pct(low),
        "high": pct(high),
        "n": m["model"]["interval"]["draws"],
    }
    if pooled(m):
        return _(
            "P(alive at day %(day)s) = 1 / (1 + exp(%(lp)s)) = %(by_hand)s. The calculator gives "
            "%(estimate)s for this patient (95%% interval %(low)s to %(high)s): the prediction recorded in "
            "the manifest when the model was built. The interval is the 2.5th to 97.5th percentile of this "
            "patient's estimate over the %(n)s draws, whose coefficient vectors are stored in the "
            "artifact; it cannot be redone from the coefficients' intervals above, because the "
            "coefficients vary together.",
            **variables,
        )
    return _(
        "P(alive at day %(day)s) = 1 / (1 + exp(%(lp)s)) = %(by_hand)s. The calculator gives "
        "%(estimate)s for this patient (95%% interval %(low)s to %(high)s): the prediction recorded in "
        "the manifest when the model was built. The interval is the 2.5th to 97.5th percentile of this "
        "patient's estimate over the %(n)s bootstrap refits, whose coefficient vectors are stored in the "
        "artifact; it cannot be redone from the coefficients' intervals above, because the "
        "coefficients vary together.",
        **variables,
    )
