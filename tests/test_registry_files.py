"""Registry exports as they come (training/tables.py, training/registry.py): every form of the clean
cohort in tests/data/ gives the same cohort as clean.csv; encodings, sheets, dates, ECOG, codes."""

from __future__ import annotations

import filecmp

import numpy as np
import pandas as pd
import pytest
from make_registry_files import DATA
from make_registry_files import main as make_registry_files

from calculator.features import ECOG_KPS_BAND
from training.cohort import CohortError, draw_kps_from_ecog, ecog_rng, read_cohort
from training.tables import ReadOptions

CLEAN = DATA / "clean.csv"

SAME_COHORT = [
    ("clean_semicolon_decimal_comma.csv", ReadOptions()),
    ("clean_tab.tsv", ReadOptions()),
    ("clean_cp1252.csv", ReadOptions(encoding="cp1252")),
    ("clean_cp1252.csv", ReadOptions(encoding="latin-1")),
    ("clean_excel_style.csv", ReadOptions()),  # byte-order mark, upper-case header, trailing ,,
    ("clean.xlsx", ReadOptions()),
    ("clean.xlsx", ReadOptions(sheet="Export")),
    ("clean_dates.csv", ReadOptions()),
]


@pytest.mark.parametrize(
    "name, options", SAME_COHORT, ids=[f"{n}-{o.encoding or o.sheet}" for n, o in SAME_COHORT]
)
def test_each_export_form_gives_the_clean_cohort(name, options):
    expected, expected_report = read_cohort(CLEAN)
    frame, report = read_cohort(DATA / name, options)
    pd.testing.assert_frame_equal(frame, expected)
    assert (report.n_rows, report.n_used, report.excluded_missing) == (60, 60, {})
    assert report.checks.findings == ()
    assert expected["survival_days"].map(lambda d: not float(d).is_integer()).sum() == 3  # 120.5 etc.


def test_the_report_says_how_each_file_was_read():
    assert read_cohort(DATA / "clean_semicolon_decimal_comma.csv")[1].source == {
        "format": "csv",
        "delimiter": "semicolon",
        "encoding": "utf-8",
        "missing_codes": [],
    }
    assert read_cohort(DATA / "clean.xlsx")[1].source == {
        "format": "xlsx",
        "sheet": "Export",
        "missing_codes": [],
    }


def test_committed_csv_files_are_what_the_script_writes(tmp_path):
    make_registry_files(tmp_path)
    names = sorted(p.name for p in DATA.iterdir() if p.suffix in (".csv", ".tsv"))
    assert names == sorted(p.name for p in tmp_path.iterdir() if p.suffix in (".csv", ".tsv"))
    _, mismatch, errors = filecmp.cmpfiles(DATA, tmp_path, names, shallow=False)
    assert (mismatch, errors) == ([], [])


def test_windows_1252_without_the_option_names_the_option():
    with pytest.raises(CohortError) as caught:
        read_cohort(DATA / "clean_cp1252.csv")
    message = str(caught.value)
    assert "line 2" in message and "not UTF-8" in message and "--encoding cp1252" in message


@pytest.mark.parametrize(
    "options, fragment",
    [(ReadOptions(sheet="Patients"), "no sheet named 'Patients'; the workbook has 'Export', 'Notes'")],
)
def test_a_missing_sheet_is_named_with_the_sheets_there_are(options, fragment):
    with pytest.raises(CohortError, match=fragment):
        read_cohort(DATA / "clean.xlsx", options)


def test_an_xls_workbook_is_refused_with_what_to_do(tmp_path):
    path = tmp_path / "export.xls"
    path.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(100))
    with pytest.raises(
        CohortError, match=r"Excel 97-2003 \(.xls\) workbook; save it as .xlsx or as CSV UTF-8"
    ):
        read_cohort(path)


