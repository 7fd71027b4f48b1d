"""The live server: gunicorn with the shipped gunicorn.conf.py on loopback.

No software banner; limits enforced on the wire; generated bad input never costs a worker; a
worker killed under load is replaced while the other keeps answering; no patient value reaches
the access or error log. Bounded: every loop has a request count and every wait a deadline.
"""

from __future__ import annotations

import http.client
import json
import os
import signal
import socket
import threading
from urllib.parse import urlencode

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from live import gunicorn_server
from serverprobe import children, request, wait_for
from test_fuzz import api_payloads, form_pairs

pytestmark = pytest.mark.slow

GOOD = {"kps": 70, "other_metastases": True, "mccormick_grade": 3, "resection": "gross_total",
        "compartment": "intramedullary"}  # fmt: skip
JSON = {"Content-Type": "application/json"}
LIVE_EXAMPLES = 300  # generated requests against the live server (the 10,000 run in-process)


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    log = tmp_path_factory.mktemp("gunicorn") / "gunicorn.log"
    with gunicorn_server(env={"WEB_CONCURRENCY": "2"}, log_path=log, startup_seconds=60) as (base, master):
        wait_for(lambda: len(children(master.pid)) == 2, 30, "two workers")
        yield base, master


def raw_exchange(base: str, data: bytes) -> bytes:
    """Send bytes as they are (malformed HTTP included) and return what comes back."""
    host, port = base.removeprefix("http://").split(":")
    assert host == "127.0.0.1"
    with socket.create_connection((host, int(port)), timeout=15) as sock:
        sock.sendall(data)
        chunks = []
        while chunk := sock.recv(65536):
            chunks.append(chunk)
    return b"".join(chunks)


def _urlencode(pairs) -> bytes:
    return urlencode(pairs).encode()


# --- banner and headers on the wire -----------------------------------------------------------------


@pytest.mark.parametrize(
    "method, path, body, headers",
    [
        ("GET", "/", None, {}),
        ("GET", "/model", None, {}),
        ("GET", "/healthz", None, {}),
        ("GET", "/static/style.css", None, {}),
        ("GET", "/api/openapi.json", None, {}),
        ("POST", "/api/v1/estimate", json.dumps(GOOD).encode(), JSON),
        ("POST", "/api/v1/estimate", b"{", JSON),
        ("GET", "/nope", None, {}),
        ("GET", "/", None, {"Host": "evil.example"}),
    ],
)
def test_no_server_banner_and_security_headers_live(server, method, path, body, headers):
    status, got, _ = request(server[0], method, path, body, headers)
    assert status < 500
    assert got.get("Server", "calculator") == "calculator"  # names no software and no version
    assert not any("gunicorn" in v.lower() or "werkzeug" in v.lower() for v in got.values())
    assert "Set-Cookie" not in got
    assert (
        got["X-Content-Type-Options"] == "nosniff"
        and "frame-ancestors 'self'" in got["Content-Security-Policy"]
    )
    if not path.startswith("/static/"):
        assert got["Cache-Control"] == "no-store"


