"""bench/soak.py keeps working: its --quick mode (5 s, 32 clients, loopback) in CI.

Asserts behaviour only (every request answered as expected, the report complete); the latency and
memory figures are reported by the full run in docs/reliability.md, never asserted.
"""

from __future__ import annotations

import json
import subprocess
import sys

import pytest
from live import ROOT

pytestmark = pytest.mark.slow


def test_quick_soak_serves_every_kind_of_request_without_error(tmp_path):
    out = tmp_path / "soak.json"
    run = subprocess.run(
        [sys.executable, "-m", "bench.soak", "--quick", "--out", str(out)],
        cwd=ROOT, capture_output=True, text=True, timeout=300,
    )  # fmt: skip
    report = json.loads(out.read_text())
    assert run.returncode == 0, (report["error_kinds"], run.stderr[-2000:])
    assert report["errors"] == 0 and report["requests"] > 0
    assert all(kind["requests"] > 0 for kind in report["by_kind"].values()), report["by_kind"]
    assert set(report["latency_ms"]) == {"p50", "p95", "p99", "max"}
    assert report["workers"] == 2 and len(report["rss_kib_after_warmup"]) == 2
    assert report["max_requests_recycling"] is True  # the shipped config, as it is
    assert all(v > 0 for v in report["rss_kib_end"].values())
