"""Cohort files (training/cohort.py): a table of bad files and their messages, missing values,
and `python -m training fit --cohort` on a bad and on a registry-style file."""

from __future__ import annotations

import csv
import json
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest
from quick_fit import quick_fit

from calculator.artifact import load_model
from calculator.features import COHORT_COLUMNS, COMPARTMENT, HORIZON_DAYS, RESECTION
from training.__main__ import main as training_cli
from training.cohort import CohortError, read_cohort

PROJECT_ROOT = Path(__file__).resolve().parent.parent
SHIPPED_COHORT = PROJECT_ROOT / "models" / "synthetic_cohort.csv"
HEADER = ",".join(COHORT_COLUMNS)
GOOD = {
    "study_id": "site_a",
    "kps": "70",
    "other_metastases": "no",
    "mccormick_grade": "2",
    "resection": "gross_total",
    "compartment": "intramedullary",
    "survival_days": "120",
    "died": "1",
}


def line(**changes) -> str:
    """One data line: the good row with some cells replaced, in header order."""
    return ",".join({**GOOD, **changes}[c] for c in COHORT_COLUMNS)


def good_file(*lines: str) -> str:
    """Header, a good row (line 2), then the given lines (line 3 onwards)."""
    return "\n".join([HEADER, line(), *lines]) + "\n"


def write(tmp_path: Path, content: str | bytes, name: str = "cohort.csv") -> Path:
    path = tmp_path / name
    if isinstance(content, str):
        path.write_text(content, encoding="utf-8")
    else:
        path.write_bytes(content)
    return path


# (id, file content, fragments the message must contain: line, column, what was expected)
BAD_FILES = [
    (
        "kps-not-a-number",
        good_file(line(kps="abc")),
        ["line 3", "column 'kps'", "whole number from 10 to 100 in steps of 10", "got 'abc'"],
    ),
    (
        "kps-not-step-10",
        good_file(line(kps="75")),
        ["line 3", "column 'kps'", "10 to 100 in steps of 10", "got '75'"],
    ),
    (
        "kps-above-100",
        good_file(line(kps="110")),
        ["line 3", "column 'kps'", "10 to 100", "got '110'"],
    ),
    (
        "mccormick-6",
        good_file(line(mccormick_grade="6")),
        ["line 3", "column 'mccormick_grade'", "McCormick grade 1 to 5", "got '6'"],
    ),
    (
        "mccormick-roman",
        good_file(line(mccormick_grade="II")),
        ["line 3", "column 'mccormick_grade'", "1 to 5 (whole number)", "got 'II'"],
    ),
    (
        "other-metastases-not-yes-no",
        good_file(line(other_metastases="1")),
        ["line 3", "column 'other_metastases'", "expected yes or no", "got '1'"],
    ),
    (
        "survival-days-negative",
        good_file(line(survival_days="-1")),
        ["line 3", "column 'survival_days'", "number of days >= 0", "got '-1'"],
    ),
    (
        "survival-days-text",
        good_file(line(survival_days="3 months")),
        ["line 3", "column 'survival_days'", "number of days >= 0", "got '3 months'"],
    ),
    (
        "died-2",
        good_file(line(died="2")),
        ["line 3", "column 'died'", "1 (died at survival_days) or 0 (alive then)", "got '2'"],
    ),
    (
        "resection-total",
        good_file(line(resection="total")),
        ["line 3", "column 'resection'", "one of biopsy, subtotal, gross_total", "got 'total'"],
    ),
    (
        "compartment-abbreviated",
        good_file(line(compartment="IESM")),
        [
            "line 3",
            "column 'compartment'",
            "one of intramedullary, intradural_extramedullary",
            "got 'IESM'",
        ],
    ),
    (
        "missing-column",
        "\n".join([HEADER.replace(",mccormick_grade", ""), "site_a,70,no,gross_total,intramedullary,120,1"]),
        ["line 1", "column 'mccormick_grade'", "required column is missing from the header"],
    ),
    (
        "duplicate-header",
        "\n".join([HEADER + ",kps", line() + ",70"]),
        ["line 1", "column 'kps'", "appears more than once in the header"],
    ),
    (
        "empty-file",
        "",
        ["the file is empty", "expected a header line and one row per patient"],
    ),
    (
        "whitespace-only-file",
        "\n  \n",
        ["the file is empty", "expected a header line"],
    ),
    (
        "header-only",
        HEADER + "\n",
        ["header but no patient rows"],
    ),
    (
        "latin-1-bytes",
        good_file(line(study_id="Université")).encode("latin-1"),
        ["line 3", "not UTF-8", "export it as CSV UTF-8"],
    ),
    (
        "too-few-fields",
        good_file("site_a,70,no,2,gross_total,intramedullary,120"),
        ["line 3", "expected 8 fields, found 7"],
    ),
    (
        "too-many-fields",
        good_file(line() + ",extra"),
        ["line 3", "expected 8 fields, found 9"],
    ),
    (
        "missing-study-id",
        good_file(line(study_id="")),
        ["line 3", "column 'study_id'", "study_id is missing", "expected the study or site name"],
    ),
    (
        "every-row-incomplete",
        "\n".join([HEADER, line(kps="NA"), line(kps="")]) + "\n",
        ["no row has every predictor and outcome", "'kps': 2"],
    ),
]


