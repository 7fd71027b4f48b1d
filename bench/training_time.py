"""Training: wall time of the default fit, `python -m training fit --out DIR`, on this machine.

The default fit reconstructs the synthetic cohort and runs every step the shipped model went
through (cross-validated choice of C, bootstrap, validation, export) into a scratch directory; the
shipped models/ is never touched. One run: at minutes it is the neighbours' load, not the noise of
a short timing, that moves it, so the load average at start is recorded with it. Quick mode times
`python -m training reconstruct` instead (seconds), to keep the script working.
"""

from __future__ import annotations

import os

from bench.common import Figure, main, scratch_dir, time_training

COMMAND = ".venv/bin/python -m bench.training_time"
GOAL_SECONDS = 120


def run(quick: bool) -> list[Figure]:
    scratch = scratch_dir("training")
    if quick:
        seconds = time_training(["reconstruct", "--out", str(scratch / "quick_synthetic.csv")], 1800)
        what = "quick: `python -m training reconstruct` only, not the fit"
    else:
        seconds = time_training(["fit", "--out", str(scratch / "model")], 1800)
        what = f"`python -m training fit --out DIR`, {os.cpu_count()} cores"
    return [
        Figure(
            key="training",
            figure="Training: wall time of the default fit",
            goal=f"<= {GOAL_SECONDS} s",
            measured=f"{seconds:.0f} s",
            met=None if quick else seconds <= GOAL_SECONDS,
            command=COMMAND,
            detail=what,
        )
    ]


if __name__ == "__main__":
    raise SystemExit(main("training_time", run))
