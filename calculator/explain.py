"""Plain-language text for an estimate, and warnings where the evidence does not cover a patient.

Pure functions of the estimates (calculator.result) and the model's coverage
(calculator.coverage). The resection sentence never attributes a difference to the operation: in
the published series, extent of resection was not independently predictive once patient selection
was accounted for (Ivren 2025, p = 0.834; Gazzeri 2021; Wilson 2012).
"""

from __future__ import annotations

from calculator.contributions import rounded_points
from calculator.coverage import NO_EVIDENCE, RARE_PAIR, RARE_VALUE  # noqa: F401 (re-exported)
from calculator.features import (
    BY_NAME,
    ECOG_KPS_BAND,
    FEATURE_NAMES,
    MCCORMICK,
    REFERENCE_PATIENT,
    RESECTION,
)

SELECTION_CAVEAT = (
    "In the published series these differences largely reflect which patients were chosen for "
    "which operation (Ivren 2025; Gazzeri 2021): extent of resection was not independently "
    "associated with short-term survival once performance status, other metastases and "
    "neurological function were taken into account. They must not be read as the effect of "
    "choosing a more radical operation."
)


def pct(p: float) -> str:
    return f"{round(100 * p)}%"


def interval_text(interval: tuple[float, float]) -> str:
    return f"95% interval {round(100 * interval[0])}-{round(100 * interval[1])}%"


def phrase(name: str, value) -> str:
    """An input value in clinical words, e.g. 'KPS 50', 'McCormick grade IV'."""
    if name == "kps":
        return f"KPS {value}"
    if name == "other_metastases":
        return "other metastases" if value else "no other metastases"
    if name == "mccormick_grade":
        return f"McCormick grade {MCCORMICK.choice(value).label}"
    label = BY_NAME[name].choice(value).label
    return f"an {label.lower()} lesion" if name == "compartment" else label.lower()


NOT_KNOWN = {
    "kps": "KPS not known yet",
    "other_metastases": "other metastases not known yet",
    "mccormick_grade": "McCormick grade not known yet",
}


def input_phrase(name: str, inputs: dict) -> str:
    """One input of a patient in words, including "not known yet" and KPS from ECOG."""
    if name == "kps" and inputs.get("ecog") is not None:
        band = ECOG_KPS_BAND[inputs["ecog"]]
        return f"ECOG {inputs['ecog']} (as KPS {band[0]}-{band[-1]})"
    if inputs.get(name) is None:
        return NOT_KNOWN[name]
    return phrase(name, inputs[name])


def describe(inputs: dict) -> str:
    """A patient's five inputs in the same words as the explanation, e.g. for the result line."""
    return ", ".join(input_phrase(name, inputs) for name in FEATURE_NAMES)


def contrast(name: str, value) -> str:
    """The patient's value against the reference's, as the subject of a sentence."""
    if name == "kps":
        return f"KPS {value} instead of {REFERENCE_PATIENT['kps']}"
    if name == "other_metastases":
        return "Having other metastases" if value else "Having no other metastases"
    if name == "mccormick_grade":
        reference = MCCORMICK.choice(REFERENCE_PATIENT["mccormick_grade"]).label
        return f"McCormick grade {MCCORMICK.choice(value).label} instead of {reference}"
    label = BY_NAME[name].choice(value).label.lower()
    reference = BY_NAME[name].choice(REFERENCE_PATIENT[name]).label.lower()
    return f"An {label} lesion instead of an {reference} one"


SHAPLEY_RULE = (
    "These shares add up to the difference between the two estimates (Shapley values: each input's "
    "change, averaged over every order in which the inputs could be changed). The planned resection "
    "is held at the reference patient's, so it has no share: the evidence does not show an effect "
    "of the operation (below)."
)


def share_sentence(name: str, inputs: dict, points: int) -> str:
    """One known input's share in whole percentage points (calculator.contributions.rounded_points)."""
    finding = contrast(name, inputs[name])
    if points == 0:
        return f"{finding} makes little difference (under 1 percentage point)."
    verb = "raises" if points > 0 else "lowers"
    unit = "percentage point" if abs(points) == 1 else "percentage points"
    return f"{finding} {verb} the estimate by {abs(points)} {unit}."


