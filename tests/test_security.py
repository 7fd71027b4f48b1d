"""Security headers on every route, no cookies, Host checking, size and type limits, and the
settings production refuses (calculator/headers.py, calculator/settings.py, calculator/limits.py)."""

from __future__ import annotations

import io
import json
import re

import pytest

from calculator import StartupRefused, create_app
from calculator.artifact import PROJECT_ROOT
from calculator.settings import InsecureSetting, host_list

GOOD_API = {"kps": 70, "other_metastases": True, "mccormick_grade": 3, "resection": "gross_total",
            "compartment": "intramedullary"}  # fmt: skip
GOOD_FORM = {"kps": "70", "other_metastases": "yes", "mccormick_grade": "3", "resection": "gross_total",
             "compartment": "intramedullary"}  # fmt: skip
STATIC_FILES = sorted(p.name for p in (PROJECT_ROOT / "calculator" / "static").iterdir() if p.is_file())


def route_requests(app):
    """One request (method, path, kwargs) per method of every route in the URL map, with real
    inputs where a route takes them, plus the error answers (404, 405, 413, 415, 400 bad Host)."""
    requests = []
    for rule in app.url_map.iter_rules():
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            if rule.endpoint == "static":
                requests += [(method, f"/static/{name}", {}) for name in STATIC_FILES]
                continue
            path = re.sub(r"<(?:[^:<>]+:)?([^<>]+)>", "x", rule.rule)  # any other argument: "x"
            kwargs = {}
            if method == "POST" and rule.rule.startswith("/api/"):
                kwargs = {"json": GOOD_API}
            elif method == "POST":
                kwargs = {"data": GOOD_FORM}
            requests.append((method, path, kwargs))
    return requests + [
        ("GET", "/no-such-page", {}),
        ("GET", "/api/no-such-thing", {}),
        ("DELETE", "/", {}),
        ("PUT", "/api/v1/estimate", {}),
        ("POST", "/api/v1/estimate", {"data": " " * 20_000, "content_type": "application/json"}),
        ("POST", "/api/v1/estimate", {"data": "kps=70", "content_type": "text/plain"}),
        ("POST", "/", {"data": {"kps": "7" * 20_000}}),
        ("GET", "/", {"headers": {"Host": "evil.example"}}),
        ("POST", "/api/v1/estimate", {"json": GOOD_API, "headers": {"Host": "evil.example"}}),
    ]


def check_headers(response, path: str, frame_ancestors: str = "'self'") -> None:
    headers = response.headers
    csp = dict(
        (d.split(" ", 1) + [""])[:2]
        for d in (p.strip() for p in headers["Content-Security-Policy"].split(";"))
    )
    assert csp["default-src"] in ("'none'", "'self'"), csp
    for directive, sources in csp.items():
        assert "unsafe-inline" not in sources and "unsafe-eval" not in sources, directive
        assert "*" not in sources.split() and "data:" not in sources.split(), directive
    assert csp.get("script-src", "'self'") == "'self'"
    assert csp["frame-ancestors"] == frame_ancestors
    assert csp["base-uri"] == "'none'" and csp["form-action"] == "'self'"
    assert headers["X-Content-Type-Options"] == "nosniff"
    assert headers["Referrer-Policy"] == "no-referrer"
    assert headers["Cross-Origin-Opener-Policy"] == "same-origin"  # no other window gets a handle
    # Minimal Permissions-Policy: every feature it names is denied to everyone, "=()".
    policy = [p.strip() for p in headers["Permissions-Policy"].split(",")]
    assert policy and all(re.fullmatch(r"[a-z-]+=\(\)", p) for p in policy), policy
    if not path.startswith("/static/"):
        assert headers["Cache-Control"] == "no-store"  # anything that may carry patient values
    assert "Set-Cookie" not in headers
    assert "X-Frame-Options" not in headers  # the EHR frames the page; CSP frame-ancestors decides
    assert "Server" not in headers  # Flask sends none; gunicorn's is neutralised (test_server.py)


def test_every_route_and_error_sends_the_security_headers(app):
    client = app.test_client()
    requests = route_requests(app)
    assert {path for _, path, _ in requests} >= {
        "/",
        "/model",
        "/healthz",
        "/api/v1/estimate",
        "/api/openapi.json",
    }
    statuses = set()
    for method, path, kwargs in requests:
        with client.open(path, method=method, **kwargs) as response:
            assert response.status_code < 500, (method, path)
            statuses.add(response.status_code)
            check_headers(response, path)
    assert {200, 400, 404, 405, 413, 415} <= statuses


def test_frame_ancestors_come_from_the_setting(monkeypatch):
    monkeypatch.setenv("CALCULATOR_FRAME_ANCESTORS", "https://ehr.example.org")
    app = create_app({"TESTING": True})
    with app.test_client().get("/") as response:
        check_headers(response, "/", frame_ancestors="https://ehr.example.org")


def test_pages_have_no_inline_script_or_style(client):
    for path, kwargs in [("/", {}), ("/model", {}), ("/", {"method": "POST", "data": GOOD_FORM})]:
        html = client.open(path, **kwargs).get_data(as_text=True)
        for tag in re.findall(r"<script\b[^>]*>", html):
            assert re.search(r'\ssrc="/static/[^"]+"', tag), tag
        assert not re.search(r"<script\b[^>]*>\s*[^<\s]", html)  # no inline body after any script tag
        assert not re.search(r"\son[a-z]+=", html)  # no event-handler attributes
        assert not re.search(r"<style\b|\sstyle=", html)


