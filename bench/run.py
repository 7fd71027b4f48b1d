"""Run every benchmark and rewrite the table in docs/performance.md: `python -m bench.run`.

    python -m bench.run                 # full: about 10 minutes on 2 idle cores (the fit is most of it)
    python -m bench.run --quick         # seconds each, into a scratch dir (tests/test_bench_quick.py)
    python -m bench.run --only stack memory

Each benchmark runs in its own interpreter, one after another (never two at once: they would
measure each other), in the order below. A failing benchmark is reported and the others still run;
the exit status is non-zero if any failed. Run on an otherwise idle machine: every figure is a ratio
within one run, which absorbs steady load, but not load that comes and goes.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import time
from pathlib import Path

from bench.common import DOC, ROOT, scratch_dir

BENCHMARKS = [
    "estimate_cost",
    "cold_start",
    "stack",
    "memory",
    "page_weight",
    "first_estimate",
    "training_time",
    "registry_check",
    "registry_scale",
]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.run", description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="tiny sizes; write to a scratch dir, not docs/")
    parser.add_argument("--out-dir", type=Path, help="where --quick writes results.json and performance.md")
    parser.add_argument("--only", nargs="+", choices=BENCHMARKS, help="run only these")
    args = parser.parse_args(argv)
    out_dir = (args.out_dir or scratch_dir("quick")) if args.quick else None
    if out_dir:
        out_dir.mkdir(parents=True, exist_ok=True)
    failed = []
    for name in args.only or BENCHMARKS:
        command = [sys.executable, "-m", f"bench.{name}"]
        if args.quick:
            command += ["--quick", "--out-dir", str(out_dir)]
        start = time.monotonic()
        status = subprocess.run(command, cwd=ROOT).returncode
        outcome = "ok" if status == 0 else f"FAILED ({status})"
        print(f"bench.{name}: {outcome} in {time.monotonic() - start:.0f} s")
        if status:
            failed.append(name)
    print(f"table: {out_dir / 'performance.md' if out_dir else DOC}")
    if failed:
        print("failed: " + ", ".join(failed), file=sys.stderr)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
