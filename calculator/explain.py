"""Plain-language text for an estimate, and warnings where the evidence does not cover a patient.

Pure functions of the estimates (calculator.result) and the model's coverage
(calculator.coverage). The resection sentence never attributes a difference to the operation: in
the published series, extent of resection was not independently predictive once patient selection
was accounted for (Ivren 2025, p = 0.834; Gazzeri 2021; Wilson 2012).
"""

from __future__ import annotations

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


def explain(
    inputs: dict, reference: float | None, one_at_a_time: dict[str, float], ranges: dict, by_resection: dict
) -> list[str]:
    """The sentences shown under the estimate (and returned by the API as `explanation`).

    `reference`: the reference patient's estimate with the same planned resection;
    `one_at_a_time`: the reference patient's estimate with one known input set to the patient's;
    `ranges`: (lowest, highest) estimate over each input averaged over (calculator.incomplete);
    `by_resection`: each option's estimate or None. The last sentence is the resection caveat;
    with no estimate (`reference` None) it is the only one."""
    if reference is None:
        return [SELECTION_CAVEAT]
    planned = RESECTION.choice(inputs["resection"]).label.lower()
    ref = ", ".join(phrase(n, v) for n, v in REFERENCE_PATIENT.items())
    sentences = [
        f"Compared with a reference patient ({ref}) having the same planned {planned}, "
        f"whose estimate is {pct(reference)}:"
    ]
    for name, survival in one_at_a_time.items():
        change = round(100 * (survival - reference))
        finding = contrast(name, inputs[name])
        if abs(change) < 1:
            sentences.append(f"{finding} makes little difference (under 1 percentage point).")
        else:
            verb = "raises" if change > 0 else "lowers"
            sentences.append(f"{finding} {verb} the estimate by about {abs(change)} percentage points.")
    sentences.extend(averaged_sentence(name, inputs, low, high) for name, (low, high) in ranges.items())
    if not one_at_a_time and not ranges:
        sentences.append("This patient matches the reference patient in every input.")
    elif len(one_at_a_time) + len(ranges) > 1:
        sentences.append("Effects combine on the odds scale, so these changes do not add up exactly.")
    values = [v for v in by_resection.values() if v is not None]
    spread = (
        f"Across biopsy, subtotal and gross total resection the estimates for patients like this one "
        f"range from {pct(min(values))} to {pct(max(values))}. "
        if len(values) > 1
        else ""
    )
    sentences.append(spread + SELECTION_CAVEAT)
    return sentences


UNKNOWN_SUBJECT = {
    "kps": "KPS is not known yet",
    "other_metastases": "Whether there are other metastases is not known yet (staging pending)",
    "mccormick_grade": "The McCormick grade is not known yet",
}


def averaged_sentence(name: str, inputs: dict, low: float, high: float) -> str:
    """What averaging over an input means for this estimate, and how far knowing it could move it."""
    if name == "kps" and inputs.get("ecog") is not None:
        band = ECOG_KPS_BAND[inputs["ecog"]]
        return (
            f"KPS is taken from ECOG {inputs['ecog']}, which corresponds to KPS {band[0]}-{band[-1]} "
            f"(ECOG-ACRIN table): the estimate averages over that band, in which it ranges from "
            f"{pct(low)} to {pct(high)}."
        )
    return (
        f"{UNKNOWN_SUBJECT[name]}: the estimate averages over the values seen with this patient's known "
        f"inputs in the evidence behind the model; knowing it could move the estimate anywhere from "
        f"{pct(low)} to {pct(high)}."
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
