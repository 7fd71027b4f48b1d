"""The data-quality check: `python -m training check --cohort FILE`, and the first step of `fit`
and `validate` (training.cohort.read_cohort).

`run_checks` is pure: a Registry (every row, typed, training/registry.py) in, a CheckReport out.
Every check, its threshold and its reason are listed in docs/cohort-schema.md; a test keeps that
list complete (CHECKS below is the list).
"""

from __future__ import annotations

from dataclasses import dataclass

from training import checks_outcome as outcome
from training import checks_values as values
from training.findings import NEEDS_FLAG, NOTE, REFUSE, Finding, lines_text, pct
from training.registry import Registry

# Every check: name -> the severities it can report. `--accept` takes the NEEDS_FLAG ones.
CHECKS = {
    "invalid-values": (REFUSE,),
    "sentinel-codes": (REFUSE, NEEDS_FLAG),
    "mccormick-zero-based": (REFUSE,),
    "impossible-values": (REFUSE,),
    "no-complete-rows": (REFUSE,),
    "survival-units": (NEEDS_FLAG,),
    "outcome-coding": (NEEDS_FLAG,),
    "duplicate-patients": (NEEDS_FLAG,),
    "missingness-outcome": (NEEDS_FLAG,),
    "complete-case-loss": (NOTE,),
    "kps-from-ecog": (NOTE,),
    "declared-missing-codes": (NOTE,),
}
ACCEPTABLE = tuple(name for name, severities in CHECKS.items() if NEEDS_FLAG in severities)


@dataclass(frozen=True)
class CheckReport:
    file: str
    source: dict  # how the file was read (training/tables.py)
    n_rows: int
    n_complete: int
    missing: dict[str, int]  # column -> rows missing it
    coded_missing: dict[str, int]  # column -> cells matching a declared --missing-codes value
    kps_from_ecog: int  # complete rows whose KPS comes from ECOG
    outcome: dict  # {"analysed"|"excluded": {"n", "known_90d", "deaths_90d"}}
    findings: tuple[Finding, ...]
    imputation_reasons: tuple[str, ...]  # why multiple imputation is recommended; () if it is not

    def blocking(self, accept=frozenset()) -> list[Finding]:
        """Findings that stop a command: every REFUSE, and NEEDS_FLAG ones not accepted."""
        return [
            f
            for f in self.findings
            if f.severity == REFUSE or (f.severity == NEEDS_FLAG and f.check not in accept)
        ]


def _ecog_rows(reg: Registry) -> int:
    """Complete rows whose KPS comes from their ECOG grade."""
    return int(reg.rows.loc[reg.complete.to_numpy(dtype=bool), "kps_from_ecog"].astype(bool).sum())


def _notes(reg: Registry) -> list[Finding]:
    found = []
    if ecog := _ecog_rows(reg):
        found.append(
            Finding(
                "kps-from-ecog",
                NOTE,
                f"{ecog} rows have no kps and take it from ecog, through the ECOG-ACRIN "
                "correspondence (each ECOG grade a band of two KPS values)",
                (),
                ("kps", "ecog"),
            )
        )
    if reg.coded_missing:
        counts = ", ".join(f"{c} {n}" for c, n in reg.coded_missing.items())
        found.append(
            Finding("declared-missing-codes", NOTE, f"cells read as missing by --missing-codes: {counts}")
        )
    return found


def run_checks(reg: Registry) -> CheckReport:
    """Every check on every row. Cells that could not be read are explained by the most specific
    check (a code for 'unknown', McCormick 0-4) and otherwise reported as invalid-values."""
    sentinel, claimed = values.sentinel_codes(reg)
    mccormick, zeros = values.mccormick_zero_based(reg)
    findings = [
        *values.invalid_values(reg, claimed | zeros),
        *sentinel,
        *mccormick,
        *values.impossible_values(reg),
    ]
    n_complete = int(reg.complete.sum())
    if len(reg.rows) and not n_complete and not findings:  # else the refusals above say why
        findings.append(
            Finding(
                "no-complete-rows",
                REFUSE,
                f"no row has every predictor and outcome; missing per column: {reg.missing}",
            )
        )
    findings += [
        *outcome.survival_units(reg),
        *outcome.outcome_coding(reg),
        *values.duplicate_patients(reg),
        *outcome.missingness_outcome(reg),
        *outcome.complete_case_loss(reg),
        *_notes(reg),
    ]
    reasons = tuple(f.message for f in findings if f.check in ("missingness-outcome", "complete-case-loss"))
    return CheckReport(
        file=reg.path.name,
        source=reg.source,
        n_rows=len(reg.rows) + sum(1 for p in reg.problems if p[1] is None),
        n_complete=n_complete,
        missing=reg.missing,
        coded_missing=reg.coded_missing,
        kps_from_ecog=_ecog_rows(reg),
        outcome=outcome.outcome_by_inclusion(reg),
        findings=tuple(findings),
        imputation_reasons=reasons,
    )


def format_report(report: CheckReport, accept=frozenset()) -> str:
    """The report as the `check` command prints it."""
    src = report.source
    how = (
        f"sheet {src['sheet']!r} of an .xlsx workbook"
        if src["format"] == "xlsx"
        else f"CSV, {src['delimiter']}-separated, {src['encoding']}"
    )
    lines = [f"{report.file}: {report.n_rows} rows ({how}); {report.n_complete} complete"]
    missing = ", ".join(f"{c} {n}" for c, n in report.missing.items()) or "none"
    lines.append(f"missing values (rows): {missing}")
    if report.kps_from_ecog:
        lines.append(f"kps from ecog: {report.kps_from_ecog} rows")
    for name in ("analysed", "excluded"):
        o = report.outcome[name]
        lines.append(
            f"{name}: {o['n']} rows; death by day 90 in {pct(o['deaths_90d'], o['known_90d'])} "
            "of those of known status"
        )
    for f in report.findings:
        where = f" [{lines_text(f.lines)}]" if f.lines else ""
        lines.append(f"{f.severity.upper()} {f.check}: {f.message}{where}")
    if report.imputation_reasons:
        lines.append(
            "recommended: multiple imputation (chained equations, m >= 20) instead of complete cases: "
            "add --impute to fit, validate and recalibrate (--imputations M, default 20)"
        )
    blocking = report.blocking(accept)
    flags = sorted({f.flag for f in blocking if f.flag})
    if any(f.severity == REFUSE for f in blocking):
        verdict = "refused: fix the export and check again"
    elif blocking:
        verdict = f"stopped: look at the rows above, then fix the export or add {' '.join(flags)}"
    else:
        verdict = "passes" + (f" (accepted: {', '.join(sorted(accept))})" if accept else "")
    lines.append(f"verdict: {verdict}")
    return "\n".join(lines)
