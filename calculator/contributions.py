"""Each input's share of the difference between a patient's estimate and the reference patient's.

Exact Shapley values on the probability scale, read from the model's table of every input
combination (`Model.table`), so the shares add up to estimate minus reference exactly (up to
floating point), whatever the odds-scale formula does.

The players are the four patient inputs (KPS, other metastases, McCormick grade, compartment); the
planned resection is held at the patient's own value, as the reference patient's is. Giving the
resection a share of its own would read as the effect of choosing an operation, which the evidence
does not support (calculator.explain.SELECTION_CAVEAT); the resection table beside the chart shows
the association instead.

For an estimate averaged over inputs not known yet (or KPS from an ECOG band;
calculator.incomplete), the same weights that average the estimate average the shares: each
covered combination gets its own exact Shapley values, and the weighted mean of those sums to the
averaged estimate minus the reference. An input that is not known exactly also gets the lowest and
highest share it takes over those combinations: how much it could contribute once it is known.
Pure: no Flask.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from math import factorial

import numpy as np

from calculator.features import FEATURE_NAMES, REFERENCE_PATIENT
from calculator.incomplete import _cells, is_complete, possible_values
from calculator.predict import Model, grid_key

PLAYERS = tuple(name for name in FEATURE_NAMES if name != "resection")


@dataclass(frozen=True)
class Contributions:
    reference: float  # the reference patient's estimate with the patient's planned resection
    estimate: float  # the patient's estimate (averaged over unknown inputs, if any)
    shares: dict[str, float]  # input -> percentage-point share as a fraction (sums to estimate - reference)
    ranges: dict[str, tuple[float, float]]  # input not known exactly -> (lowest, highest) share


def shapley(value, players: tuple[str, ...]) -> dict[str, float]:
    """Exact Shapley values of `value(frozenset of players)` (efficient: they sum to
    value(all) - value(none))."""
    n = len(players)
    weight = [factorial(k) * factorial(n - k - 1) / factorial(n) for k in range(n)]
    cache = {}

    def v(coalition: frozenset) -> float:
        if coalition not in cache:
            cache[coalition] = value(coalition)
        return cache[coalition]

    out = {}
    for player in players:
        others = [p for p in players if p != player]
        total = 0.0
        for k in range(n):
            for subset in itertools.combinations(others, k):
                s = frozenset(subset)
                total += weight[k] * (v(s | {player}) - v(s))
        out[player] = total
    return out


def cell_shares(model: Model, row: dict) -> dict[str, float]:
    """Shapley shares of one complete input combination against the reference patient with the
    same resection."""
    reference = {**REFERENCE_PATIENT, "resection": row["resection"]}

    def value(coalition: frozenset) -> float:
        mixed = {name: (row[name] if name in coalition else reference[name]) for name in FEATURE_NAMES}
        return model.table[grid_key(mixed)].survival_90d

    return shapley(value, PLAYERS)


def contributions(model: Model, inputs: dict) -> Contributions | None:
    """Shares for a patient whose inputs may be not known yet (None) or KPS from ECOG.

    None when the evidence holds no patient like this one (no estimate, so nothing to explain).
    """
    known = {n: inputs[n] for n in FEATURE_NAMES if inputs.get(n) is not None}
    if model.coverage.gaps(known):
        return None
    values = possible_values(inputs)
    if is_complete(inputs):  # as calculator.incomplete.answer: the one combination, whatever its support
        cells, weights = [grid_key(inputs)], np.ones(1)
    else:
        cells, weights = _cells(model, model.coverage, values)
    if not cells:
        return None
    reference = model.table[grid_key({**REFERENCE_PATIENT, "resection": inputs["resection"]})].survival_90d
    per_cell = [cell_shares(model, dict(zip(FEATURE_NAMES, c))) for c in cells]
    w = weights / weights.sum()
    shares = {p: float(np.dot(w, [s[p] for s in per_cell])) for p in PLAYERS}
    estimate = float(np.dot(w, [model.table[c].survival_90d for c in cells]))
    ranges = {
        p: (min(s[p] for s in per_cell), max(s[p] for s in per_cell)) for p in PLAYERS if len(values[p]) > 1
    }
    return Contributions(reference, estimate, shares, ranges)


def rounded_points(c: Contributions) -> dict[str, int]:
    """Whole percentage points per input that add up to the rounded estimate minus the rounded
    reference, the two numbers shown (largest-remainder rounding: each share moves by < 1 point)."""
    target = round(100 * c.estimate) - round(100 * c.reference)
    exact = {p: 100 * s for p, s in c.shares.items()}
    floors = {p: int(np.floor(x)) for p, x in exact.items()}
    # |target - sum(exact)| < 1 and each floor is within 1 below its share, so 0 <= left <= len(floors)
    left = target - sum(floors.values())
    for p in sorted(exact, key=lambda p: exact[p] - floors[p], reverse=True)[:left]:
        floors[p] += 1
    return floors
