"""Turn the five inputs into a 90-day survival estimate with its 95% interval.

The one place where complete inputs become numbers: the web form and the JSON API read the
model's table of every input combination (through calculator.incomplete, also for partly known
inputs), the training command (reference predictions in the manifest) and the validation report
call `predict_survival`, so none of them re-implements the model; `estimate` is the same for one
patient, for scripts and the tests' known answers. Pure: no Flask, no I/O.

The model is one formula: the log odds of death by day 90 are the pooled coefficients times the
fixed design below (`DESIGN`, centred on the reference patient), the point estimate is
1 - sigmoid of that. Its 95% interval is the 2.5th-97.5th percentile over the model's draws (one
coefficient vector per draw; training.pooling explains what a draw holds). The artifact holds
arrays, not a fitted scikit-learn object: a pool of fits is not one fit, and plain arrays are what
the formula on the model card needs.

The five inputs are categorical, so there are only 600 patients the calculator can be asked about.
A `Model` evaluates all of them, point and per draw, when it is built; `estimate` reads its rows
from that table.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from calculator.coverage import Coverage
from calculator.features import FEATURE_NAMES, REFERENCE_PATIENT, RESECTION
from calculator.grid import GRID_INDEX, grid_key, input_grid  # noqa: F401 (re-exported)

INTERVAL_LEVEL = 0.95

# The fixed design: one column per coefficient, centred on the reference patient (KPS 70, grade
# II), so the intercept is the log odds of death of the reference patient after a biopsy of an
# intramedullary lesion, and each coefficient is the change per unit named.
DESIGN = (
    "kps_per_10",  # (KPS - 70) / 10
    "mccormick_grade",  # grade - 2
    "other_metastases",  # 1 = yes
    "resection_subtotal",  # vs biopsy
    "resection_gross_total",  # vs biopsy
    "compartment_intradural_extramedullary",  # vs intramedullary
)
KPS_CENTRE, KPS_UNIT = REFERENCE_PATIENT["kps"], 10
GRADE_CENTRE = REFERENCE_PATIENT["mccormick_grade"]


def design_matrix(rows: list[dict]) -> np.ndarray:
    """(len(rows), len(DESIGN)) design values, built by input name. KeyError on a missing input."""
    return design_columns({name: [r[name] for r in rows] for name in FEATURE_NAMES})


def design_columns(columns) -> np.ndarray:
    """The same from columns by name (a dict of sequences, or a DataFrame)."""
    resection = np.asarray(columns["resection"], dtype=object)
    return np.column_stack(
        [
            (np.asarray(columns["kps"], dtype=float) - KPS_CENTRE) / KPS_UNIT,
            np.asarray(columns["mccormick_grade"], dtype=float) - GRADE_CENTRE,
            np.asarray(columns["other_metastases"], dtype=bool).astype(float),
            (resection == "subtotal").astype(float),
            (resection == "gross_total").astype(float),
            (np.asarray(columns["compartment"], dtype=object) == "intradural_extramedullary").astype(float),
        ]
    ).reshape(-1, len(DESIGN))


def survival_from(coefficients: np.ndarray, X: np.ndarray) -> np.ndarray:
    """1 - sigmoid(intercept + X @ beta): for one coefficient vector (rows,), or for a matrix of
    them, one per draw (draws, rows)."""
    coefficients = np.asarray(coefficients, dtype=float)
    logit = coefficients[..., :1] + coefficients[..., 1:] @ X.T
    return 1.0 / (1.0 + np.exp(logit))


def percentile_interval(samples: np.ndarray, axis: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """The central INTERVAL_LEVEL percentile interval over draws (the one pooling rule for intervals)."""
    tail = (1.0 - INTERVAL_LEVEL) / 2 * 100
    low, high = np.percentile(samples, [tail, 100 - tail], axis=axis)
    return low, high


@dataclass(frozen=True)
class Prediction:
    survival_90d: float
    interval_95: tuple[float, float]


@dataclass(frozen=True)
class Model:
    """A loaded, verified model: see `calculator.artifact.load_model`."""

    coefficients: np.ndarray  # (1 + len(DESIGN),): pooled intercept and coefficients
    draws: np.ndarray  # (D, 1 + len(DESIGN)): one coefficient vector per draw
    support: np.ndarray  # (600,): patients per input combination in the cohort behind the model
    manifest: dict = field(repr=False)
    # Every input combination's prediction keyed by `grid_key`, and its survival in every draw
    # (D, 600) for averaging over unknown inputs; built in __post_init__.
    table: dict[tuple, Prediction] = field(init=False, repr=False, compare=False)
    grid_draws: np.ndarray = field(init=False, repr=False, compare=False)
    coverage: Coverage = field(init=False, repr=False, compare=False)  # what the support covers
    grid_point: np.ndarray = field(init=False, repr=False, compare=False)  # (600,) point estimates
    # (600, 4) each combination's exact Shapley shares (calculator.contributions), once per model
    shares: np.ndarray = field(init=False, repr=False, compare=False)

    def __post_init__(self):
        rows = input_grid()
        X = design_matrix(rows)
        point = survival_from(self.coefficients, X)
        per_draw = survival_from(self.draws, X)
        low, high = percentile_interval(per_draw)
        table = {
            grid_key(row): Prediction(float(s), (float(lo), float(hi)))
            for row, s, lo, hi in zip(rows, point, low, high)
        }
        object.__setattr__(self, "table", table)  # frozen: set once, here, never again
        object.__setattr__(self, "grid_draws", per_draw)
        object.__setattr__(self, "coverage", Coverage(np.asarray(self.support, dtype=float)))
        object.__setattr__(self, "grid_point", point)
        # contributions reads this module's table and grid, so it is imported here, not at the top
        from calculator.contributions import shares_table

        object.__setattr__(self, "shares", shares_table(self))

    @property
    def version(self) -> str:
        return self.manifest["version"]


def to_frame(rows: list[dict]) -> pd.DataFrame:
    """The five inputs as a named frame, in the declared order (training's model frame).

    Raises KeyError when a row lacks one of the five inputs.
    """
    return pd.DataFrame(
        {
            "kps": np.array([r["kps"] for r in rows], dtype=np.int64),
            "other_metastases": np.array([r["other_metastases"] for r in rows], dtype=np.int64),
            "mccormick_grade": np.array([r["mccormick_grade"] for r in rows], dtype=np.int64),
            "resection": pd.array([r["resection"] for r in rows], dtype=object),
            "compartment": pd.array([r["compartment"] for r in rows], dtype=object),
        },
        columns=list(FEATURE_NAMES),
    )


def predict_survival(model: Model, rows: list[dict]) -> tuple[np.ndarray, np.ndarray]:
    """90-day survival for each complete row, and its (len(rows), 2) percentile interval."""
    X = design_matrix(rows)
    low, high = percentile_interval(survival_from(model.draws, X))
    return survival_from(model.coefficients, X), np.column_stack([low, high])


@dataclass(frozen=True)
class Estimate:
    inputs: dict
    survival_90d: float
    interval_95: tuple[float, float]
    by_resection: dict[str, Prediction]
    reference: Prediction  # the reference patient having the same planned resection
    # survival of the reference patient with only this one input changed to the patient's value
    one_at_a_time: dict[str, float]


def estimate(model: Model, inputs: dict) -> Estimate:
    """The full estimate for one patient with all five inputs known, read from the model's table.

    Rows: the patient under each resection option; the reference patient with the patient's
    planned resection; and the reference patient with one input at a time set to the patient's.
    A value outside the declared ones raises KeyError, never an extrapolated estimate.
    """
    options = RESECTION.values
    reference = {**REFERENCE_PATIENT, "resection": inputs["resection"]}
    changed = [name for name in REFERENCE_PATIENT if inputs[name] != reference[name]]
    rows = [{**inputs, "resection": option} for option in options]
    rows.append(reference)
    rows.extend({**reference, name: inputs[name]} for name in changed)

    preds = [model.table[grid_key(row)] for row in rows]
    by_resection = dict(zip(options, preds[: len(options)]))
    own = by_resection[inputs["resection"]]
    return Estimate(
        inputs={name: inputs[name] for name in FEATURE_NAMES},
        survival_90d=own.survival_90d,
        interval_95=own.interval_95,
        by_resection=by_resection,
        reference=preds[len(options)],
        one_at_a_time={name: p.survival_90d for name, p in zip(changed, preds[len(options) + 1 :])},
    )
