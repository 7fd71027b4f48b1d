"""The model pin (calculator/pin.py): nobody swaps the model unnoticed.

A model directory rewritten as a whole (a malicious pickle, its hash updated in the manifest) is
refused before anything is unpickled; an unpinned directory refuses to start in production;
/healthz fails when the files on disk no longer match what was loaded.
"""

from __future__ import annotations

import hashlib
import json
import pickle
import shutil
import signal
import subprocess
import sys
from pathlib import Path

import pytest
from live import ROOT, free_port
from serverprobe import clean_env

import calculator
import training.__main__ as cli
from calculator import StartupRefused, create_app
from calculator.artifact import DEFAULT_MODEL_DIR, ModelLoadError, load_model
from calculator.pin import SETTING, SHIPPED_PIN, Pin, PinError, pin_for, shipped_pin

SHIPPED = json.loads((DEFAULT_MODEL_DIR / "manifest.json").read_text(encoding="utf-8"))


def sha256(path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


class RunsCode:
    """A pickle that runs code when it is loaded, as a hostile model would: it writes a file."""

    def __init__(self, marker):
        self.marker = str(marker)

    def __reduce__(self):
        return (Path.touch, (Path(self.marker),))


@pytest.fixture()
def model_copy(tmp_path):
    target = tmp_path / "models"
    shutil.copytree(DEFAULT_MODEL_DIR, target)
    return target


def rewrite_with_hostile_pickle(model_dir, marker) -> None:
    """Replace the artifact with code and update the manifest's hash to match: the manifest's own
    check then passes, which is why a pin from outside the directory is needed."""
    artifact = model_dir / SHIPPED["artifact"]
    artifact.write_bytes(pickle.dumps(RunsCode(marker)))
    manifest = dict(SHIPPED, sha256=sha256(artifact))
    (model_dir / "manifest.json").write_text(json.dumps(manifest), encoding="utf-8")


def test_the_shipped_pin_matches_models_on_disk():
    """`python -m training fit` (or `pin`) rewrites calculator/shipped_model.json with models/."""
    pin = shipped_pin()
    assert pin.manifest_sha256 == sha256(DEFAULT_MODEL_DIR / "manifest.json")
    assert pin.artifact_sha256 == sha256(DEFAULT_MODEL_DIR / SHIPPED["artifact"]) == SHIPPED["sha256"]


def test_the_shipped_pin_is_package_data():
    pyproject = (ROOT / "pyproject.toml").read_text(encoding="utf-8")
    assert SHIPPED_PIN.name in pyproject


@pytest.mark.parametrize(
    "where, operator, production, expected",
    [
        ("shipped", None, True, "package"),
        ("shipped", None, False, "package"),
        ("other", None, False, None),
        ("other", "A" * 64, True, SETTING),
        ("shipped", "b" * 64, True, SETTING),  # the operator's pin wins, also for models/
    ],
)
def test_which_pin_applies(tmp_path, where, operator, production, expected):
    model_dir = DEFAULT_MODEL_DIR if where == "shipped" else tmp_path
    pin = pin_for(model_dir, DEFAULT_MODEL_DIR, operator, production)
    if expected is None:
        assert pin is None
    else:
        assert expected in pin.source
    if operator:
        assert pin.manifest_sha256 == operator.lower() and pin.artifact_sha256 is None


@pytest.mark.parametrize("operator, fragment", [(None, "is not pinned"), ("abc", "is not a SHA-256")])
def test_production_refuses_an_unpinned_or_malformed_pin(tmp_path, operator, fragment):
    with pytest.raises(PinError) as refused:
        pin_for(tmp_path, DEFAULT_MODEL_DIR, operator, production=True)
    assert fragment in str(refused.value) and SETTING in str(refused.value)
    assert f"sha256sum {tmp_path / 'manifest.json'}" in str(refused.value)


def test_a_rewritten_model_dir_is_refused_before_anything_is_unpickled(model_copy, tmp_path):
    marker = tmp_path / "pickle-ran"
    rewrite_with_hostile_pickle(model_copy, marker)
    genuine = Pin(sha256(DEFAULT_MODEL_DIR / "manifest.json"), None, SETTING)
    with pytest.raises(ModelLoadError, match="does not match the SHA-256 pinned by CALCULATOR_MODEL_SHA256"):
        load_model(model_copy, genuine)
    assert not marker.exists()
    # Without a pin the manifest's check alone passes, and the pickle runs: why the pin exists.
    with pytest.raises(ModelLoadError, match="does not hold pooled coefficients"):
        load_model(model_copy, None)
    assert marker.exists()


def test_the_shipped_models_dir_rewritten_is_refused(monkeypatch, model_copy, tmp_path):
    """The package's own pin: models/ replaced as a whole (here a copy stands in for it)."""
    marker = tmp_path / "pickle-ran"
    rewrite_with_hostile_pickle(model_copy, marker)
    monkeypatch.setattr(calculator, "DEFAULT_MODEL_DIR", model_copy)
    with pytest.raises(StartupRefused) as refused:
        create_app({"MODEL_DIR": str(model_copy)})
    assert "pinned by the package (shipped_model.json)" in str(refused.value)
    assert "\n" not in str(refused.value)
    assert not marker.exists()


def test_an_artifact_alone_swapped_under_the_shipped_pin_is_refused(monkeypatch, model_copy):
    """The shipped pin names the artifact too: a swapped artifact with the manifest left alone."""
    (model_copy / SHIPPED["artifact"]).write_bytes(b"not the model")
    monkeypatch.setattr(calculator, "DEFAULT_MODEL_DIR", model_copy)
    with pytest.raises(StartupRefused, match="does not match the SHA-256 pinned by the package"):
        create_app({"MODEL_DIR": str(model_copy)})


def test_development_loads_an_unpinned_refit(model_copy):
    app = create_app({"MODEL_DIR": str(model_copy), "ENV": "development"})
    assert app.extensions["calculator.model"].manifest == SHIPPED


@pytest.mark.slow
@pytest.mark.parametrize("how", ["python", "gunicorn"])
@pytest.mark.parametrize("case", ["rewritten", "unpinned"])
def test_refusals_in_a_real_process(model_copy, tmp_path, how, case):
    """As deployed: one sentence, non-zero exit, nothing unpickled (the marker file stays absent)."""
    marker = tmp_path / "pickle-ran"
    env = {"CALCULATOR_MODEL_DIR": str(model_copy), "PORT": str(free_port())}
    if case == "rewritten":
        rewrite_with_hostile_pickle(model_copy, marker)
        env[SETTING] = sha256(DEFAULT_MODEL_DIR / "manifest.json")  # the operator pinned the genuine one
    command = {
        "python": [sys.executable, "-c", "from calculator import create_app; create_app()"],
        "gunicorn": [sys.executable, "-m", "gunicorn", "-c", "gunicorn.conf.py", "calculator:create_app()"],
    }[how]
    run = subprocess.run(command, cwd=ROOT, env=clean_env(**env), capture_output=True, text=True, timeout=120)
    lines = (run.stdout + run.stderr).strip().splitlines()
    assert run.returncode != 0 and len(lines) == 1, lines
    assert lines[0].startswith("calculator: refusing to start: ")
    assert ("pinned by CALCULATOR_MODEL_SHA256" if case == "rewritten" else "is not pinned") in lines[0]
    assert not marker.exists()


def test_healthz_fails_when_the_model_files_change_on_disk(model_copy):
    app = create_app(
        {"TESTING": True, "MODEL_DIR": str(model_copy), "MODEL_SHA256": sha256(model_copy / "manifest.json")}
    )
    client = app.test_client()
    assert client.get("/healthz").json["status"] == "ok"
    artifact = model_copy / SHIPPED["artifact"]
    original = artifact.read_bytes()
    artifact.write_bytes(original + b"\0")
    answer = client.get("/healthz")
    assert answer.status_code == 503 and "differs from the model being served" in answer.json["problem"]
    artifact.write_bytes(original)
    assert client.get("/healthz").status_code == 200
    shutil.rmtree(model_copy)
    answer = client.get("/healthz")
    assert answer.status_code == 503 and "cannot be read" in answer.json["problem"]
    assert str(model_copy) not in answer.get_data(as_text=True)  # no path disclosed to callers


@pytest.mark.parametrize("out, rewrites_pin", [(None, True), ("elsewhere", False)])
def test_fit_rewrites_the_pin_only_for_the_shipped_models_dir(monkeypatch, tmp_path, out, rewrites_pin):
    written = []
    monkeypatch.setattr(cli, "fit_model_dir", lambda cohort, out_dir, seed, **options: SHIPPED)
    monkeypatch.setattr(cli, "write_model_card", lambda model_dir: tmp_path / "card.md")
    monkeypatch.setattr(cli, "write_shipped_pin", lambda: written.append(True) or tmp_path / "pin.json")
    assert cli.main(["fit"] + ([] if out is None else ["--out", str(tmp_path / out)])) == 0
    assert written == ([True] if rewrites_pin else [])


def test_pin_command_writes_what_the_loader_checks(tmp_path):
    out = cli.write_shipped_pin(tmp_path / "pin.json")
    assert json.loads(out.read_text()) == json.loads(SHIPPED_PIN.read_text())


@pytest.mark.slow
def test_sighup_says_a_model_takes_a_restart_and_rechecks_the_files(model_copy, tmp_path):
    """HUP restarts gunicorn's workers with the model loaded at start (preload_app): the log says
    so, and says when the files on disk no longer match; /healthz agrees."""
    from live import gunicorn_server
    from serverprobe import request, wait_for

    log = tmp_path / "gunicorn.log"
    env = {"CALCULATOR_MODEL_DIR": str(model_copy), SETTING: sha256(model_copy / "manifest.json")}
    with gunicorn_server(env=env, log_path=log) as (base, master):
        master.send_signal(signal.SIGHUP)
        wait_for(lambda: "SIGHUP: model files unchanged" in log.read_text(), 30, "the unchanged line")
        artifact = model_copy / SHIPPED["artifact"]
        artifact.write_bytes(artifact.read_bytes() + b"\0")
        master.send_signal(signal.SIGHUP)
        wait_for(lambda: "on disk differs from the model being served" in log.read_text(), 30, "the line")
        assert "a new model is loaded only by a restart" in log.read_text().lower()
        assert request(base, "GET", "/healthz")[0] == 503
