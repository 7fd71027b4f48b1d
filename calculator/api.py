"""POST /api/v1/estimate: the same result as the page, as JSON, for EHR integrations and scripts."""

from __future__ import annotations

from datetime import date

from flask import Blueprint, jsonify, request
from werkzeug.exceptions import HTTPException

from calculator.error_pages import error_page
from calculator.i18n import DEFAULT, LANG_FIELD, LANGUAGES, language_of, requested_language
from calculator.model import get_model
from calculator.note import averaged_line, estimate_line, note_text
from calculator.openapi import document
from calculator.result import build_result
from calculator.validation import BODY, parse_json, validate_inputs

bp = Blueprint("api", __name__, url_prefix="/api")


def errors(status: int, messages: dict[str, str]):
    return jsonify(errors=messages), status


@bp.post("/v1/estimate")
def estimate():
    if request.mimetype != "application/json":
        return errors(415, {BODY: "send the inputs as JSON with Content-Type: application/json"})
    payload, problems = parse_json(request.get_data(cache=False))
    if not problems:
        inputs, problems = validate_inputs(payload)
    asked = request.args.getlist(LANG_FIELD)
    if asked and (len(asked) > 1 or asked[0] not in LANGUAGES):  # strict, as every input here
        problems[LANG_FIELD] = "one of " + ", ".join(f'"{code}"' for code in LANGUAGES) + ", once"
    if problems:
        return errors(400, problems)
    model = get_model()
    asked = requested_language(request.args, request.accept_languages)
    with language_of(DEFAULT):  # the response's own texts stay English, whatever the browser asks
        body = build_result(model, inputs)
        if asked == DEFAULT:  # English asked for: the same texts, not computed twice
            body["messages"] = messages(body, asked)
    if asked and asked != DEFAULT:
        with language_of(asked):
            body["messages"] = messages(build_result(model, inputs), asked)
    return jsonify(body)


def messages(result: dict, language: str) -> dict:
    """The texts of `result`, written in the current language (see calculator.i18n)."""
    return {
        "language": language,
        "summary": estimate_line(result),
        "explanation": result["explanation"],
        "warnings": result["warnings"],
        "averaged_over": {
            name: averaged_line(name, entry) for name, entry in result["averaged_over"].items()
        },
        "note": note_text(result, date.today()),
    }


@bp.get("/openapi.json")
def openapi():
    """The OpenAPI 3.1 document of this API, built from the same declarations as the validator."""
    return jsonify(document())


@bp.app_errorhandler(HTTPException)
def http_error(e: HTTPException):
    """Errors under /api/ are JSON (404, 405, 413, ...), never an HTML page; elsewhere the
    translated HTML page (calculator.error_pages)."""
    if not request.path.startswith(bp.url_prefix + "/"):
        return error_page(e)
    response, status = errors(e.code or 500, {BODY: e.description or e.name})
    allow = dict(e.get_headers()).get("Allow")
    if allow:  # a 405 names the methods the path allows (RFC 9110), in JSON as in HTML
        response.headers["Allow"] = allow
    return response, status
