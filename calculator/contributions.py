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
from calculator.predict import GRID_INDEX, Model, grid_key, input_grid

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


def shares_table(model: Model) -> np.ndarray:
    """(600, len(PLAYERS)) exact Shapley shares of every input combination (rows in GRID_INDEX
    order), each against the reference patient with that row's resection. Computed once per model
    (Model.shares), so a request only reads and averages rows."""
    rows = input_grid()
    survival = np.array([model.table[grid_key(r)].survival_90d for r in rows])
    n = len(PLAYERS)
    # value[S]: every row's estimate with the players in S at the row's values, the rest at the reference's
    value = {}
    for k in range(n + 1):
        for subset in itertools.combinations(PLAYERS, k):
            mixed = [
                {
                    name: (r[name] if name in subset or name == "resection" else REFERENCE_PATIENT[name])
                    for name in FEATURE_NAMES
                }
                for r in rows
            ]
            value[frozenset(subset)] = survival[[GRID_INDEX[grid_key(m)] for m in mixed]]
    out = np.zeros((len(rows), n))
    for j, player in enumerate(PLAYERS):
        others = [p for p in PLAYERS if p != player]
        for k in range(n):
            w = factorial(k) * factorial(n - k - 1) / factorial(n)
            for subset in itertools.combinations(others, k):
                s = frozenset(subset)
                out[:, j] += w * (value[s | {player}] - value[s])
    return out


def cell_shares(model: Model, row: dict) -> dict[str, float]:
    """Shapley shares of one complete input combination against the reference patient with the
    same resection (the row of `shares_table`, computed directly: the definition the table is
    tested against)."""
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
    index = [GRID_INDEX[c] for c in cells]
    per_cell = model.shares[index]  # (cells, players)
    w = weights / weights.sum()
    mean = w @ per_cell
    shares = {p: float(mean[j]) for j, p in enumerate(PLAYERS)}
    estimate = float(w @ model.grid_point[index])
    ranges = {
        p: (float(per_cell[:, j].min()), float(per_cell[:, j].max()))
        for j, p in enumerate(PLAYERS)
        if len(values[p]) > 1
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


def signed(points: float, minus: str = "-") -> str:
    """Whole percentage points with their sign, e.g. '+3', '-12', '0' (`minus`: the sign to write,
    U+2212 in the chart)."""
    n = round(points)
    return f"+{n}" if n > 0 else (f"{minus}{-n}" if n < 0 else "0")
