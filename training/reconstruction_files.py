"""Files of a synthetic reconstruction: the cohort CSV, its targets table and its provenance record
(`python -m training reconstruct`, and the example reconstruction shipped beside the default model).

SYNTHETIC DATA: a file written here holds no real patient, and its name must say "synthetic".
"""

from __future__ import annotations

import json
from dataclasses import asdict
from pathlib import Path

from calculator.artifact import sha256_of
from training.cohort import write_cohort
from training.evidence import evidence_sha256, load_assumptions, series_info
from training.pooled import draw_cohort, master_streams
from training.reconstruct import Reconstruction
from training.targets import write_targets
from training.uncertainty import Distribution

DEFAULT_SEED = 20251121  # the master seed of the default fit (--seed)
SYNTHETIC_NAME = "synthetic_cohort.csv"


def provenance_path(cohort_path: Path) -> Path:
    return cohort_path.with_name(cohort_path.stem + ".provenance.json")


def targets_path(cohort_path: Path) -> Path:
    return cohort_path.with_name(cohort_path.stem + ".targets.csv")


def reconstruction_record(rec: Reconstruction, dists: dict[str, Distribution] | None = None) -> dict:
    """Provenance of a reconstruction: evidence hashes, every parameter (its central value, and its
    distribution when the fit draws it), the data-generating effects and the series."""
    assumptions = load_assumptions()
    parameters = []
    for p in rec.parameters.values():
        entry = asdict(p)
        if dists and p.name in dists:
            d = dists[p.name]
            entry["value"] = d.centre  # the central value: each draw has its own
            entry["distribution"] = {"kind": d.kind, "low": d.low, "high": d.high, "text": d.describe()}
            entry["uncertainty_basis"] = d.basis
        parameters.append(entry)
    return {
        "generator": "python -m training reconstruct",
        "evidence_sha256": evidence_sha256(),
        "parameters": parameters,
        "data_generating_log_hr": asdict(rec.effects),
        "series": [
            asdict(series_info(s["study_id"])) | {"used_as": "patients"} for s in assumptions["series"]
        ]
        + [
            asdict(series_info(s["study_id"])) | {"used_as": "outcome figure only", "reason": s["reason"]}
            for s in assumptions["outcome_only"]
        ],
        "targets": rec.targets,
    }


def write_reconstruction(out: Path, seed: int = DEFAULT_SEED) -> tuple[Reconstruction, dict]:
    """Write one SYNTHETIC reconstruction (the first draw the default fit makes with `seed`), its
    targets table and its provenance record."""
    out = Path(out)
    if "synthetic" not in out.name.lower():
        raise ValueError(
            f"{out.name}: the reconstructed cohort is synthetic and its file name must "
            f"say so (e.g. {SYNTHETIC_NAME})"
        )
    rec, _ = draw_cohort(master_streams(seed, 1)[0][0])
    return rec, write_example(rec, out, seed)


def write_example(rec: Reconstruction, out: Path, seed: int) -> dict:
    out.parent.mkdir(parents=True, exist_ok=True)
    write_cohort(rec.cohort, out)
    write_targets(rec.targets, targets_path(out))
    record = {
        "synthetic": True,
        "cohort_file": out.name,
        "cohort_sha256": sha256_of(out),
        "note": "SYNTHETIC: one reconstruction of the published series (the first draw of the default "
        f"fit with seed {seed}), assumptions drawn from their uncertainty; no real patient. The "
        "default model is pooled over many such draws, not fitted to this one.",
        "reconstruction": reconstruction_record(rec),
    }
    provenance_path(out).write_text(json.dumps(record, indent=2) + "\n", encoding="utf-8")
    return record


def read_provenance(cohort_path: Path) -> dict | None:
    """The provenance record written beside a reconstructed cohort, if it still matches the file."""
    path = provenance_path(cohort_path)
    if not path.is_file():
        return None
    record = json.loads(path.read_text(encoding="utf-8"))
    return record if record.get("cohort_sha256") == sha256_of(cohort_path) else None


def is_synthetic(cohort_path: Path) -> bool:
    """A cohort file is synthetic when its provenance record matches it or its name says so
    (docs/cohort-schema.md, "The synthetic label"): the one rule every command applies."""
    return read_provenance(Path(cohort_path)) is not None or "synthetic" in Path(cohort_path).name.lower()
