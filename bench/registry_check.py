"""Registry check: wall time of `python -m training check --cohort FILE` at 1,000 and 10,000 rows.

A national or multi-centre registry is thousands of rows (issue 11, item 8: each command within
10 minutes on 2 cores for 10,000 rows with 20% of KPS missing). The cohort is generated here, not
read from anywhere: invented patients from a seeded generator, two studies, 20% of KPS missing
completely at random, in the schema's CSV. Each size is one run of the real command in a fresh
interpreter (imports included, as a user pays them), and the figure is the 10,000-row time. At
these sizes the interpreter's start is most of it, so the growth is read from the reading and
checking alone, timed in this process (`load_registry` + `run_checks`, median of 3): the detail
gives both sizes and the ratio over the 10x rows. Quick mode uses 100 and 1,000 rows.

`fit`, `validate` and `recalibrate` with multiple imputation are timed by bench/registry_scale.py
on the same generated (synthetic) cohort.
"""

from __future__ import annotations

import csv
import time
from pathlib import Path

import numpy as np

from bench.common import Figure, main, median, scale_figure, scratch_dir, time_training
from calculator.features import COHORT_COLUMNS, COMPARTMENT, RESECTION
from training.checks import run_checks
from training.registry import load_registry

COMMAND = ".venv/bin/python -m bench.registry_check"
GOAL_SECONDS = 600  # issue 11: within 10 minutes on 2 cores at 10,000 rows
KPS_MISSING = 0.2


def generated_cohort(n: int, path: Path, seed: int = 20260111) -> Path:
    """n invented patients: about 25% dead by day 90, survival in days, 20% of KPS missing."""
    rng = np.random.default_rng(np.random.SeedSequence(seed))
    kps = rng.choice(np.arange(30, 101, 10), n)
    death = rng.exponential(360 * kps / 70)  # median about 250 days at KPS 70
    follow_up = rng.uniform(120, 2000, n)
    with open(path, "w", newline="", encoding="utf-8") as f:
        writer = csv.writer(f, lineterminator="\n")
        writer.writerow(COHORT_COLUMNS)
        for i in range(n):
            writer.writerow(
                [
                    f"site_{i % 12}",
                    "" if rng.random() < KPS_MISSING else int(kps[i]),
                    "yes" if rng.random() < 0.6 else "no",
                    int(rng.integers(1, 6)),
                    rng.choice(RESECTION.values),
                    rng.choice(COMPARTMENT.values),
                    f"{min(death[i], follow_up[i]):.0f}",
                    int(death[i] <= follow_up[i]),
                ]
            )
    return path


def in_process(path: Path) -> float:
    """Reading and checking alone, without the interpreter's start: median of 3."""
    times = []
    for _ in range(3):
        start = time.perf_counter()
        run_checks(load_registry(path))
        times.append(time.perf_counter() - start)
    return median(times)


def run(quick: bool) -> list[Figure]:
    scratch = scratch_dir("registry")
    small, large = (100, 1_000) if quick else (1_000, 10_000)
    seconds, checking = {}, {}
    for n in (small, large):
        print(f"  generating {n:,} rows, then timing check ...", flush=True)  # progress on long runs
        path = generated_cohort(n, scratch / f"synthetic_registry_{n}.csv")
        # exit 2: a finding stopped the file, a verdict like any other here
        seconds[n] = time_training(["check", "--cohort", str(path)], GOAL_SECONDS * 2, ok=(0, 2))
        checking[n] = in_process(path)
        print(f"  {n:,} rows: {seconds[n]:.1f} s the command, {checking[n]:.2f} s reading and checking")
    growth = checking[large] / checking[small]
    detail = (
        f"reading and checking {checking[small]:.2f} s and {checking[large]:.2f} s: x{growth:.1f} for "
        f"x{large // small} rows; {int(KPS_MISSING * 100)}% of KPS missing"
    )
    figure = "Registry check: wall time of `python -m training check`"
    return [scale_figure("registry_check", COMMAND, figure, seconds, GOAL_SECONDS, quick, detail)]


if __name__ == "__main__":
    raise SystemExit(main("registry_check", run))
