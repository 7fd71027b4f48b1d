"""One finding of a data-quality check: its name, severity, one sentence, and the rows it concerns.

Severities: REFUSE (the file cannot be used as it is: fix the export), NEEDS_FLAG (a likely coding
mistake that could also be real data: the command stops unless `--accept CHECK` says a person
looked), NOTE (reported, never stops anything).
"""

from __future__ import annotations

from dataclasses import dataclass

from training.problems import Problem

REFUSE, NEEDS_FLAG, NOTE = "refuse", "needs flag", "note"
LINES_SHOWN = 10


def lines_text(lines) -> str:
    """'line 4', or 'lines 4, 9, 17' with 'and N more' past LINES_SHOWN."""
    lines = sorted(lines)
    if len(lines) == 1:
        return f"line {lines[0]}"
    shown = ", ".join(str(n) for n in lines[:LINES_SHOWN])
    more = f" and {len(lines) - LINES_SHOWN} more" if len(lines) > LINES_SHOWN else ""
    return f"lines {shown}{more}"


def pct(k: int, n: int) -> str:
    return f"{k} of {n} ({100 * k / n:.0f}%)" if n else f"{k} of 0"


@dataclass(frozen=True)
class Finding:
    check: str  # the check's name, also the value of --accept for a NEEDS_FLAG check
    severity: str  # REFUSE, NEEDS_FLAG or NOTE
    message: str  # one sentence: what was found, why it matters, what to do
    lines: tuple[int, ...] = ()  # 1-based file lines (sheet rows for .xlsx) it concerns
    columns: tuple[str, ...] = ()

    @property
    def flag(self) -> str | None:
        return f"--accept {self.check}" if self.severity == NEEDS_FLAG else None

    def problem(self) -> Problem:
        """As a CohortError problem: one line named there, several named in the message."""
        column = self.columns[0] if len(self.columns) == 1 else None
        if len(self.lines) == 1:
            return (self.lines[0], column, self.message)
        where = f" ({lines_text(self.lines)})" if self.lines else ""
        return (None, column, f"{self.check}: {self.message}{where}")
