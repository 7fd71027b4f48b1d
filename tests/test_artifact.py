"""The shipped model directory and its loader (calculator/artifact.py, training/export.py):
hash, manifest, reference predictions, determinism of `fit`, and every refusal of the loader."""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

import joblib
import numpy as np
import pytest
import sklearn
from quick_fit import quick_fit

from calculator.artifact import DEFAULT_MODEL_DIR, ModelLoadError, load_model, sha256_of
from calculator.features import FEATURES
from calculator.predict import predict_survival
from training.evidence import series_info
from training.train import fit_model_dir

MANIFEST = json.loads((DEFAULT_MODEL_DIR / "manifest.json").read_text(encoding="utf-8"))


def test_shipped_artifact_matches_its_manifest_hash():
    assert sha256_of(DEFAULT_MODEL_DIR / MANIFEST["artifact"]) == MANIFEST["sha256"]
    assert MANIFEST["version"].endswith("+" + MANIFEST["sha256"][:12])


def test_shipped_model_reproduces_its_reference_predictions(model):
    references = MANIFEST["reference_predictions"]
    survival, interval = predict_survival(model, [r["inputs"] for r in references])
    np.testing.assert_allclose(survival, [r["survival_90d"] for r in references], rtol=0, atol=1e-9)
    np.testing.assert_allclose(interval, [r["interval_95"] for r in references], rtol=0, atol=1e-9)


def test_manifest_has_the_documented_keys():
    assert MANIFEST["artifact"] == "model.joblib"
    assert len(MANIFEST["sha256"]) == 64
    assert MANIFEST["synthetic"] is True
    assert MANIFEST["horizon_days"] == 90
    assert set(MANIFEST["versions"]) >= {"python", "sklearn", "numpy", "joblib"}
    assert MANIFEST["versions"]["sklearn"] == sklearn.__version__
    assert isinstance(MANIFEST["seed"], int)
    assert set(MANIFEST["metrics"]["apparent"]) >= {
        "c_statistic",
        "calibration_intercept",
        "calibration_slope",
        "brier",
    }


def test_manifest_cohort_describes_the_shipped_cohort_file():
    cohort = MANIFEST["cohort"]
    assert cohort["sha256"] == sha256_of(DEFAULT_MODEL_DIR / cohort["file"])
    assert (cohort["n"], cohort["synthetic"], cohort["reconstructions"]) == (172, True, 2000)
    low, high = cohort["events_90d_range"]
    assert low <= cohort["events_90d"] <= high  # deaths by day 90: mean over the reconstructions
    assert {s["study_id"]: s["n"] for s in cohort["studies"]} == {
        s["study_id"]: series_info(s["study_id"]).n for s in cohort["studies"]
    }
    assert sum(s["n"] for s in cohort["studies"]) == cohort["n"]
    assert sum(s["events_90d"] for s in cohort["studies"]) == pytest.approx(cohort["events_90d"])


def test_manifest_features_are_the_declared_ones():
    assert [(f["name"], f["values"]) for f in MANIFEST["features"]] == [
        (f.name, list(f.values)) for f in FEATURES
    ]
    assert all(f["unit"] for f in MANIFEST["features"])


def test_reference_profiles_span_every_input_value():
    references = MANIFEST["reference_predictions"]
    assert len(references) >= 12
    for feature in FEATURES:
        assert {r["inputs"][feature.name] for r in references} == set(feature.values), feature.name
    for r in references:
        low, high = r["interval_95"]
        assert 0 <= low <= high <= 1


@pytest.mark.slow
def test_fit_is_deterministic(tmp_path, monkeypatch):
    with quick_fit(monkeypatch):
        first = fit_model_dir(None, tmp_path / "a", log=lambda *_: None)
        second = fit_model_dir(None, tmp_path / "b", log=lambda *_: None)
    assert first["reference_predictions"] == second["reference_predictions"]
    assert first["metrics"] == second["metrics"]
    assert first["sha256"] == second["sha256"]
    assert sha256_of(tmp_path / "a" / "model.joblib") == sha256_of(tmp_path / "b" / "model.joblib")
    assert first["model"] == second["model"]
    # What was written is what was returned, and it loads.
    assert json.loads((tmp_path / "a" / "manifest.json").read_text(encoding="utf-8")) == first
    assert load_model(tmp_path / "b").manifest == second


