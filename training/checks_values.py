"""Checks on single values and rows: codes for 'unknown', McCormick 0-4, unreadable and impossible
values, duplicated patients. Each takes a Registry (training/registry.py) and returns Findings;
thresholds and their reasons are in docs/cohort-schema.md ("Data-quality checks")."""

from __future__ import annotations

import datetime
import re
from collections import defaultdict

from training.findings import NEEDS_FLAG, REFUSE, Finding, lines_text
from training.registry import DATE_COLUMNS, Registry

# A cell that is not a valid value and reads like a registry's code for "unknown": 9, 99, 999, ...
# or a negative whole number (-1, -9, -99). Never replaced silently: the user declares it.
CODE = re.compile(r"-?9+(\.0+)?|-\d+(\.0+)?")
# Valid survival_days written only with nines, three digits or more (999 days is 2.7 years, a
# possible survival; 9999 is 27 years): possible, but the classic code, so a person must look.
NINES = re.compile(r"9{3,}(\.0+)?")
MAX_SURVIVAL_DAYS = 10_957  # 30 years: beyond any follow-up of operated intradural metastases
EARLIEST_DATE = datetime.date(1980, 1, 1)  # before MRI was in clinical use; 1900-01-01 is a code


def sentinel_codes(reg: Registry) -> tuple[list[Finding], set]:
    """Codes for 'unknown' in cells where they are not valid (refused), and all-nines survival
    times (need a flag). Returns the findings and the problem cells they explain."""
    claimed = {p for p in reg.problems if p[1] and p[1] != "study_id" and CODE.fullmatch(p[3])}
    by = defaultdict(list)
    for line, column, message, text in claimed:
        by[(column, message, text)].append(line)
    findings = [
        Finding(
            "sentinel-codes",
            REFUSE,
            f"{message}; {text!r} looks like a code for an unknown value: if it is one, declare it and "
            f"those cells count as missing: --missing-codes {text}",
            tuple(sorted(lines)),
            (column,),
        )
        for (column, message, text), lines in by.items()
    ]
    raw = reg.raw.get("survival_days")
    if raw is not None:
        nines = defaultdict(list)
        for line, text in zip(reg.rows["line"], raw):
            if NINES.fullmatch(text) and text not in reg.source["missing_codes"]:
                nines[text].append(line)
        findings += [
            Finding(
                "sentinel-codes",
                NEEDS_FLAG,
                f"survival_days {text} ({float(text) / 365.25:.1f} years) is written only with nines, the "
                f"usual code for 'unknown': if it is one, declare it with --missing-codes {text}; if these "
                "are real survival times, add --accept sentinel-codes",
                tuple(lines),
                ("survival_days",),
            )
            for text, lines in nines.items()
        ]
    return findings, claimed


def mccormick_zero_based(reg: Registry) -> tuple[list[Finding], set]:
    """Grades 0 with no grade 5: the registry numbers the five grades 0-4 (refused: recode)."""
    zeros = {p for p in reg.problems if p[1] == "mccormick_grade" and p[3] in ("0", "0.0")}
    if not zeros or (reg.rows["mccormick_grade"] == 5).any():
        return [], set()
    lines = tuple(sorted(p[0] for p in zeros))
    message = (
        f"mccormick_grade runs from 0 to 4 here ({len(lines)} rows graded 0, none graded 5), but the "
        "modified McCormick scale is grades I to V, written 1 to 5: if your registry numbers grade I as "
        "0, add 1 to every grade in the export"
    )
    return [Finding("mccormick-zero-based", REFUSE, message, lines, ("mccormick_grade",))], zeros


def invalid_values(reg: Registry, explained: set) -> list[Finding]:
    """Every other cell that could not be read, with what was expected (refused)."""
    return [
        Finding("invalid-values", REFUSE, message, (line,), (column,) if column else ())
        for line, column, message, text in reg.problems
        if (line, column, message, text) not in explained
    ]


def impossible_values(reg: Registry) -> list[Finding]:
    """Valid-looking values that cannot be true: dates out of order, before 1980 or in the
    future, survival beyond 30 years, survival_days contradicting the dates (refused)."""
    rows, today, found = reg.rows, datetime.date.today(), []

    def add(flags, columns, message):
        lines = tuple(line for line, flag in zip(rows["line"], flags) if flag)
        if lines:
            found.append(Finding("impossible-values", REFUSE, message, lines, columns))

    pairs = list(zip(rows["surgery_date"], rows["last_contact_date"]))
    add(
        [s is not None and c is not None and c < s for s, c in pairs],
        DATE_COLUMNS,
        "last_contact_date is before surgery_date",
    )
    for column in DATE_COLUMNS:
        add(
            [d is not None and not EARLIEST_DATE <= d <= today for d in rows[column]],
            (column,),
            f"{column} before {EARLIEST_DATE.year} or after today: a date code or a typing error",
        )
    days = rows["survival_days"]
    add(
        [d is not None and d > MAX_SURVIVAL_DAYS for d in days],
        ("survival_days",),
        f"survival_days above {MAX_SURVIVAL_DAYS} (30 years): not a follow-up after surgery for a metastasis",
    )
    span = [(c - s).days if s is not None and c is not None else None for s, c in pairs]
    add(
        [d is not None and x is not None and abs(d - x) > 1 for d, x in zip(days, span)],
        ("survival_days", *DATE_COLUMNS),
        "survival_days differs by more than a day from the days between surgery_date and last_contact_date",
    )
    return found


def duplicate_patients(reg: Registry) -> list[Finding]:
    """Rows identical in every column of the file, extra columns included (needs a flag: two
    patients can coincide in a large registry without a record number)."""
    repeats = reg.raw.duplicated(keep="first")
    if not repeats.any():
        return []
    lines = tuple(reg.rows.loc[repeats.to_numpy(), "line"])
    first = reg.raw.duplicated(keep=False) & ~repeats
    message = (
        f"{len(lines)} rows repeat an earlier row in every column (first copies on "
        f"{lines_text(reg.rows.loc[first.to_numpy(), 'line'])}): remove repeated exports of the same "
        "patient; if they are different patients, add --accept duplicate-patients"
    )
    return [Finding("duplicate-patients", NEEDS_FLAG, message, lines)]
