"""Access to the model loaded by the factory (flaskr's get_db(), for a read-only model)."""

from __future__ import annotations

from flask import current_app

from calculator.pin import disk_problem
from calculator.predict import Model


def get_model() -> Model:
    """The verified model this app was built with; loaded once, in create_app, never per request."""
    return current_app.extensions["calculator.model"]


def model_files_problem() -> str | None:
    """None while the model directory still holds the files this app loaded, else what changed."""
    return disk_problem(**current_app.extensions["calculator.model_files"])
