"""The pages a surgeon sees: the calculator (/), the model and its sources (/model), /healthz."""

from __future__ import annotations

from flask import Blueprint, abort, current_app, jsonify, render_template, request
from werkzeug.datastructures import MultiDict

from calculator.forms import EstimateForm
from calculator.i18n import SHOWN_FIELD, _, switching_language
from calculator.launch import LAUNCH_REFUSED, inputs_in_query, is_prefill, launch_allowed, read_prefill
from calculator.model import get_model, model_files_problem
from calculator.model_card import build_card
from calculator.result import build_result

bp = Blueprint("calculator", __name__)


@bp.route("/", methods=["GET", "POST"])
def index():
    form = EstimateForm()  # POST data only: patient values never travel in the URL
    result = prefill = None
    status = 200
    fetch_site = request.headers.get("Sec-Fetch-Site")
    if form.is_submitted() and is_prefill(request.form, fetch_site):
        origin, ancestors = request.headers.get("Origin"), current_app.config["FRAME_ANCESTORS"]
        if not launch_allowed(origin, fetch_site, request.host, ancestors):
            abort(403, _(LAUNCH_REFUSED))
        prefill = read_prefill(request.form)  # an EHR launch: shown to confirm, nothing computed
        form = EstimateForm(formdata=MultiDict(prefill.accepted))
    elif form.is_submitted() and switching_language(request.form):
        # The language switch re-sends the form: the same page in the other language. It computes
        # an estimate only where one was shown, and does not mark unanswered fields as errors.
        if request.form.get(SHOWN_FIELD) == "result" and form.validate():
            result = build_result(get_model(), form.inputs())
        else:
            form = EstimateForm()
    elif form.is_submitted():
        if form.validate():
            result = build_result(get_model(), form.inputs())
        else:
            status = 422
    ignored_query = inputs_in_query(request.args)
    context = {"form": form, "result": result, "prefill": prefill, "ignored_query": ignored_query}
    return render_template("index.html", model=get_model(), **context), status


@bp.get("/model")
def model_page():
    model = get_model()
    return render_template("model.html", model=model, card=build_card(model.manifest))


@bp.get("/healthz")
def healthz():
    """Re-checks the model files on disk: a directory changed since start fails here (503) long
    before the next restart would refuse it. The model served stays the one loaded at start."""
    problem = model_files_problem()
    if problem:
        return jsonify(status="error", problem=problem, model_version=get_model().version), 503
    return jsonify(status="ok", model_version=get_model().version)
