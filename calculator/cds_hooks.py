"""CDS Hooks: a `patient-view` service whose one card says the calculator is available.

`GET /cds-services` is the discovery document (no patient data in it, so it needs no token).
`POST /cds-services/intradural-mets-90d` answers a patient-view hook with one `info` card: the
performance status the EHR prefetched (KPS or ECOG, with its date), never a prognosis from partial
inputs, and a `smart` link to the launch (calculator.smart), which prefills the form to confirm.

Every service call is authenticated as the specification requires (calculator.cds_jwt: a JWT
signed by a trusted EHR's key, asymmetric algorithms only, for this service's URL, current, with
a jti not seen before); create_app calls `check_settings` (from there) at start.
"""

from __future__ import annotations

import uuid

from flask import Blueprint, abort, current_app, jsonify, request, url_for

from calculator.cds_jwt import authenticated, check_settings
from calculator.chart import ECOG_LOINC, KPS_LOINC, LOINC, ChartError, latest_reading
from calculator.model import get_model
from calculator.public_url import public_url

__all__ = ["bp", "card", "check_settings"]

bp = Blueprint("cds_hooks", __name__)

SERVICE_ID = "intradural-mets-90d"
SOURCE = "Intradural spinal metastases: 90-day survival calculator"
PREFETCH = {
    "kps": f"Observation?patient={{{{context.patientId}}}}&code={LOINC}|{KPS_LOINC}&_sort=-date&_count=1",
    "ecog": f"Observation?patient={{{{context.patientId}}}}&code={LOINC}|{ECOG_LOINC}&_sort=-date&_count=1",
}


@bp.get("/cds-services")
def discovery():
    service = {
        "hook": "patient-view",
        "id": SERVICE_ID,
        "title": "Intradural spinal metastases: 90-day survival after surgery",
        "description": "The calculator, with the chart's KPS or ECOG prefilled for the surgeon to confirm.",
        "prefetch": PREFETCH,
    }
    return jsonify(services=[service])


@bp.post(f"/cds-services/{SERVICE_ID}")
def patient_view():
    if not authenticated(request.headers.get("Authorization", ""), service_url()):
        return jsonify(error="a valid JWT from a trusted EHR is required"), 401
    body = request.get_json(silent=True)
    if not isinstance(body, dict) or body.get("hook") != "patient-view":
        abort(400)
    prefetch = body.get("prefetch") if isinstance(body.get("prefetch"), dict) else {}
    return jsonify(cards=[card(_status(prefetch))])


def service_url() -> str:
    return public_url(request.path)


def _status(prefetch: dict) -> str:
    """The prefetched performance status in words, e.g. 'KPS 70 (2026-11-20)'."""
    for label, key in (("KPS", "kps"), ("ECOG", "ecog")):
        try:
            reading = latest_reading(prefetch.get(key)) if prefetch.get(key) else None
        except ChartError:
            reading = None
        if reading:
            return f"{label} {reading.value} ({reading.recorded.isoformat()})"
    return ""


SYNTHETIC = (
    " The model is fitted on synthetic cohorts reconstructed from published series, not on real "
    "patients, and has not been validated on real patients."
)


def card(status: str) -> dict:
    """The one card: what is available and the chart's performance status, never an estimate."""
    chart = f"chart {status}" if status else "no KPS or ECOG in the chart"
    summary = f"90-day survival calculator for intradural spinal metastases available; {chart}"
    smart = "smart.launch" in current_app.view_functions
    link = {
        "label": "Open the calculator (KPS or ECOG prefilled to confirm)",
        "url": public_url(url_for("smart.launch" if smart else "calculator.index")),
        "type": "smart" if smart else "absolute",
    }
    return {
        "uuid": str(uuid.uuid4()),
        "summary": summary[:140],
        "detail": (
            "Performance status comes from the chart for you to confirm; McCormick grade, planned "
            "resection, compartment and other metastases are entered by hand. Nothing is estimated "
            "until you press the button." + (SYNTHETIC if get_model().manifest["synthetic"] else "")
        ),
        "indicator": "info",
        "source": {"label": SOURCE},
        "links": [link],
    }
