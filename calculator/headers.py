"""Security headers: built once here, sent by Flask on every route and by the proxy on everything.

`security_headers` is the one set. Flask adds it to every response (init_app below). The nginx
site in deploy/ is rendered from the same function (deploy/nginx.py), hides the app's copies and
adds them itself with `always`, so that answers nginx or gunicorn write on their own (400, 413,
429, 502, ...) carry them too, and the two can never drift (tests/test_deploy.py compares them on
the wire). What may carry patient values is never stored by any cache: NO_STORE everywhere but
the static files.
"""

from __future__ import annotations

from flask import Flask, request

NO_STORE = {"Cache-Control": "no-store"}
# Only over TLS, so only the proxy sends it: a year, this host only (the hospital decides about
# its subdomains and the preload list, which are hard to take back).
TLS_ONLY = {"Strict-Transport-Security": "max-age=31536000"}


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


def security_headers(frame_ancestors: str) -> dict[str, str]:
    """The headers every response carries, whoever writes it (Flask, gunicorn, nginx)."""
    return {
        "Content-Security-Policy": content_security_policy(frame_ancestors),
        "X-Content-Type-Options": "nosniff",
        "Referrer-Policy": "no-referrer",
        "Permissions-Policy": "camera=(), microphone=(), geolocation=(), payment=()",
        # A window this page opens, or that opened it, gets no handle on it (a shared workstation's
        # other tabs). Frames are unaffected: the EHR still embeds the page (frame-ancestors).
        "Cross-Origin-Opener-Policy": "same-origin",
    }


def init_app(app: Flask) -> None:
    headers = security_headers(app.config["FRAME_ANCESTORS"])

    @app.after_request
    def set_headers(response):
        response.headers.update(headers)
        if request.endpoint != "static":
            # Pages and API answers may carry patient values: never stored by any cache.
            response.headers.update(NO_STORE)
        return response
