"""Static files gzip-compressed once, at start, for browsers that accept it.

The page's budget is 30 KB on a first visit (docs/performance.md); the stylesheet and script are
most of it and compress to about a third. They are compressed once when the app is built (gzip
with a fixed mtime, so the bytes are the same on every start), never per request, and only
static files: pages carry patient values and are rendered per request, and compressing them would
cost every request CPU (the result page's throughput budget). Range requests and 304s pass
through untouched.
"""

from __future__ import annotations

import gzip
from pathlib import Path

from flask import Flask, request


def compressed_files(static_folder: Path) -> dict[str, bytes]:
    """File name (relative, with /) -> its gzip bytes, for the text files worth compressing."""
    return {
        path.relative_to(static_folder).as_posix(): gzip.compress(path.read_bytes(), 9, mtime=0)
        for path in sorted(static_folder.rglob("*"))
        if path.is_file() and path.suffix in (".css", ".js", ".svg")
    }


def init_app(app: Flask) -> None:
    packed = compressed_files(Path(app.static_folder))

    @app.after_request
    def gzip_static(response):
        if request.endpoint != "static" or response.status_code != 200:
            return response
        filename = (request.view_args or {}).get("filename")
        response.vary.add("Accept-Encoding")
        if filename not in packed or "gzip" not in request.headers.get("Accept-Encoding", ""):
            return response
        if hasattr(response.response, "close"):  # the file send_file opened: not sent, so closed here
            response.response.close()
        response.direct_passthrough = False
        response.set_data(packed[filename])
        response.headers["Content-Encoding"] = "gzip"
        etag, weak = response.get_etag()
        if etag:
            response.set_etag(etag + "-gzip", weak=weak)
        return response
