"""Read, validate and write cohort files (docs/cohort-schema.md).

A cohort file is a UTF-8 CSV, one row per operated patient, with the columns of
`calculator.features.COHORT_COLUMNS` (extra columns are ignored and reported). Every problem is
reported with its line number, column and what was expected; up to MAX_ERRORS are collected
before giving up, so a registry export can be fixed in one pass.

Missing values (an empty cell or NA) in a predictor or outcome exclude that row from fitting
(complete-case analysis) and are counted per column in the report; see the schema document for
why. `study_id` must never be missing: validation by study depends on it.
"""

from __future__ import annotations

import csv
import io
import math
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from calculator.features import BY_NAME, COHORT_COLUMNS, FEATURE_NAMES, STUDY_COLUMN
from calculator.predict import to_frame

MAX_ERRORS = 20
MISSING = {"", "na", "n/a"}


class CohortError(Exception):
    """The file cannot be used; `problems` lists (line, column, message) tuples."""

    def __init__(self, path, problems: list[tuple[int | None, str | None, str]]):
        self.problems = problems
        lines = [
            f"{path}: cannot use this cohort file ({len(problems)} problem(s)"
            f"{', first ' + str(MAX_ERRORS) + ' shown' if len(problems) >= MAX_ERRORS else ''}):"
        ]
        for line, column, message in problems:
            where = ", ".join(
                x for x in (f"line {line}" if line else "", f"column {column!r}" if column else "") if x
            )
            lines.append(f"  {where}: {message}" if where else f"  {message}")
        super().__init__("\n".join(lines))


@dataclass
class CohortReport:
    n_rows: int = 0
    n_used: int = 0
    excluded_missing: dict[str, int] = field(default_factory=dict)  # column -> rows missing it
    ignored_columns: list[str] = field(default_factory=list)


def _parse_int(text: str, low: int, high: int, step: int = 1):
    try:
        value = int(text)
    except ValueError:
        return None
    return value if low <= value <= high and (value - low) % step == 0 else None


def _parse(column: str, text: str):
    """The parsed value, or raise ValueError with what was expected."""
    t = text.strip()
    if column == "kps":
        value = _parse_int(t, 10, 100, 10)
        if value is None:
            raise ValueError(f"expected a whole number from 10 to 100 in steps of 10, got {text!r}")
        return value
    if column == "mccormick_grade":
        value = _parse_int(t, 1, 5)
        if value is None:
            raise ValueError(f"expected a modified McCormick grade 1 to 5 (whole number), got {text!r}")
        return value
    if column == "other_metastases":
        if t.lower() not in ("yes", "no"):
            raise ValueError(f"expected yes or no, got {text!r}")
        return t.lower() == "yes"
    if column in ("resection", "compartment"):
        allowed = BY_NAME[column].values
        if t not in allowed:
            raise ValueError(f"expected one of {', '.join(allowed)}, got {text!r}")
        return t
    if column == "survival_days":
        try:
            value = float(t)
        except ValueError:
            value = math.nan
        if not math.isfinite(value) or value < 0:
            raise ValueError(f"expected a number of days >= 0, got {text!r}")
        return value
    if column == "died":
        if t not in ("0", "1"):
            raise ValueError(f"expected 1 (died at survival_days) or 0 (alive then), got {text!r}")
        return int(t)
    return t  # study_id: any non-empty text


def _decode(path: Path, raw: bytes) -> str:
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as e:
        line = raw[: e.start].count(b"\n") + 1
        raise CohortError(
            path, [(line, None, f"the file is not UTF-8 text (byte {e.start}); export it as CSV UTF-8")]
        ) from None


def read_cohort(path: Path) -> tuple[pd.DataFrame, CohortReport]:
    """Validate a cohort file. Returns the complete-case frame (COHORT_COLUMNS) and a report.

    Raises CohortError for: unreadable or empty file, non-UTF-8 bytes, duplicate or missing header
    columns, rows with the wrong number of fields, values of the wrong type or outside the allowed
    set, a missing study_id, or no complete row left.
    """
    path = Path(path)
    try:
        raw = path.read_bytes()
    except OSError as e:
        raise CohortError(path, [(None, None, f"cannot read the file ({e.strerror})")]) from None
    text = _decode(path, raw)
    if not text.strip():
        raise CohortError(
            path, [(None, None, "the file is empty; expected a header line and one row per patient")]
        )
    reader = csv.reader(io.StringIO(text, newline=""))
    header = [h.strip() for h in next(reader)]
    problems = [
        (1, h, "this column appears more than once in the header")
        for i, h in enumerate(header)
        if h in header[:i]
    ]
    problems += [
        (1, c, "required column is missing from the header") for c in COHORT_COLUMNS if c not in header
    ]
    if problems:
        raise CohortError(path, problems)
    report = CohortReport(ignored_columns=[h for h in header if h not in COHORT_COLUMNS])
    position = {c: header.index(c) for c in COHORT_COLUMNS}
    records = []
    for fields in reader:
        line = reader.line_num
        if not any(f.strip() for f in fields):
            continue  # blank line
        report.n_rows += 1
        if len(fields) != len(header):
            problems.append((line, None, f"expected {len(header)} fields, found {len(fields)}"))
            continue
        record, missing = {}, []
        for column in COHORT_COLUMNS:
            text = fields[position[column]]
            if text.strip().lower() in MISSING:
                if column == STUDY_COLUMN:
                    problems.append((line, column, "study_id is missing; expected the study or site name"))
                missing.append(column)
                continue
            try:
                record[column] = _parse(column, text)
            except ValueError as e:
                problems.append((line, column, str(e)))
        for column in missing:
            report.excluded_missing[column] = report.excluded_missing.get(column, 0) + 1
        if not missing:
            records.append(record)
        if len(problems) >= MAX_ERRORS:
            break
    if problems:
        raise CohortError(path, problems[:MAX_ERRORS])
    if report.n_rows == 0:
        raise CohortError(path, [(None, None, "the file has a header but no patient rows")])
    if not records:
        raise CohortError(
            path,
            [
                (
                    None,
                    None,
                    f"no row has every predictor and outcome; missing per column: {report.excluded_missing}",
                )
            ],
        )
    report.n_used = len(records)
    return pd.DataFrame.from_records(records, columns=list(COHORT_COLUMNS)), report


def write_cohort(frame: pd.DataFrame, path: Path) -> None:
    """Write a cohort in the schema (other_metastases as yes/no)."""
    out = frame.loc[:, list(COHORT_COLUMNS)].copy()
    out["other_metastases"] = out["other_metastases"].map({True: "yes", False: "no"})
    out.to_csv(path, index=False, lineterminator="\n")


def model_frame(cohort: pd.DataFrame) -> pd.DataFrame:
    """The five predictors of a validated cohort, as `calculator.predict.to_frame` builds them."""
    return to_frame(cohort.loc[:, list(FEATURE_NAMES)].to_dict("records"))
