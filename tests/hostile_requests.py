"""A corpus of hostile requests, each carrying a patient value that must reach no log.

Shared by tests/test_hostile.py (gunicorn alone) and tests/test_deploy.py (nginx in front). Each
case is raw bytes sent as they are, then the client's side of the connection is closed (so that
a body shorter than announced ends, as when a client drops). `answers` are the statuses allowed;
an empty answer (the connection closed without one) is allowed only where listed as None.
"""

from __future__ import annotations

import socket
import ssl
from dataclasses import dataclass

MARKER = "KPS-MARKER-4417"  # stands for a patient's value: searched for in every log afterwards
FORM_BODY = (
    f"kps=70&other_metastases=yes&mccormick_grade=3&resection=gross_total&compartment={MARKER}"
).encode()
JSON_BODY = (
    '{"kps": 70, "other_metastases": true, "mccormick_grade": 3, "resection": "gross_total", '
    f'"compartment": "{MARKER}"}}'
).encode()
FORM = b"application/x-www-form-urlencoded"
JSON = b"application/json"


@dataclass(frozen=True)
class Hostile:
    name: str
    raw: bytes
    answers: tuple  # allowed statuses; None: the connection closed without an answer
    forwarded: bool = False  # a forwarded-header case: the page must name no other host


def _post(path: bytes, content_type: bytes, headers: bytes, body: bytes) -> bytes:
    return (
        b"POST " + path + b" HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: " + content_type + b"\r\n"
        b"Connection: close\r\n" + headers + b"\r\n" + body
    )


def _chunk(data: bytes) -> bytes:
    return b"%x\r\n%s\r\n" % (len(data), data)


def _get(headers: bytes) -> bytes:
    return b"GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n" + headers + b"\r\n"


CHUNKED = b"Transfer-Encoding: chunked\r\n"
CORPUS = [
    Hostile(
        "chunk size not hex", _post(b"/", FORM, CHUNKED, b"zz\r\n" + FORM_BODY + b"\r\n0\r\n\r\n"), (400,)
    ),
    Hostile(
        "chunk size quoting the body",
        _post(b"/", FORM, CHUNKED, FORM_BODY + b"\r\n" + FORM_BODY + b"\r\n0\r\n\r\n"),
        (400,),
    ),
    Hostile(
        "chunk without its terminator",
        _post(b"/", FORM, CHUNKED, b"%x\r\n" % len(FORM_BODY) + FORM_BODY + b"XX" + b"0\r\n\r\n"),
        (400,),
    ),
    Hostile(
        "chunked body cut short",
        _post(b"/", FORM, CHUNKED, b"%x\r\n" % (len(FORM_BODY) + 50) + FORM_BODY),
        (400, None),
    ),
    Hostile(
        "chunked body without its last chunk", _post(b"/", FORM, CHUNKED, _chunk(FORM_BODY)), (400, None)
    ),
    Hostile(
        "API chunk size not hex",
        _post(b"/api/v1/estimate", JSON, CHUNKED, b"zz\r\n" + JSON_BODY + b"\r\n0\r\n\r\n"),
        (400,),
    ),
    Hostile(
        "API chunk without its terminator",
        _post(b"/api/v1/estimate", JSON, CHUNKED, b"%x\r\n" % len(JSON_BODY) + JSON_BODY + b"XX0\r\n\r\n"),
        (400,),
    ),
    Hostile(
        "body shorter than its Content-Length",
        _post(b"/", FORM, b"Content-Length: %d\r\n" % (len(FORM_BODY) + 100), FORM_BODY),
        (400, None),
    ),
    Hostile(
        "API body shorter than its Content-Length",
        _post(b"/api/v1/estimate", JSON, b"Content-Length: %d\r\n" % (len(JSON_BODY) + 100), JSON_BODY),
        (400, None),
    ),
    Hostile(
        "Content-Length not a number",
        _post(b"/", FORM, b"Content-Length: " + MARKER.encode() + b"\r\n", FORM_BODY),
        (400,),
    ),
    Hostile(
        "Content-Length and chunked together",
        _post(b"/", FORM, b"Content-Length: 5\r\n" + CHUNKED, _chunk(FORM_BODY) + b"0\r\n\r\n"),
        (400,),
    ),
    Hostile(
        "header with a patient value and a bad name",
        _get(b"X-Bad Header: " + MARKER.encode() + b"\r\n"),
        (400,),
    ),
    Hostile(
        "patient value in a query string",
        _get(b"").replace(b"GET / ", b"GET /?kps=" + MARKER.encode() + b" "),
        (200,),
    ),
    Hostile("SCRIPT_NAME header", _get(b"SCRIPT_NAME: //evil.example\r\n"), (200,), forwarded=True),
    Hostile("SCRIPT_NAME header, a path", _get(b"SCRIPT_NAME: /elsewhere\r\n"), (200,), forwarded=True),
    Hostile("PATH_INFO header", _get(b"PATH_INFO: /model\r\n"), (200,), forwarded=True),
    Hostile(
        "forwarded host and scheme",
        _get(
            b"X-Forwarded-Host: evil.example\r\nX-Forwarded-Proto: https\r\nX-Forwarded-For: 203.0.113.9\r\n"
            b"Forwarded: for=203.0.113.9;host=evil.example;proto=https\r\n"
            b"X-Forwarded-Prefix: //evil.example\r\n"
        ),
        (200,),
        forwarded=True,
    ),
]


def exchange(host: str, port: int, raw: bytes, tls: bool = False, timeout: float = 20) -> bytes:
    """Send `raw` to a loopback server, close our sending side, and return the whole answer."""
    assert host in ("127.0.0.1", "localhost"), "loopback only"
    sock = socket.create_connection((host, port), timeout=timeout)
    if tls:
        context = ssl.create_default_context()
        context.check_hostname = False
        context.verify_mode = ssl.CERT_NONE  # the test's own self-signed certificate
        sock = context.wrap_socket(sock, server_hostname=host)
    with sock:
        sock.sendall(raw)
        if not tls:  # TLS has no half-close; the proxy's body timeout ends a short body there
            sock.shutdown(socket.SHUT_WR)
        chunks = []
        try:
            while chunk := sock.recv(65536):
                chunks.append(chunk)
        except (ConnectionResetError, ssl.SSLError):
            pass
    return b"".join(chunks)


def status_of(answer: bytes) -> int | None:
    if not answer:
        return None
    return int(answer.split(b" ", 2)[1])
