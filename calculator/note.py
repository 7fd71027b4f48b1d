"""The plain-text summary a surgeon pastes into the clinical note ("copy to note").

A pure function of the result dict (calculator.result.build_result) and the date, so the text is
tested without Flask and can never disagree with the page. Plain lines, no markup: EHR note
editors differ in what they keep.
"""

from __future__ import annotations

from calculator.explain import input_phrase, interval_text, pct
from calculator.features import COMPARTMENT, MCCORMICK, RESECTION

SYNTHETIC_CAVEAT = (
    "Caveat: decision support from a model fitted on synthetic cohorts reconstructed from "
    "published series (not real patients, not validated on real patients); it supports, and does "
    "not replace, clinical judgement."
)
REGISTRY_CAVEAT = (
    "Caveat: decision support from a model fitted on a registry cohort; it supports, and does not "
    "replace, clinical judgement."
)


def estimate_line(result: dict) -> str:
    if result["survival_90d"] is None:
        return "Estimated 90-day survival: none (no patients like this one in the evidence; see warning)."
    return (
        f"Estimated 90-day survival: {pct(result['survival_90d'])} ({interval_text(result['interval_95'])})."
    )


def averaged_line(name: str, entry: dict) -> str:
    """One line per input the estimate averaged over (not known yet, or KPS from ECOG)."""
    what = {
        "kps": "KPS",
        "other_metastases": "other metastases",
        "mccormick_grade": "McCormick grade",
    }[name]
    why = (
        f"derived from ECOG (KPS {entry['kps_values'][0]}-{entry['kps_values'][-1]}, ECOG-ACRIN table)"
        if entry["reason"] == "ecog"
        else "not known yet"
    )
    span = entry["estimate_range"]
    moved = f"; the estimate ranges from {pct(span[0])} to {pct(span[1])} over its values" if span else ""
    return f"Averaged over {what} ({why}){moved}."


def note_text(result: dict, computed_on: str) -> str:
    """The summary: inputs, estimate with interval, coverage warnings, caveat, model and date.

    `computed_on` is the ISO date shown on the page beside the estimate. Raises KeyError if
    `result` lacks a key that build_result always provides.
    """
    inputs = result["inputs"]
    other = inputs["other_metastases"]
    grade = inputs["mccormick_grade"]
    lines = [
        "Intradural spinal metastasis: estimated 90-day survival after surgery",
        "Inputs: "
        + "; ".join(
            [
                input_phrase("kps", inputs),
                "other metastases: " + ("not known yet" if other is None else "yes" if other else "no"),
                "modified McCormick grade (preoperative): "
                + ("not known yet" if grade is None else MCCORMICK.choice(grade).label),
                f"planned resection: {RESECTION.choice(inputs['resection']).label.lower()}",
                f"compartment: {COMPARTMENT.choice(inputs['compartment']).label.lower()}",
            ]
        )
        + ".",
        estimate_line(result),
        *(averaged_line(name, entry) for name, entry in result["averaged_over"].items()),
        *(f"Warning: {warning}" for warning in result["warnings"]),
        SYNTHETIC_CAVEAT if result["model"]["synthetic"] else REGISTRY_CAVEAT,
        f"Model {result['model']['version']}; estimate computed {computed_on}.",
    ]
    return "\n".join(lines)
