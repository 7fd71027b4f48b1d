"""Stack ceiling ratio: requests/s of the API and of the result page over requests/s of /healthz.

One gunicorn with the shipped config (2 sync workers, preload) on 127.0.0.1, one load generator,
one run: the three endpoints are measured in interleaved rounds and each round gives a ratio, so a
neighbour's load that comes and goes shifts all three alike. The median ratio is reported.

The load generator is `wrk` (Debian: `apt-get install -y wrk`; `make bench` installs it): a
C client that stays far below the server's CPU use on 2 cores. Without it, a Python client
(http.client in two processes) stands in and the figure is marked as such: that client costs about
as much CPU as the server, so it flatters the ratios.
"""

from __future__ import annotations

import http.client
import json
import multiprocessing
import re
import shutil
import subprocess
import time
import urllib.parse
import urllib.request

from bench.common import FORM, PATIENT, Figure, gunicorn, main, median, scratch_dir

COMMAND = ".venv/bin/python -m bench.stack"
CONNECTIONS = 4  # two per sync worker: one in service, one queued, so no worker ever idles
JSON_BODY = json.dumps(PATIENT)
FORM_BODY = urllib.parse.urlencode(FORM)
ENDPOINTS = {
    # name: (method, path, content type, body)
    "healthz": ("GET", "/healthz", None, None),
    "api": ("POST", "/api/v1/estimate", "application/json", JSON_BODY),
    "page": ("POST", "/", "application/x-www-form-urlencoded", FORM_BODY),
}


def lua_script(method: str, content_type: str | None, body: str | None) -> str:
    lines = [f'wrk.method = "{method}"']
    if body is not None:
        lines.append(f"wrk.body = {json.dumps(body)}")  # a JSON string literal is a Lua string literal
        lines.append(f'wrk.headers["Content-Type"] = "{content_type}"')
    return "\n".join(lines) + "\n"


def wrk_rate(base: str, endpoint: str, seconds: float, scratch) -> float:
    """Requests/s that wrk sustains for `seconds`; RuntimeError on any non-2xx answer or socket
    error (a timeout, at 10 s, means the machine is far too busy to measure anything)."""
    method, path, content_type, body = ENDPOINTS[endpoint]
    script = scratch / f"{endpoint}.lua"
    script.write_text(lua_script(method, content_type, body), encoding="utf-8")
    out = subprocess.run(
        [
            "wrk",
            "-t1",
            f"-c{CONNECTIONS}",
            f"-d{seconds}s",
            "--timeout",
            "10s",
            "-s",
            str(script),
            base + path,
        ],
        capture_output=True,
        text=True,
        check=True,
        timeout=seconds + 30,
    ).stdout
    if "Non-2xx" in out or re.search(r"Socket errors:.*(connect|read|write|timeout) [1-9]", out):
        raise RuntimeError(f"wrk saw errors on {endpoint}:\n{out}")
    return float(re.search(r"Requests/sec:\s*([\d.]+)", out).group(1))


def _client(args) -> int:
    """One Python client process: as many requests as it can until the deadline (keep-alive when
    the server allows it; gunicorn's sync workers close after each answer, so it reconnects)."""
    host, port, endpoint, deadline = args
    method, path, content_type, body = ENDPOINTS[endpoint]
    headers = {"Content-Type": content_type} if content_type else {}
    done = 0
    conn = http.client.HTTPConnection(host, port, timeout=10)
    while time.monotonic() < deadline:
        conn.request(method, path, body=body, headers=headers)
        response = conn.getresponse()
        response.read()
        if response.status != 200:
            raise RuntimeError(f"{endpoint}: HTTP {response.status}")
        done += 1
        if response.will_close:
            conn.close()
            conn = http.client.HTTPConnection(host, port, timeout=10)
    conn.close()
    return done


def python_rate(base: str, endpoint: str, seconds: float, processes: int = 2) -> float:
    parsed = urllib.parse.urlsplit(base)
    start = time.monotonic()
    deadline = start + seconds
    with multiprocessing.get_context("spawn").Pool(processes) as pool:
        done = sum(pool.map(_client, [(parsed.hostname, parsed.port, endpoint, deadline)] * processes))
    return done / (time.monotonic() - start)


def check_answers(base: str) -> None:
    """Each endpoint answers what it should before it is timed (an error page is fast, and wrong)."""
    expected = {"healthz": b'"status":"ok"', "api": b'"survival_90d"', "page": b'id="result"'}
    for name, (method, path, content_type, body) in ENDPOINTS.items():
        request = urllib.request.Request(base + path, data=body and body.encode(), method=method)
        if content_type:
            request.add_header("Content-Type", content_type)
        with urllib.request.urlopen(request, timeout=10) as response:
            if expected[name] not in response.read():
                raise RuntimeError(f"{method} {path} did not answer as expected")


def run(quick: bool) -> list[Figure]:
    rounds, seconds = (1, 1) if quick else (5, 6)
    use_wrk = shutil.which("wrk") is not None
    if not use_wrk:
        print(
            "  note: wrk is not installed (Debian: `apt-get install -y wrk`, or `make bench`); "
            "falling back to a Python client, which competes with the server for the 2 cores"
        )
    scratch = scratch_dir("stack")
    ratios = {"api": [], "page": []}
    rates = {name: [] for name in ENDPOINTS}
    with gunicorn(scratch / "gunicorn.log") as (base, _):
        check_answers(base)
        for _ in range(rounds):
            for name in ENDPOINTS:
                rate = wrk_rate(base, name, seconds, scratch) if use_wrk else python_rate(base, name, seconds)
                rates[name].append(rate)
            for name in ratios:
                ratios[name].append(rates[name][-1] / rates["healthz"][-1])
    client = f"wrk -t1 -c{CONNECTIONS}" if use_wrk else "Python client (wrk absent: ratios flattered)"
    figures = []
    for name, label, goal in [("api", "POST /api/v1/estimate", 0.6), ("page", "result page (POST /)", 0.4)]:
        ratio = median(ratios[name])
        figures.append(
            Figure(
                key=f"stack.{name}",
                figure=f"Stack ceiling ratio: {label} req/s / GET /healthz req/s",
                goal=f">= {goal}",
                measured=f"{ratio:.2f}",
                met=ratio >= goal,
                command=COMMAND,
                detail=(
                    f"median of {rounds} rounds of {seconds} s: {median(rates[name]):.0f} vs "
                    f"{median(rates['healthz']):.0f} req/s; {client}"
                ),
            )
        )
    return figures


if __name__ == "__main__":
    raise SystemExit(main("stack", run))
