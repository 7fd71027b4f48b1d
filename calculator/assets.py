"""Static files: each URL carries a hash of the file's content, and such URLs are cached for a year.

Without this a result page costs a request per stylesheet and script, each answered 304 Not
Modified (docs/performance.md: at most 4 requests a page). `url_for('static', filename=...)`
adds `?v=<first 12 hex of the file's SHA-256>`; a response to exactly that URL may be kept by the
browser for a year without asking again, because a changed file gets a new URL. Any other static
URL (no or an old `v`) is served as before and revalidated. Static files hold no patient data.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

from flask import Flask, request

ONE_YEAR = 365 * 24 * 3600


def content_versions(static_folder: Path) -> dict[str, str]:
    """File name (relative, with /) -> version, for every file under the static folder."""
    return {
        path.relative_to(static_folder).as_posix(): hashlib.sha256(path.read_bytes()).hexdigest()[:12]
        for path in sorted(static_folder.rglob("*"))
        if path.is_file()
    }


def init_app(app: Flask) -> None:
    versions = content_versions(Path(app.static_folder))

    @app.url_defaults
    def version_static_urls(endpoint, values):
        if endpoint == "static" and values.get("filename") in versions:
            values.setdefault("v", versions[values["filename"]])

    @app.after_request
    def cache_versioned_static(response):
        if request.endpoint == "static" and response.status_code == 200:
            filename = (request.view_args or {}).get("filename")
            if filename in versions and request.args.get("v") == versions[filename]:
                response.cache_control.public = True
                response.cache_control.max_age = ONE_YEAR
                response.cache_control.immutable = True
                response.cache_control.no_cache = None
        return response
