"""Estimates for the information a case conference really has: KPS, other metastases or McCormick
grade not known yet, or ECOG instead of KPS.

An input that is not known is averaged over: each of its possible values is weighted by how often
it occurs with the patient's known inputs among the patients behind the model (the model's
`support` table; for the default model, the reconstructions of the published series). ECOG is
used as its band of KPS values (calculator.features.ECOG_KPS_BAND), averaged the same way within
the band. Only combinations the evidence covers take part (calculator.coverage).

The point estimate is the weighted mean of the combinations' estimates. The 95% interval is the
2.5th-97.5th percentile of the mixture over draws and combinations, so it holds both the model's
uncertainty and the unknown input's: it is where this patient's estimate would lie once the input
is known. Pure: no Flask.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass

import numpy as np

from calculator.coverage import Coverage
from calculator.features import BY_NAME, ECOG_KPS_BAND, FEATURE_NAMES
from calculator.grid import GRID_INDEX, grid_key
from calculator.predict import INTERVAL_LEVEL, Model


@dataclass(frozen=True)
class Answer:
    survival_90d: float | None  # None: the evidence has no patients like this one
    interval_95: tuple[float, float] | None
    # input name -> (lowest, highest) estimate over that input's possible values, for each input
    # that is not known exactly (not known yet, or KPS from an ECOG band)
    ranges: dict[str, tuple[float, float]]
    gaps: list[tuple]  # why there is no number (calculator.coverage.Coverage.gaps), or []


def possible_values(inputs: dict) -> dict[str, tuple]:
    """Each input's possible values: one if known, its ECOG band for KPS from ECOG, all if not known."""
    out = {}
    for name in FEATURE_NAMES:
        value = inputs.get(name)
        if value is not None:
            out[name] = (value,)
        elif name == "kps" and inputs.get("ecog") is not None:
            out[name] = ECOG_KPS_BAND[inputs["ecog"]]
        else:
            out[name] = BY_NAME[name].values
    return out


def is_complete(inputs: dict) -> bool:
    return all(inputs.get(name) is not None for name in FEATURE_NAMES)


def answer(model: Model, inputs: dict) -> Answer:
    """The estimate for inputs of which some may be unknown (None) or KPS given as ECOG."""
    coverage = model.coverage
    known = {n: inputs[n] for n in FEATURE_NAMES if inputs.get(n) is not None}
    gaps = coverage.gaps(known)
    if gaps:
        return Answer(None, None, {}, gaps)
    if is_complete(inputs):
        p = model.table[grid_key(inputs)]
        return Answer(p.survival_90d, p.interval_95, {}, [])
    values = possible_values(inputs)
    cells, weights = _cells(model, coverage, values)
    if not cells:
        return Answer(None, None, {}, [("combination", values)])
    point = float(np.average([model.table[c].survival_90d for c in cells], weights=weights))
    interval = _mixture_interval(model, cells, weights)
    ranges = {}
    for name in FEATURE_NAMES:
        if len(values[name]) > 1:
            by_value = [
                answer_point(model, cells, weights, name, v) for v in values[name] if _has(cells, name, v)
            ]
            ranges[name] = (min(by_value), max(by_value))
    return Answer(point, interval, ranges, [])


def _cells(model: Model, coverage: Coverage, values: dict) -> tuple[list[tuple], np.ndarray]:
    """The covered combinations of the possible values and their weights (patients behind them)."""
    cells, weights = [], []
    for combination in itertools.product(*(values[n] for n in FEATURE_NAMES)):
        index = GRID_INDEX[combination]
        weight = float(model.support[index])
        if weight > 0 and coverage.covered_grid[index]:
            cells.append(combination)
            weights.append(weight)
    return cells, np.asarray(weights)


def _has(cells: list[tuple], name: str, value) -> bool:
    i = FEATURE_NAMES.index(name)
    return any(c[i] == value and type(c[i]) is type(value) for c in cells)


def answer_point(model: Model, cells, weights, name: str, value) -> float:
    """The averaged estimate with one input fixed at `value` (the others still averaged)."""
    i = FEATURE_NAMES.index(name)
    keep = [j for j, c in enumerate(cells) if c[i] == value and type(c[i]) is type(value)]
    return float(np.average([model.table[cells[j]].survival_90d for j in keep], weights=weights[keep]))


def _mixture_interval(model: Model, cells, weights) -> tuple[float, float]:
    """Weighted percentiles of the mixture of the cells' per-draw estimates."""
    columns = [GRID_INDEX[c] for c in cells]
    samples = model.grid_draws[:, columns]  # (draws, cells)
    w = np.broadcast_to(weights / weights.sum() / samples.shape[0], samples.shape).ravel()
    order = np.argsort(samples.ravel(), kind="stable")
    values, cumulative = samples.ravel()[order], np.cumsum(w[order])
    tail = (1 - INTERVAL_LEVEL) / 2
    low = values[min(np.searchsorted(cumulative, tail), len(values) - 1)]
    high = values[min(np.searchsorted(cumulative, 1 - tail), len(values) - 1)]
    return float(low), float(high)
