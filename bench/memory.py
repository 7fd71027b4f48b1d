"""Memory: resident memory (VmRSS) of each gunicorn worker after 1,000 requests.

The shipped config (2 sync workers, the app preloaded in the master) on loopback; 1,000 requests
alternating between the result page and the API (the two that estimate), sent one at a time from
this process, then /proc/PID/status of every worker. The largest worker's VmRSS is the figure.
RSS counts pages shared with the master (the preloaded model and libraries) in every worker, so
the Pss from smaps_rollup (shared pages divided among the sharers) is given beside it.
"""

from __future__ import annotations

import http.client
import json
import urllib.parse
from pathlib import Path

from bench.common import FORM, PATIENT, Figure, gunicorn, main, scratch_dir, worker_pids

COMMAND = ".venv/bin/python -m bench.memory"
GOAL_MB = 150
REQUESTS = [
    ("POST", "/", urllib.parse.urlencode(FORM), "application/x-www-form-urlencoded"),
    ("POST", "/api/v1/estimate", json.dumps(PATIENT), "application/json"),
]


def kib(path: Path, field: str) -> int:
    for line in path.read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1])
    raise KeyError(f"{field} not in {path}")


def send(base: str, count: int) -> None:
    parsed = urllib.parse.urlsplit(base)
    for i in range(count):
        method, path, body, content_type = REQUESTS[i % len(REQUESTS)]
        conn = http.client.HTTPConnection(parsed.hostname, parsed.port, timeout=30)
        try:
            conn.request(method, path, body=body, headers={"Content-Type": content_type})
            response = conn.getresponse()
            response.read()
            if response.status != 200:
                raise RuntimeError(f"{method} {path}: HTTP {response.status}")
        finally:
            conn.close()


def run(quick: bool) -> list[Figure]:
    count = 20 if quick else 1000
    scratch = scratch_dir("memory")
    with gunicorn(scratch / "gunicorn.log") as (base, master):
        send(base, count)
        workers = worker_pids(master.pid)
        rss = {pid: kib(Path(f"/proc/{pid}/status"), "VmRSS") for pid in workers}
        pss = {pid: kib(Path(f"/proc/{pid}/smaps_rollup"), "Pss") for pid in workers}
        master_rss = kib(Path(f"/proc/{master.pid}/status"), "VmRSS")
    largest = max(rss, key=rss.get)
    mb = rss[largest] / 1024
    return [
        Figure(
            key="memory",
            figure=f"Memory: VmRSS of one gunicorn worker after {count:,} requests",
            goal=f"<= {GOAL_MB} MB",
            measured=f"{mb:.0f} MB",
            met=mb <= GOAL_MB,
            command=COMMAND,
            detail=(
                f"largest of {len(workers)} workers; its Pss {pss[largest] / 1024:.0f} MB; "
                f"master {master_rss / 1024:.0f} MB"
            ),
        )
    ]


if __name__ == "__main__":
    raise SystemExit(main("memory", run))
