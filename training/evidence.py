"""Read the published figures (training/evidence/*.csv) and resolve the reconstruction's parameters.

Every number the reconstruction uses comes through here: either read from a row of the evidence
files, or taken from `assumptions.json` where it is named an assumption with its reason.
"""

from __future__ import annotations

import copy
import csv
import hashlib
import json
import math
from dataclasses import dataclass
from functools import cache
from pathlib import Path

EVIDENCE_DIR = Path(__file__).resolve().parent / "evidence"
ASSUMPTIONS = Path(__file__).resolve().parent / "assumptions.json"
EVIDENCE_FILES = ("series.csv", "effects.csv", "base_rates.csv")


class EvidenceError(Exception):
    """An assumption points at a row that the evidence files do not have (exactly once)."""


@dataclass(frozen=True)
class Parameter:
    name: str
    value: object
    source: str  # a citation, or "assumption"
    reason: str
    evidence: str = ""  # "file: row" when read from the evidence files


@cache
def read_rows(name: str) -> tuple[dict, ...]:
    """The rows of one evidence file, read once per process (the default fit reads them for each
    of its draws). Shared: callers must not modify the rows."""
    with open(EVIDENCE_DIR / name, newline="", encoding="utf-8") as f:
        return tuple(csv.DictReader(f))


def find_row(name: str, **match) -> dict:
    return _find_row(name, tuple(sorted(match.items())))


@cache
def _find_row(name: str, match: tuple) -> dict:
    rows = [r for r in read_rows(name) if all(r.get(k) == v for k, v in match)]
    if len(rows) != 1:
        raise EvidenceError(f"{name}: {len(rows)} rows match {dict(match)}, expected exactly 1")
    return rows[0]


@cache
def series_value(study_id: str, figure: str) -> float:
    """A numeric figure of one series (series.csv)."""
    return float(find_row("series.csv", study_id=study_id, figure=figure)["value"])


@dataclass(frozen=True)
class Series:
    study_id: str
    n: int
    compartment: str  # intramedullary | intradural_extramedullary | mixed
    citation: str
    doi_or_pmid: str


@cache
def series_info(study_id: str) -> Series:
    """Size, compartment and citation of one series, from the first row that names it."""
    rows = [r for r in read_rows("series.csv") if r["study_id"] == study_id]
    if not rows or len({r["n"] for r in rows}) != 1:
        raise EvidenceError(f"series.csv: study {study_id} has no rows or more than one size")
    first = rows[0]
    return Series(study_id, int(first["n"]), first["compartment"], first["citation"], first["doi_or_pmid"])


def _evidence_value(ref: dict) -> tuple[float, str, str]:
    """(value, citation, "file: row") for an `evidence` reference of assumptions.json."""
    ref = dict(ref)
    name = ref.pop("file")
    row = find_row(name, **ref)
    column = "estimate" if name == "effects.csv" else "value"
    where = f"{name}: " + ", ".join(f"{k}={v}" for k, v in ref.items())
    return float(row[column]), row["citation"], where


def load_assumptions() -> dict:
    """A fresh copy of assumptions.json (callers may modify it)."""
    return copy.deepcopy(_assumptions())


@cache
def _assumptions() -> dict:
    with open(ASSUMPTIONS, encoding="utf-8") as f:
        return json.load(f)


def resolve_parameters(assumptions: dict | None = None) -> dict[str, Parameter]:
    """Every named parameter with its value; raises EvidenceError on a dangling reference."""
    assumptions = assumptions or load_assumptions()
    out = {}
    for name, spec in assumptions["parameters"].items():
        if "evidence" in spec:
            value, citation, where = _evidence_value(spec["evidence"])
            out[name] = Parameter(name, value, citation, spec["reason"], where)
        else:
            out[name] = Parameter(name, spec["value"], spec["source"], spec["reason"])
    return out


Z95 = 1.959964  # two-sided 95% normal quantile


def log_se_from_ci(row: dict) -> float:
    """Standard error of the log estimate of an effects.csv row, from its published 95% CI."""
    return (math.log(float(row["ci_high"])) - math.log(float(row["ci_low"]))) / (2 * Z95)


def inverse_variance_pool(logs: list[float], ses: list[float]) -> float:
    """Inverse-variance weighted mean of log estimates with the given standard errors."""
    weights = [1 / se**2 for se in ses]
    return sum(w * x for w, x in zip(weights, logs)) / sum(weights)


def evidence_sha256() -> dict[str, str]:
    """SHA-256 of each evidence file and of assumptions.json, for provenance records."""
    files = [EVIDENCE_DIR / n for n in EVIDENCE_FILES] + [ASSUMPTIONS]
    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in files}


def borrows_survival(study: dict) -> bool:
    return "figure" not in study["survival"]


def survival_target_days(study: dict, params: dict[str, Parameter]) -> float:
    """The survival figure a series is scaled to, in days: its own (published: data, never drawn),
    or borrowed (see the study's `survival` entry in assumptions.json) times the parameter
    `borrowed_survival_factor`, which carries the doubt about borrowing."""
    spec = study["survival"]
    factor = 1.0
    if "figure" in spec:
        value = series_value(study["study_id"], spec["figure"])
    elif "borrow" in spec:
        value = series_value(spec["borrow"]["study_id"], spec["borrow"]["figure"])
    else:
        refs = spec["borrow_weighted"]
        ns = [series_info(r["study_id"]).n for r in refs]
        value = sum(n * series_value(r["study_id"], r["figure"]) for n, r in zip(ns, refs)) / sum(ns)
    if borrows_survival(study):
        factor = params["borrowed_survival_factor"].value
    days_per_month = params["days_per_month"].value
    return value * factor * (days_per_month if spec["unit"] == "months" else 1)
