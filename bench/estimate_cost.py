"""Estimate cost ratio: one full result over one plain evaluation of the model for one patient.

Numerator: calculator.result.build_result (probability, interval, all three resection options,
explanation, coverage warnings) for a patient who differs from the reference patient in every
input, the largest result there is. Denominator: calculator.predict.predict_survival on that one
row (the pooled formula and its interval over the draws), what a calculator without a table would
pay per request. Both are timed in the same process, interleaved, with timeit;
each repeat gives a ratio and the median ratio is reported.
"""

from __future__ import annotations

import timeit

from bench.common import PATIENT, Figure, main, median
from calculator.artifact import DEFAULT_MODEL_DIR, load_model
from calculator.predict import predict_survival
from calculator.result import build_result

COMMAND = ".venv/bin/python -m bench.estimate_cost"
GOAL = 3.0


def run(quick: bool) -> list[Figure]:
    repeats, number = (3, 5) if quick else (41, 200)
    model = load_model(DEFAULT_MODEL_DIR)

    def full():
        build_result(model, PATIENT)

    def plain():
        predict_survival(model, [PATIENT])

    full(), plain()  # first calls fill caches; they are not what a request pays
    full_times, plain_times, ratios = [], [], []
    for _ in range(repeats):
        f = timeit.timeit(full, number=number) / number
        p = timeit.timeit(plain, number=number) / number
        full_times.append(f)
        plain_times.append(p)
        ratios.append(f / p)
    ratio = median(ratios)
    return [
        Figure(
            key="estimate_cost",
            figure="Estimate cost ratio: build_result / one-row predict_survival (in process)",
            goal=f"<= {GOAL:g}",
            measured=f"{ratio:.2f}",
            met=ratio <= GOAL,
            command=COMMAND,
            detail=(
                f"median of {repeats} x {number} calls: {median(full_times) * 1e6:.0f} us vs "
                f"{median(plain_times) * 1e6:.0f} us"
            ),
        )
    ]


if __name__ == "__main__":
    raise SystemExit(main("estimate_cost", run))
