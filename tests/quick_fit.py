"""Whole fits for tests, at a test's cost.

Import from test modules (`from quick_fit import quick_fit`); tests/ is on sys.path under
pytest's default import mode.

Internal validation makes `python -m training fit` slow in a test run: hundreds of bootstrap
refits, each repeating the cross-validated choice of C. Within `quick_fit` every step still runs,
on the same code path, with QUICK_RESAMPLES refits in this process. The shipped model is built with
the full number. (BLAS threads are already limited to one by `fit_model_dir` itself.)
"""

from __future__ import annotations

import functools
from collections.abc import Iterator
from contextlib import contextmanager

import training.train

QUICK_RESAMPLES = 4


@contextmanager
def quick_fit(monkeypatch) -> Iterator[None]:
    """Within the block, `training.train.fit_model_dir` (and so the CLI run in-process) is quick."""
    quick = functools.partial(training.train.validation_metrics, resamples=QUICK_RESAMPLES, n_jobs=1)
    monkeypatch.setattr(training.train, "validation_metrics", quick)
    yield
