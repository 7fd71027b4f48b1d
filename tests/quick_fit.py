"""Whole fits for tests, at a test's cost.

Import from test modules (`from quick_fit import quick_fit`); tests/ is on sys.path under
pytest's default import mode.

`python -m training fit` is slow in a test run: the default model pools thousands of
reconstructions and validates on a hundred more, and a cohort fit validates with hundreds of
bootstrap refits, each repeating the cross-validated choice of C. Within `quick_fit` every step
still runs, on the same code path, with a few draws and refits. The shipped model is built with
the full numbers. (BLAS threads are already limited to one by `fit_model_dir` itself.)
"""

from __future__ import annotations

import functools
from collections.abc import Iterator
from contextlib import contextmanager

import training.pooled
import training.train

QUICK_RESAMPLES = 4
QUICK_DRAWS = 24  # per master stream (the shipped model: training.pooled.DRAWS)


@contextmanager
def quick_fit(monkeypatch) -> Iterator[None]:
    """Within the block, `training.train.fit_model_dir` (and so the CLI run in-process) is quick."""
    quick = functools.partial(training.train.validation_metrics, resamples=QUICK_RESAMPLES, n_jobs=1)
    monkeypatch.setattr(training.train, "validation_metrics", quick)
    monkeypatch.setattr(training.train, "DRAWS", QUICK_DRAWS)
    monkeypatch.setattr(training.train, "VALIDATION_DRAWS", QUICK_RESAMPLES)
    monkeypatch.setattr(training.pooled, "C_SEARCH_DRAWS", QUICK_RESAMPLES)
    yield
