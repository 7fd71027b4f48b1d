"""One result for one patient, shared by the page and the API so they can never disagree."""

from __future__ import annotations

from dataclasses import replace

from calculator.contributions import Contributions, contributions
from calculator.explain import coverage_warnings, explain, gap_sentence
from calculator.features import ECOG_KPS_BAND, FEATURE_NAMES, NOT_KNOWN_YET_ALLOWED, RESECTION
from calculator.incomplete import Answer, answer
from calculator.predict import Model


def build_result(model: Model, inputs: dict) -> dict:
    """The API's response body; the page renders the same dict. `inputs` must be validated
    (calculator.validation): every input, with None for one not known yet, and `ecog`."""
    inputs = {**{n: inputs.get(n) for n in FEATURE_NAMES}, "ecog": inputs.get("ecog")}
    by_resection = {option: answer(model, {**inputs, "resection": option}) for option in RESECTION.values}
    own = by_resection[inputs["resection"]]
    # nothing to explain where there is no number: no contribution of an extrapolated value
    shares = None if own.survival_90d is None else contributions(model, inputs)
    if shares is not None:  # the very number shown, so that rounding can never disagree with it
        shares = replace(shares, estimate=own.survival_90d)
    known = {n: inputs[n] for n in FEATURE_NAMES if inputs[n] is not None}
    warnings = [gap_sentence(g, model.coverage) for g in own.gaps]
    warnings += coverage_warnings(known, model.coverage)
    return {
        "inputs": inputs,
        "survival_90d": own.survival_90d,
        "interval_95": _interval(own),
        "by_resection": {
            option: {"survival_90d": a.survival_90d, "interval_95": _interval(a)}
            for option, a in by_resection.items()
        },
        "averaged_over": _averaged(inputs, own),
        "contributions": _contributions(shares),
        "explanation": explain(inputs, shares, {o: a.survival_90d for o, a in by_resection.items()}),
        "warnings": warnings,
        "model": {
            "version": model.version,
            "sha256": model.manifest["sha256"],
            "synthetic": bool(model.manifest["synthetic"]),
        },
    }


def _contributions(shares: Contributions | None) -> dict | None:
    """Each input's share of estimate minus reference (calculator.contributions), for the chart and
    the API; None where there is no estimate."""
    if shares is None:
        return None
    return {
        "reference": shares.reference,
        "shares": dict(shares.shares),
        "ranges": {name: list(span) for name, span in shares.ranges.items()},
    }


def _interval(a: Answer) -> list[float] | None:
    return None if a.interval_95 is None else list(a.interval_95)


def _averaged(inputs: dict, own: Answer) -> dict:
    """Each input the estimate averages over: why (not known, or KPS from ECOG), its possible
    values, and the range of the estimate over them."""
    out = {}
    for name in NOT_KNOWN_YET_ALLOWED:
        if inputs[name] is not None:
            continue
        from_ecog = name == "kps" and inputs["ecog"] is not None
        entry = {"reason": "ecog" if from_ecog else "not_known"}
        if from_ecog:
            entry["kps_values"] = list(ECOG_KPS_BAND[inputs["ecog"]])
        low_high = own.ranges.get(name)
        entry["estimate_range"] = None if low_high is None else list(low_high)
        out[name] = entry
    return out
