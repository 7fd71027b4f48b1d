"""Read a registry export as a table of texts: CSV (`,` `;` or tab) or an .xlsx workbook.

What registries export, and what is done with it (docs/cohort-schema.md, "The file"):
- CSV: the delimiter is the one of `,` `;` tab that splits the header line into most fields;
  UTF-8 (a byte-order mark allowed), or the encoding named with `--encoding` (cp1252, latin-1).
  Bytes that are not UTF-8 are refused with a message naming that option: Windows-1252 and
  Latin-1 decode almost any bytes, so guessing between them could silently garble names.
- .xlsx (recognised by its content, whatever the file name): the first sheet or `--sheet NAME`,
  read with openpyxl in read-only mode; numbers and dates are turned into the texts a CSV holds.
- Header names are matched case-insensitively (stripped, lower-cased); empty trailing columns, as
  Excel leaves them, are dropped. Decimal commas are allowed only where the delimiter is not a
  comma (the parser in training/registry.py reads `12,5` as 12.5 there).
"""

from __future__ import annotations

import csv
import datetime
import io
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

from training.problems import CohortError

DELIMITERS = {",": "comma", ";": "semicolon", "\t": "tab"}
ENCODINGS = ("utf-8", "cp1252", "latin-1")  # what --encoding accepts
XLSX_MAGIC = b"PK\x03\x04"  # a zip archive, as every .xlsx is
XLS_MAGIC = b"\xd0\xcf\x11\xe0"  # Excel 97-2003 (.xls): not read


@dataclass(frozen=True)
class ReadOptions:
    """How to read a file and which flagged checks the user accepts (the command-line options)."""

    encoding: str | None = None  # None: UTF-8, with or without a byte-order mark
    sheet: str | None = None  # .xlsx: None means the first sheet
    missing_codes: tuple[str, ...] = ()  # declared codes for "unknown", e.g. ("999", "9999")
    accept: frozenset[str] = field(default_factory=frozenset)  # checks allowed to proceed


@dataclass(frozen=True)
class Table:
    header: list[str]  # stripped, lower-case
    rows: list[tuple[int, list[str]]]  # (line, cell texts) for each non-blank row
    source: dict  # how it was read: format, delimiter/sheet, encoding
    decimal_comma: bool  # whether `12,5` may be read as 12.5


def _fail(path, message: str, line: int | None = None):
    raise CohortError(path, [(line, None, message)])


def _decode(path: Path, raw: bytes, encoding: str | None) -> tuple[str, str]:
    if encoding is not None and encoding.lower() not in ENCODINGS:
        _fail(path, f"unknown --encoding {encoding!r}; expected one of {', '.join(ENCODINGS)}")
    name = (encoding or "utf-8").lower()
    try:
        return raw.decode("utf-8-sig" if name == "utf-8" else name), name
    except UnicodeDecodeError as e:
        line = raw[: e.start].count(b"\n") + 1
        hint = (
            "export it as CSV UTF-8, or name its encoding: --encoding cp1252 (Excel's 'CSV' on "
            "Windows) or --encoding latin-1"
            if name == "utf-8"
            else f"it is not {name} either; export it as CSV UTF-8"
        )
        label = "UTF-8" if name == "utf-8" else name
        _fail(path, f"the file is not {label} text (byte {e.start}); {hint}", line)


def _delimiter(first_line: str) -> str:
    """The candidate that splits the header into most fields (a comma on a tie)."""
    counts = {d: len(next(csv.reader([first_line], delimiter=d))) for d in DELIMITERS}
    return max(DELIMITERS, key=lambda d: counts[d])  # max keeps the first of equals: ','


def _trim(header: list[str], rows: list[tuple[int, list[str]]]):
    """Drop empty trailing header cells, and the same empty cells at the end of each row."""
    while header and not header[-1]:
        header = header[:-1]
    width = len(header)
    trimmed = []
    for line, cells in rows:
        if len(cells) > width and not any(c.strip() for c in cells[width:]):
            cells = cells[:width]
        trimmed.append((line, cells))
    return header, trimmed


def _read_csv(path: Path, raw: bytes, options: ReadOptions) -> Table:
    text, encoding = _decode(path, raw, options.encoding)
    if not text.strip():
        _fail(path, "the file is empty; expected a header line and one row per patient")
    delimiter = _delimiter(next(line for line in text.splitlines() if line.strip()))
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    header, rows = None, []
    for cells in reader:
        if not any(c.strip() for c in cells):
            continue  # blank line
        if header is None:
            header = [c.strip().lower() for c in cells]
        else:
            rows.append((reader.line_num, cells))
    header, rows = _trim(header, rows)
    source = {"format": "csv", "delimiter": DELIMITERS[delimiter], "encoding": encoding}
    return Table(header, rows, source, decimal_comma=delimiter != ",")


def _cell_text(value) -> str:
    """An .xlsx cell as the text a CSV export would hold."""
    if value is None:
        return ""
    if isinstance(value, bool):  # before int: bool is an int; TRUE is not 'yes', so it stays TRUE
        return str(value).upper()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, datetime.datetime):
        return value.date().isoformat()
    if isinstance(value, datetime.date):
        return value.isoformat()
    return str(value)


def _read_xlsx(path: Path, raw: bytes, options: ReadOptions) -> Table:
    # Imported here: CSV users never pay for it. Given the bytes, not the path, so that a
    # workbook saved under another name (registry.csv) is read too: openpyxl checks extensions.
    from openpyxl import load_workbook
    from openpyxl.utils.exceptions import InvalidFileException

    try:
        workbook = load_workbook(io.BytesIO(raw), read_only=True, data_only=True)
    except (zipfile.BadZipFile, InvalidFileException, KeyError, ValueError, OSError) as e:
        _fail(path, f"cannot read this .xlsx workbook ({e}); save it again from Excel, or as CSV UTF-8")
    try:
        names = workbook.sheetnames
        if options.sheet is not None and options.sheet not in names:
            _fail(path, f"no sheet named {options.sheet!r}; the workbook has {', '.join(map(repr, names))}")
        sheet = workbook[options.sheet or names[0]]
        sheet.reset_dimensions()  # some exporters record a wrong size; read every row there is
        rows = enumerate(sheet.iter_rows(values_only=True), start=1)
        cells = [(i, [_cell_text(v) for v in row]) for i, row in rows]
    finally:
        workbook.close()
    cells = [(i, row) for i, row in cells if any(c.strip() for c in row)]
    if not cells:
        _fail(path, f"sheet {sheet.title!r} is empty; expected a header row and one row per patient")
    (_, header), rows = cells[0], cells[1:]
    header, rows = _trim([h.strip().lower() for h in header], rows)
    rows = [(i, row + [""] * (len(header) - len(row))) for i, row in rows]  # read-only rows may be short
    return Table(header, rows, {"format": "xlsx", "sheet": sheet.title}, decimal_comma=False)


def read_table(path: Path, options: ReadOptions | None = None) -> Table:
    """The header and rows of a CSV or .xlsx file. Raises CohortError (line, what to do) for an
    unreadable, empty, non-UTF-8 (without --encoding) or .xls file, or a missing sheet."""
    options = options or ReadOptions()
    path = Path(path)
    try:
        raw = path.read_bytes()
    except OSError as e:
        _fail(path, f"cannot read the file ({e.strerror})")
    if raw.startswith(XLSX_MAGIC):
        return _read_xlsx(path, raw, options)
    if raw.startswith(XLS_MAGIC):
        _fail(path, "this is an Excel 97-2003 (.xls) workbook; save it as .xlsx or as CSV UTF-8")
    return _read_csv(path, raw, options)
