"""The model page in real Chromium against real gunicorn: narrow pane, no JavaScript, print."""

import json
import math

import pytest

from calculator.artifact import DEFAULT_MODEL_DIR, MANIFEST

pytestmark = [pytest.mark.browser, pytest.mark.slow]

OVERFLOW = "[document.documentElement.scrollWidth, document.documentElement.clientWidth]"


@pytest.mark.parametrize("width", [400, 1280])
def test_model_page_never_scrolls_sideways_and_shows_the_plot_without_javascript(live_url, browser, width):
    context = browser.new_context(viewport={"width": width, "height": 900}, java_script_enabled=False)
    page = context.new_page()
    page.goto(live_url + "/model")
    assert page.inner_text("h1") == "The model behind the estimate"
    scroll_width, client_width = page.evaluate(OVERFLOW)
    assert scroll_width <= client_width
    plot = page.locator("figure.calibration svg")
    box = plot.bounding_box()
    assert 0 < box["width"] <= client_width and box["height"] > 100
    assert page.locator("figure.calibration circle.point").count() == 5
    # A wide table scrolls inside its own box when the pane is narrow, and its caption stays put.
    wrap = page.locator("#targets .table-wrap.wide")
    inner, outer = wrap.evaluate("e => [e.scrollWidth, e.clientWidth]")
    assert (inner > outer) is (width == 400)
    page.click("text=Performance")  # the contents work without script
    assert page.evaluate("location.hash") == "#performance"
    context.close()


def test_model_page_prints_every_table_whole(live_url, browser):
    # A4 less the stylesheet's 12 mm margins, at 96 dpi: 186 mm = 703 px.
    context = browser.new_context(viewport={"width": 703, "height": 1000})
    page = context.new_page()
    page.goto(live_url + "/model")
    page.emulate_media(media="print")
    assert page.locator("nav.contents").is_hidden()
    clipped = page.evaluate(
        "[...document.querySelectorAll('.table-wrap')].filter(e => e.scrollWidth > e.clientWidth + 1).length"
    )
    assert clipped == 0
    scroll_width, client_width = page.evaluate(OVERFLOW)
    assert scroll_width <= client_width
    assert page.pdf(format="A4")[:5] == b"%PDF-"
    context.close()


def test_model_page_leads_with_the_resection_effect_and_its_interval(live_url, browser):
    manifest = json.loads((DEFAULT_MODEL_DIR / MANIFEST).read_text(encoding="utf-8"))
    gross_total = manifest["model"]["coefficients"]["pooled"]["resection_gross_total"]
    low, high = (math.exp(x) for x in gross_total["interval_95"])
    context = browser.new_context(viewport={"width": 400, "height": 900}, java_script_enabled=False)
    page = context.new_page()
    page.goto(live_url + "/model")
    second = page.locator("nav.contents a").nth(1)  # right after "At a glance"
    assert second.inner_text().startswith("Extent of resection")
    second.click()
    assert page.evaluate("location.hash") == "#resection"
    assert abs(page.locator("#resection").bounding_box()["y"]) < 100  # scrolled to it
    effect = page.locator("#resection p").first.inner_text()
    assert f"95% interval {low:.2f} to {high:.2f}" in effect
    context.close()