def explain(inputs: dict, shares, by_resection: dict) -> list[str]:
    """The sentences shown under the estimate (and returned by the API as `explanation`).

    `shares`: calculator.contributions.Contributions, or None when there is no estimate;
    `by_resection`: each option's estimate or None. The last sentence is the resection caveat;
    with no estimate it is the only one."""
    if shares is None:
        return [SELECTION_CAVEAT]
    planned = RESECTION.choice(inputs["resection"]).label.lower()
    ref = ", ".join(phrase(n, v) for n, v in REFERENCE_PATIENT.items())
    sentences = [
        f"Compared with a reference patient ({ref}) having the same planned {planned}, "
        f"whose estimate is {pct(shares.reference)}:"
    ]
    points = rounded_points(shares)
    changed = [n for n in shares.shares if n not in shares.ranges and inputs[n] != REFERENCE_PATIENT[n]]
    sentences.extend(share_sentence(name, inputs, points[name]) for name in changed)
    for name, (low, high) in shares.ranges.items():
        sentences.append(averaged_sentence(name, inputs, points[name], low, high))
    if not changed and not shares.ranges:
        sentences.append("This patient matches the reference patient in every input.")
    else:
        sentences.append(SHAPLEY_RULE)
    values = [v for v in by_resection.values() if v is not None]
    spread = (
        f"Across biopsy, subtotal and gross total resection the estimates for patients like this one "
        f"range from {pct(min(values))} to {pct(max(values))}. "
        if len(values) > 1
        else ""
    )
    sentences.append(spread + SELECTION_CAVEAT)
    return sentences


def signed(points: float) -> str:
    """Percentage points with their sign, e.g. '+3', '-12', '0'."""
    n = round(points)
    return f"+{n}" if n > 0 else str(n)


UNKNOWN_SUBJECT = {
    "kps": "KPS is not known yet",
    "other_metastases": "Whether there are other metastases is not known yet (staging pending)",
    "mccormick_grade": "The McCormick grade is not known yet",
}


def averaged_sentence(name: str, inputs: dict, points: int, low: float, high: float) -> str:
    """An input averaged over: its share of the difference, and the lowest and highest share it
    takes over its possible values (`low`, `high` as fractions), which knowing it could give."""
    span = f"{signed(100 * low)} to {signed(100 * high)}"
    if name == "kps" and inputs.get("ecog") is not None:
        band = ECOG_KPS_BAND[inputs["ecog"]]
        return (
            f"KPS is taken from ECOG {inputs['ecog']}, which corresponds to KPS {band[0]}-{band[-1]} "
            f"(ECOG-ACRIN table): the estimate averages over that band; its share is {signed(points)} "
            f"percentage points, between {span} over the band."
        )
    return (
        f"{UNKNOWN_SUBJECT[name]}: the estimate averages over the values seen with this patient's known "
        f"inputs in the evidence behind the model; its share is {signed(points)} percentage points, "
        f"and knowing it could make that anywhere from {span}."
    )


def count_text(count: float) -> str:
    return "fewer than one" if count < 1 else f"about {round(count)}"


def gap_sentence(gap: tuple, coverage) -> str:
    """Why no number is shown: what the evidence lacks, and what it covers."""
    if gap[0] == "value":
        _, name, value = gap
        covered = [v for v in BY_NAME[name].values if coverage.value_count(name, v) >= NO_EVIDENCE]
        span = (
            f"KPS {min(covered)}-{max(covered)}"
            if name == "kps" and covered
            else ", ".join(phrase(name, v) for v in covered)
        )
        return (
            f"No estimate: the evidence behind the model has essentially no patient with "
            f"{phrase(name, value)} (it covers {span}). "
            "A number here would be an extrapolation, not a summary of evidence."
        )
    if gap[0] == "pair":
        _, a, va, b, vb = gap
        return (
            f"No estimate: the evidence behind the model essentially never combines {phrase(a, va)} "
            f"with {phrase(b, vb)}. A number here would be an extrapolation, not a summary of evidence."
        )
    possible = gap[1]
    open_inputs = [
        " or ".join(phrase(n, v) for v in possible[n]) for n in FEATURE_NAMES if len(possible[n]) > 1
    ]
    return (
        "No estimate: none of the values the unknown inputs could take ("
        + "; ".join(open_inputs)
        + ") occurs with the known inputs in the evidence behind the model."
    )


def coverage_warnings(known: dict, coverage) -> list[str]:
    """Say which of the patient's known values, or pairs of values, the evidence rarely saw."""
    n = round(coverage.n)
    warnings = []
    for item in coverage.rare(known):
        if item[0] == "value":
            _, name, value, count = item
            warnings.append(
                f"Only {count_text(count)} of the {n} patients behind the model had "
                f"{phrase(name, value)}: the estimate for this value rests mostly on the model's assumptions."
            )
        else:
            _, a, va, b, vb, count = item
            warnings.append(
                f"Only {count_text(count)} of the {n} patients behind the model combined {phrase(a, va)} "
                f"with {phrase(b, vb)}: this combination is rare in the evidence."
            )
    return warnings
