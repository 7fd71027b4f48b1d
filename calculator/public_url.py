"""The calculator's own absolute URLs as the EHR reaches them: CALCULATOR_PUBLIC_URL behind the
hospital's proxy, else the request's own scheme and host. One rule for the SMART redirect URI, the
CDS Hooks `aud` check and the card's link."""

from __future__ import annotations

from flask import current_app, request


def public_url(path: str) -> str:
    """`path` (as url_for or request.path gives it) under the public base URL."""
    base = current_app.config.get("PUBLIC_URL") or request.host_url
    return base.rstrip("/") + path
