"""One result for one patient, shared by the page and the API so they can never disagree."""

from __future__ import annotations

from calculator.explain import coverage_warnings, explain
from calculator.predict import Model, estimate


def build_result(model: Model, inputs: dict) -> dict:
    """The API's response body; the page renders the same dict. `inputs` must be validated."""
    est = estimate(model, inputs)
    return {
        "inputs": est.inputs,
        "survival_90d": est.survival_90d,
        "interval_95": list(est.interval_95),
        "by_resection": {
            option: {"survival_90d": p.survival_90d, "interval_95": list(p.interval_95)}
            for option, p in est.by_resection.items()
        },
        "explanation": explain(est),
        "warnings": coverage_warnings(inputs, model.manifest["support"]),
        "model": {
            "version": model.version,
            "sha256": model.manifest["sha256"],
            "synthetic": bool(model.manifest["synthetic"]),
        },
    }
