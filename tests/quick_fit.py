"""Whole fits for tests, at a test's cost.

Import from test modules (`from quick_fit import quick_fit`); tests/ is on sys.path under
pytest's default import mode.

Two things make `python -m training fit` slow in a test run:
- internal validation, when the fit does it: hundreds of bootstrap refits, each repeating the
  cross-validated choice of C. Within `quick_fit` every step still runs, on the same code path,
  with QUICK_RESAMPLES refits in this process. The shipped model is built with the full number.
- BLAS threads: each fit is a 7-coefficient problem, for which OpenBLAS's worker threads cost far
  more than they save, and on a busy 2-core machine they make every fit several times slower.
  Within `quick_fit` BLAS and OpenMP use one thread; the results are the same.
"""

from __future__ import annotations

import functools
from collections.abc import Iterator
from contextlib import contextmanager

from threadpoolctl import threadpool_limits

import training.train

QUICK_RESAMPLES = 4


@contextmanager
def quick_fit(monkeypatch) -> Iterator[None]:
    """Within the block, `training.train.fit_model_dir` (and so the CLI run in-process) is quick."""
    validation_metrics = getattr(training.train, "validation_metrics", None)
    if validation_metrics is not None:  # a fit without internal validation needs no change
        monkeypatch.setattr(
            training.train,
            "validation_metrics",
            functools.partial(validation_metrics, resamples=QUICK_RESAMPLES, n_jobs=1),
        )
    with threadpool_limits(limits=1):
        yield
