"""Cold start: building the app in a fresh process over importing flask + sklearn alone.

Each sample is a fresh interpreter that times, from inside, either `create_app()` with its imports
(hash verification and model load included) or `import flask, sklearn`. Interpreter start-up is
outside both clocks: it is the same for both and not the app's doing. Samples alternate, so a
neighbour's load hits both alike; the ratio of the medians is reported.
"""

from __future__ import annotations

import os
import subprocess
import sys

from bench.common import ROOT, Figure, main, median

COMMAND = ".venv/bin/python -m bench.cold_start"
GOAL = 1.5
CLOCK = "import time; t = time.perf_counter(); {code}; print(time.perf_counter() - t)"
APP = "from calculator import create_app; create_app()"
BASELINE = "import flask, sklearn"


def sample(code: str) -> float:
    env = {k: v for k, v in os.environ.items() if not k.startswith("CALCULATOR_")}  # shipped defaults
    out = subprocess.run(
        [sys.executable, "-c", CLOCK.format(code=code)],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=True,
        timeout=120,
    ).stdout
    return float(out.strip().splitlines()[-1])


def run(quick: bool) -> list[Figure]:
    runs = 1 if quick else 9
    sample(APP)  # the first run after an edit also writes .pyc files: not a cold start's cost
    app, baseline = [], []
    for _ in range(runs):
        app.append(sample(APP))
        baseline.append(sample(BASELINE))
    ratio = median(app) / median(baseline)
    return [
        Figure(
            key="cold_start",
            figure="Cold start: create_app() / import flask + sklearn (fresh processes)",
            goal=f"<= {GOAL:g}",
            measured=f"{ratio:.2f}",
            met=ratio <= GOAL,
            command=COMMAND,
            detail=f"medians of {runs} runs: {median(app) * 1e3:.0f} ms vs {median(baseline) * 1e3:.0f} ms",
        )
    ]


if __name__ == "__main__":
    raise SystemExit(main("cold_start", run))
