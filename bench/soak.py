"""Soak test: gunicorn with the shipped config under steady mixed load, on loopback, bounded.

    .venv/bin/python bench/soak.py            # 60 s, 32 concurrent clients (docs/reliability.md)
    .venv/bin/python bench/soak.py --quick    # 5 s: what CI runs (tests/test_soak.py)
    .venv/bin/python bench/soak.py --no-recycle  # the same, workers never recycled (memory growth)

Starts its own server (`gunicorn -c gunicorn.conf.py 'calculator:create_app()'`) on a free
127.0.0.1 port, warms each worker up, then runs the clients until the time is up (and never past
MAX_REQUESTS), stops the server and prints a JSON report: requests served, errors (any exception
or unexpected status), latency percentiles overall and per kind of request, and each worker's
resident memory (VmRSS) after warm-up and at the end. Goals: 0 errors, RSS growth under 10%.
The shipped config recycles a worker after ~5,000 requests (max_requests), which a full run
reaches; --no-recycle keeps the same workers throughout so that a leak would show in their RSS.
The figures are reported, not asserted: on a shared machine they move with its load.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from urllib.parse import urlencode

from bench.common import ROOT, free_port, stop
from bench.common import worker_pids as children

HOST = "127.0.0.1"  # loopback only: this script never sends a request anywhere else
MAX_REQUESTS = 200_000  # a hard cap besides the clock
GOOD_API = {"kps": 50, "other_metastases": True, "mccormick_grade": 4, "resection": "subtotal",
            "compartment": "intradural_extramedullary"}  # fmt: skip
GOOD_FORM = {**GOOD_API, "kps": "50", "other_metastases": "yes", "mccormick_grade": "4"}
BAD_API = json.dumps({**GOOD_API, "kps": "50"}).encode()  # a string where a number belongs
JSON, FORM = {"Content-Type": "application/json"}, {"Content-Type": "application/x-www-form-urlencoded"}

# (kind, weight, method, path, body, headers, expected status): what a day of use looks like,
# mostly estimates from the page and the API, some pages, some mistakes.
MIX = [
    ("api estimate", 35, "POST", "/api/v1/estimate", json.dumps(GOOD_API).encode(), JSON, 200),
    ("page estimate", 20, "POST", "/", urlencode(GOOD_FORM).encode(), FORM, 200),
    ("page", 15, "GET", "/", None, {}, 200),
    ("api bad input", 10, "POST", "/api/v1/estimate", BAD_API, JSON, 400),
    ("page bad input", 5, "POST", "/", urlencode({**GOOD_FORM, "kps": "55"}).encode(), FORM, 422),
    ("model page", 5, "GET", "/model", None, {}, 200),
    ("health", 5, "GET", "/healthz", None, {}, 200),
    ("static", 5, "GET", "/static/style.css", None, {}, 200),
]  # fmt: skip


def rss_kib(pid: int) -> int | None:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    except OSError:
        return None  # exited (recycled by max_requests)
    return None


def send(port: int, method: str, path: str, body: bytes | None, headers: dict) -> int:
    conn = http.client.HTTPConnection(HOST, port, timeout=60)
    try:
        conn.request(method, path, body=body, headers=headers)
        response = conn.getresponse()
        response.read()
        return response.status
    finally:
        conn.close()


def start_server(port: int, log: Path, recycle: bool = True) -> subprocess.Popen:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("CALCULATOR_", "FLASK_"))}
    env.update(PORT=str(port), BIND_HOST=HOST)
    command = [sys.executable, "-m", "gunicorn", "-c", "gunicorn.conf.py", "calculator:create_app()"]
    if not recycle:  # workers live through the whole soak, so their memory growth can be read
        command[-1:-1] = ["--max-requests", "0"]
    with open(log, "wb") as out:
        process = subprocess.Popen(command, cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT)
    workers = int(env.get("WEB_CONCURRENCY", "2"))
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"gunicorn exited with {process.returncode}: see {log}")
        try:
            if send(port, "GET", "/healthz", None, {}) == 200 and len(children(process.pid)) == workers:
                return process
        except OSError:
            pass
        time.sleep(0.2)
    process.kill()
    raise RuntimeError(f"gunicorn did not answer within 120 s: see {log}")


def percentiles(latencies_ms: list[float]) -> dict:
    if not latencies_ms:
        return {}
    cuts = statistics.quantiles(latencies_ms, n=100, method="inclusive")
    return {
        "p50": round(cuts[49], 1),
        "p95": round(cuts[94], 1),
        "p99": round(cuts[98], 1),
        "max": round(max(latencies_ms), 1),
    }


def soak(seconds: float, clients: int, recycle: bool = True, seed: int = 1) -> dict:
    port = free_port()
    scratch = Path(tempfile.mkdtemp(prefix="calculator-soak-"))
    log = scratch / "gunicorn.log"
    process = start_server(port, log, recycle)
    try:
        for _ in range(10):  # warm-up: every kind, through both workers, before memory is read
            for _, _, method, path, body, headers, _ in MIX:
                send(port, method, path, body, headers)
        workers = children(process.pid)
        rss_start = {pid: rss_kib(pid) for pid in workers}

        results: list[tuple[str, float, bool]] = []  # (kind, latency ms, ok)
        errors: dict[str, int] = {}
        lock = threading.Lock()
        deadline = time.monotonic() + seconds
        weights = [m[1] for m in MIX]

        def client(n: int) -> None:
            rng = random.Random(seed * 1000 + n)
            while time.monotonic() < deadline and len(results) < MAX_REQUESTS:
                kind, _, method, path, body, headers, expected = rng.choices(MIX, weights)[0]
                started = time.perf_counter()
                try:
                    status = send(port, method, path, body, headers)
                    problem = None if status == expected else f"{kind}: status {status}"
                except OSError as e:
                    problem = f"{kind}: {type(e).__name__}"
                elapsed = (time.perf_counter() - started) * 1000
                with lock:
                    results.append((kind, elapsed, problem is None))
                    if problem:
                        errors[problem] = errors.get(problem, 0) + 1

        threads = [threading.Thread(target=client, args=(n,), daemon=True) for n in range(clients)]
        started = time.monotonic()
        for t in threads:
            t.start()
        for t in threads:
            t.join(timeout=seconds + 120)
        wall = time.monotonic() - started
        workers_end = children(process.pid)
        rss_end = {pid: rss_kib(pid) for pid in workers_end}
    finally:
        stop(process, 30)
    if not errors:
        shutil.rmtree(scratch)

    total_start = sum(v for v in rss_start.values() if v)
    total_end = sum(v for v in rss_end.values() if v)
    same = [pid for pid in workers if pid in rss_end and rss_end[pid] and rss_start[pid]]
    growth = {str(pid): round(100 * (rss_end[pid] - rss_start[pid]) / rss_start[pid], 1) for pid in same}
    by_kind = {}
    for kind, *_ in MIX:
        latencies = [ms for k, ms, _ in results if k == kind]
        by_kind[kind] = {"requests": len(latencies), **percentiles(latencies)}
    return {
        "seconds": seconds,
        "clients": clients,
        "workers": len(workers),
        "wall_seconds": round(wall, 1),
        "requests": len(results),
        "requests_per_second": round(len(results) / wall, 1),
        "errors": sum(errors.values()),
        "error_kinds": errors,
        "latency_ms": percentiles([ms for _, ms, _ in results]),
        "by_kind": by_kind,
        "rss_kib_after_warmup": {str(pid): rss_start[pid] for pid in workers},
        "rss_kib_end": {str(pid): rss_end.get(pid) for pid in workers_end},
        "rss_growth_percent": growth,  # per worker that lived through the whole soak
        "rss_total_kib": {"after_warmup": total_start, "end": total_end},
        "rss_total_growth_percent": round(100 * (total_end - total_start) / total_start, 1),
        "max_requests_recycling": recycle,  # gunicorn.conf.py's max_requests; off with --no-recycle
        "workers_replaced": sorted(set(workers) - set(workers_end)),
        "load_average_at_end": round(os.getloadavg()[0], 1),
        "cores": os.cpu_count(),
        "log": str(log) if errors else None,  # kept only when there is something to look at
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=60.0)
    parser.add_argument("--clients", type=int, default=32)
    parser.add_argument("--quick", action="store_true", help="5 s: a check that the script works")
    parser.add_argument(
        "--no-recycle",
        action="store_true",
        help="disable gunicorn.conf.py's max_requests recycling, to read each worker's growth over the run",
    )
    parser.add_argument("--out", type=Path, help="also write the JSON report here")
    args = parser.parse_args(argv)
    seconds = 5.0 if args.quick else args.seconds
    if not 0 < seconds <= 3600 or not 0 < args.clients <= 256:
        parser.error("--seconds must be in (0, 3600] and --clients in 1..256")
    report = soak(seconds, args.clients, recycle=not args.no_recycle)
    text = json.dumps(report, indent=2)
    print(text)
    if args.out:
        args.out.write_text(text + "\n")
    return 0 if report["errors"] == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
