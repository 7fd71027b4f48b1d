"""The production stack as shipped (deploy/): Debian's nginx, TLS, in front of real gunicorn.

Started by deploy.stack.production_stack on loopback with a self-signed certificate made by
openssl, as `make stack` runs it. Checks: TLS end to end; one set of security headers on every
answer, whether the app, gunicorn or nginx wrote it; the hostile-request corpus through the proxy
with no patient value in any log; and 16 slow, idle and never-closing clients held open together
for 60 s cost no health check. Bounded: every socket has a timeout and every loop a deadline.
"""

from __future__ import annotations

import collections
import http.client
import json
import shutil
import socket
import ssl
import subprocess
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from urllib.parse import urlsplit

import pytest
from hostile_requests import CORPUS, MARKER, exchange, status_of
from live import free_port

from bench.common import nginx
from calculator.headers import TLS_ONLY, security_headers
from deploy.nginx import EXAMPLE, Site, render
from deploy.stack import production_stack

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(
        shutil.which("nginx") is None and shutil.which("/usr/sbin/nginx") is None,
        reason="nginx is not installed: `make nginx`",
    ),  # fmt: skip
]

HEADERS = {**security_headers("'self'"), **TLS_ONLY}
GOOD = {"kps": 70, "other_metastases": True, "mccormick_grade": 3, "resection": "gross_total",
        "compartment": "intramedullary"}  # fmt: skip
API = b"POST /api/v1/estimate HTTP/1.1\r\nHost: 127.0.0.1\r\n"
JSON_TYPE = b"Content-Type: application/json\r\n"
SLOW_SECONDS = 60
ATTACKER = "127.0.0.2"  # the slow clients' address; the health checks come from 127.0.0.1


@pytest.fixture(scope="module")
def stack(tmp_path_factory):
    with production_stack(tmp_path_factory.mktemp("stack"), env={"WEB_CONCURRENCY": "2"}) as running:
        yield running


def https_request(stack, method, path, body=None, headers=None, source="127.0.0.1", timeout=10):
    """(status, [(name, value), ...] with repeats kept, body) over verified TLS."""
    url = urlsplit(stack.https)
    conn = http.client.HTTPSConnection(
        url.hostname, url.port, timeout=timeout, context=stack.context(), source_address=(source, 0)
    )
    try:
        conn.request(method, path, body=body, headers=headers or {})
        response = conn.getresponse()
        return response.status, response.getheaders(), response.read()
    finally:
        conn.close()


def assert_one_set_of_headers(header_list, what, cache_control=True):
    names = collections.Counter(name.lower() for name, _ in header_list)
    values = {name.lower(): value for name, value in header_list}
    for name, value in HEADERS.items():
        assert names[name.lower()] == 1, (what, name, names[name.lower()])
        assert values[name.lower()] == value, (what, name)
    if cache_control:
        assert values.get("cache-control") == "no-store", what


def test_the_shipped_example_is_the_rendering_of_its_defaults():
    """deploy/calculator.conf cannot drift from the template or from calculator/headers.py."""
    assert EXAMPLE.read_text(encoding="utf-8") == render(Site())


def test_tls_end_to_end(stack):
    url = urlsplit(stack.https)
    raw = socket.create_connection((url.hostname, url.port), timeout=10)
    with stack.context().wrap_socket(raw, server_hostname="127.0.0.1") as tls:  # certificate verified
        assert tls.version() in ("TLSv1.2", "TLSv1.3")
    for version, spoken in [("-tls1_3", True), ("-tls1_2", True), ("-tls1_1", False), ("-tls1", False)]:
        assert handshake(url.port, version) == spoken, version
    json_type = {"Content-Type": "application/json"}
    status, _, body = https_request(stack, "POST", "/api/v1/estimate", json.dumps(GOOD), json_type)
    assert status == 200 and 0 < json.loads(body)["survival_90d"] < 1
    form = "kps=70&other_metastases=yes&mccormick_grade=3&resection=gross_total&compartment=intramedullary"
    form_type = {"Content-Type": "application/x-www-form-urlencoded"}
    status, _, body = https_request(stack, "POST", "/", form, form_type)
    assert status == 200 and b"Estimated 90-day survival:" in body
    http_url = urlsplit(stack.http)
    conn = http.client.HTTPConnection(http_url.hostname, http_url.port, timeout=10)
    conn.request("GET", "/model?kps=70")
    response = conn.getresponse()
    assert response.status == 301 and response.getheader("Location") == stack.https + "/"
    assert_one_set_of_headers(response.getheaders(), "redirect")
    conn.close()


def handshake(port: int, version: str) -> bool:
    """Whether the server completes a handshake in one protocol version (openssl s_client, with
    the client's own security level lowered so that only the server can refuse an old version)."""
    run = subprocess.run(
        ["openssl", "s_client", "-connect", f"127.0.0.1:{port}", version, "-cipher", "DEFAULT@SECLEVEL=0"],
        input=b"", capture_output=True, timeout=20,
    )  # fmt: skip
    return run.returncode == 0 and b"Cipher is (NONE)" not in run.stdout


