"""create_app: loads the verified model once; refuses bad model directories in one sentence."""

import hashlib
import json
import shutil

import pytest

from calculator import StartupRefused, create_app
from calculator.artifact import DEFAULT_MODEL_DIR


@pytest.fixture()
def model_copy(tmp_path):
    target = tmp_path / "models"
    shutil.copytree(DEFAULT_MODEL_DIR, target)
    return target


def test_builds_with_the_shipped_model(app):
    assert app.extensions["calculator.model"].version.startswith("2+")


def pin_of(model_dir) -> str:
    return hashlib.sha256((model_dir / "manifest.json").read_bytes()).hexdigest()


def test_model_dir_from_environment(monkeypatch, model_copy):
    monkeypatch.setenv("CALCULATOR_MODEL_DIR", str(model_copy))
    monkeypatch.setenv("CALCULATOR_MODEL_SHA256", pin_of(model_copy))
    app = create_app()
    assert app.config["MODEL_DIR"] == str(model_copy)


def _alter_one_byte(d):
    data = bytearray((d / "model.joblib").read_bytes())
    data[len(data) // 2] ^= 0x01
    (d / "model.joblib").write_bytes(bytes(data))


def _other_sklearn(d):
    manifest = json.loads((d / "manifest.json").read_text())
    manifest["versions"]["sklearn"] = "1.5.0"
    (d / "manifest.json").write_text(json.dumps(manifest))


def _other_hash(d):
    manifest = json.loads((d / "manifest.json").read_text())
    manifest["sha256"] = "0" * 64
    (d / "manifest.json").write_text(json.dumps(manifest))


@pytest.mark.parametrize(
    "damage, expected",
    [
        (lambda d: (d / "model.joblib").unlink(), "model.joblib is missing"),
        (_alter_one_byte, "does not match the SHA-256"),
        (_other_hash, "does not match the SHA-256"),
        (_other_sklearn, "built with scikit-learn 1.5.0"),
        (lambda d: (d / "manifest.json").unlink(), "manifest.json is missing"),
        (lambda d: (d / "manifest.json").write_text("{not json"), "is not valid JSON"),
    ],
    ids=[
        "artifact-missing",
        "one-byte-changed",
        "manifest-hash-mismatch",
        "sklearn-version",
        "manifest-missing",
        "manifest-malformed",
    ],
)
def test_refuses_a_bad_model_dir_with_one_sentence(model_copy, damage, expected):
    damage(model_copy)
    pin = pin_of(model_copy) if (model_copy / "manifest.json").is_file() else "0" * 64  # the loader's faults
    with pytest.raises(StartupRefused) as refused:
        create_app({"MODEL_DIR": str(model_copy), "MODEL_SHA256": pin})
    message = str(refused.value)
    assert expected in message
    assert str(model_copy) in message  # which file
    assert "python -m training fit" in message or "install" in message  # what to do
    assert "\n" not in message


def test_model_dir_resolved_from_project_root_not_cwd(monkeypatch, tmp_path):
    monkeypatch.chdir(tmp_path)  # no models/ here
    assert create_app().extensions["calculator.model"].manifest["sha256"]
