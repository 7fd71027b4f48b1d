"""The pages a surgeon sees: the calculator (/), the model and its sources (/model), /healthz."""

from __future__ import annotations

from flask import Blueprint, jsonify, render_template

from calculator.forms import EstimateForm
from calculator.model import get_model
from calculator.result import build_result

bp = Blueprint("calculator", __name__)


@bp.route("/", methods=["GET", "POST"])
def index():
    form = EstimateForm()  # POST data only: patient values never travel in the URL
    result = None
    status = 200
    if form.is_submitted():
        if form.validate():
            result = build_result(get_model(), form.inputs())
        else:
            status = 422
    return render_template("index.html", form=form, result=result, model=get_model()), status


@bp.get("/model")
def model_page():
    return render_template("model.html", model=get_model())


@bp.get("/healthz")
def healthz():
    return jsonify(status="ok", model_version=get_model().version)