# --- Host header -----------------------------------------------------------------------------------


@pytest.mark.parametrize("host", ["localhost", "127.0.0.1", "127.0.0.1:8000", "localhost:80"])
def test_default_trusted_hosts_are_loopback(client, host):
    assert client.get("/healthz", headers={"Host": host}).status_code == 200


@pytest.mark.parametrize(
    "host", ["evil.example", "localhost.evil.example", "evil.example:8000", "127.0.0.2", "local host"]
)
def test_other_hosts_get_400(client, host):
    assert client.get("/", headers={"Host": host}).status_code == 400
    response = client.post("/api/v1/estimate", json=GOOD_API, headers={"Host": host})
    assert response.status_code == 400
    assert list(response.get_json()["errors"]) == ["_body"]  # JSON under /api/, as every error


@pytest.mark.parametrize(
    "setting, served, refused",
    [
        ("calc.hospital.example", "calc.hospital.example", "localhost"),
        ("calc.hospital.example,ehr-tools.hospital.example", "ehr-tools.hospital.example", "evil.example"),
        ('["calc.hospital.example", ".tools.hospital.example"]', "a.tools.hospital.example", "tools.evil"),
    ],
)
def test_trusted_hosts_from_the_environment(monkeypatch, setting, served, refused):
    monkeypatch.setenv("CALCULATOR_TRUSTED_HOSTS", setting)
    client = create_app().test_client()
    assert client.get("/healthz", headers={"Host": served}).status_code == 200
    assert client.get("/healthz", headers={"Host": refused}).status_code == 400


@pytest.mark.parametrize(
    "value, expected",
    [
        ("a.example b.example", ["a.example", "b.example"]),
        ("a.example, b.example", ["a.example", "b.example"]),
        (["a.example"], ["a.example"]),
        ("", []),
    ],
)
def test_host_list(value, expected):
    assert host_list(value) == expected


@pytest.mark.parametrize("value", [42, None, [1, 2], {"a": 1}])
def test_host_list_refuses_what_is_not_host_names(value):
    with pytest.raises(InsecureSetting, match="CALCULATOR_TRUSTED_HOSTS"):
        host_list(value)


# --- Production refuses insecure settings --------------------------------------------------------


@pytest.mark.parametrize(
    "env, fragment",
    [
        ({"CALCULATOR_DEBUG": "true"}, "debug mode is on in production"),
        ({"FLASK_DEBUG": "1"}, "debug mode is on in production"),
        ({"CALCULATOR_TRUSTED_HOSTS": ""}, "CALCULATOR_TRUSTED_HOSTS is empty"),
        ({"CALCULATOR_TRUSTED_HOSTS": "[]"}, "CALCULATOR_TRUSTED_HOSTS is empty"),
        ({"CALCULATOR_TRUSTED_HOSTS": "42"}, "CALCULATOR_TRUSTED_HOSTS must list host names"),
        ({"CALCULATOR_FRAME_ANCESTORS": "*"}, "CALCULATOR_FRAME_ANCESTORS contains '*'"),
        ({"CALCULATOR_FRAME_ANCESTORS": "https:"}, "CALCULATOR_FRAME_ANCESTORS contains 'https:'"),
        ({"CALCULATOR_ENV": "prod", "CALCULATOR_DEBUG": "true"}, "debug mode"),  # anything but development
    ],
)
def test_production_refuses_insecure_settings(monkeypatch, env, fragment):
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    with pytest.raises(StartupRefused) as refused:
        create_app()
    message = str(refused.value)
    assert message.startswith("calculator: refusing to start: ") and fragment in message
    assert "\n" not in message and message.endswith(".")
    assert refused.value.code != 0


def test_development_allows_debug(monkeypatch):
    monkeypatch.setenv("CALCULATOR_ENV", "development")
    monkeypatch.setenv("CALCULATOR_DEBUG", "true")
    assert create_app().debug


# --- Size and type limits --------------------------------------------------------------------------


def test_oversized_form_is_413(client):
    assert client.post("/", data={**GOOD_FORM, "pad": "x" * 20_000}).status_code == 413


@pytest.mark.parametrize("path", ["/", "/api/v1/estimate"])
def test_chunked_body_over_the_limit_is_413_not_cut(client, path):
    """Without Content-Length, Werkzeug would hand the view the first 16 KiB as if whole."""
    body = json.dumps(GOOD_API).encode() + b" " * 20_000
    response = client.post(
        path,
        input_stream=io.BytesIO(body),
        content_type="application/json" if path.startswith("/api/") else "application/x-www-form-urlencoded",
        headers={"Transfer-Encoding": "chunked"},
        environ_overrides={"wsgi.input_terminated": True},  # as gunicorn sets it for chunked bodies
    )
    assert response.status_code == 413


def test_chunked_body_under_the_limit_is_read_whole(client):
    response = client.post(
        "/api/v1/estimate",
        input_stream=io.BytesIO(json.dumps(GOOD_API).encode() + b" " * 1000),
        content_type="application/json",
        headers={"Transfer-Encoding": "chunked"},
        environ_overrides={"wsgi.input_terminated": True},
    )
    assert response.status_code == 200


@pytest.mark.parametrize(
    "content_type", ["text/plain", "application/x-www-form-urlencoded", "application/xml", None]
)
def test_api_takes_only_json(client, content_type):
    response = client.post("/api/v1/estimate", data=json.dumps(GOOD_API), content_type=content_type)
    assert response.status_code == 415
    assert "application/json" in response.get_json()["errors"]["_body"]
