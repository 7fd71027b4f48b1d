"""Model directories: a registry cohort is never copied; a refit removes the files it replaces."""

import json
import shutil

import pytest
from quick_fit import quick_fit

from calculator.artifact import DEFAULT_MODEL_DIR, load_model
from training.train import fit_model_dir

pytestmark = pytest.mark.slow


@pytest.fixture()
def registry_csv(tmp_path):
    path = tmp_path / "registry_export.csv"  # a real export: no 'synthetic', no provenance
    shutil.copyfile(DEFAULT_MODEL_DIR / "synthetic_cohort.csv", path)
    return path


def test_registry_fit_stores_no_patient_rows(monkeypatch, tmp_path, registry_csv):
    out = tmp_path / "our_model"
    with quick_fit(monkeypatch):
        manifest = fit_model_dir(registry_csv, out, log=lambda *_: None)
    assert sorted(p.name for p in out.iterdir()) == ["manifest.json", "model.joblib"]
    assert manifest["files"] == ["manifest.json", "model.joblib"]
    assert manifest["synthetic"] is False
    assert manifest["cohort"]["file"] == "registry_export.csv"
    assert load_model(out).manifest["cohort"]["n"] == 172


def test_refit_removes_the_previous_models_files_and_nothing_else(monkeypatch, tmp_path, registry_csv):
    out = tmp_path / "models"
    shutil.copytree(DEFAULT_MODEL_DIR, out)  # the synthetic default, with its cohort files
    (out / "README.local").write_text("a hospital's own note")
    with quick_fit(monkeypatch):
        fit_model_dir(registry_csv, out, log=lambda *_: None)
    assert sorted(p.name for p in out.iterdir()) == ["README.local", "manifest.json", "model.joblib"]
    assert json.loads((out / "manifest.json").read_text())["synthetic"] is False


def test_shipped_model_dir_holds_exactly_its_listed_files():
    manifest = json.loads((DEFAULT_MODEL_DIR / "manifest.json").read_text())
    assert sorted(p.name for p in DEFAULT_MODEL_DIR.iterdir()) == manifest["files"]
    assert "synthetic_cohort.csv" in manifest["files"]