def test_every_answer_carries_one_set_of_headers(stack):
    """Answers the app writes, and answers nginx writes itself, which carry them only because
    deploy/ adds them with `always`."""
    json_type = {"Content-Type": "application/json"}
    app_answers = {
        "page": ("GET", "/", None, {}),
        "model page": ("GET", "/model", None, {}),
        "health": ("GET", "/healthz", None, {}),
        "API": ("POST", "/api/v1/estimate", json.dumps(GOOD), json_type),
        "app 400 (bad input)": ("POST", "/api/v1/estimate", "{", json_type),
        "app 400 (Host not trusted)": ("GET", "/", None, {"Host": "evil.example"}),
        "app 404": ("GET", "/no-such-page", None, {}),
        "app 405": ("DELETE", "/", None, {}),
    }
    for what, (method, path, body, headers) in app_answers.items():
        status, header_list, _ = https_request(stack, method, path, body, headers)
        assert status < 500, what
        assert_one_set_of_headers(header_list, what)
    status, header_list, _ = https_request(stack, "GET", "/static/style.css")
    assert status == 200
    assert_one_set_of_headers(header_list, "static", cache_control=False)

    host = b"Host: 127.0.0.1\r\n"
    proxy_answers = {
        "413 body too large": (API + JSON_TYPE + b"Content-Length: 20000\r\n\r\n", 413),
        "414 URI too long": (b"GET /" + b"a" * 6000 + b" HTTP/1.1\r\n" + host + b"\r\n", 414),
        "400 header too large": (b"GET / HTTP/1.1\r\n" + host + b"X-Big: " + b"a" * 5000 + b"\r\n\r\n", 400),
        "400 not HTTP": (b"GARBAGE\r\n\r\n", 400),
        "400 malformed chunk": (API + JSON_TYPE + b"Transfer-Encoding: chunked\r\n\r\nzz\r\n\r\n", 400),
    }
    port = urlsplit(stack.https).port
    for what, (raw, expected) in proxy_answers.items():
        answer = exchange("127.0.0.1", port, raw, tls=True)
        assert status_of(answer) == expected, (what, answer[:200])
        assert_one_set_of_headers(parse_headers(answer), what)
    plain = exchange("127.0.0.1", port, b"GET / HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")  # HTTP to the TLS port
    assert status_of(plain) == 400
    assert_one_set_of_headers(parse_headers(plain), "plain HTTP to the TLS port")

    # 429: past the per-address burst, from an address of its own (not the other tests').
    statuses = collections.Counter()
    url = urlsplit(stack.https)
    conn = http.client.HTTPSConnection(url.hostname, url.port, timeout=10, context=stack.context(),
                                       source_address=("127.0.0.3", 0))  # fmt: skip
    for _ in range(80):
        conn.request("GET", "/healthz")
        response = conn.getresponse()
        response.read()
        statuses[response.status] += 1
        if response.status == 429:
            assert_one_set_of_headers(response.getheaders(), "429 rate limited")
    conn.close()
    assert statuses[429] > 0 and statuses[200] >= 40, statuses


def test_502_when_gunicorn_is_down_carries_the_headers(stack, tmp_path):
    """The proxy's own answer when the app is not there (a crashed or restarting service)."""
    port = free_port()
    site = Site(
        server_name="127.0.0.1",
        https_listen=f"127.0.0.1:{port}",
        http_listen=f"127.0.0.1:{free_port()}",
        public_url=f"https://127.0.0.1:{port}",
        certificate=str(stack.certificate),
        certificate_key=str(stack.certificate.with_name("key.pem")),
        upstream=f"127.0.0.1:{free_port()}",  # nothing listens there
        access_log=str(tmp_path / "access.log"),
        error_log=str(tmp_path / "error.log"),
    )
    with nginx(render(site), tmp_path / "nginx", None):
        answer = exchange("127.0.0.1", port, b"GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n", tls=True)
    assert status_of(answer) == 502
    assert_one_set_of_headers(parse_headers(answer), "502")


def parse_headers(answer: bytes) -> list[tuple[str, str]]:
    head = answer.split(b"\r\n\r\n", 1)[0].decode("latin-1").split("\r\n")[1:]
    return [tuple(part.strip() for part in line.split(":", 1)) for line in head if ":" in line]