@pytest.mark.parametrize("content, fragments", [b[1:] for b in BAD_FILES], ids=[b[0] for b in BAD_FILES])
def test_bad_file_is_refused_with_a_message_naming_where_and_what(tmp_path, content, fragments):
    path = write(tmp_path, content)
    with pytest.raises(CohortError) as caught:
        read_cohort(path)
    message = str(caught.value)
    assert message.startswith(f"{path}: cannot use this cohort file")
    for fragment in fragments:
        assert fragment in message


def test_every_problem_in_the_file_is_listed_in_one_pass(tmp_path):
    path = write(tmp_path, good_file(line(kps="75"), line(died="2", resection="total")))
    with pytest.raises(CohortError) as caught:
        read_cohort(path)
    assert caught.value.problems == [
        (3, "kps", "expected a whole number from 10 to 100 in steps of 10, got '75'"),
        (4, "resection", "expected one of biopsy, subtotal, gross_total, got 'total'"),
        (4, "died", "expected 1 (died at survival_days) or 0 (alive then), got '2'"),
    ]


def test_valid_file_parses_to_typed_values(tmp_path):
    path = write(
        tmp_path,
        good_file(
            line(study_id="site_b", kps="100", other_metastases="Yes", mccormick_grade="5", died="0"),
            line(resection="biopsy", compartment="intradural_extramedullary", survival_days="0"),
        ),
    )
    frame, report = read_cohort(path)
    assert list(frame.columns) == list(COHORT_COLUMNS)
    assert frame.to_dict("records") == [
        {
            **GOOD,
            "kps": 70,
            "other_metastases": False,
            "mccormick_grade": 2,
            "survival_days": 120.0,
            "died": 1,
        },
        {
            **GOOD,
            "study_id": "site_b",
            "kps": 100,
            "other_metastases": True,
            "mccormick_grade": 5,
            "survival_days": 120.0,
            "died": 0,
        },
        {
            **GOOD,
            "kps": 70,
            "other_metastases": False,
            "mccormick_grade": 2,
            "resection": "biopsy",
            "compartment": "intradural_extramedullary",
            "survival_days": 0.0,
            "died": 1,
        },
    ]
    assert (report.n_rows, report.n_used, report.excluded_missing, report.ignored_columns) == (3, 3, {}, [])


def test_missing_predictor_values_exclude_the_row_and_are_counted_per_column(tmp_path):
    path = write(
        tmp_path,
        good_file(
            line(kps=""),  # empty cell
            line(mccormick_grade="NA"),
            line(resection="n/a", compartment=" na "),  # one row, two columns missing
            line(other_metastases="NA", survival_days=""),
            line(study_id="site_b"),
        ),
    )
    frame, report = read_cohort(path)
    assert report.n_rows == 6
    assert report.n_used == 2
    assert report.excluded_missing == {
        "kps": 1,
        "mccormick_grade": 1,
        "resection": 1,
        "compartment": 1,
        "other_metastases": 1,
        "survival_days": 1,
    }
    assert frame["study_id"].tolist() == ["site_a", "site_b"]


def test_extra_columns_are_ignored_and_reported(tmp_path):
    path = write(tmp_path, "\n".join([HEADER + ",age,mrn", line() + ",61,X1234"]) + "\n")
    frame, report = read_cohort(path)
    assert list(frame.columns) == list(COHORT_COLUMNS)
    assert report.ignored_columns == ["age", "mrn"]


