"""Checks on deployment settings, run by create_app before the app serves anyone. Pure: no Flask.

Production is the default: the app is in production unless CALCULATOR_ENV=development, so a
forgotten variable fails safe. In production it refuses to start in debug mode (tracebacks to the
browser and, under `flask run`, an interactive console) or when any Host header would be accepted.
Framing by any origin is refused by calculator.framing (CALCULATOR_FRAME_ANCESTORS).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from urllib.parse import urlsplit

DEVELOPMENT = "development"


class InsecureSetting(ValueError):
    """A setting that production must not run with; the message says which variable to change."""


def host_list(value: object) -> list[str]:
    """CALCULATOR_TRUSTED_HOSTS as a list: a JSON list, or one string of names separated by spaces
    or commas (`from_prefixed_env` gives a list for the former, a string for the latter)."""
    if isinstance(value, str):
        return [h for h in re.split(r"[\s,]+", value) if h]
    if isinstance(value, list | tuple) and all(isinstance(h, str) for h in value):
        return [h for h in value if h]
    raise InsecureSetting(f"CALCULATOR_TRUSTED_HOSTS must list host names, not {value!r}.")


def refuse_insecure(config: Mapping) -> None:
    """Raise InsecureSetting for the first setting production must not run with."""
    if config.get("ENV") == DEVELOPMENT:
        return
    if config.get("DEBUG"):
        raise InsecureSetting(
            "debug mode is on in production: unset FLASK_DEBUG and CALCULATOR_DEBUG "
            "(or set CALCULATOR_ENV=development on a developer's machine)."
        )
    if not config.get("TRUSTED_HOSTS"):
        raise InsecureSetting(
            "CALCULATOR_TRUSTED_HOSTS is empty, so any Host header would be accepted: "
            "set it to the host names the calculator is served under."
        )


LOOPBACK = ("127.0.0.1", "localhost", "[::1]")


def secure_url(url: str) -> bool:
    """https, or plain http only to this machine (a test EHR on loopback): what the calculator
    accepts for an EHR it calls or whose keys it fetches."""
    parts = urlsplit(url)
    return parts.scheme == "https" or (parts.scheme == "http" and parts.hostname in LOOPBACK)