def test_hostile_corpus_through_the_proxy_reaches_no_log(stack):
    port = urlsplit(stack.https).port

    def send(case):
        return case, exchange("127.0.0.1", port, case.raw, tls=True, timeout=25)

    # Concurrently: a body shorter than announced has no half-close over TLS, so it ends by the
    # proxy's 10 s body timeout; one at a time that would be a minute.
    with ThreadPoolExecutor(max_workers=len(CORPUS)) as pool:
        for case, answer in pool.map(send, CORPUS):
            assert status_of(answer) in (*case.answers, 400, None), (case.name, answer[:200])
            if case.forwarded:
                assert b"evil.example" not in answer and b"/elsewhere" not in answer, case.name
    time.sleep(0.5)  # let the servers write their log lines
    for log in (stack.access_log, stack.error_log, stack.gunicorn_log):
        text = log.read_text(encoding="utf-8", errors="replace") if log.exists() else ""
        assert MARKER not in text, log
        assert "Traceback" not in text, log


# --- 16 slow, idle and never-closing clients for 60 s -------------------------------------------------


def _hold(kind: str, port: int, context: ssl.SSLContext, deadline: float, stats: collections.Counter):
    """One hostile client: keeps a connection of its kind open until the server drops it, then
    opens another, until the deadline."""
    while time.monotonic() < deadline:
        try:
            sock = socket.create_connection(("127.0.0.1", port), timeout=3, source_address=(ATTACKER, 0))
            if kind != "idle":  # the others speak TLS, then misbehave in HTTP
                sock = context.wrap_socket(sock, server_hostname="127.0.0.1")
        except OSError:
            count(stats, f"{kind}: refused")
            time.sleep(0.5)
            continue
        count(stats, f"{kind}: connections")
        try:
            with sock:
                if kind == "slow-header":
                    sock.sendall(API)
                elif kind == "slow-body":
                    sock.sendall(API + JSON_TYPE + b"Content-Length: 10000\r\n\r\n{")
                elif kind == "never-closing":
                    body = json.dumps(GOOD).encode()
                    sock.sendall(API + JSON_TYPE + b"Content-Length: %d\r\n\r\n%s" % (len(body), body))
                n = 0
                while time.monotonic() < deadline:
                    time.sleep(2)
                    n += 1
                    if kind == "slow-header":
                        sock.sendall(b"X-Slow-%d: 1\r\n" % n)
                    elif kind == "slow-body":
                        sock.sendall(b" ")
                    elif kind == "idle" and _closed(sock):
                        break
                    # never-closing: reads nothing, sends nothing more, never closes its end
        except OSError:
            pass  # the server dropped it (timeout or limit): open the next one
    count(stats, f"{kind}: done")


COUNTING = threading.Lock()


def count(stats: collections.Counter, key: str) -> None:
    with COUNTING:  # 16 threads count into one Counter
        stats[key] += 1


def _closed(sock) -> bool:
    sock.setblocking(False)
    try:
        return sock.recv(1) == b""
    except BlockingIOError:
        return False
    finally:
        sock.setblocking(True)


def test_slow_and_idle_clients_cost_no_health_check(stack, tmp_path):
    port = urlsplit(stack.https).port
    context = ssl.create_default_context(cafile=str(stack.certificate))
    stats = collections.Counter()
    deadline = time.monotonic() + SLOW_SECONDS
    kinds = ["idle", "slow-header", "slow-body", "never-closing"] * 4  # 16 clients
    threads = [
        threading.Thread(target=_hold, args=(k, port, context, deadline, stats), daemon=True) for k in kinds
    ]
    for thread in threads:
        thread.start()
    time.sleep(1)  # all 16 hold their connections before the first check
    checks, failures, slowest = 0, [], 0.0
    while time.monotonic() < deadline:
        started = time.monotonic()
        try:
            if checks % 5 == 4:  # every fifth check is a whole estimate, so gunicorn computes too
                status, _, body = https_request(stack, "POST", "/api/v1/estimate", json.dumps(GOOD),
                                                {"Content-Type": "application/json"}, timeout=5)  # fmt: skip
            else:
                status, _, body = https_request(stack, "GET", "/healthz", timeout=5)
            if status != 200:
                failures.append(status)
        except OSError as e:
            failures.append(type(e).__name__)
        slowest = max(slowest, time.monotonic() - started)
        checks += 1
        time.sleep(max(0.0, 0.5 - (time.monotonic() - started)))
    for thread in threads:
        thread.join(timeout=10)
    summary = {"checks": checks, "failed": len(failures), "slowest_s": round(slowest, 3), **stats}
    (tmp_path / "slow-clients.json").write_text(json.dumps(summary, indent=2))
    print(f"slow clients through nginx: {summary}")
    assert not failures, summary
    assert checks >= SLOW_SECONDS, summary
    for kind in set(kinds):
        assert stats[f"{kind}: connections"] >= 1 and stats[f"{kind}: done"] == 4, summary


def test_the_limits_security_md_states_are_the_rendered_ones():
    """docs/security.md: per address 20 requests in progress, 10 a second with a burst of 40."""
    site = render(Site())
    assert "limit_conn calculator_conn 20;" in site
    assert "rate=10r/s;" in site and "burst=40 nodelay;" in site
