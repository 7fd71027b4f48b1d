"""Turn the five inputs into a 90-day survival estimate with its 95% interval.

The one place where inputs become numbers: the web form, the JSON API, the training command
(reference predictions in the manifest) and the validation report all call `estimate` or
`predict_survival`, so none of them re-implements the model. Pure: no Flask, no I/O.

The fitted pipeline predicts P(death within 90 days). Its 95% interval comes from bootstrap
refits of the final logistic regression whose coefficients are stored in the artifact, evaluated
on the same transformed row in one matrix product.

The five inputs are categorical, so there are only 600 patients the calculator can be asked about.
A `Model` runs all of them through `predict_survival` in one batch when it is built, and
`estimate` reads its rows from that table: one call of the pipeline costs milliseconds (pandas
and scikit-learn's checks, not arithmetic), the same at load as per request, so a request pays
nothing for the model. Every number still comes from the fitted pipeline; nothing is re-derived.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from calculator.features import BY_NAME, FEATURE_NAMES, REFERENCE_PATIENT, RESECTION

INTERVAL_LEVEL = 0.95


@dataclass(frozen=True)
class Model:
    """A loaded, verified model: see `calculator.artifact.load_model`."""

    pipeline: object  # sklearn Pipeline: preprocessing + LogisticRegression, P(death by 90 d)
    bootstrap: np.ndarray  # (B, 1 + n_coef): intercept then coefficients, per bootstrap refit
    manifest: dict = field(repr=False)
    # Every input combination's prediction, keyed by `grid_key`; built in __post_init__.
    table: dict[tuple, Prediction] = field(init=False, repr=False, compare=False)

    def __post_init__(self):
        rows = input_grid()
        survival, interval = predict_survival(self, rows)
        table = {
            grid_key(row): Prediction(float(s), (float(lo), float(hi)))
            for row, s, (lo, hi) in zip(rows, survival, interval)
        }
        object.__setattr__(self, "table", table)  # frozen: set once, here, never again

    @property
    def version(self) -> str:
        return self.manifest["version"]


@dataclass(frozen=True)
class Prediction:
    survival_90d: float
    interval_95: tuple[float, float]


@dataclass(frozen=True)
class Estimate:
    inputs: dict
    survival_90d: float
    interval_95: tuple[float, float]
    by_resection: dict[str, Prediction]
    reference: Prediction  # the reference patient having the same planned resection
    # survival of the reference patient with only this one input changed to the patient's value
    one_at_a_time: dict[str, float]


def input_grid() -> list[dict]:
    """Every combination of the five declared input values (10 x 2 x 5 x 3 x 2 = 600 rows)."""
    values = [BY_NAME[name].values for name in FEATURE_NAMES]
    return [dict(zip(FEATURE_NAMES, combination)) for combination in itertools.product(*values)]


def grid_key(row: dict) -> tuple:
    return tuple(row[name] for name in FEATURE_NAMES)


def to_frame(rows: list[dict]) -> pd.DataFrame:
    """The model's input frame, built by column name, in the declared order.

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
    """90-day survival for each row, and its (len(rows), 2) percentile interval."""
    transformed = model.pipeline[:-1].transform(to_frame(rows))
    death = model.pipeline[-1].predict_proba(transformed)[:, 1]
    logits = model.bootstrap[:, :1] + model.bootstrap[:, 1:] @ np.asarray(transformed).T
    boot_survival = 1.0 / (1.0 + np.exp(logits))  # (B, rows): 1 - sigmoid(logit)
    tail = (1.0 - INTERVAL_LEVEL) / 2 * 100
    low, high = np.percentile(boot_survival, [tail, 100 - tail], axis=0)
    return 1.0 - death, np.column_stack([low, high])


def estimate(model: Model, inputs: dict) -> Estimate:
    """The full estimate for one patient, read from the model's table of every input combination.

    Rows: the patient under each resection option; the reference patient with the patient's
    planned resection; and the reference patient with one input at a time set to the patient's.
    `inputs` must already be validated (see `calculator.validation`): a value outside the declared
    ones raises KeyError, never an extrapolated estimate.
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
        inputs=dict(inputs),
        survival_90d=own.survival_90d,
        interval_95=own.interval_95,
        by_resection=by_resection,
        reference=preds[len(options)],
        one_at_a_time={name: p.survival_90d for name, p in zip(changed, preds[len(options) + 1 :])},
    )
