"""Access to the model loaded by the factory (flaskr's get_db(), for a read-only model)."""

from __future__ import annotations

from flask import current_app

from calculator.predict import Model


def get_model() -> Model:
    """The verified model this app was built with; loaded once, in create_app, never per request."""
    return current_app.extensions["calculator.model"]