def test_decimal_comma_is_read_only_where_the_delimiter_is_not_a_comma(tmp_path):
    header = "study_id,kps,other_metastases,mccormick_grade,resection,compartment,survival_days,died"
    row = 'a,70,no,2,biopsy,intramedullary,"120,5",1'
    path = tmp_path / "registry.csv"
    path.write_text(f"{header}\n{row}\n", encoding="utf-8")
    with pytest.raises(CohortError) as caught:
        read_cohort(path)
    assert caught.value.problems == [(2, "survival_days", "expected a number of days >= 0, got '120,5'")]
    path.write_text(f"{header}\n{row}\n".replace(",", ";").replace('"120;5"', "120,5"), encoding="utf-8")
    assert read_cohort(path)[0]["survival_days"].tolist() == [120.5]


def test_survival_days_from_dates_alone(tmp_path):
    header = (
        "study_id,kps,other_metastases,mccormick_grade,resection,compartment,"
        "surgery_date,last_contact_date,died"
    )
    rows = [f"a,70,no,2,biopsy,intramedullary,2020-01-0{d},2020-03-01,{d % 2}" for d in range(1, 10)]
    path = tmp_path / "dates.csv"
    path.write_text(
        "\n".join([header, *rows, "a,70,no,2,biopsy,intramedullary,01/01/2020,2020-03-01,1"]) + "\n"
    )
    with pytest.raises(CohortError) as caught:
        read_cohort(path)
    assert caught.value.problems == [
        (11, "surgery_date", "expected a date as YYYY-MM-DD (ISO 8601), got '01/01/2020'")
    ]
    path.write_text("\n".join([header, *rows]) + "\n")
    frame, _ = read_cohort(path)
    assert frame["survival_days"].tolist() == [60.0, 59.0, 58.0, 57.0, 56.0, 55.0, 54.0, 53.0, 52.0]


def test_ecog_stands_in_for_missing_kps_through_its_band():
    clean, _ = read_cohort(CLEAN)
    frame, report = read_cohort(DATA / "ecog.csv", rng=ecog_rng(7))
    assert (report.n_used, report.kps_from_ecog, report.excluded_missing) == (60, 15, {})
    from_ecog = frame.index % 4 == 0
    for drawn, true in zip(frame.loc[from_ecog, "kps"], clean.loc[from_ecog, "kps"]):
        assert drawn in next(band for band in ECOG_KPS_BAND.values() if true in band)
    pd.testing.assert_frame_equal(frame[~from_ecog], clean[~from_ecog])
    again, _ = read_cohort(DATA / "ecog.csv", rng=ecog_rng(7))
    pd.testing.assert_frame_equal(frame, again)  # one seed, one draw
    with pytest.raises(ValueError, match="pass rng=ecog_rng"):
        read_cohort(DATA / "ecog.csv")


def test_each_band_value_is_drawn_with_probability_one_half():
    cohort = pd.DataFrame({"kps": [None] * 4000, "ecog": [2] * 4000, "kps_from_ecog": [True] * 4000})
    drawn = draw_kps_from_ecog(cohort, np.random.default_rng(np.random.SeedSequence(11)))["kps"]
    assert set(drawn) == {60, 50}
    assert abs((drawn == 60).mean() - 0.5) < 0.03  # 4000 draws: sd 0.008


def test_declared_missing_codes_become_missing_values():
    frame, report = read_cohort(DATA / "check_sentinel_kps.csv", ReadOptions(missing_codes=("999",)))
    assert (report.n_rows, report.n_used, report.excluded_missing) == (60, 57, {"kps": 3})
    assert report.checks.coded_missing == {"kps": 3}


def test_a_workbook_saved_under_a_csv_name_is_read_as_a_workbook(tmp_path):
    renamed = tmp_path / "registry.csv"
    renamed.write_bytes((DATA / "clean.xlsx").read_bytes())
    pd.testing.assert_frame_equal(read_cohort(renamed)[0], read_cohort(CLEAN)[0])


def test_an_unnamed_spacer_column_is_ignored_and_listed(tmp_path):
    header, *rows = (DATA / "clean.csv").read_text(encoding="utf-8").splitlines()
    path = tmp_path / "spacer.csv"
    path.write_text("\n".join([header + ",,note", *(r + ",,x" for r in rows)]) + "\n", encoding="utf-8")
    frame, report = read_cohort(path)
    assert report.ignored_columns == ["(column 9)", "note"] and len(frame) == 60
