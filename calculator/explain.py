"""Plain-language text for an estimate, and warnings where the cohort does not cover a patient.

Pure functions of an `Estimate` and the manifest's `support` counts. The resection sentence
never attributes a difference to the operation: in the published series, extent of resection
was not independently predictive once patient selection was accounted for (Ivren 2025,
p = 0.834; Gazzeri 2021; Wilson 2012).
"""

from __future__ import annotations

from calculator.features import BY_NAME, FEATURE_NAMES, MCCORMICK, REFERENCE_PATIENT, RESECTION
from calculator.predict import Estimate

# Display thresholds (product choices, not literature figures): a value seen in fewer than
# RARE_VALUE cohort patients, or a pair of values seen together in fewer than RARE_PAIR, is
# called rare; seen in none, absent.
RARE_VALUE = 5
RARE_PAIR = 3

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


def describe(inputs: dict) -> str:
    """A patient's five inputs in the same words as the explanation, e.g. for the result line."""
    return ", ".join(phrase(name, inputs[name]) for name in FEATURE_NAMES)


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


def explain(est: Estimate) -> list[str]:
    """The sentences shown under the estimate (and returned by the API as `explanation`)."""
    planned = RESECTION.choice(est.inputs["resection"]).label.lower()
    reference = ", ".join(phrase(n, v) for n, v in REFERENCE_PATIENT.items())
    sentences = [
        f"Compared with a reference patient ({reference}) having the same planned {planned}, "
        f"whose estimate is {pct(est.reference.survival_90d)}:"
    ]
    for name, survival in est.one_at_a_time.items():
        change = round(100 * (survival - est.reference.survival_90d))
        finding = contrast(name, est.inputs[name])
        if abs(change) < 1:
            sentences.append(f"{finding} makes little difference (under 1 percentage point).")
        else:
            verb = "raises" if change > 0 else "lowers"
            sentences.append(f"{finding} {verb} the estimate by about {abs(change)} percentage points.")
    if not est.one_at_a_time:
        sentences.append("This patient matches the reference patient in every input.")
    elif len(est.one_at_a_time) > 1:
        sentences.append("Effects combine on the odds scale, so these changes do not add up exactly.")
    values = [p.survival_90d for p in est.by_resection.values()]
    sentences.append(
        f"Across biopsy, subtotal and gross total resection the estimates range from "
        f"{pct(min(values))} to {pct(max(values))}. {SELECTION_CAVEAT}"
    )
    return sentences


def coverage_warnings(inputs: dict, support: dict) -> list[str]:
    """Say which of the patient's values, or pairs of values, the cohort rarely or never saw."""
    n = support["n"]
    warnings = []
    for name, counts in support["marginal"].items():
        count = counts[_key(inputs[name])]
        if count == 0:
            warnings.append(
                f"No patient in the cohort behind the model had {phrase(name, inputs[name])}: "
                "for this value the estimate is an extrapolation, not a summary of data."
            )
        elif count < RARE_VALUE:
            warnings.append(
                f"Only {count} of {n} patients in the cohort had {phrase(name, inputs[name])}: "
                "the estimate for this value rests mostly on the model's assumptions."
            )
    for pair in support["pairs"]:
        a, b = pair["features"]
        if any(support["marginal"][x][_key(inputs[x])] < RARE_VALUE for x in (a, b)):
            continue  # already said for the single value
        count = next(c for va, vb, c in pair["counts"] if va == _key(inputs[a]) and vb == _key(inputs[b]))
        if count < RARE_PAIR:
            who = "No patient" if count == 0 else f"Only {count} patient{'s' if count > 1 else ''}"
            warnings.append(
                f"{who} in the cohort combined {phrase(a, inputs[a])} with "
                f"{phrase(b, inputs[b])}: this combination is rare in the data."
            )
    return warnings


def _key(value) -> str:
    return str(value).lower() if isinstance(value, bool) else str(value)
