"""Published figure vs reconstructed value, for every figure the reconstruction aims at.

Rows of kind `target` are what the reconstruction was built to reproduce, each with a tolerance
(the rounding of the published figure, or whole-patient rounding); rows of kind `check` are
comparisons it was not tuned to (base rates, figures it cannot control): reported, not enforced.
"""

from __future__ import annotations

import csv
from pathlib import Path

import numpy as np
import pandas as pd

from calculator.features import HORIZON_DAYS, RESECTION
from training.evidence import read_rows, series_info, series_value, survival_target_days

COLUMNS = ("study_id", "figure", "kind", "published", "reconstructed", "tolerance", "met", "note")
IM = "intramedullary"


def _row(study_id, figure, published, reconstructed, tolerance, note="", kind="target") -> dict:
    if tolerance is None:
        met = None
    elif isinstance(published, str) and published.startswith(">="):
        met = bool(reconstructed >= float(published[2:]))
    else:
        met = bool(abs(float(reconstructed) - float(published)) <= tolerance + 1e-9)
    return dict(
        zip(COLUMNS, (study_id, figure, kind, published, _round(reconstructed), tolerance, met, note))
    )


def _round(x):
    return round(float(x), 4) if isinstance(x, (float, np.floating)) else x


def died_by(frame, days: int = HORIZON_DAYS):
    return (frame["died"] == 1) & (frame["survival_days"] <= days)


def _columns(cohort: pd.DataFrame) -> dict[str, np.ndarray]:
    """The cohort as numpy columns: the table is computed for every draw of the default fit, and
    pandas selection cost ten times the arithmetic."""
    return {c: cohort[c].to_numpy() for c in cohort.columns}


def _where(cols: dict[str, np.ndarray], mask: np.ndarray) -> dict[str, np.ndarray]:
    return {c: v[mask] for c, v in cols.items()}


def targets_table(cohort, assumptions, params, figures) -> list[dict]:
    cohort = _columns(cohort)
    rows = []
    days_per_month = params["days_per_month"].value
    for study in assumptions["series"]:
        sid = study["study_id"]
        sub = _where(cohort, cohort["study_id"] == sid)
        n = series_info(sid).n
        rows.append(_row(sid, "n", n, len(sub["study_id"]), 0))
        for figure, published, option, kind in figures[sid]:
            if option is None:
                rows.append(_row(sid, figure, published, int((sub["compartment"] == IM).sum()), 0))
            elif kind == "count":
                rows.append(_row(sid, figure, published, int((sub["resection"] == option).sum()), 0))
            else:
                share = float((sub["resection"] == option).mean())
                rows.append(
                    _row(
                        sid,
                        figure,
                        published,
                        share,
                        0.5 / n + 0.005,
                        "whole patients; published figure rounded",
                    )
                )
        rows.extend(_neuro_rows(study, sub, n))
        rows.extend(_survival_rows(study, sub, params))
    rows.extend(_pooled_checks(cohort, days_per_month))
    return rows


def _neuro_rows(study, sub, n) -> list[dict]:
    neuro, sid = study["neuro"], study["study_id"]
    if neuro is None:
        return []
    published = series_value(sid, neuro["figure"])
    grade = sub["mccormick_grade"]
    if neuro["kind"] == "mean":
        return [
            _row(
                sid,
                neuro["figure"],
                published,
                float(grade.mean()),
                0.5 / n + 0.005,
                "grades are whole numbers",
            )
        ]
    if neuro["kind"] == "fraction_grade_ii_or_worse":
        return [
            _row(
                sid,
                neuro["figure"],
                published,
                float((grade >= 2).mean()),
                0.5 / n + 0.005,
                "read as McCormick grade II or worse",
            )
        ]
    return [_row(sid, neuro["figure"], published, int((grade <= 3).sum()), 0, "functional = McCormick I-III")]


