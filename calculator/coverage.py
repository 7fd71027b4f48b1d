"""What the evidence behind the model covers: which values and pairs of values its patients had.

The model's `support` is the number of patients behind it in each of the 600 input combinations:
for the default model the mean over its reconstructions of the published series (fractional), for
a cohort fit the cohort's own counts. From it, per single value and per pair of values:

- NO_EVIDENCE: below this many patients (0.1: fewer than one such patient in ten reconstructions
  of the published patients, 172 in the nine series of training/evidence/ (the model card's data
  section lists them), or none in a registry) the evidence essentially never contains
  the value or pair, so the calculator shows no number there, only why;
- RARE_VALUE / RARE_PAIR: below these, a number is shown with a warning that it rests mostly on
  the model's assumptions.

All three are product rules, not literature figures; the model card states them. Pure: no Flask.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from functools import cached_property

import numpy as np

from calculator.features import BY_NAME, FEATURE_NAMES
from calculator.grid import input_grid

NO_EVIDENCE = 0.1
RARE_VALUE = 5
RARE_PAIR = 3


def key(value) -> str:
    return str(value).lower() if isinstance(value, (bool, np.bool_)) else str(value)


@dataclass(frozen=True)
class Coverage:
    support: np.ndarray  # (600,) in calculator.predict.input_grid order

    @cached_property
    def grid(self) -> list[dict]:
        return input_grid()

    @cached_property
    def n(self) -> float:
        return float(np.sum(self.support))

    @cached_property
    def marginal(self) -> dict[str, dict[str, float]]:
        out = {name: dict.fromkeys((key(v) for v in BY_NAME[name].values), 0.0) for name in FEATURE_NAMES}
        for row, count in zip(self.grid, self.support):
            for name in FEATURE_NAMES:
                out[name][key(row[name])] += float(count)
        return out

    @cached_property
    def pairs(self) -> dict[tuple[str, str], dict[tuple[str, str], float]]:
        out = {}
        for a, b in itertools.combinations(FEATURE_NAMES, 2):
            table = {(key(va), key(vb)): 0.0 for va in BY_NAME[a].values for vb in BY_NAME[b].values}
            for row, count in zip(self.grid, self.support):
                table[key(row[a]), key(row[b])] += float(count)
            out[a, b] = table
        return out

    def value_count(self, name: str, value) -> float:
        return self.marginal[name][key(value)]

    def pair_count(self, a: str, va, b: str, vb) -> float:
        if (a, b) not in self.pairs:
            a, va, b, vb = b, vb, a, va
        return self.pairs[a, b][key(va), key(vb)]

    def gaps(self, known: dict) -> list[tuple]:
        """The patient's known values and pairs the evidence essentially never contains:
        ("value", name, value) or ("pair", a, va, b, vb). `known` holds only known inputs."""
        names = [n for n in FEATURE_NAMES if n in known]
        out = [("value", n, known[n]) for n in names if self.value_count(n, known[n]) < NO_EVIDENCE]
        for a, b in itertools.combinations(names, 2):
            if any(g[1] in (a, b) for g in out):
                continue  # already said for the single value
            if self.pair_count(a, known[a], b, known[b]) < NO_EVIDENCE:
                out.append(("pair", a, known[a], b, known[b]))
        return out

    def rare(self, known: dict) -> list[tuple]:
        """Known values and pairs that the evidence contains, but rarely: ("value", name, value,
        count) or ("pair", a, va, b, vb, count)."""
        names = [n for n in FEATURE_NAMES if n in known]
        out = []
        for n in names:
            count = self.value_count(n, known[n])
            if NO_EVIDENCE <= count < RARE_VALUE:
                out.append(("value", n, known[n], count))
        for a, b in itertools.combinations(names, 2):
            if any(self.value_count(x, known[x]) < RARE_VALUE for x in (a, b)):
                continue  # already said for the single value
            count = self.pair_count(a, known[a], b, known[b])
            if NO_EVIDENCE <= count < RARE_PAIR:
                out.append(("pair", a, known[a], b, known[b], count))
        return out

    @cached_property
    def covered_grid(self) -> np.ndarray:
        """covered() for every one of the 600 combinations, in grid order: worked out once per
        model, so averaging over unknown inputs reads it instead of redoing the checks per request."""
        return np.array([self.covered(row) for row in self.grid])

    def covered(self, row: dict) -> bool:
        """A complete input combination the evidence covers (no gap among its values and pairs)."""
        return not self.gaps(row)


def coverage_summary(support: np.ndarray) -> dict:
    """The manifest's `support`: the patients behind the model per value and per pair of values,
    and the rule that turns them into warnings and into no number."""
    cov = Coverage(np.asarray(support, dtype=float))
    return {
        "n": round(cov.n, 3),
        "marginal": {n: {k: round(v, 3) for k, v in t.items()} for n, t in cov.marginal.items()},
        "pairs": [
            {"features": [a, b], "counts": [[ka, kb, round(v, 3)] for (ka, kb), v in table.items()]}
            for (a, b), table in cov.pairs.items()
        ],
        "rule": {
            "no_evidence_below": NO_EVIDENCE,
            "rare_value_below": RARE_VALUE,
            "rare_pair_below": RARE_PAIR,
            "covered_combinations": int(cov.covered_grid.sum()),
        },
    }
