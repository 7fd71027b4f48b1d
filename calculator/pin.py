"""Which model this server may load (the pin), and whether the disk still holds it. Pure: no Flask.

The manifest's SHA-256 of the artifact proves that the artifact matches the manifest, not that
either is the model anyone meant to serve: whoever can rewrite the model directory can rewrite
both, and a pickle runs code when it is loaded. So the model is pinned from outside its directory:

- the shipped models/ by `calculator/shipped_model.json`, inside the package, which
  `python -m training fit` (and `python -m training pin`) rewrite whenever they write models/;
- any other directory by the operator: CALCULATOR_MODEL_SHA256, the SHA-256 of its manifest.json.
  The manifest records the artifact's SHA-256, so pinning the manifest pins the artifact too.

`calculator.artifact.load_model` checks the pin before it unpickles anything. In production an
unpinned directory refuses to start; CALCULATOR_ENV=development loads a developer's own refit
with the manifest's check alone.
"""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass
from pathlib import Path

SETTING = "CALCULATOR_MODEL_SHA256"
SHIPPED_PIN = Path(__file__).with_name("shipped_model.json")
_SHA256 = re.compile(r"[0-9a-f]{64}")


class PinError(ValueError):
    """The model directory cannot be pinned as configured; the message is one sentence."""


@dataclass(frozen=True)
class Pin:
    manifest_sha256: str
    artifact_sha256: str | None  # the shipped pin names it; an operator's pin reaches it via the manifest
    source: str  # who pinned it, for the refusal's sentence


def shipped_pin(path: Path = SHIPPED_PIN) -> Pin:
    record = json.loads(path.read_text(encoding="utf-8"))
    return Pin(record["manifest_sha256"], record["artifact_sha256"], f"the package ({path.name})")


def pin_for(model_dir: Path, shipped_dir: Path, operator_sha256: str | None, production: bool) -> Pin | None:
    """The pin the model in `model_dir` must match, or None (development only: manifest check alone).

    Raises PinError for a malformed operator pin, or an unpinned directory in production.
    """
    if operator_sha256:
        value = str(operator_sha256).strip().lower()
        if not _SHA256.fullmatch(value):
            raise PinError(
                f"{SETTING} is not a SHA-256 (64 hexadecimal digits): set it to the output of "
                f"`sha256sum {Path(model_dir) / 'manifest.json'}`."
            )
        return Pin(value, None, SETTING)
    if Path(model_dir).resolve() == Path(shipped_dir).resolve():
        return shipped_pin()
    if not production:
        return None
    raise PinError(
        f"model directory {model_dir} is not pinned: check that it holds the model you mean to "
        f"serve, then set {SETTING} to the SHA-256 of its manifest "
        f"(`sha256sum {Path(model_dir) / 'manifest.json'}`)."
    )


def sha256_bytes(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def pin_record(model_dir: Path, artifact: str) -> dict:
    """The content of shipped_model.json for the model in `model_dir` (written by training)."""
    model_dir = Path(model_dir)
    return {
        "note": "The shipped model's pin: rewritten by `python -m training fit` (and `pin`) with models/.",
        "manifest_sha256": sha256_bytes((model_dir / "manifest.json").read_bytes()),
        "artifact_sha256": sha256_bytes((model_dir / artifact).read_bytes()),
    }


def disk_problem(model_dir: Path, manifest_sha256: str, artifact: str, artifact_sha256: str) -> str | None:
    """None if the model directory still holds the files the server loaded, else what changed.

    For /healthz: the server keeps serving the model it loaded, but a directory rewritten, deleted
    or made unreadable since start is a fault an operator must hear about before the next restart
    would refuse to start.
    """
    model_dir = Path(model_dir)
    for name, expected in (("manifest.json", manifest_sha256), (artifact, artifact_sha256)):
        try:
            actual = sha256_bytes((model_dir / name).read_bytes())
        except OSError as e:
            return f"{name} cannot be read ({e.strerror or type(e).__name__})"
        if actual != expected:
            return f"{name} on disk differs from the model being served"
    return None