def _survival_rows(study, sub, params) -> list[dict]:
    spec, sid = study["survival"], study["study_id"]
    days_per_month = params["days_per_month"].value
    rows = []
    if spec["kind"] == "deaths_90d_by_resection":
        for option, figure in spec["figures"].items():
            group = _where(sub, sub["resection"] == option)
            rows.append(
                _row(
                    sid,
                    figure,
                    series_value(sid, figure),
                    float(died_by(group).mean()),
                    0.005,
                    f"{int(died_by(group).sum())}/{len(group['died'])} died by day 90",
                )
            )
    else:
        unit = days_per_month if spec["unit"] == "months" else 1
        published = survival_target_days(study, params) / unit  # a borrowed figure: as drawn
        statistic = np.median if spec["kind"] == "median" else np.mean
        figure = spec.get("figure") or f"{spec['kind']}_os_{spec['unit']} (borrowed)"
        rows.append(
            _row(
                sid,
                figure,
                round(published, 3),
                float(statistic(sub["survival_days"])) / unit,
                0.02 * published,
                spec.get("reason", "whole days"),
            )
        )
        if spec["kind"] == "mean" and sid == "wilson2012":
            rows.append(
                _row(
                    sid,
                    "sd_os_months",
                    9.4,
                    float(np.std(sub["survival_days"], ddof=1)) / unit,
                    None,
                    "stated in the citation; not targeted",
                    kind="check",
                )
            )
    for check in study.get("checks", []):
        deaths = int(died_by(sub, check["days"]).sum())
        rows.append(
            _row(
                sid,
                check["figure"],
                f">={series_value(sid, check['figure']):g}",
                deaths,
                0,
                f"deaths within {check['days']} days (stated minimum)",
            )
        )
    return rows


def _pooled_checks(cohort, days_per_month) -> list[dict]:
    base = [float(r["value"]) for r in read_rows("base_rates.csv") if r["figure"] == "mortality_90d"]
    mortality = float(died_by(cohort).mean())
    rows = [
        _row(
            "pooled",
            "mortality_90d",
            f"{min(base):g}-{max(base):g}",
            mortality,
            None,
            "general operated spinal metastases (base_rates.csv); not targeted",
            kind="check",
        ),
        _row(
            "pooled",
            "mean_kps_preop",
            70,
            float(cohort["kps"].mean()),
            None,
            "Lenschow 2024 mean (general surgical cohort)",
            kind="check",
        ),
    ]
    iesm = _where(cohort, cohort["compartment"] == "intradural_extramedullary")
    rows.append(
        _row(
            "pooled IESM",
            "median_os_months",
            series_value("ferini2022", "median_os_months"),
            float(np.median(iesm["survival_days"])) / days_per_month,
            None,
            "Ferini 2022 review (may overlap); not targeted",
            kind="check",
        )
    )
    for option in RESECTION.values:
        group = _where(cohort, cohort["resection"] == option)
        rows.append(
            _row(
                "pooled",
                f"crude_mortality_90d_{option}",
                "",
                float(died_by(group).mean()),
                None,
                f"n = {len(group['died'])}; crude, reflects selection, not an effect",
                kind="check",
            )
        )
    return rows


def write_targets(rows: list[dict], path: Path) -> None:
    with open(path, "w", newline="", encoding="utf-8") as f:
        writer = csv.DictWriter(f, fieldnames=COLUMNS)
        writer.writeheader()
        writer.writerows(rows)


def format_targets(rows: list[dict]) -> str:
    """The table as aligned text, for the terminal."""
    cells = [COLUMNS[:-1]] + [tuple("" if r[c] is None else str(r[c]) for c in COLUMNS[:-1]) for r in rows]
    widths = [max(len(row[i]) for row in cells) for i in range(len(COLUMNS) - 1)]
    return "\n".join("  ".join(v.ljust(w) for v, w in zip(row, widths)).rstrip() for row in cells)
