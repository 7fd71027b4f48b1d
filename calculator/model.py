"""Access to the model loaded by the factory (flaskr's get_db(), for a read-only model)."""

from __future__ import annotations

from pathlib import Path

from flask import Flask, current_app

from calculator.artifact import MANIFEST, load_model
from calculator.pin import Pin, disk_problem, sha256_bytes
from calculator.predict import Model


def init_model(app: Flask, model_dir: Path, pin: Pin | None) -> None:
    """Load the verified model once (create_app), and record the files /healthz re-checks: the
    pinned manifest (or, unpinned in development, the one read now) and the artifact it names.
    Raises ModelLoadError."""
    model = app.extensions["calculator.model"] = load_model(model_dir, pin)
    app.extensions["calculator.model_files"] = {
        "model_dir": model_dir,
        "manifest_sha256": pin.manifest_sha256 if pin else sha256_bytes((model_dir / MANIFEST).read_bytes()),
        "artifact": model.manifest["artifact"],
        "artifact_sha256": model.manifest["sha256"],
    }


def get_model() -> Model:
    """The verified model this app was built with; loaded once, in create_app, never per request."""
    return current_app.extensions["calculator.model"]


def model_files_problem() -> str | None:
    """None while the model directory still holds the files this app loaded, else what changed."""
    return disk_problem(**current_app.extensions["calculator.model_files"])