def test_gunicorn_own_error_pages_name_no_software(server):
    answer = raw_exchange(server[0], b"GET /" + b"a" * 5000 + b" HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
    head = answer.split(b"\r\n\r\n")[0].decode("latin-1")
    assert head.startswith("HTTP/1.1 4"), head
    assert "gunicorn" not in answer.decode("latin-1").lower()


# --- limits on the wire ----------------------------------------------------------------------------


def test_limits_live(server):
    base = server[0]
    padded = json.dumps(GOOD).encode() + b" " * 20_000
    assert request(base, "POST", "/api/v1/estimate", padded, JSON)[0] == 413
    text = {"Content-Type": "text/plain"}
    assert request(base, "POST", "/api/v1/estimate", json.dumps(GOOD).encode(), text)[0] == 415
    assert request(base, "GET", "/healthz", None, {"Host": "evil.example"})[0] == 400
    assert request(base, "GET", "/healthz", None, {"X-Big": "x" * 5000})[0] == 431  # limit_request_field_size
    chunked = b"".join(
        b"%x\r\n%s\r\n" % (len(part), part)
        for part in (padded[i : i + 4096] for i in range(0, len(padded), 4096))
    )
    answer = raw_exchange(
        base,
        b"POST /api/v1/estimate HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
        b"Transfer-Encoding: chunked\r\nConnection: close\r\n\r\n" + chunked + b"0\r\n\r\n",
    )
    assert answer.startswith(b"HTTP/1.1 413"), answer[:200]  # refused whole, not cut at 16 KiB


# --- generated input against the live server ----------------------------------------------------------


def test_generated_input_never_costs_a_worker(server):
    base, master = server
    workers = children(master.pid)
    statuses = []

    @settings(max_examples=LIVE_EXAMPLES, derandomize=True, database=None, deadline=None,
              suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])  # fmt: skip
    @given(
        st.one_of(
            api_payloads().map(lambda p: ("/api/v1/estimate", json.dumps(p).encode(), "application/json")),
            form_pairs().map(lambda pairs: ("/", _urlencode(pairs), "application/x-www-form-urlencoded")),
            st.tuples(
                st.sampled_from(["/", "/api/v1/estimate"]),
                st.binary(max_size=300),
                st.sampled_from(["application/json", "application/x-www-form-urlencoded", "text/plain"]),
            ),
        )  # fmt: skip
    )
    def run(case):
        path, body, content_type = case
        status, headers, answer = request(base, "POST", path, body, {"Content-Type": content_type})
        statuses.append(status)
        assert status in (200, 400, 413, 415, 422), (status, answer[:300])

    run()
    for garbage in (
        b"\x00\xff garbage\r\n\r\n",
        b"GET / HTTP/9.9\r\n\r\n",
        b"POST / HTTP/1.1\r\nContent-Length: -1\r\n\r\n",
    ):
        raw_exchange(base, garbage)  # malformed HTTP: gunicorn answers 400 or closes
    assert len(statuses) >= LIVE_EXAMPLES
    assert request(base, "GET", "/healthz")[0] == 200
    assert children(master.pid) == workers  # no worker died or was replaced along the way


# --- a worker killed under load ------------------------------------------------------------------------

CLIENTS = 4
MAX_REQUESTS_PER_CLIENT = 400


def test_killed_worker_is_replaced_and_requests_keep_succeeding(tmp_path):
    with gunicorn_server(env={"WEB_CONCURRENCY": "2"}, log_path=tmp_path / "g.log", startup_seconds=60) as (
        base,
        master,
    ):
        wait_for(lambda: len(children(master.pid)) == 2, 30, "two workers")
        victim, survivor = children(master.pid)
        results: list[bool] = []
        stop = threading.Event()
        body = json.dumps(GOOD).encode()

        def client():
            for _ in range(MAX_REQUESTS_PER_CLIENT):
                if stop.is_set():
                    return
                try:
                    results.append(request(base, "POST", "/api/v1/estimate", body, JSON)[0] == 200)
                except (OSError, http.client.HTTPException):  # reset, or cut mid-answer, by the kill
                    results.append(False)

        threads = [threading.Thread(target=client, daemon=True) for _ in range(CLIENTS)]
        for t in threads:
            t.start()
        try:
            wait_for(lambda: len(results) >= 40, 60, "load before the kill")
            os.kill(victim, signal.SIGKILL)
            killed_at = len(results)
            wait_for(lambda: len(children(master.pid)) == 2 and victim not in children(master.pid), 60,
                     "gunicorn to replace the killed worker")  # fmt: skip
            replaced_at = len(results)
            wait_for(lambda: len(results) >= replaced_at + 100 or not any(t.is_alive() for t in threads), 120,
                     "load after the replacement")  # fmt: skip
        finally:
            stop.set()
            for t in threads:
                t.join(timeout=30)
        after = children(master.pid)
        assert request(base, "GET", "/healthz")[0] == 200
    assert survivor in after and victim not in after
    # A sync worker holds one request at a time: only the one it had in flight may fail.
    assert results.count(False) <= 1, (results.count(False), killed_at, replaced_at)
    assert sum(results[killed_at:]) >= 100  # and the rest kept succeeding through the replacement
    # Every request after the replacement succeeds. The killed worker's own request may be recorded
    # a little late on a busy machine (its client thread runs after the replacement is seen), so
    # the check starts past the CLIENTS requests that can have been in flight then.
    assert all(results[replaced_at + CLIENTS :])


