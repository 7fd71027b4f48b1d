"""CALCULATOR_FRAME_ANCESTORS: checked at start, sent as CSP frame-ancestors, rendered for calculator.js."""

import html as html_lib
import re

import pytest

from calculator import StartupRefused, create_app
from calculator.framing import FramingError, frame_ancestors


@pytest.mark.parametrize(
    "setting, expected",
    [
        ("'self'", "'self'"),
        ("'SELF'", "'self'"),
        ("'none'", "'none'"),
        ("https://ehr.example.org", "https://ehr.example.org"),
        ("  'self'   https://EHR.example.org  ", "'self' https://ehr.example.org"),
        (
            "https://ehr.example.org:8443 http://localhost:8080",
            "https://ehr.example.org:8443 http://localhost:8080",
        ),
        (
            "https://ehr.example.org:443 http://ehr.example.org:80",
            "https://ehr.example.org http://ehr.example.org",
        ),
        ("https://ehr.example.org https://ehr.example.org", "https://ehr.example.org"),
        ("http://[::1]:9000 http://127.0.0.1:9000", "http://[::1]:9000 http://127.0.0.1:9000"),
    ],
)
def test_accepted_settings_are_normalised(setting, expected):
    assert frame_ancestors(setting, production=True) == expected


@pytest.mark.parametrize(
    "setting, message",
    [
        ("", "is empty; set it to 'self' or to the EHR origins"),
        ("*", "'*', a wildcard that would let sites other than your EHR frame the calculator"),
        ("https://*.example.org", "a wildcard"),
        ("https:", "a wildcard"),
        ("https://ehr.example.org:*", "a wildcard"),
        ("https://ehr.example.org,https://b.example.org", "separate origins with spaces, not commas"),
        ("self", "write it with its single quotes, 'self'"),
        (
            "https://ehr.example.org/",
            "not 'self', 'none' or an origin written as scheme://host[:port] with no path",
        ),
        ("https://ehr.example.org/epic/launch", "with no path"),
        ("ehr.example.org", "not 'self', 'none' or an origin"),
        ("ftp://ehr.example.org", "not 'self', 'none' or an origin"),
        ("https://ehr.example.org:70000", "not 'self', 'none' or an origin"),
        ("'unsafe-inline'", "not 'self', 'none' or an origin"),
        ("'none' https://ehr.example.org", "lists 'none' beside other sources"),
    ],
)
def test_refused_settings_say_why_in_one_sentence(setting, message):
    with pytest.raises(FramingError) as refused:
        frame_ancestors(setting, production=True)
    text = str(refused.value)
    assert message in text
    assert text.startswith("CALCULATOR_FRAME_ANCESTORS")
    assert text.endswith(".") and "\n" not in text


@pytest.mark.parametrize("setting", ["*", "https://*.example.org", "https:"])
def test_wildcards_only_in_development(setting):
    assert frame_ancestors(setting, production=False) == setting


def test_production_refuses_to_start_on_a_wildcard(monkeypatch):
    monkeypatch.setenv("CALCULATOR_FRAME_ANCESTORS", "*")
    with pytest.raises(StartupRefused) as refused:
        create_app()
    assert str(refused.value).startswith(
        "calculator: refusing to start: CALCULATOR_FRAME_ANCESTORS contains '*'"
    )


def test_development_may_use_a_wildcard(monkeypatch):
    monkeypatch.setenv("CALCULATOR_FRAME_ANCESTORS", "https://*.ehr.example.org")
    monkeypatch.setenv("CALCULATOR_ENV", "development")
    assert create_app().config["FRAME_ANCESTORS"] == "https://*.ehr.example.org"


def test_setting_becomes_frame_ancestors_and_the_html_attribute(monkeypatch):
    monkeypatch.setenv("CALCULATOR_FRAME_ANCESTORS", "'self' https://EHR.example.org:443")
    client = create_app({"TESTING": True}).test_client()
    response = client.get("/")
    assert "frame-ancestors 'self' https://ehr.example.org" in response.headers["Content-Security-Policy"]
    html = response.get_data(as_text=True)
    attribute = re.search(r'<html lang="en" data-frame-ancestors="([^"]*)">', html)[1]
    assert html_lib.unescape(attribute) == "'self' https://ehr.example.org"


@pytest.mark.parametrize("path", ["/", "/model", "/static/calculator.js"])
def test_default_is_self_and_no_x_frame_options(client, path):
    with client.get(path) as response:
        assert "frame-ancestors 'self'" in response.headers["Content-Security-Policy"]
        assert "X-Frame-Options" not in response.headers  # SAMEORIGIN would refuse the EHR's frame
