"""Load a model directory safely: verify first, unpickle second.

A joblib file is code: unpickling runs whatever it says (scikit-learn "model persistence" guide).
So the artifact is only ever read from the given model directory, by the plain file name that
`manifest.json` records, after its SHA-256 matches the manifest and the installed scikit-learn is
the one that built it. Every refusal is a `ModelLoadError` whose message is one sentence: which
file, what is wrong, what to do.
"""

from __future__ import annotations

import hashlib
import io
import json
import warnings
from pathlib import Path
from typing import TYPE_CHECKING

import joblib
import numpy as np
import sklearn
from sklearn.exceptions import InconsistentVersionWarning

from calculator.grid import GRID_INDEX
from calculator.pin import sha256_bytes
from calculator.predict import DESIGN, Model

if TYPE_CHECKING:
    from calculator.pin import Pin

PROJECT_ROOT = Path(__file__).resolve().parent.parent
DEFAULT_MODEL_DIR = PROJECT_ROOT / "models"
MANIFEST = "manifest.json"
REQUIRED_KEYS = ("version", "artifact", "sha256", "versions", "features", "horizon_days")
REBUILD = "rebuild it with `python -m training fit --out DIR`"


class ModelLoadError(Exception):
    """The model directory cannot be served; the message says which file and what to do."""


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 16), b""):
            digest.update(block)
    return digest.hexdigest()


def read_manifest(model_dir: Path) -> dict:
    """The manifest of `model_dir`, checked for the keys the loader relies on."""
    return parse_manifest(Path(model_dir) / MANIFEST, manifest_bytes(model_dir))


def manifest_bytes(model_dir: Path) -> bytes:
    """manifest.json of `model_dir`, as stored (its SHA-256 is what a pin names)."""
    path = Path(model_dir) / MANIFEST
    if not Path(model_dir).is_dir():
        raise ModelLoadError(
            f"Model directory {model_dir} does not exist or is not a directory: "
            f"set CALCULATOR_MODEL_DIR to a directory built by training, or {REBUILD}."
        )
    try:
        return path.read_bytes()
    except FileNotFoundError:
        raise ModelLoadError(f"{path} is missing: {REBUILD}.") from None
    except PermissionError:
        raise ModelLoadError(
            f"{path} cannot be read (permission denied): let the server's user read the model directory."
        ) from None
    except OSError as e:  # a directory in its place, a symlink loop, an I/O error...
        raise ModelLoadError(f"{path} cannot be read ({e.strerror}): {REBUILD}.") from None


def parse_manifest(path: Path, data: bytes) -> dict:
    try:
        manifest = json.loads(data.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError, RecursionError) as e:
        raise ModelLoadError(f"{path} is not valid JSON ({e}): {REBUILD}.") from None
    if not isinstance(manifest, dict):
        raise ModelLoadError(f"{path} does not hold a JSON object: {REBUILD}.")
    missing = [k for k in REQUIRED_KEYS if k not in manifest]
    if missing:
        raise ModelLoadError(f"{path} lacks {', '.join(missing)}: {REBUILD}.")
    return manifest


def load_model(model_dir: Path = DEFAULT_MODEL_DIR, pin: Pin | None = None) -> Model:
    """Verify and load the model in `model_dir`. Raises ModelLoadError, never unpickles first.

    With a `pin`, manifest.json (and the artifact, if the pin names it) must have the pinned
    SHA-256 before anything else about the directory is trusted.
    """
    model_dir = Path(model_dir)
    raw_manifest = manifest_bytes(model_dir)
    if pin is not None and sha256_bytes(raw_manifest) != pin.manifest_sha256:
        raise ModelLoadError(
            f"{model_dir / MANIFEST} does not match the SHA-256 pinned by {pin.source} (the model "
            "directory was rewritten or replaced): restore the pinned model, or pin the new one "
            "after checking where it came from (docs/security.md, changing the model)."
        )
    manifest = parse_manifest(model_dir / MANIFEST, raw_manifest)
    name = manifest["artifact"]
    if not isinstance(name, str) or Path(name).name != name or name in ("", ".", ".."):
        raise ModelLoadError(
            f"{model_dir / MANIFEST} names the artifact {name!r}, which is not a "
            f"plain file name inside the model directory: {REBUILD}."
        )
    path = model_dir / name
    if not path.is_file():
        raise ModelLoadError(f"Model artifact {path} is missing: {REBUILD}, or restore the file.")
    try:
        data = path.read_bytes()  # hashed and unpickled from memory: no swap in between
    except PermissionError:
        raise ModelLoadError(
            f"Model artifact {path} cannot be read (permission denied): "
            "let the server's user read the model directory."
        ) from None
    except OSError as e:
        raise ModelLoadError(f"Model artifact {path} cannot be read ({e.strerror}): {REBUILD}.") from None
    actual = sha256_bytes(data)
    if pin is not None and pin.artifact_sha256 is not None and actual != pin.artifact_sha256:
        raise ModelLoadError(
            f"Model artifact {path} does not match the SHA-256 pinned by {pin.source} (the model "
            "directory was rewritten or replaced): restore the pinned model."
        )
    if actual != manifest["sha256"]:
        raise ModelLoadError(
            f"Model artifact {path} does not match the SHA-256 in its manifest "
            f"(altered or corrupted): restore the shipped file or {REBUILD}."
        )
    built_with = manifest["versions"].get("sklearn") if isinstance(manifest["versions"], dict) else None
    if built_with != sklearn.__version__:
        raise ModelLoadError(
            f"Model artifact {path} was built with scikit-learn {built_with} but "
            f"{sklearn.__version__} is installed: install scikit-learn=={built_with} "
            f"(`make install`) or {REBUILD}."
        )
    with warnings.catch_warnings():
        warnings.simplefilter("error", InconsistentVersionWarning)
        try:
            content = joblib.load(io.BytesIO(data))
        except InconsistentVersionWarning as w:
            raise ModelLoadError(
                f"Model artifact {path} was pickled by another scikit-learn version ({w}): {REBUILD}."
            ) from None
    try:
        return Model(**_arrays(content), manifest=manifest)
    except (TypeError, ValueError, KeyError):
        raise ModelLoadError(
            f"Model artifact {path} does not hold pooled coefficients, their draws and the support "
            f"table of this calculator's design: {REBUILD}."
        ) from None


def _arrays(content) -> dict[str, np.ndarray]:
    """The artifact's three arrays, checked for the shapes the design needs. Raises ValueError."""
    if not isinstance(content, dict) or set(content) != {"coefficients", "draws", "support"}:
        raise ValueError("unexpected content")
    width = 1 + len(DESIGN)
    arrays = {k: np.asarray(v, dtype=float) for k, v in content.items()}
    if (
        arrays["coefficients"].shape != (width,)
        or arrays["draws"].ndim != 2
        or arrays["draws"].shape[1] != width
        or len(arrays["draws"]) < 2
        or arrays["support"].shape != (len(GRID_INDEX),)
        or not all(np.all(np.isfinite(a)) for a in arrays.values())
    ):
        raise ValueError("unexpected shapes")
    return arrays
