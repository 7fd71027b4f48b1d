"""The test EHR's patients and their performance-status Observations, dated relative to today.

| patient | chart |
| --- | --- |
| kps-recent | KPS 70 five days ago, and an older KPS 40 (the newer one must win) |
| kps-stale | KPS 60, 200 days ago (older than the 30-day default: shown as old) |
| ecog-only | ECOG 2 ten days ago, no KPS |
| kps-odd | KPS 75 (not a choice on the form: refused with a note, never rounded) |
| none | no KPS, no ECOG |
| fhir-error | the Observation search fails (500 OperationOutcome) |
| denied | consent refused at the authorize step |
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

KPS = "89243-0"
ECOG = "89247-1"
PATIENTS = ("kps-recent", "kps-stale", "ecog-only", "kps-odd", "none", "fhir-error", "denied")
CHART = {  # patient -> [(LOINC, value, days ago)], newest first as _sort=-date asks
    "kps-recent": [(KPS, 70, 5), (KPS, 40, 90)],
    "kps-stale": [(KPS, 60, 200)],
    "ecog-only": [(ECOG, 2, 10)],
    "kps-odd": [(KPS, 75, 3)],
}


def observations(patient: str, code: str) -> list[dict]:
    """The patient's Observations matching a `system|code` search token, newest first."""
    loinc = code.split("|")[-1]
    today = datetime.now(UTC)
    return [
        {
            "resourceType": "Observation",
            "id": f"{patient}-{n}",
            "status": "final",
            "code": {"coding": [{"system": "http://loinc.org", "code": c}]},
            "subject": {"reference": f"Patient/{patient}"},
            "effectiveDateTime": (today - timedelta(days=days)).strftime("%Y-%m-%dT%H:%M:%SZ"),
            "valueInteger": value,
        }
        for n, (c, value, days) in enumerate(CHART.get(patient, []))
        if c == loinc
    ]