# --- no patient value in the logs -------------------------------------------------------------------

MARK = "QZXV7"  # in every value sent; appears nowhere in the code, the templates or gunicorn
# Words that only ever travel in request bodies or query strings.
INPUT_WORDS = [
    *("kps", "other_metastases", "mccormick", "resection", "compartment", "ecog", "prefill"),
    *("gross_total", "subtotal", "biopsy", "intramedullary", "intradural_extramedullary"),
]
FORM = {"Content-Type": "application/x-www-form-urlencoded"}
GOOD_FORM = {"kps": "70", "other_metastases": "yes", "mccormick_grade": "3", "resection": "gross_total",
             "compartment": "intradural_extramedullary"}  # fmt: skip


def _json(payload) -> bytes:
    return json.dumps(payload).encode()


LOGGED_CASES = [  # (method, path, body, headers): valid and invalid, page and API
    ("POST", "/", _urlencode(GOOD_FORM), FORM),
    ("POST", "/", _urlencode({**GOOD_FORM, "kps": f"{MARK}-70"}), FORM),
    ("POST", "/", _urlencode({**GOOD_FORM, "prefill": "1", "ecog": MARK}), FORM),
    ("POST", "/api/v1/estimate", _json(GOOD), JSON),
    ("POST", "/api/v1/estimate", _json({**GOOD, "kps": f"{MARK}-70", f"{MARK}-extra": 1}), JSON),
    ("POST", "/api/v1/estimate", _json({**GOOD, "kps": MARK}), {"Content-Type": "text/plain"}),
    ("POST", "/api/v1/estimate", f'{{"kps": 70, "kps": "{MARK}"}}'.encode(), JSON),
    ("POST", "/api/v1/estimate", _json({"kps": MARK}) + b" " * 20_000, JSON),
    ("GET", f"/?kps=70&mccormick_grade=3&note={MARK}", None, {}),
    ("GET", f"/model?resection=gross_total&{MARK}=1", None, {"Referer": f"https://ehr.example/{MARK}"}),
    ("GET", "/healthz", None, {"User-Agent": f"{MARK}-agent", "X-Forwarded-For": MARK}),
    ("GET", "/", None, {"Host": f"{MARK}.example"}),
]
UNPARSABLE = [  # refused by gunicorn itself, before the app
    b"GET /?kps=" + MARK.encode() + b"x" * 5000 + b" HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n",
    b"GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nX-" + MARK.encode() + b": " + b"y" * 5000 + b"\r\n\r\n",
    b"GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nBad Header " + MARK.encode() + b"\r\n\r\n",
    b"GET /?kps=" + MARK.encode() + b" HTTP/1.1 extra\r\nHost: 127.0.0.1\r\n\r\n",  # bad request line
    b"G\x00T /?kps=" + MARK.encode() + b" HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n",  # bad method
    b"GET /?kps=" + MARK.encode() + b" HTTP/7.1\r\nHost: 127.0.0.1\r\n\r\n",  # bad version
]


def test_no_patient_value_in_access_or_error_log(tmp_path):
    """The shipped config logs the path (never the query string) and no body: prove it, for
    valid and invalid input on the page and the API, odd headers and unparsable requests."""
    log = tmp_path / "gunicorn.log"  # gunicorn's stdout (access log) and stderr (error log)
    with gunicorn_server(log_path=log, startup_seconds=60) as (base, _):
        for method, path, body, headers in LOGGED_CASES:
            assert request(base, method, path, body, headers)[0] < 500
        for raw in UNPARSABLE:
            raw_exchange(base, raw)
    text = log.read_text(errors="replace")
    assert text.count('"POST / HTTP/1.1"') == 3 and text.count('"POST /api/v1/estimate HTTP/1.1"') == 5, text
    assert text.count("(request text withheld)") == len(UNPARSABLE), text  # the events stay logged
    assert MARK not in text, [line for line in text.splitlines() if MARK in line]
    for word in INPUT_WORDS:
        assert word not in text.lower(), [line for line in text.splitlines() if word in line.lower()]
