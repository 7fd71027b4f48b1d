"""Write the registry files of tests/test_registry_files.py and tests/test_checks.py into tests/data/.

    .venv/bin/python tests/make_registry_files.py

One clean cohort of 60 invented patients (no real person: drawn from a seeded generator) is
written as registries export it: `clean.csv` (the schema's own form), then the same rows
semicolon-separated with decimal commas, tab-separated, in Windows-1252, with Excel-style
headers, as .xlsx, and with dates instead of survival_days. Each `check_*.csv` carries one coding
mistake that one data-quality check must catch; `ecog.csv` has KPS missing where ECOG is given.
The CSV files are byte-for-byte reproducible (a test regenerates and compares them); the .xlsx is
not (openpyxl stamps the time), so the test compares what is read from it instead.
"""

from __future__ import annotations

import csv
import datetime
import io
from pathlib import Path

import numpy as np

from calculator.features import COHORT_COLUMNS, ECOG_KPS_BAND

DATA = Path(__file__).resolve().parent / "data"
SEED = 20260111
N = 60
STUDIES = ("Hôpital Nord", "Klinikum Süd")  # non-ASCII, the same in Windows-1252 and Latin-1
ECOG_OF_KPS = {kps: ecog for ecog, band in ECOG_KPS_BAND.items() for kps in band}


def clean_rows() -> list[dict]:
    """60 patients: 90-day death about 22%, nobody censored before day 90, three fractional days."""
    rng = np.random.default_rng(np.random.SeedSequence(SEED))
    rows = []
    for i in range(N):
        kps = int(rng.choice([40, 50, 60, 70, 80, 90, 100]))
        death = rng.exponential(250 / np.log(2) * kps / 70)  # median 250 days at KPS 70
        follow_up = rng.uniform(200, 1500)
        days = max(1, round(min(death, follow_up))) + (0.5 if i in (5, 25, 45) else 0)
        start = datetime.date(2012, 1, 1) + datetime.timedelta(days=int(rng.integers(0, 3000)))
        rows.append(
            {
                "study_id": STUDIES[i % 2],
                "kps": str(kps),
                "other_metastases": "yes" if rng.random() < 0.6 else "no",
                "mccormick_grade": str(int(rng.integers(1, 6))),
                "resection": str(rng.choice(["biopsy", "subtotal", "gross_total"])),
                "compartment": str(rng.choice(["intramedullary", "intradural_extramedullary"])),
                "survival_days": f"{days:g}",
                "died": "1" if death <= follow_up else "0",
                "surgery_date": start.isoformat(),
            }
        )
    return rows


def csv_text(rows: list[dict], columns, delimiter: str = ",") -> str:
    out = io.StringIO()
    writer = csv.DictWriter(out, columns, delimiter=delimiter, lineterminator="\n", extrasaction="ignore")
    writer.writeheader()
    writer.writerows(rows)
    return out.getvalue()


def with_dates(rows: list[dict]) -> list[dict]:
    """Whole days as surgery and last-contact dates (survival_days left empty); fractional days
    stay as survival_days with no dates, as a registry that records both would have them."""
    out = []
    for r in rows:
        days = float(r["survival_days"])
        if days.is_integer():
            end = datetime.date.fromisoformat(r["surgery_date"]) + datetime.timedelta(days=int(days))
            out.append(r | {"survival_days": "", "last_contact_date": end.isoformat()})
        else:
            out.append(r | {"surgery_date": "", "last_contact_date": ""})
    return out


def changed(rows: list[dict], change) -> list[dict]:
    return [change(dict(r), i) for i, r in enumerate(rows)]


def early_deaths(rows: list[dict]) -> list[int]:
    return [i for i, r in enumerate(rows) if r["died"] == "1" and float(r["survival_days"]) <= 90]


