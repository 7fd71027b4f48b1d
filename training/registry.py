"""Turn a registry table (training/tables.py) into typed rows, keeping every row and every problem.

Nothing is refused here except a file whose header is unusable: cells that cannot be read are
collected as problems with their line, column and text, and left empty, so that the checks
(training/checks.py) can say what they most likely mean (a missing-value code, McCormick 0-4)
before anything is refused. Which rows are complete is decided here too:

- a missing value is an empty cell, `NA`, `N/A`, or a code declared with `--missing-codes`;
- `kps` missing and `ecog` present: the row's KPS is the ECOG grade's band of two KPS values
  (`calculator.features.ECOG_KPS_BAND`), marked `kps_from_ecog`; the value within the band is
  drawn later (training.cohort.draw_kps_from_ecog);
- `survival_days` missing and both `surgery_date` and `last_contact_date` present: the whole days
  between the two (ISO dates only: 03/04/2020 is ambiguous).
"""

from __future__ import annotations

import datetime
import math
import re
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from calculator.features import BY_NAME, COHORT_COLUMNS, ECOG_KPS_BAND, STUDY_COLUMN
from training.problems import CohortError
from training.tables import ReadOptions, read_table

MISSING = {"", "na", "n/a"}
ECOG_COLUMN = "ecog"
DATE_COLUMNS = ("surgery_date", "last_contact_date")
OPTIONAL_COLUMNS = (ECOG_COLUMN, *DATE_COLUMNS)
NUMBER = re.compile(r"-?\d+(\.\d+)?")
DECIMAL_COMMA = re.compile(r"-?\d+,\d+")


def _parse_int(text: str, low: int, high: int, step: int = 1):
    try:
        value = int(text)
    except ValueError:
        return None
    return value if low <= value <= high and (value - low) % step == 0 else None


def parse_cell(column: str, text: str, decimal_comma: bool = False):
    """The typed value of a non-missing cell, or raise ValueError saying what was expected."""
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
    if column == ECOG_COLUMN:
        value = _parse_int(t, 0, 4)
        if value is None:
            raise ValueError(f"expected an ECOG grade 0 to 4 before surgery (whole number), got {text!r}")
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
        if decimal_comma and DECIMAL_COMMA.fullmatch(t):
            t = t.replace(",", ".")
        value = float(t) if NUMBER.fullmatch(t) else math.nan
        if not math.isfinite(value) or value < 0:
            raise ValueError(f"expected a number of days >= 0, got {text!r}")
        return value
    if column == "died":
        if t not in ("0", "1"):
            raise ValueError(f"expected 1 (died at survival_days) or 0 (alive then), got {text!r}")
        return int(t)
    if column in DATE_COLUMNS:
        try:
            return datetime.date.fromisoformat(t)
        except ValueError:
            raise ValueError(f"expected a date as YYYY-MM-DD (ISO 8601), got {text!r}") from None
    return t  # study_id: any non-empty text


@dataclass
class Registry:
    """Every data row of a file, typed; what could not be read; how the file was read."""

    path: Path
    rows: pd.DataFrame  # `line`, COHORT_COLUMNS, ecog, dates, kps_from_ecog, missing (columns); None
    # where missing or unread; object dtype, so values stay Python ints, floats, bools and dates
    raw: pd.DataFrame  # the cell texts of every column of the file, one row per data row
    problems: list[tuple[int, str | None, str, str]]  # (line, column, message, cell text)
    complete: pd.Series  # bool per row: every predictor (KPS or ECOG) and outcome present and read
    missing: dict[str, int]  # column -> rows missing it (kps: neither kps nor ecog)
    coded_missing: dict[str, int]  # column -> cells that matched a declared missing code
    ignored_columns: list[str]
    source: dict = field(default_factory=dict)


def _header_problems(header: list[str]) -> list:
    twice = "this column appears more than once in the header"
    problems = [(1, h, twice) for i, h in enumerate(header) if h in header[:i]]
    dated = all(c in header for c in DATE_COLUMNS)
    for c in COHORT_COLUMNS:
        if c not in header and not (c == "survival_days" and dated):
            problems.append((1, c, "required column is missing from the header"))
    return problems


def _row(line, cells, position, table, codes, coded, problems) -> dict:
    """One typed row; `missing` lists the required columns it lacks (KPS given by ECOG, survival
    given by dates, are not missing)."""
    record, missing = {"line": line}, []
    for column, index in position.items():
        text = cells[index].strip() if index is not None else ""
        if text.lower() in MISSING or text in codes:
            if text in codes:
                coded[column] = coded.get(column, 0) + 1
            if column == STUDY_COLUMN:
                problems.append((line, column, "study_id is missing; expected the study or site name", text))
            record[column] = None
            missing.append(column)
            continue
        try:
            record[column] = parse_cell(column, text, table.decimal_comma)
        except ValueError as e:
            problems.append((line, column, str(e), text))
            record[column] = None
    record["kps_from_ecog"] = record["kps"] is None and record.get(ECOG_COLUMN) is not None
    surgery, contact = record.get("surgery_date"), record.get("last_contact_date")
    dated = surgery is not None and contact is not None
    if record["survival_days"] is None and dated and contact >= surgery:
        record["survival_days"] = float((contact - surgery).days)
    excused = {"kps": record["kps_from_ecog"], "survival_days": dated}
    record["missing"] = tuple(c for c in missing if c in COHORT_COLUMNS and not excused.get(c))
    return record


def load_registry(path: Path, options: ReadOptions | None = None) -> Registry:
    """Every row of the file, typed. Raises CohortError only for an unusable file or header."""
    options = options or ReadOptions()
    table = read_table(path, options)
    # A column with data but no name (a spacer in a spreadsheet) is kept under its position.
    header = [h or f"(column {i + 1})" for i, h in enumerate(table.header)]
    problems = _header_problems(header)
    if problems:
        raise CohortError(path, problems)
    if not table.rows:
        raise CohortError(path, [(None, None, "the file has a header but no patient rows")])
    used = (*COHORT_COLUMNS, *OPTIONAL_COLUMNS)
    position = {c: (header.index(c) if c in header else None) for c in used}
    codes = {c.strip() for c in options.missing_codes}
    records, raw, cell_problems, coded = [], [], [], {}
    for line, cells in table.rows:
        if len(cells) != len(header):
            cell_problems.append((line, None, f"expected {len(header)} fields, found {len(cells)}", ""))
            continue
        raw.append([c.strip() for c in cells])
        records.append(_row(line, cells, position, table, codes, coded, cell_problems))
    rows = pd.DataFrame(records, columns=["line", *used, "kps_from_ecog", "missing"], dtype=object)
    counts = pd.Series([c for m in rows["missing"] for c in m], dtype=object).value_counts()
    unread = rows["line"].isin({p[0] for p in cell_problems})
    return Registry(
        path=Path(path),
        rows=rows,
        raw=pd.DataFrame(raw, columns=header),
        problems=cell_problems,
        complete=(rows["missing"].map(len) == 0) & ~unread & rows["survival_days"].notna(),
        missing={c: int(counts[c]) for c in COHORT_COLUMNS if c in counts},
        coded_missing=coded,
        ignored_columns=[h for h in header if h not in used],
        source=table.source | {"missing_codes": sorted(codes)},
    )


def kps_band(ecog: int) -> tuple[int, ...]:
    """The KPS values an ECOG grade stands for (one published correspondence, features.py)."""
    return ECOG_KPS_BAND[int(ecog)]
