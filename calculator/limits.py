"""Request size limit for bodies sent without Content-Length (chunked transfer encoding).

With Content-Length, Werkzeug refuses a body over MAX_CONTENT_LENGTH with 413 before reading it.
Without one, it stops reading at the limit and hands the view the first MAX_CONTENT_LENGTH bytes
as if they were the whole body. Refuse such a body instead: a truncated body must never be
mistaken for the one the client sent.
"""

from __future__ import annotations

from flask import Flask, abort, request


def refuse_oversized_stream() -> None:
    limit = request.max_content_length
    if limit is None or request.content_length is not None:
        return
    # Read and cache the body (the view reads it from the cache). A body that fills the limit
    # exactly cannot be told from a longer one that was cut, so it is refused too.
    if len(request.get_data(cache=True)) >= limit:
        abort(413)


def init_app(app: Flask) -> None:
    app.before_request(refuse_oversized_stream)
