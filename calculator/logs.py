"""What the app writes to its log about a failed request: never anything the request carried.

Flask logs an unexpected exception with its message, and a message may quote the input that
caused it (the value of a field, a line of the body). The log keeps the route, the exception's
type and where it was raised (the traceback's frames), which is what fixing it needs, and drops
the message. docs/security.md, "Patient values written to logs".
"""

from __future__ import annotations

import traceback
import types

from flask import Flask, request


def log_exception_without_message(app: Flask, exc_info) -> None:
    kind, _, tb = exc_info
    frames = "".join(traceback.format_tb(tb))
    app.logger.error(
        "Exception on %s [%s]: %s (message withheld)\nTraceback:\n%s",
        request.path,
        request.method,
        kind.__name__ if kind else "unknown",
        frames,
    )


def init_app(app: Flask) -> None:
    app.log_exception = types.MethodType(log_exception_without_message, app)
