"""bench/ keeps working: `python -m bench.run --quick` runs every benchmark at a tiny size.

No figure is asserted (benchmarks are not tests, and this machine is shared); only that each
script runs to the end and reports every figure it owes into the scratch results, never into
docs/performance.md. The quick mode needs neither Streamlit (the peer is skipped) nor wrk (a
Python client stands in).
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
QUICK_FIGURES = {
    "stack.api",
    "stack.page",
    "estimate_cost",
    "cold_start",
    "page_weight.form",
    "page_weight.result",
    "first_estimate.ours",
    "training",
    "registry_check",
    "registry_scale.fit",
    "registry_scale.validate",
    "registry_scale.recalibrate",
    "memory",
}


@pytest.mark.slow
@pytest.mark.browser
def test_quick_bench_runs_every_benchmark_and_writes_only_its_scratch_dir(tmp_path):
    doc = ROOT / "docs" / "performance.md"
    committed = doc.read_bytes() if doc.exists() else None
    run = subprocess.run(
        [sys.executable, "-m", "bench.run", "--quick", "--out-dir", str(tmp_path)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=900,
    )
    assert run.returncode == 0, run.stdout[-3000:] + run.stderr[-3000:]
    results = json.loads((tmp_path / "results.json").read_text(encoding="utf-8"))
    assert set(results["figures"]) >= QUICK_FIGURES
    for figure in results["figures"].values():
        assert figure["measured"] and figure["command"].startswith(".venv/bin/python -m bench.")
        assert figure["met"] in (True, False, None)
    table = (tmp_path / "performance.md").read_text(encoding="utf-8")
    assert "| Figure | Goal | Measured | Met | How to re-run |" in table
    assert "skips the Streamlit peer" in run.stdout
    assert (doc.read_bytes() if doc.exists() else None) == committed  # quick never touches docs/
