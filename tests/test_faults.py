"""The app refuses to start on a bad model directory: one sentence, a non-zero exit, no traceback.

Each fault is applied to a copy of models/ and the app is started for real, as a subprocess:
`python -c 'create_app()'` for every fault, and gunicorn with the shipped config for the faults
the issue names. (tests/test_factory.py checks the same refusals in-process.)
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest
import sklearn
from live import ROOT, free_port
from serverprobe import clean_env

from calculator.artifact import DEFAULT_MODEL_DIR

pytestmark = pytest.mark.slow

CREATE_APP = "from calculator import create_app; create_app()"
# chmod does not stop root. As root, the child imports everything it needs and then drops to
# `nobody`, the kind of unprivileged user a deployment runs as, before it builds the app.
CREATE_APP_AS_NOBODY = """
import os, pwd
import calculator, calculator.artifact
from calculator import create_app
nobody = pwd.getpwnam("nobody")
os.setgroups([])
os.setgid(nobody.pw_gid)
os.setuid(nobody.pw_uid)
create_app()
"""
IS_ROOT = os.geteuid() == 0


def _edit_manifest(change):
    def damage(d):
        manifest = json.loads((d / "manifest.json").read_text())
        change(manifest)
        (d / "manifest.json").write_text(json.dumps(manifest))

    return damage


def _flip_one_byte(d):
    data = bytearray((d / "model.joblib").read_bytes())
    data[len(data) // 2] ^= 0x01
    (d / "model.joblib").write_bytes(bytes(data))


def _other_sklearn(kind):
    major, minor = (int(x) for x in sklearn.__version__.split(".")[:2])
    other = f"{major}.{minor + 1}.0" if kind == "minor" else f"{major + 1}.{minor}.0"
    return _edit_manifest(lambda m: m["versions"].update(sklearn=other)), f"built with scikit-learn {other}"


def _replace_with_file(d):
    shutil.rmtree(d)
    d.write_text("not a directory\n")


def _manifest_is_a_directory(d):
    (d / "manifest.json").unlink()
    (d / "manifest.json").mkdir()


FAULTS = {
    "artifact-missing": (lambda d: (d / "model.joblib").unlink(), "model.joblib is missing"),
    "artifact-one-byte-altered": (_flip_one_byte, "does not match the SHA-256"),
    "artifact-truncated": (
        lambda d: (d / "model.joblib").write_bytes((d / "model.joblib").read_bytes()[:-1]),
        "does not match the SHA-256",
    ),
    "artifact-outside-the-model-dir": (
        _edit_manifest(lambda m: m.update(artifact="../model.joblib")),
        "not a plain file name inside the model directory",
    ),
    "manifest-missing": (lambda d: (d / "manifest.json").unlink(), "manifest.json is missing"),
    "manifest-malformed": (lambda d: (d / "manifest.json").write_text("{not json"), "is not valid JSON"),
    "manifest-not-utf8": (lambda d: (d / "manifest.json").write_bytes(b"\xff\xfe{}"), "is not valid JSON"),
    "manifest-too-deep": (lambda d: (d / "manifest.json").write_text("[" * 200_000), "is not valid JSON"),
    "manifest-not-an-object": (
        lambda d: (d / "manifest.json").write_text("[]"),
        "does not hold a JSON object",
    ),
    "manifest-lacks-keys": (lambda d: (d / "manifest.json").write_text("{}"), "lacks version, artifact"),
    "manifest-is-a-directory": (_manifest_is_a_directory, "cannot be read (Is a directory)"),
    "sklearn-minor-mismatch": _other_sklearn("minor"),
    "sklearn-major-mismatch": _other_sklearn("major"),
    "model-dir-missing": (shutil.rmtree, "does not exist or is not a directory"),
    "model-dir-is-a-file": (_replace_with_file, "does not exist or is not a directory"),
}
# The faults the issue names, also run under gunicorn with the shipped config.
UNDER_GUNICORN = [
    "artifact-missing",
    "artifact-one-byte-altered",
    "manifest-missing",
    "manifest-malformed",
    "sklearn-minor-mismatch",
    "model-dir-is-a-file",
]


@pytest.fixture()
def model_copy(tmp_path):
    target = tmp_path / "models"
    shutil.copytree(DEFAULT_MODEL_DIR, target)
    return target


def operator_pin(model_dir: Path) -> str:
    """The pin an operator would set for this directory as it now is (the faults here are about
    the loader's other checks; tests/test_pin.py tests the pin itself). A directory with no
    manifest to hash still gets a pin, so that the loader, not the pin, names the fault."""
    try:
        return hashlib.sha256((model_dir / "manifest.json").read_bytes()).hexdigest()
    except OSError:
        return "0" * 64


def start(how: str, model_dir) -> subprocess.CompletedProcess:
    env = clean_env(
        CALCULATOR_MODEL_DIR=str(model_dir),
        CALCULATOR_MODEL_SHA256=operator_pin(model_dir),
        PORT=str(free_port()),
    )
    command = {
        "python": [sys.executable, "-c", CREATE_APP],
        "python-as-nobody": [sys.executable, "-c", CREATE_APP_AS_NOBODY],
        "gunicorn": [sys.executable, "-m", "gunicorn", "-c", "gunicorn.conf.py", "calculator:create_app()"],
    }[how]
    return subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True, timeout=120)


def assert_refused_in_one_sentence(run: subprocess.CompletedProcess, fragment: str, model_dir) -> None:
    output = (run.stdout + run.stderr).strip()
    assert run.returncode != 0, output
    assert "Traceback" not in output, output
    lines = output.splitlines()
    assert len(lines) == 1, output  # nothing but the sentence: no gunicorn log, no traceback
    assert lines[0].startswith("calculator: refusing to start: "), output
    assert fragment in lines[0] and str(model_dir) in lines[0], output


@pytest.mark.parametrize(
    "how, fault",
    [("python", name) for name in FAULTS] + [("gunicorn", name) for name in UNDER_GUNICORN],
)
def test_refuses_to_start(model_copy, how, fault):
    damage, fragment = FAULTS[fault]
    damage(model_copy)
    assert_refused_in_one_sentence(start(how, model_copy), fragment, model_copy)


@pytest.mark.parametrize("what", ["directory", "manifest", "artifact"])
def test_refuses_an_unreadable_model_dir(what):
    """Not run under gunicorn: with preload the master, which stays root, loads the model."""
    parent = Path(tempfile.mkdtemp(prefix="calculator-unreadable-"))  # not under pytest's 0700 tmp
    try:
        parent.chmod(0o755)
        model_dir = parent / "models"
        shutil.copytree(DEFAULT_MODEL_DIR, model_dir)
        target = {"directory": model_dir, "manifest": model_dir / "manifest.json"}.get(
            what, model_dir / "model.joblib"
        )
        target.chmod(0)
        run = start("python-as-nobody" if IS_ROOT else "python", model_dir)
        assert_refused_in_one_sentence(run, "cannot be read (permission denied)", model_dir)
    finally:
        for path in (parent / "models", *(parent / "models").glob("*")):
            path.chmod(0o755)
        shutil.rmtree(parent)
