"""The 600 patients the calculator can be asked about: every combination of the five declared
input values, in one fixed order that the model's tables and its support table share."""

from __future__ import annotations

import itertools

from calculator.features import BY_NAME, FEATURE_NAMES


def input_grid() -> list[dict]:
    """Every combination of the five declared input values (10 x 2 x 5 x 3 x 2 = 600 rows)."""
    values = [BY_NAME[name].values for name in FEATURE_NAMES]
    return [dict(zip(FEATURE_NAMES, combination)) for combination in itertools.product(*values)]


def grid_key(row: dict) -> tuple:
    return tuple(row[name] for name in FEATURE_NAMES)


GRID_INDEX = {grid_key(row): i for i, row in enumerate(input_grid())}
