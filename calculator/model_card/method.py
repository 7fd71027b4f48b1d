"""The full model: method, coefficients in raw units, the formula and a worked example.

The worked example redoes one of the manifest's reference predictions by hand from the raw-unit
coefficients, so a reader can check the arithmetic and a test can check the card.
"""

from __future__ import annotations

import math

from calculator.explain import describe
from calculator.features import BY_NAME, FEATURES, KPS, MCCORMICK, REFERENCE_PATIENT
from calculator.model_card.blocks import Formula, Paragraph, Section, bullets, coef, num, pct, table

SYMBOL = {KPS.name: "KPS", MCCORMICK.name: "McCormick grade (I = 1 ... V = 5)"}
PER = {KPS.name: "per KPS point", MCCORMICK.name: "per McCormick grade"}


def term(name: str) -> tuple[str, str]:
    """(symbol in the formula, contrast in words) for a coefficient name in raw_units."""
    if name in SYMBOL:
        return SYMBOL[name], PER[name]
    if name in BY_NAME:  # a yes/no input
        return f"[{BY_NAME[name].label.lower()}]", "yes vs no"
    feature, value = category(name)
    reference = feature.choice(feature.values[0]).label.lower()
    return f"[{feature.choice(value).label.lower()}]", f"vs {reference}"


def category(name: str):
    """(feature, value) of a one-hot column such as 'resection_gross_total'; KeyError if none."""
    for f in FEATURES:
        if name.startswith(f.name + "_") and name[len(f.name) + 1 :] in f.values:
            return f, name[len(f.name) + 1 :]
    raise KeyError(name)


def x_value(name: str, inputs: dict) -> int:
    """The value a raw-unit coefficient multiplies for this patient (indicators 0 or 1)."""
    if name in inputs:
        return int(inputs[name])
    feature, value = category(name)
    return int(inputs[feature.name] == value)


def by_hand(raw: dict, inputs: dict) -> tuple[list[tuple[str, int, float]], float, float]:
    """([(name, x, coefficient)], linear predictor, P(alive at the horizon)) from raw_units."""
    terms = [(n, x_value(n, inputs), b) for n, b in raw.items() if n != "intercept"]
    lp = raw["intercept"] + sum(x * b for _, x, b in terms)
    return terms, lp, 1 / (1 + math.exp(lp))


def worked_profile(m: dict) -> dict:
    """The reference prediction for the explanation's reference patient (else the first one)."""
    refs = m["reference_predictions"]
    matches = [r for r in refs if all(r["inputs"][k] == v for k, v in REFERENCE_PATIENT.items())]
    return (matches or refs)[0]


def model_sections(m: dict) -> list[Section]:
    return [method_section(m), coefficients_section(m), worked_example(m)]


def method_section(m: dict) -> Section:
    model, h = m["model"], m["horizon_days"]
    grid = model.get("cv_log_loss", {})
    chosen = f"{model['C']:g}"
    items = [
        Paragraph(model["method"] + ".", "In one sentence."),
        Paragraph(
            f"A patient last seen alive before day {h} has an unknown {h}-day status. Dropping such "
            "patients biases the estimate towards death, counting them as survivors towards survival. "
            "Instead each patient of known status is weighted by 1 / G, G being the Kaplan-Meier "
            "probability of remaining uncensored until that status became known (inverse probability "
            f"of censoring weights, IPCW); those censored before day {h} get weight 0. This cohort "
            f"has {m['cohort']['censored_before_90d']} of them.",
            "Censoring.",
        ),
        Paragraph(
            f"Ridge (L2) penalty, strength chosen by cross-validated weighted log-loss: C = {chosen} "
            "(smaller C shrinks more; the search is tabled below). Ridge keeps every pre-specified "
            "predictor and shrinks them together, which a cohort with few events per parameter needs; "
            "lasso would drop predictors chosen in advance.",
            "Penalty.",
        ),
        Paragraph(
            "KPS per point and McCormick grade per grade enter linearly on the log-odds scale; other "
            "metastases as yes/no; resection and compartment as indicators against the first category. "
            "No interactions, no splines, no variable selection.",
            "Predictors.",
        ),
        Paragraph(
            f"{model['interval']['method'].capitalize()}: {model['interval']['resamples']} refits on "
            f"resamples of the patients, {round(100 * model['interval']['level'])}% percentile interval. It "
            "reflects the sampling uncertainty of the coefficients, not "
            + (
                "the uncertainty of the reconstruction's assumptions."
                if m.get("synthetic")
                else "how this cohort's patients differ from another hospital's."
            ),
            "Intervals.",
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


def coefficients_section(m: dict) -> Section:
    c = m["model"]["coefficients"]
    raw, fitted = c["raw_units"], c.get("transformed", {})
    intercept = fitted.get("intercept", math.nan)
    rows = [
        ("Intercept", "KPS 0, grade 0, reference categories", coef(raw["intercept"]), "—", coef(intercept))
    ]
    for name, b in raw.items():
        if name != "intercept":
            symbol, contrast = term(name)
            rows.append((symbol, contrast, coef(b), num(math.exp(b), 2), coef(fitted.get(name, math.nan))))
    scaling = "; ".join(
        f"{SYMBOL.get(n, n).split(' (')[0]}: mean {num(s['mean'], 2)}, SD {num(s['sd'], 2)}"
        for n, s in c.get("scaling", {}).items()
    )
    formula = "\n".join(
        [f"LP = {coef(raw['intercept'])}"]
        + [
            f"     {'-' if b < 0 else '+'} {coef(abs(b))} × {term(n)[0]}"
            for n, b in raw.items()
            if n != "intercept"
        ]
        + [f"P(alive at day {m['horizon_days']}) = 1 / (1 + exp(LP))"]
    )
    return Section(
        "coefficients",
        "The full model: coefficients and formula",
        (
            Paragraph(
                f"Coefficients on the {c['outcome']} (positive: higher risk of death), per natural unit. "
                "An indicator in brackets is 1 when true, else 0. Inside the pipeline KPS and McCormick "
                f"grade are standardised ({scaling}); the last column gives the coefficients as fitted on "
                "that scale, the others are the same model in raw units."
            ),
            table(
                "Coefficients",
                ("Term", "Contrast", "Coefficient (log odds of death)", "Odds ratio for death", "As fitted"),
                rows,
                numeric=(2, 3, 4),
                wide=True,
            ),
            Paragraph("To reproduce an estimate by hand:"),
            Formula(formula),
        ),
    )


def worked_example(m: dict) -> Section:
    ref = worked_profile(m)
    terms, lp, survival = by_hand(m["model"]["coefficients"]["raw_units"], ref["inputs"])
    raw = m["model"]["coefficients"]["raw_units"]
    rows = [("Intercept", "1", coef(raw["intercept"]), num(raw["intercept"], 4))]
    rows += [(term(n)[0], str(x), coef(b), num(x * b, 4)) for n, x, b in terms]
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
                "prediction recorded in the manifest when the model was built. The interval comes from the "
                "bootstrap refits stored in the artifact and cannot be redone by hand."
            ),
        ),
        level=3,
    )
