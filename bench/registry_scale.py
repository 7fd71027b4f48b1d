"""Registry scale: wall time of `fit --impute`, `validate --impute` and `recalibrate --impute` at
1,000 and 10,000 generated rows with 20% of KPS missing (issue 11, item 8: each within 10
minutes on 2 cores at 10,000 rows; `check` is timed by bench/registry_check.py).

The cohort is bench.registry_check's generated one (invented patients, 12 sites, KPS missing
completely at random). Each command is one run of the real command in a fresh interpreter with
the shipped number of imputations (20), against the shipped model; the growth is the ratio of
the two sizes' times over the 10x rows. Long runs show progress: the commands print one line per
imputation to stderr, passed through here. Quick mode: 100 and 300 rows, 2 imputations.
"""

from __future__ import annotations

from pathlib import Path

from bench.common import Figure, main, scale_figure, scratch_dir, time_training
from bench.registry_check import GOAL_SECONDS, KPS_MISSING, generated_cohort

COMMAND = ".venv/bin/python -m bench.registry_scale"
IMPUTATIONS = 20


def commands(path: Path, out: Path, m: int) -> dict[str, list[str]]:
    # The generated rows are invented and happen to trip two flagged checks at 10,000 rows (a
    # survival of 999 days, a few identical rows): accepted, as a person who looked would.
    impute = [
        "--impute",
        "--imputations",
        str(m),
        "--accept",
        "sentinel-codes",
        "--accept",
        "duplicate-patients",
    ]
    return {
        "fit": ["fit", "--cohort", str(path), "--out", str(out / "fit"), *impute],
        "validate": ["validate", "--cohort", str(path), "--out", str(out / "report.html"), *impute],
        "recalibrate": ["recalibrate", "--cohort", str(path), "--out", str(out / "recal"), *impute],
    }


def run(quick: bool) -> list[Figure]:
    scratch = scratch_dir("registry-scale")
    small, large = (100, 300) if quick else (1_000, 10_000)
    m = 2 if quick else IMPUTATIONS
    seconds: dict[str, dict[int, float]] = {}
    for n in (small, large):
        path = generated_cohort(n, scratch / f"synthetic_registry_{n}.csv")
        for name, args in commands(path, scratch / f"out_{n}", m).items():
            print(f"  {n:,} rows: {name} with {m} imputations ...", flush=True)  # progress
            seconds.setdefault(name, {})[n] = time_training(args, GOAL_SECONDS * 3)
            print(f"  {n:,} rows: {name} {seconds[name][n]:.0f} s", flush=True)
    return [
        scale_figure(
            f"registry_scale.{name}",
            COMMAND,
            f"Registry: wall time of `python -m training {name} --impute`",
            t,
            GOAL_SECONDS,
            quick,
            f"x{t[large] / t[small]:.1f} for x{large // small} rows; {m} imputations; "
            f"{int(KPS_MISSING * 100)}% of KPS missing",
        )
        for name, t in seconds.items()
    ]


if __name__ == "__main__":
    raise SystemExit(main("registry_scale", run))
