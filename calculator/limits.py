"""Every request body is read whole, once, before any view: the right size, or refused.

- With Content-Length, Werkzeug refuses a body over MAX_CONTENT_LENGTH with 413 before reading
  it. A body shorter than its length (the client stopped sending) gets 400: gunicorn marks its
  input as terminated, so Werkzeug hands over what came without counting it.
- Without one (chunked transfer encoding), it stops reading at the limit and would hand the view
  the first MAX_CONTENT_LENGTH bytes as if they were the whole body. Refuse such a body instead: a
  truncated body must never be mistaken for the one the client sent.
- A body the server cannot decode (malformed chunked encoding: a bad chunk size, a missing
  terminator) raises the WSGI server's own exception, whose message quotes the body. It gets 400,
  and the log keeps only the exception's type: the body is a patient's values.
"""

from __future__ import annotations

from flask import Flask, abort, current_app, request
from werkzeug.exceptions import HTTPException


def read_whole_body() -> None:
    try:
        # Read and cache the body (the view and the form parser read it from the cache).
        body = request.get_data(cache=True)
    except HTTPException:
        raise  # Werkzeug's 413 (over the limit)
    except Exception as e:  # the server's reader raises its own types (gunicorn.http.errors.*)
        current_app.logger.warning("request body unreadable (%s): answered 400", type(e).__name__)
        abort(400)
    if request.content_length is not None and len(body) != request.content_length:
        current_app.logger.warning("request body shorter than its Content-Length: answered 400")
        abort(400)
    limit = request.max_content_length
    # A chunked body that fills the limit exactly cannot be told from a longer one that was cut.
    if limit is not None and request.content_length is None and len(body) >= limit:
        abort(413)


def init_app(app: Flask) -> None:
    app.before_request(read_whole_body)