def check_files(rows: list[dict]) -> dict[str, list[dict]]:
    early = early_deaths(rows)
    survivors = [i for i in range(N) if i not in early]
    kps_missing = set(early[:10]) | set(survivors[:2])
    return {
        "check_survival_weeks.csv": changed(
            rows, lambda r, i: r | {"survival_days": f"{round(float(r['survival_days']) / 7)}"}
        ),
        "check_survival_months.csv": changed(
            rows, lambda r, i: r | {"survival_days": f"{float(r['survival_days']) / 30.44:.1f}"}
        ),
        "check_sentinel_kps.csv": changed(
            rows, lambda r, i: r | ({"kps": "999"} if i in (3, 17, 40) else {})
        ),
        "check_sentinel_survival.csv": changed(
            rows, lambda r, i: r | ({"survival_days": "9999", "died": "0"} if i in (8, 30) else {})
        ),
        "check_outcome_inverted.csv": changed(
            rows, lambda r, i: r | {"died": "0" if r["died"] == "1" else "1"}
        ),
        "check_duplicates.csv": rows + [rows[i] for i in range(0, 30, 3)],
        "check_mccormick_0_4.csv": changed(
            rows, lambda r, i: r | {"mccormick_grade": str(int(r["mccormick_grade"]) - 1)}
        ),
        "check_invalid_values.csv": changed(rows, lambda r, i: r | ({"kps": "75"} if i == 10 else {})),
        "check_missing_kps_early_deaths.csv": changed(
            rows, lambda r, i: r | ({"kps": ""} if i in kps_missing else {})
        ),
        "check_no_complete_rows.csv": changed(rows[:12], lambda r, i: r | {"resection": "NA"}),
    }


def impossible_dates(rows: list[dict]) -> list[dict]:
    """Dates of two rows the wrong way round, and 1900-01-01 (a date code) as a surgery date."""
    out = with_dates(rows)
    for i in (4, 20):
        out[i] = out[i] | {
            "surgery_date": out[i]["last_contact_date"],
            "last_contact_date": out[i]["surgery_date"],
        }
    out[33] = out[33] | {"surgery_date": "1900-01-01"}
    return out


def main(out: Path = DATA) -> None:
    rows = clean_rows()
    dated = [*COHORT_COLUMNS[:6], "surgery_date", "last_contact_date", "survival_days", "died"]
    columns = list(COHORT_COLUMNS)
    files = {
        "clean.csv": csv_text(rows, columns),
        "clean_tab.tsv": csv_text(rows, columns, "\t"),
        "clean_semicolon_decimal_comma.csv": csv_text(
            changed(rows, lambda r, i: r | {"survival_days": r["survival_days"].replace(".", ",")}),
            columns,
            ";",
        ),
        "clean_excel_style.csv": "\ufeff"
        + csv_text(rows, columns)
        .replace(",".join(columns), ",".join(c.upper() for c in columns))
        .replace("\n", ",,\n"),
        "clean_dates.csv": csv_text(with_dates(rows), dated),
        "check_impossible_dates.csv": csv_text(impossible_dates(rows), dated),
        "ecog.csv": csv_text(
            changed(
                rows,
                lambda r, i: (
                    r | ({"kps": "", "ecog": str(ECOG_OF_KPS[int(r["kps"])])} if i % 4 == 0 else {"ecog": ""})
                ),
            ),
            [*columns, "ecog"],
        ),
    }
    files |= {name: csv_text(data, columns) for name, data in check_files(rows).items()}
    for name, text in files.items():
        (out / name).write_text(text, encoding="utf-8", newline="")
    (out / "clean_cp1252.csv").write_bytes(files["clean.csv"].encode("cp1252"))
    write_xlsx(rows, columns, out / "clean.xlsx")


def write_xlsx(rows: list[dict], columns: list[str], path: Path) -> None:
    """As Excel holds it: numbers as numbers, a title-case header, a second sheet first-sheet users
    never see, and a stray empty column at the end."""
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    sheet.title = "Export"
    sheet.append([c.title() for c in columns] + [None])
    for r in rows:
        cells = [r[c] for c in columns]
        for c in ("kps", "mccormick_grade", "died"):
            cells[columns.index(c)] = int(r[c])
        cells[columns.index("survival_days")] = float(r["survival_days"])
        sheet.append(cells)
    book.create_sheet("Notes").append(["exported by the registry", datetime.date(2026, 1, 11)])
    book.save(path)


if __name__ == "__main__":
    main()