# --- loader refusals ---------------------------------------------------------------------------


@pytest.fixture
def model_copy(tmp_path) -> Path:
    """A copy of the shipped manifest and artifact, to break."""
    directory = tmp_path / "models"
    directory.mkdir()
    for name in ("manifest.json", MANIFEST["artifact"]):
        shutil.copyfile(DEFAULT_MODEL_DIR / name, directory / name)
    return directory


def edit_manifest(directory: Path, change) -> None:
    path = directory / "manifest.json"
    manifest = json.loads(path.read_text(encoding="utf-8"))
    change(manifest)
    path.write_text(json.dumps(manifest), encoding="utf-8")


def flip_one_byte(directory: Path) -> None:
    path = directory / "model.joblib"
    data = bytearray(path.read_bytes())
    data[len(data) // 2] ^= 0x01
    path.write_bytes(bytes(data))


def remove_keys(*keys):
    def change(manifest):
        for key in keys:
            del manifest[key]

    return change


def set_key(key, value):
    def change(manifest):
        manifest[key] = value

    return change


def other_sklearn(manifest):
    manifest["versions"]["sklearn"] = "0.0.1"  # the artifact, and so its sha256, stay as shipped


# (id, how to break the copy, which file the message names, what it must say)
REFUSALS = [
    (
        "missing-dir",
        lambda d: shutil.rmtree(d),
        "",
        "does not exist or is not a directory: set CALCULATOR_MODEL_DIR",
    ),
    (
        "missing-manifest",
        lambda d: (d / "manifest.json").unlink(),
        "manifest.json",
        "is missing: rebuild it with `python -m training fit --out DIR`",
    ),
    (
        "malformed-json",
        lambda d: (d / "manifest.json").write_text('{"artifact": "model.joblib",', encoding="utf-8"),
        "manifest.json",
        "is not valid JSON",
    ),
    (
        "json-not-an-object",
        lambda d: (d / "manifest.json").write_text("[]", encoding="utf-8"),
        "manifest.json",
        "does not hold a JSON object",
    ),
    (
        "manifest-missing-keys",
        lambda d: edit_manifest(d, remove_keys("sha256", "versions")),
        "manifest.json",
        "lacks sha256, versions",
    ),
    (
        "artifact-path-traversal",
        lambda d: edit_manifest(d, set_key("artifact", "../x")),
        "manifest.json",
        "names the artifact '../x', which is not a plain file name inside the model directory",
    ),
    (
        "artifact-absolute-path",
        lambda d: edit_manifest(d, set_key("artifact", "/etc/passwd")),
        "manifest.json",
        "names the artifact '/etc/passwd', which is not a plain file name",
    ),
    (
        "artifact-not-a-string",
        lambda d: edit_manifest(d, set_key("artifact", ["model.joblib"])),
        "manifest.json",
        "which is not a plain file name",
    ),
    (
        "missing-artifact",
        lambda d: (d / "model.joblib").unlink(),
        "model.joblib",
        "is missing: rebuild it with `python -m training fit --out DIR`, or restore the file",
    ),
    (
        "one-byte-changed",
        flip_one_byte,
        "model.joblib",
        "does not match the SHA-256 in its manifest (altered or corrupted)",
    ),
    (
        "other-sklearn-version",
        lambda d: edit_manifest(d, other_sklearn),
        "model.joblib",
        f"was built with scikit-learn 0.0.1 but {sklearn.__version__} is installed: "
        "install scikit-learn==0.0.1",
    ),
]


def assert_one_sentence_naming(message: str, path: Path, fragment: str) -> None:
    assert str(path) in message
    assert fragment in message
    assert "\n" not in message
    assert message.endswith(".")
    assert ". " not in message  # one sentence


@pytest.mark.parametrize(
    "break_copy, file_name, fragment", [r[1:] for r in REFUSALS], ids=[r[0] for r in REFUSALS]
)
def test_loader_refuses_before_unpickling(model_copy, monkeypatch, break_copy, file_name, fragment):
    def must_not_unpickle(*_args, **_kwargs):
        raise AssertionError("joblib.load called before the artifact was verified")

    monkeypatch.setattr("calculator.artifact.joblib.load", must_not_unpickle)
    break_copy(model_copy)
    with pytest.raises(ModelLoadError) as caught:
        load_model(model_copy)
    assert_one_sentence_naming(str(caught.value), model_copy / file_name, fragment)


def test_loader_refuses_a_verified_file_of_the_wrong_content(model_copy):
    joblib.dump({"pipeline": None, "bootstrap": [1.0]}, model_copy / "model.joblib")
    edit_manifest(model_copy, set_key("sha256", sha256_of(model_copy / "model.joblib")))
    with pytest.raises(ModelLoadError) as caught:
        load_model(model_copy)
    assert_one_sentence_naming(
        str(caught.value),
        model_copy / "model.joblib",
        "does not hold pooled coefficients, their draws and the support table",
    )


@pytest.mark.skipif(
    hasattr(os, "geteuid") and os.geteuid() == 0,
    reason="running as root: file permissions do not stop root from reading, so the test is meaningless",
)
@pytest.mark.parametrize("name", ["manifest.json", "model.joblib"])
def test_loader_refuses_an_unreadable_file(model_copy, name):
    (model_copy / name).chmod(0)
    try:
        with pytest.raises(ModelLoadError) as caught:
            load_model(model_copy)
    finally:
        (model_copy / name).chmod(0o644)
    assert_one_sentence_naming(str(caught.value), model_copy / name, "cannot be read (permission denied)")


@pytest.mark.parametrize(
    "content",
    [
        {"coefficients": [0.0] * 6, "draws": [[0.0] * 7] * 3, "support": [1.0] * 600},
        {"coefficients": [0.0] * 7, "draws": [[0.0] * 7], "support": [1.0] * 600},
        {"coefficients": [0.0] * 7, "draws": [[0.0] * 7] * 3, "support": [1.0] * 599},
        {"coefficients": [float("nan")] * 7, "draws": [[0.0] * 7] * 3, "support": [1.0] * 600},
    ],
    ids=["short-coefficients", "one-draw", "short-support", "nan"],
)
def test_loader_refuses_arrays_of_the_wrong_shape(model_copy, content):
    joblib.dump(content, model_copy / "model.joblib")
    edit_manifest(model_copy, set_key("sha256", sha256_of(model_copy / "model.joblib")))
    with pytest.raises(ModelLoadError, match="does not hold pooled coefficients"):
        load_model(model_copy)


def test_an_intact_copy_loads(model_copy):
    assert load_model(model_copy).manifest == MANIFEST


# --- docs/manifest.md ----------------------------------------------------------------------------


def documented_key_paths(manifest: dict) -> list[str]:
    """Key paths whose names are part of the format (maps keyed by data, such as the C grid or
    file names, are described as a whole)."""
    paths = [*manifest]
    nested = {
        "cohort": manifest["cohort"],
        "cohort.studies": manifest["cohort"]["studies"][0],
        "features": manifest["features"][0],
        "model": manifest["model"],
        "model.interval": manifest["model"]["interval"],
        "model.coefficients": manifest["model"]["coefficients"],
        "metrics": manifest["metrics"],
        "metrics.apparent": manifest["metrics"]["apparent"],
        "support": manifest["support"],
        "support.pairs": manifest["support"]["pairs"][0],
        "versions": manifest["versions"],
        "reference_predictions": manifest["reference_predictions"][0],
    }
    if "reconstruction" in manifest:
        reconstruction = manifest["reconstruction"]
        nested |= {
            "reconstruction": reconstruction,
            "reconstruction.parameters": reconstruction["parameters"][0],
            "reconstruction.data_generating_log_hr": reconstruction["data_generating_log_hr"],
            "reconstruction.series": reconstruction["series"][-1],
            "reconstruction.targets": reconstruction["targets"][0],
        }
    for prefix, entry in nested.items():
        paths += [f"{prefix}.{key}" for key in entry]
    return paths


@pytest.mark.parametrize("path", documented_key_paths(MANIFEST))
def test_every_manifest_key_is_documented(path):
    doc = (DEFAULT_MODEL_DIR.parent / "docs" / "manifest.md").read_text(encoding="utf-8")
    key = path.rsplit(".", 1)[-1]
    # Its full path (or the start of one, for a section), or the key itself in backticks.
    assert any(form in doc for form in (f"`{path}", f"`{key}`", f"`...{key}`")), (
        f"{path} is not described in docs/manifest.md"
    )
