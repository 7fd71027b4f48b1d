"""CALCULATOR_FRAME_ANCESTORS: which sites (the EHR) may show the calculator in a frame.

The setting is a space-separated list of CSP frame-ancestors sources. It is checked once, in
create_app, so that a typo never silently leaves the EHR with a refused frame, or the page
frameable by every site: each entry must be 'self', 'none' or an origin scheme://host[:port].
Wildcards ('*', https://*.example.org, a bare 'https:' that admits every https site) are refused
in production and let through only with CALCULATOR_ENV=development. The same list, minus
keywords and wildcards, is where calculator/static/calculator.js posts the page height: postMessage
needs exact origins, and a message is never sent to '*'.
"""

from __future__ import annotations

import re

SETTING = "CALCULATOR_FRAME_ANCESTORS"
EXAMPLE = f'{SETTING}="https://ehr.example.org"'
KEYWORDS = ("'self'", "'none'")
_ORIGIN = re.compile(r"(https?)://([a-z0-9-]+(?:\.[a-z0-9-]+)*|\[[0-9a-f:.]+\])(?::(\d{1,5}))?")
_SCHEME_ONLY = re.compile(r"[a-z][a-z0-9+.-]*:")


class FramingError(ValueError):
    """The setting is not a valid, safe list of frame ancestors; the message is one sentence."""


def frame_ancestors(setting: str, *, production: bool) -> str:
    """The setting, checked and normalised (lower case, duplicates dropped), for the CSP header.

    Raises FramingError for an empty setting, commas, unquoted keywords, paths, anything that is
    not an origin, 'none' beside other sources, and (in production) wildcards.
    """
    sources: list[str] = []
    for token in setting.split():
        source = _check(token.lower(), token, production)
        if source not in sources:
            sources.append(source)
    if not sources:
        raise FramingError(f"{SETTING} is empty; set it to 'self' or to the EHR origins, e.g. {EXAMPLE}.")
    if "'none'" in sources and len(sources) > 1:
        raise FramingError(f"{SETTING} lists 'none' beside other sources; use 'none' alone or drop it.")
    return " ".join(sources)


def _check(source: str, token: str, production: bool) -> str:
    if source in KEYWORDS:
        return source
    if "," in source:
        raise FramingError(f"{SETTING} contains {token!r}: separate origins with spaces, not commas.")
    if source in ("self", "none"):
        raise FramingError(f"{SETTING} contains {token}: write it with its single quotes, '{source}'.")
    if "*" in source or _SCHEME_ONLY.fullmatch(source):
        if production:
            raise FramingError(
                f"{SETTING} contains {token!r}, a wildcard that would let sites other than your EHR "
                f"frame the calculator; list each EHR origin instead, e.g. {EXAMPLE}."
            )
        return source
    match = _ORIGIN.fullmatch(source)
    if match and (match[3] is None or 0 < int(match[3]) < 65536):
        # Written as browsers serialise an origin (no default port), so that calculator.js can compare
        # it with location.ancestorOrigins and use it as postMessage's target origin.
        return source.removesuffix({"https": ":443", "http": ":80"}[match[1]])
    raise FramingError(
        f"{SETTING} contains {token!r}, which is not 'self', 'none' or an origin written as "
        "scheme://host[:port] with no path (e.g. https://ehr.example.org)."
    )
