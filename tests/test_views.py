"""The page: same numbers as the API, reference profiles shown right, stateless, health check."""

import html as html_lib
import re

import pytest

from calculator.display import pct, resection_label

FORM = {
    "kps": "70",
    "other_metastases": "yes",
    "mccormick_grade": "3",
    "resection": "gross_total",
    "compartment": "intramedullary",
}


def form_data(inputs: dict) -> dict:
    return {k: ("yes" if v else "no") if isinstance(v, bool) else str(v) for k, v in inputs.items()}


def text_of(response) -> str:
    return html_lib.unescape(re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", response.get_data(as_text=True))))


def test_form_page(client):
    response = client.get("/")
    assert response.status_code == 200
    page = text_of(response)
    assert "Karnofsky performance status" in page
    assert "supports, and does not replace, clinical judgement" in page
    assert "synthetic" in page


def test_page_and_api_agree(client):
    inputs = {
        "kps": 40,
        "other_metastases": True,
        "mccormick_grade": 4,
        "resection": "biopsy",
        "compartment": "intradural_extramedullary",
    }
    api = client.post("/api/v1/estimate", json=inputs).get_json()
    page = text_of(client.post("/", data=form_data(inputs)))
    low, high = api["interval_95"]
    assert (
        f"Estimated 90-day survival: {pct(api['survival_90d'])} (95% interval {round(100 * low)}-{pct(high)})"
        in page
    )
    for option, p in api["by_resection"].items():
        lo, hi = p["interval_95"]
        row = f"{pct(p['survival_90d'])} {round(100 * lo)}-{pct(hi)}"
        planned = " planned" if option == inputs["resection"] else ""
        assert f"{resection_label(option)}{planned} {row}" in page
    for sentence in api["explanation"] + api["warnings"]:
        assert sentence in page


def test_reference_profiles_appear_correctly_on_the_page(client, model):
    for ref in model.manifest["reference_predictions"]:
        page = text_of(client.post("/", data=form_data(ref["inputs"])))
        low, high = ref["interval_95"]
        shown = (
            f"Estimated 90-day survival: {pct(ref['survival_90d'])} "
            f"(95% interval {round(100 * low)}-{pct(high)})"
        )
        if model.coverage.covered(ref["inputs"]):
            assert shown in page
        else:  # outside the evidence: no number, and why
            assert "No estimate for this patient" in page and shown not in page


def test_result_page_shows_caveat_synthetic_label_and_version(client, model):
    page = text_of(client.post("/", data=FORM))
    assert "must not be read as the effect of choosing a more radical operation" in page
    assert "Ivren 2025; Gazzeri 2021" in page
    assert "Synthetic data" in page
    assert model.version in page


def test_outside_the_evidence_the_page_shows_no_number_and_says_why(client):
    page = text_of(client.post("/", data={**FORM, "kps": "10", "mccormick_grade": "1"}))
    assert "No estimate for this patient" in page
    assert "essentially no patient with KPS 10 (it covers KPS 30-100)" in page
    assert not re.search(r"Estimated 90-day survival: \d", page)
    assert "Estimated 90-day survival: none (no patients like this one in the evidence" in page  # the note
    assert page.count("No estimate: no patients like this one in the evidence") == 3  # every resection row


def test_unknown_inputs_and_ecog_on_the_page(client):
    page = text_of(
        client.post(
            "/", data={**FORM, "kps": "ecog-2", "other_metastases": "unknown", "mccormick_grade": "unknown"}
        )
    )
    assert "Estimated 90-day survival:" in page
    assert "For: ECOG 2 (as KPS 60-50), other metastases not known yet, McCormick grade not known yet" in page
    assert "Not known exactly, so averaged over" in page
    assert "Averaged over KPS (derived from ECOG: KPS 60-50, ECOG-ACRIN table)" in page
    assert "Patients like this one, by the operation they had: an association, not an effect" in page


@pytest.mark.parametrize(
    "method, path, data",
    [
        ("get", "/", None),
        ("post", "/", FORM),
        ("post", "/", {}),
        ("get", "/model", None),
        ("get", "/healthz", None),
        ("get", "/static/style.css", None),
    ],
)
def test_no_cookies_and_no_caching_of_patient_values(client, method, path, data):
    response = getattr(client, method)(path, data=data)
    response.close()  # static files are streamed from disk
    assert "Set-Cookie" not in response.headers
    if path != "/static/style.css":
        assert response.headers["Cache-Control"] == "no-store"


def test_form_posts_and_puts_no_value_in_the_url(client):
    html = client.get("/").get_data(as_text=True)
    assert re.search(r'<form method="post" action="/#result"', html)


def test_healthz(client, model):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.get_json() == {"status": "ok", "model_version": model.version}


def test_model_page_lists_sources_with_citations(client, model):
    page = text_of(client.get("/model"))
    for series in model.manifest["reconstruction"]["series"]:
        assert series["study_id"] in page
        assert series["doi_or_pmid"] in page


def test_no_external_resources(client):
    html = client.post("/", data=FORM).get_data(as_text=True)
    assert not re.search(r'(src|href)="(https?:)?//', html)
