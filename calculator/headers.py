"""Response headers for every route: a strict CSP, no caching of anything with patient values."""

from __future__ import annotations

from flask import Flask, request


def content_security_policy(frame_ancestors: str) -> str:
    # No inline script or style anywhere: every script and stylesheet is a first-party file.
    return "; ".join(
        [
            "default-src 'none'",
            "script-src 'self'",
            "style-src 'self'",
            "img-src 'self'",
            "connect-src 'self'",
            "form-action 'self'",
            "base-uri 'none'",
            f"frame-ancestors {frame_ancestors}",
        ]
    )


def init_app(app: Flask) -> None:
    csp = content_security_policy(app.config["FRAME_ANCESTORS"])

    @app.after_request
    def set_headers(response):
        response.headers["Content-Security-Policy"] = csp
        response.headers["X-Content-Type-Options"] = "nosniff"
        response.headers["Referrer-Policy"] = "no-referrer"
        response.headers["Permissions-Policy"] = "camera=(), microphone=(), geolocation=(), payment=()"
        if request.endpoint != "static":
            # Pages and API answers may carry patient values: never stored by any cache.
            response.headers["Cache-Control"] = "no-store"
        return response
