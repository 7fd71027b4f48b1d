"""A surgeon's flow in real Chromium against real gunicorn: fill the form, submit, read the result."""

import re

import pytest

pytestmark = [pytest.mark.browser, pytest.mark.slow]


def test_surgeon_fills_the_form_and_reads_estimate_and_comparison(live_url, browser, client):
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    requests = []
    page.on("request", lambda r: requests.append(r.url))
    page.goto(live_url + "/")
    page.get_by_label("Karnofsky performance status (KPS)").select_option("60")
    page.locator("#field-other_metastases").get_by_text("Yes", exact=True).click()
    page.locator("#field-mccormick_grade").get_by_text("III", exact=True).click()
    page.locator("#field-resection").get_by_text("Subtotal resection", exact=True).click()
    page.locator("#field-compartment").get_by_text("Intramedullary", exact=True).click()
    page.get_by_role("button", name="Estimate 90-day survival").click()

    headline = page.locator(".estimate").inner_text()
    api = client.post(
        "/api/v1/estimate",
        json={
            "kps": 60,
            "other_metastases": True,
            "mccormick_grade": 3,
            "resection": "subtotal",
            "compartment": "intramedullary",
        },
    ).get_json()
    expected = round(100 * api["survival_90d"])
    assert re.fullmatch(
        rf"Estimated 90-day survival: {expected}%\s*\(95% interval \d+-\d+%\)", headline.strip()
    )

    rows = page.locator("table.by-resection tbody tr").all_inner_texts()
    assert len(rows) == 3
    for row, option in zip(rows, ("biopsy", "subtotal", "gross_total")):
        assert f"{round(100 * api['by_resection'][option]['survival_90d'])}%" in row
    assert "planned" in rows[1]
    assert (
        "must not be read as the effect of choosing a more radical operation"
        in page.locator(".caveat").inner_text()
    )
    assert page.url == live_url + "/"  # no patient value in the URL; the POST entry replaced by GET /
    assert all(u.startswith(live_url) for u in requests)  # nothing from another origin
    page.close()


def test_missing_input_is_explained_next_to_the_field(live_url, browser):
    page = browser.new_page()
    page.goto(live_url + "/")
    page.get_by_role("button", name="Estimate 90-day survival").click()
    assert page.locator("#field-kps .error").inner_text() == "Choose the patient's KPS (10 to 100)."
    assert page.locator("#result").count() == 0
    page.close()
