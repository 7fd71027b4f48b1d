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
