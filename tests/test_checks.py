"""Data-quality checks (training/checks.py): one file in tests/data/ per check, the clean file that
passes them all, the flags that let a flagged file through, and that `check`, `fit` and `validate`
write nothing from a file that fails a check without its flag."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from make_registry_files import DATA
from quick_fit import quick_fit

from training.__main__ import main
from training.checks import ACCEPTABLE, CHECKS, format_report, run_checks
from training.cohort import CohortError, read_cohort
from training.findings import NEEDS_FLAG, NOTE, REFUSE
from training.registry import load_registry
from training.tables import ReadOptions

PROJECT_ROOT = Path(__file__).resolve().parent.parent

# (file, options, check, severity, lines it must name: 1-based, the header is line 1)
CASES = [
    ("check_invalid_values.csv", ReadOptions(), "invalid-values", REFUSE, (12,)),
    ("check_sentinel_kps.csv", ReadOptions(), "sentinel-codes", REFUSE, (5, 19, 42)),
    ("check_sentinel_survival.csv", ReadOptions(), "sentinel-codes", NEEDS_FLAG, (10, 32)),
    ("check_mccormick_0_4.csv", ReadOptions(), "mccormick-zero-based", REFUSE, (4, 12, 17)),
    ("check_impossible_dates.csv", ReadOptions(), "impossible-values", REFUSE, (6, 22, 35)),
    ("check_no_complete_rows.csv", ReadOptions(), "no-complete-rows", REFUSE, ()),
    ("check_survival_weeks.csv", ReadOptions(), "survival-units", NEEDS_FLAG, ()),
    ("check_survival_months.csv", ReadOptions(), "survival-units", NEEDS_FLAG, ()),
    ("check_outcome_inverted.csv", ReadOptions(), "outcome-coding", NEEDS_FLAG, (8, 9, 10)),
    ("check_duplicates.csv", ReadOptions(), "duplicate-patients", NEEDS_FLAG, tuple(range(62, 72))),
    ("check_missing_kps_early_deaths.csv", ReadOptions(), "missingness-outcome", NEEDS_FLAG, (2, 3, 8)),
    ("check_missing_kps_early_deaths.csv", ReadOptions(), "complete-case-loss", NOTE, ()),
    ("ecog.csv", ReadOptions(), "kps-from-ecog", NOTE, ()),
    ("check_sentinel_survival.csv", ReadOptions(missing_codes=("9999",)), "declared-missing-codes", NOTE, ()),
]


def report_of(name: str, options: ReadOptions | None = None):
    return run_checks(load_registry(DATA / name, options))


def test_the_clean_file_passes_every_check_without_a_note():
    report = report_of("clean.csv")
    assert report.findings == () and report.blocking() == [] and report.imputation_reasons == ()
    assert format_report(report).endswith("verdict: passes")


@pytest.mark.parametrize(
    "name, options, check, severity, lines", CASES, ids=[c[2] + "-" + c[0] for c in CASES]
)
def test_each_check_finds_its_mistake_and_names_the_rows(name, options, check, severity, lines):
    found = [f for f in report_of(name, options).findings if f.check == check]
    assert found and {f.severity for f in found} == {severity}
    named = {line for f in found for line in f.lines}
    assert set(lines) <= named


def test_every_check_is_covered_here_and_listed_in_the_schema_document():
    assert {c[2] for c in CASES} == set(CHECKS)
    doc = (PROJECT_ROOT / "docs" / "cohort-schema.md").read_text(encoding="utf-8")
    for check in CHECKS:
        assert f"| `{check}` |" in doc, check
    for flag in ACCEPTABLE:
        assert f"--accept {flag}" in doc


@pytest.mark.parametrize("name, options, check", [(c[0], c[1], c[2]) for c in CASES if c[3] == NEEDS_FLAG])
def test_a_flagged_file_is_refused_naming_its_flag_and_passes_with_it(name, options, check):
    with pytest.raises(CohortError) as caught:
        read_cohort(DATA / name, options)
    assert f"--accept {check}" in str(caught.value)
    accepted = ReadOptions(options.encoding, options.sheet, options.missing_codes, frozenset({check}))
    frame, report = read_cohort(DATA / name, accepted)
    assert report.accepted == [check] and len(frame) == report.n_used > 0


@pytest.mark.parametrize("name", [c[0] for c in CASES if c[3] == REFUSE])
def test_a_refused_file_cannot_be_accepted_by_any_flag(name):
    with pytest.raises(CohortError):
        read_cohort(DATA / name, ReadOptions(accept=frozenset(ACCEPTABLE)))


def test_the_check_suggests_declaring_a_code_and_the_code_clears_it():
    message = str(pytest.raises(CohortError, read_cohort, DATA / "check_sentinel_kps.csv").value)
    assert "column 'kps'" in message and "--missing-codes 999" in message
    assert report_of("check_sentinel_survival.csv", ReadOptions(missing_codes=("9999",))).blocking() == []


def test_missing_values_are_counted_and_the_outcome_of_excluded_rows_is_shown():
    report = report_of("check_missing_kps_early_deaths.csv")
    assert (report.n_rows, report.n_complete, report.missing) == (60, 48, {"kps": 12})
    assert report.outcome == {
        "analysed": {"n": 48, "known_90d": 48, "deaths_90d": 7},
        "excluded": {"n": 12, "known_90d": 12, "deaths_90d": 10},
    }
    assert len(report.imputation_reasons) == 2
    text = format_report(report)
    assert "missing values (rows): kps 12" in text
    assert "excluded: 12 rows; death by day 90 in 10 of 12 (83%)" in text
    assert "recommended: multiple imputation (chained equations, m >= 20)" in text


def test_check_cli_prints_the_report_and_exits_2_until_accepted(capsys):
    assert main(["check", "--cohort", str(DATA / "check_duplicates.csv")]) == 2
    out = capsys.readouterr().out
    assert "NEEDS FLAG duplicate-patients: 10 rows repeat an earlier row" in out
    assert out.rstrip().endswith("fix the export or add --accept duplicate-patients")
    args = ["check", "--cohort", str(DATA / "check_duplicates.csv"), "--accept", "duplicate-patients"]
    assert main(args) == 0
    assert capsys.readouterr().out.rstrip().endswith("verdict: passes (accepted: duplicate-patients)")
    assert main(["check", "--cohort", str(DATA / "clean.xlsx")]) == 0


FAILING = sorted({c[0] for c in CASES if c[3] != NOTE})


@pytest.mark.parametrize("name", FAILING)
def test_fit_and_validate_write_nothing_from_a_file_that_fails_a_check(tmp_path, capsys, name):
    cohort = str(DATA / name)
    model, report = tmp_path / "model", tmp_path / "report.html"
    assert main(["fit", "--cohort", cohort, "--out", str(model)]) == 2
    assert main(["validate", "--cohort", cohort, "--out", str(report)]) == 2
    err = capsys.readouterr().err
    assert err.count("cannot use this cohort file") == 2
    assert list(tmp_path.iterdir()) == []


@pytest.mark.slow
def test_fit_with_a_flag_records_it_and_ecog_rows_in_the_manifest(tmp_path, monkeypatch, capsys):
    out = tmp_path / "model"
    with quick_fit(monkeypatch):
        args = [
            "fit",
            "--cohort",
            str(DATA / "ecog.csv"),
            "--out",
            str(out),
            "--accept",
            "duplicate-patients",
        ]
        assert main(args) == 0, capsys.readouterr().err
    cohort = json.loads((out / "manifest.json").read_text(encoding="utf-8"))["cohort"]
    assert (cohort["n"], cohort["kps_from_ecog"], cohort["accepted_checks"]) == (
        60,
        15,
        ["duplicate-patients"],
    )
    assert cohort["ecog_kps_correspondence"].startswith("ECOG-ACRIN side-by-side table")
    assert cohort["read"] == {"format": "csv", "delimiter": "comma", "encoding": "utf-8", "missing_codes": []}
