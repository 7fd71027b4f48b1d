"""Every setting is documented (datasette-style): the README's configuration table lists each key
create_app sets a default for and each environment variable the code reads, with the code's
default, and nothing that no code reads."""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest
from flask import Flask
from live import ROOT

from calculator import create_app

README = (ROOT / "README.md").read_text(encoding="utf-8")
SOURCES = [
    *sorted((ROOT / "calculator").rglob("*.py")),
    *sorted((ROOT / "templates").rglob("*.html")),
    ROOT / "gunicorn.conf.py",
]


def table() -> dict[str, str]:
    """Setting name -> its Default cell, from the table under '## Configuration'."""
    section = README.split("## Configuration", 1)[1].split("\n## ", 1)[0]
    rows = {}
    for line in section.splitlines():
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if len(cells) == 3 and cells[0].startswith("`"):
            for name in re.findall(r"`([A-Z][A-Z0-9_]*)`", cells[0]):
                rows[name] = cells[1]
    return rows


@pytest.fixture()
def factory_defaults(monkeypatch):
    """The keys create_app adds to Flask's own, with their values, in a clean environment."""
    for name in [n for n in os.environ if n.startswith(("CALCULATOR_", "FLASK_"))]:
        monkeypatch.delenv(name)
    config = create_app().config
    # BABEL_*: Flask-Babel's keys, set from DEFAULT_LANGUAGE and the package (calculator.i18n), not settings
    return {k: v for k, v in config.items() if k not in Flask.default_config and not k.startswith("BABEL_")}


def rendered(key: str, value) -> str:
    """A default as the table writes it."""
    if value is None:
        return "unset"
    if key == "MODEL_DIR":
        return "`" + str(Path(value).relative_to(ROOT)) + "/`"
    if value in ("", [], {}):
        return "empty"
    if isinstance(value, bool):
        return "`" + str(value).lower() + "`"  # as JSON, the way the environment variable is written
    if isinstance(value, list | tuple):
        return "`" + " ".join(value) + "`"
    return f"`{value}`"


def read_in_code() -> set[str]:
    """Every CALCULATOR_* name the code mentions and every environment variable it reads."""
    names = set()
    for path in SOURCES:
        text = path.read_text(encoding="utf-8")
        names |= set(re.findall(r"\bCALCULATOR_[A-Z][A-Z0-9_]*", text))
        names |= set(re.findall(r"os\.environ(?:\.get\(|\[)\s*['\"]([A-Z][A-Z0-9_]*)['\"]", text))
        names |= set(re.findall(r"os\.getenv\(\s*['\"]([A-Z][A-Z0-9_]*)['\"]", text))
    return names


def test_every_factory_default_is_in_the_table_with_its_value(factory_defaults):
    rows = table()
    assert factory_defaults, "create_app sets no defaults?"
    for key, value in factory_defaults.items():
        name = f"CALCULATOR_{key}"
        assert name in rows, f"{name} (create_app default) is missing from the README configuration table"
        assert rows[name] == rendered(key, value), (name, rows[name], rendered(key, value))


def test_every_setting_the_code_reads_is_in_the_table():
    missing = read_in_code() - set(table())
    assert not missing, f"settings read by the code but not in the README table: {sorted(missing)}"


def test_the_table_lists_nothing_the_code_does_not_read(factory_defaults):
    known = read_in_code() | {f"CALCULATOR_{k}" for k in factory_defaults} | {"FLASK_DEBUG"}
    stale = set(table()) - known
    assert not stale, f"README configuration rows no code reads: {sorted(stale)}"


def test_gunicorn_defaults_are_the_tables():
    text = (ROOT / "gunicorn.conf.py").read_text(encoding="utf-8")
    rows = table()
    for name, default in re.findall(r"os\.environ\.get\(\s*['\"]([A-Z_]+)['\"],\s*['\"]([^'\"]*)['\"]", text):
        assert rows[name] == (f"`{default}`" if default else "unset"), (name, rows[name], default)
