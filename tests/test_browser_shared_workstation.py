"""A shared workstation in real Chromium against real gunicorn: after one patient, Back, Forward,
a reload or a page restored from the back-forward cache shows the next person no patient's
answers or estimate (calculator/static/calculator.js, section 5; autocomplete="off")."""

import pytest

pytestmark = [pytest.mark.browser, pytest.mark.slow]


def answer(page) -> None:
    page.get_by_label("Karnofsky performance status (KPS)").select_option("60")
    page.locator("#field-other_metastases").get_by_text("Yes", exact=True).click()
    page.locator("#field-mccormick_grade").get_by_text("III", exact=True).click()
    page.locator("#field-resection").get_by_text("Subtotal resection", exact=True).click()
    page.locator("#field-compartment").get_by_text("Intramedullary", exact=True).click()


def assert_empty(page) -> None:
    """No answer, no estimate: what a new visit shows."""
    page.locator("form.calculator").wait_for()
    assert page.locator("#result").count() == 0
    assert page.locator("form.calculator input:checked").count() == 0
    assert page.locator("select[name=kps]").input_value() == ""


@pytest.fixture()
def page(browser):
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    yield page
    context.close()


def test_back_after_filling_without_submitting_shows_an_empty_form(live_url, page):
    page.goto(live_url + "/")
    answer(page)
    page.get_by_role("link", name="Sources, method and performance").click()
    page.wait_for_url("**/model")
    page.go_back()
    assert_empty(page)


def test_back_after_a_result_shows_no_patient(live_url, page):
    page.goto(live_url + "/")
    answer(page)
    page.get_by_role("button", name="Estimate 90-day survival").click()
    page.locator("#result .value").wait_for(state="visible")
    assert page.evaluate("location.pathname + location.search + location.hash") == "/"  # replaced entry
    page.get_by_role("link", name="Sources, method and performance").click()
    page.wait_for_url("**/model")
    page.go_back()
    assert_empty(page)
    page.go_forward()
    page.wait_for_url("**/model")
    page.go_back()
    assert_empty(page)


def test_reloading_a_result_sends_nothing_again(live_url, page):
    posts = []
    page.on("request", lambda r: posts.append(r.url) if r.method == "POST" else None)
    page.goto(live_url + "/")
    answer(page)
    page.get_by_role("button", name="Estimate 90-day survival").click()
    page.locator("#result .value").wait_for(state="visible")
    page.reload()
    assert_empty(page)
    assert len(posts) == 1  # the surgeon's own submit; the reload was a GET
