"""The plain-text summary a surgeon pastes into the clinical note ("copy to note").

A pure function of the result dict (calculator.result.build_result) and the date, so the text is
tested without Flask and can never disagree with the page. Plain lines, no markup: EHR note
editors differ in what they keep.
"""

from __future__ import annotations

from calculator.explain import interval_text, pct
from calculator.features import COMPARTMENT, MCCORMICK, RESECTION

SYNTHETIC_CAVEAT = (
    "Caveat: decision support from a model fitted on a synthetic cohort reconstructed from "
    "published series (not real patients, not validated on real patients); it supports, and does "
    "not replace, clinical judgement."
)
REGISTRY_CAVEAT = (
    "Caveat: decision support from a model fitted on a registry cohort; it supports, and does not "
    "replace, clinical judgement."
)


def note_text(result: dict, computed_on: str) -> str:
    """The summary: inputs, estimate with interval, coverage warnings, caveat, model and date.

    `computed_on` is the ISO date shown on the page beside the estimate. Raises KeyError if
    `result` lacks a key that build_result always provides.
    """
    inputs = result["inputs"]
    grade = MCCORMICK.choice(inputs["mccormick_grade"]).label
    lines = [
        "Intradural spinal metastasis: estimated 90-day survival after surgery",
        "Inputs: "
        + "; ".join(
            [
                f"KPS {inputs['kps']}",
                f"other metastases: {'yes' if inputs['other_metastases'] else 'no'}",
                f"modified McCormick grade (preoperative): {grade}",
                f"planned resection: {RESECTION.choice(inputs['resection']).label.lower()}",
                f"compartment: {COMPARTMENT.choice(inputs['compartment']).label.lower()}",
            ]
        )
        + ".",
        f"Estimated 90-day survival: {pct(result['survival_90d'])} ({interval_text(result['interval_95'])}).",
        *(f"Warning: {warning}" for warning in result["warnings"]),
        SYNTHETIC_CAVEAT if result["model"]["synthetic"] else REGISTRY_CAVEAT,
        f"Model {result['model']['version']}; estimate computed {computed_on}.",
    ]
    return "\n".join(lines)
