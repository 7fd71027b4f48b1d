"""The one error a cohort file can raise, shared by the reader, the loader and the checks.

A problem is (line, column, message): the line is the file's line (header = 1) or, for an .xlsx
workbook, the sheet's row number; None where the problem concerns the whole file or many lines
(the message then names them).
"""

from __future__ import annotations

MAX_ERRORS = 20  # problems shown in one message; the rest are counted

Problem = tuple[int | None, str | None, str]


class CohortError(Exception):
    """The file cannot be used; `problems` lists (line, column, message) tuples."""

    def __init__(self, path, problems: list[Problem]):
        self.problems = problems
        shown = problems[:MAX_ERRORS]
        lines = [
            f"{path}: cannot use this cohort file ({len(problems)} problem(s)"
            f"{', first ' + str(MAX_ERRORS) + ' shown' if len(problems) >= MAX_ERRORS else ''}):"
        ]
        for line, column, message in shown:
            where = ", ".join(
                x for x in (f"line {line}" if line else "", f"column {column!r}" if column else "") if x
            )
            lines.append(f"  {where}: {message}" if where else f"  {message}")
        super().__init__("\n".join(lines))