def test_columns_in_any_order_and_a_byte_order_mark_are_accepted(tmp_path):
    columns = list(reversed(COHORT_COLUMNS))
    content = ",".join(columns) + "\n" + ",".join(GOOD[c] for c in columns) + "\n"
    path = write(tmp_path, b"\xef\xbb\xbf" + content.encode("utf-8"))
    frame, _ = read_cohort(path)
    assert frame.loc[0, "kps"] == 70
    assert frame.loc[0, "study_id"] == "site_a"


def run_training(*args: str, cwd: Path) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "training", *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        env={"PYTHONPATH": str(PROJECT_ROOT), "PATH": "/usr/bin:/bin"},
        timeout=120,
    )


def test_fit_cli_on_a_bad_cohort_exits_2_and_writes_nothing(tmp_path):
    bad = write(tmp_path, good_file(line(kps="75")), name="registry.csv")
    new_dir = tmp_path / "new_model"
    old_dir = tmp_path / "old_model"
    old_dir.mkdir()
    (old_dir / "manifest.json").write_text('{"old": true}\n', encoding="utf-8")

    for out in (new_dir, old_dir):
        result = run_training("fit", "--cohort", str(bad), "--out", str(out), cwd=tmp_path)
        assert result.returncode == 2
        assert result.stderr.startswith(f"error: {bad}: cannot use this cohort file")
        assert "line 3, column 'kps': expected a whole number from 10 to 100" in result.stderr
        assert result.stdout == ""

    assert not new_dir.exists()
    assert [p.name for p in old_dir.iterdir()] == ["manifest.json"]
    assert (old_dir / "manifest.json").read_text(encoding="utf-8") == '{"old": true}\n'
    assert sorted(p.name for p in tmp_path.iterdir()) == ["old_model", "registry.csv"]


@pytest.mark.slow
def test_fit_cli_on_a_registry_style_cohort_writes_a_loadable_non_synthetic_model(
    tmp_path, monkeypatch, capsys
):
    # The shipped cohort under a registry name, with an extra column and some missing cells:
    # nothing marks it synthetic, so the model must not claim to be. The command runs in-process
    # (same argument parsing, exit status and output) so that `quick_fit` applies.
    monkeypatch.chdir(tmp_path)
    with open(SHIPPED_COHORT, newline="", encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    blanks = {4: ("kps", ""), 9: ("mccormick_grade", "NA"), 19: ("survival_days", "")}
    for index, (column, value) in blanks.items():
        rows[index][column] = value
    registry = tmp_path / "registry_export.csv"
    with open(registry, "w", newline="", encoding="utf-8") as f:
        writer = csv.DictWriter(f, fieldnames=[*COHORT_COLUMNS, "site_note"], lineterminator="\n")
        writer.writeheader()
        writer.writerows({**r, "site_note": "export 2025"} for r in rows)

    kept = pd.read_csv(SHIPPED_COHORT).drop(index=list(blanks))
    expected_events = int(((kept["died"] == 1) & (kept["survival_days"] <= HORIZON_DAYS)).sum())

    out = tmp_path / "model"
    with quick_fit(monkeypatch):
        status = training_cli(["fit", "--cohort", str(registry), "--out", str(out)])
    output = capsys.readouterr()
    assert status == 0, output.err
    assert f"wrote {out} (model 2+" in output.out
    assert "registry cohort, n = 169" in output.out

    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["synthetic"] is False
    assert "reconstruction" not in manifest
    cohort = manifest["cohort"]
    assert cohort["synthetic"] is False
    assert cohort["file"] == "registry_export.csv"
    assert (cohort["n_rows"], cohort["n"]) == (172, 169)
    assert cohort["excluded_missing"] == {"kps": 1, "mccormick_grade": 1, "survival_days": 1}
    assert cohort["ignored_columns"] == ["site_note"]
    assert cohort["events_90d"] == expected_events
    assert sum(s["n"] for s in cohort["studies"]) == 169

    model = load_model(out)
    assert model.manifest == manifest


def test_schema_document_names_every_column_and_allowed_value():
    doc = (PROJECT_ROOT / "docs" / "cohort-schema.md").read_text(encoding="utf-8")
    for column in COHORT_COLUMNS:
        assert f"| `{column}` |" in doc, column
    for feature in (RESECTION, COMPARTMENT):
        for value in feature.values:
            assert f"`{value}`" in doc, value
