"""Looking at a live gunicorn from outside (with tests/live.py's gunicorn_server): its workers and
their memory from /proc, and raw HTTP requests over loopback. Bounded: every wait has a deadline."""

from __future__ import annotations

import http.client
import os
import time
from pathlib import Path
from urllib.parse import urlsplit


def children(pid: int) -> list[int]:
    """Pids whose parent is `pid` (gunicorn's workers), from /proc."""
    kids = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue  # exited meanwhile
        if int(stat.rsplit(")", 1)[1].split()[1]) == pid:
            kids.append(int(entry.name))
    return sorted(kids)


def rss_kib(pid: int) -> int:
    """Resident memory of `pid` in KiB (VmRSS)."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    raise ValueError(f"no VmRSS for pid {pid}")


def request(base: str, method: str, path: str, body: bytes | None = None, headers: dict | None = None):
    """(status, headers dict, body) over a fresh loopback connection to `base` (http://127.0.0.1:port)."""
    url = urlsplit(base)
    assert url.hostname in ("127.0.0.1", "localhost"), "loopback only"
    conn = http.client.HTTPConnection(url.hostname, url.port, timeout=15)
    try:
        conn.request(method, path, body=body, headers=headers or {})
        response = conn.getresponse()
        return response.status, dict(response.getheaders()), response.read()
    finally:
        conn.close()


def wait_for(condition, timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise TimeoutError(f"gave up after {timeout} s waiting for {what}")
        time.sleep(0.05)


def clean_env(**extra: str) -> dict[str, str]:
    """os.environ without any calculator, Flask or gunicorn setting the caller did not ask for."""
    prefixes = ("CALCULATOR_", "FLASK_", "GUNICORN_")
    env = {k: v for k, v in os.environ.items() if not k.startswith(prefixes) and k != "WEB_CONCURRENCY"}
    return {**env, **extra}
