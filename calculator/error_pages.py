"""The HTML error pages (400, 403, 404, 405, 413, 500, ...) in the user's language, instead of
Werkzeug's English ones. The API answers its errors in JSON (calculator.api); this module serves
every other path. One sentence each, no detail of the server, and a way back to the calculator.
"""

from __future__ import annotations

from flask import render_template, url_for
from flask.globals import request_ctx
from werkzeug.exceptions import HTTPException

from calculator.features import N_
from calculator.i18n import DEFAULT, LANG_FIELD, _, current

TITLES = {
    400: N_("The request could not be read"),
    403: N_("Not allowed"),
    404: N_("No page at this address"),
    405: N_("Not allowed at this address"),
    413: N_("Too much data"),
    500: N_("The calculator could not answer"),
}
SENTENCES = {
    400: N_("The browser sent something the calculator cannot read. Open the calculator again."),
    403: N_("This request is not allowed. Open the calculator again."),
    404: N_("There is no page at this address. The calculator is at the link below."),
    405: N_("This address does not accept this kind of request. Open the calculator again."),
    413: N_("The form sent more data than the calculator accepts. Open the calculator again."),
    500: N_("Something went wrong on the server; nothing was stored. Try again in a moment."),
}


def error_page(e: HTTPException):
    """The page for `e`: its title and sentence in the request's language. A description the app
    gave (e.g. a refused EHR launch) is shown as it is; Werkzeug's English defaults never are."""
    code = e.code or 500
    title = _(TITLES.get(code, TITLES[500] if code >= 500 else TITLES[400]))
    sentence = _(SENTENCES.get(code, SENTENCES[500] if code >= 500 else SENTENCES[400]))
    if e.description and e.description != type(e).description:
        sentence = e.description  # the app's own, translated where it was raised
    links = {"home": "/", "stylesheet": None}  # a request refused before routing (an untrusted Host)
    if request_ctx.url_adapter is not None:
        language = {} if current() == DEFAULT else {LANG_FIELD: current()}
        links = {
            "home": url_for("calculator.index", **language),
            "stylesheet": url_for("static", filename="style.css"),
        }
    response = e.get_response()
    response.set_data(render_template("error.html", code=code, title=title, sentence=sentence, **links))
    response.mimetype = "text/html"
    return response
