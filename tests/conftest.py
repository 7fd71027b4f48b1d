"""Shared fixtures (flaskr's shape): the shipped model, the app and its test client."""

from __future__ import annotations

import pytest

from calculator.artifact import DEFAULT_MODEL_DIR, load_model


@pytest.fixture(scope="session")
def model():
    """The shipped model, loaded through the same verified path the app uses."""
    return load_model(DEFAULT_MODEL_DIR)


@pytest.fixture()
def app():
    from calculator import create_app

    return create_app({"TESTING": True})


@pytest.fixture()
def client(app):
    return app.test_client()


@pytest.fixture(scope="module")
def live_url():
    """The shipped app under real gunicorn (gunicorn.conf.py) on loopback, for one test module."""
    from live import gunicorn_server

    with gunicorn_server() as (base, _):
        yield base


@pytest.fixture(scope="module")
def browser():
    """Debian's headless Chromium, for one test module (module scope: Playwright's sync API must
    not stay open while other modules' tests run their own event loops)."""
    from live import launch_chromium
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        chromium = launch_chromium(p)
        yield chromium
        chromium.close()
