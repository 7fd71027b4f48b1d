"""Accessibility in real Chromium: axe-core over every state of the page, and what axe cannot see
(focus after a submit, the announcement, radio groups' descriptions, the focus ring's contrast,
keyboard-only completion).

axe-core is a test-only tool from npm, pinned in tests/axe/package.json (`make test` runs `npm ci`
there); it is injected into the page under test and never served by the app. One gunicorn, one
browser context and one page for the whole module: browser tests are the expensive ones.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from playwright.sync_api import sync_playwright

pytestmark = [pytest.mark.browser, pytest.mark.slow]

ROOT = Path(__file__).resolve().parent.parent
AXE = ROOT / "tests" / "axe" / "node_modules" / "axe-core" / "axe.min.js"
TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]
# Radio options by index, KPS by value: KPS 60, other metastases, grade III, subtotal, intramedullary.
PATIENT = {"kps": "60", "other_metastases": "1", "mccormick_grade": "2", "resection": "1", "compartment": "0"}


@pytest.fixture(scope="module")
def page(live_url):
    if not AXE.exists():
        pytest.fail(f"{AXE} is missing: run `npm ci` in tests/axe (make test does)")
    from live import launch_chromium

    with sync_playwright() as p:
        chromium = launch_chromium(p)
        # bypass_csp: axe is injected as an inline script, which the app's CSP rightly forbids
        context = chromium.new_context(viewport={"width": 1280, "height": 800}, bypass_csp=True)
        yield context.new_page()
        context.close()
        chromium.close()


def axe_violations(frame) -> list[str]:
    if not frame.evaluate("typeof window.axe !== 'undefined'"):
        frame.add_script_tag(path=str(AXE))
    found = frame.evaluate(
        "tags => axe.run(document, {runOnly: {type: 'tag', values: tags}})"
        ".then(r => r.violations.map(v => ({id: v.id, nodes: v.nodes.map(n => n.target.join(' '))})))",
        TAGS,
    )
    return [json.dumps(v) for v in found]


def fill(page, patient: dict) -> None:
    page.select_option("#kps", patient["kps"])
    for name in ("other_metastases", "mccormick_grade", "resection", "compartment"):
        page.check(f"#{name}-{patient[name]}")


def submit(page) -> None:
    with page.expect_navigation():
        page.get_by_role("button", name="Estimate 90-day survival").click()


def test_axe_finds_nothing_on_any_state_of_the_page(page, live_url):
    page.goto(live_url + "/")
    assert axe_violations(page) == [], "empty form"
    submit(page)
    assert axe_violations(page) == [], "errors"
    fill(page, PATIENT)
    submit(page)
    assert axe_violations(page) == [], "result"
    page.goto(live_url + "/#kps=50&other_metastases=no&mccormick_grade=2&resection=biopsy")
    page.wait_for_selector(".prefill-banner")
    assert axe_violations(page) == [], "EHR prefill"
    page.goto(live_url + "/model")
    assert axe_violations(page) == [], "/model"
    # The page in a 400 px frame of a same-origin host (frame-ancestors 'self').
    host = live_url + "/__host.html"
    page.route(
        host,
        lambda route: route.fulfill(
            content_type="text/html",
            body=f'<!doctype html><html lang="en"><title>EHR</title><iframe title="Calculator" '
            f'src="{live_url}/" width="400" height="700"></iframe></html>',
        ),
    )
    page.goto(host)
    frame = page.wait_for_selector("iframe").content_frame()
    frame.wait_for_selector("form.calculator")
    assert axe_violations(frame) == [], "400 px frame"
    page.unroute(host)


def luminance(rgb: str) -> float:
    channels = [int(c) / 255 for c in rgb[rgb.index("(") + 1 : rgb.index(")")].split(",")[:3]]
    linear = [c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]


def contrast(a: str, b: str) -> float:
    la, lb = sorted((luminance(a), luminance(b)), reverse=True)
    return (la + 0.05) / (lb + 0.05)


def test_keyboard_only_completion_focus_ring_and_announced_result(page, live_url):
    page.goto(live_url + "/")
    for _ in range(10):  # the header's link comes first; the KPS list is the first input
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.id") == "kps":
            break
    page.keyboard.type("6")  # the list jumps to 60 as typed, as a surgeon would
    assert page.input_value("#kps") == "60"
    ring = page.evaluate(
        "(() => { const s = getComputedStyle(document.activeElement); "
        "return [s.outlineStyle, parseFloat(s.outlineWidth), s.outlineColor, "
        "getComputedStyle(document.body).backgroundColor]; })()"
    )
    assert ring[0] == "solid" and ring[1] >= 2
    white = "rgb(255, 255, 255)" if ring[3] in ("rgba(0, 0, 0, 0)", "transparent") else ring[3]
    assert contrast(ring[2], white) >= 3, ring
    for name in ("other_metastases", "mccormick_grade", "resection", "compartment"):
        page.keyboard.press("Tab")
        assert page.evaluate("document.activeElement.name") == name
        index = int(PATIENT[name])
        if index == 0:
            page.keyboard.press("Space")
        for _ in range(index):
            page.keyboard.press("ArrowDown")
        assert page.is_checked(f"#{name}-{index}")
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.type") == "submit"
    with page.expect_navigation():
        page.keyboard.press("Enter")
    # Focus on the estimate's heading: what a screen reader reads out after the new page loads.
    page.wait_for_function("document.activeElement.id === 'result-heading'")
    heading = page.locator("#result-heading").inner_text()
    assert heading.startswith("Estimated 90-day survival:")
    assert page.title().startswith(heading.split(": ")[1].split()[0])  # the title names the estimate
    ring = page.evaluate("getComputedStyle(document.activeElement).outlineColor")
    assert contrast(ring, "rgb(255, 255, 255)") >= 3


def test_errors_are_summarised_with_links_and_tied_to_their_radio_groups(page, live_url):
    page.goto(live_url + "/")
    page.check("#resection-0")
    submit(page)
    page.wait_for_function("document.activeElement.id === 'form-errors'")
    assert page.title().startswith("Check 4 fields")
    links = page.locator("#form-errors a")
    assert links.count() == 4
    for href in links.evaluate_all("links => links.map(a => a.getAttribute('href'))"):
        assert page.locator(href).count() == 1
    for name in ("other_metastases", "mccormick_grade", "compartment", "resection"):
        for radio in page.locator(f"input[name={name}]").all():
            described = radio.get_attribute("aria-describedby").split()
            assert f"{name}-help" in described
            assert (f"{name}-error" in described) == (name != "resection")
            for id_ in described:
                assert page.locator(f"#{id_}").count() == 1
    links.nth(1).click()  # the second error, a radio group: focus lands on its first option
    assert page.evaluate("document.activeElement.id") == "other_metastases-0"


def test_every_id_is_unique_on_the_model_page(page, live_url):
    page.goto(live_url + "/model")
    ids = page.evaluate("[...document.querySelectorAll('[id]')].map(e => e.id)")
    assert len(ids) == len(set(ids))


def test_projector_and_paper(page, live_url):
    """The interval near the number's size, the bar with its scale, and on paper the planned row
    marked by shape and words and a line to write the patient and date on."""
    page.goto(live_url + "/")
    fill(page, PATIENT)
    submit(page)
    sizes = page.evaluate(
        "['.estimate .value', '.estimate .interval'].map(s => "
        "parseFloat(getComputedStyle(document.querySelector(s)).fontSize))"
    )
    assert sizes[1] >= 0.7 * sizes[0]
    assert page.locator(".interval-bar text").all_text_contents() == ["0%", "25%", "50%", "75%", "100%"]
    assert page.locator(".write-in").is_hidden()
    page.emulate_media(media="print")
    assert page.locator(".write-in").is_visible()
    assert "Date:" in page.locator(".write-in").inner_text()
    marker = page.evaluate(
        "getComputedStyle(document.querySelector('.by-resection tr.planned th'), '::before').content"
    )
    assert "\u25b6" in marker
    assert page.evaluate("getComputedStyle(document.querySelector('.tag')).color") == "rgb(0, 0, 0)"
    page.emulate_media(media="screen")


def test_fewer_clicks_at_1280_by_800(page, live_url):
    """The whole form and its button on one laptop screen; after a result the inputs stay beside
    it with the button in view, so a what-if needs no scroll."""
    page.goto(live_url + "/")
    assert page.viewport_size == {"width": 1280, "height": 800}
    assert (
        page.evaluate(
            "document.querySelector('form.calculator > button[type=submit]').getBoundingClientRect().bottom"
        )
        <= 800
    )
    fill(page, PATIENT)
    submit(page)
    boxes = page.evaluate(
        "['#result', 'form.calculator', 'form.calculator button[type=submit]']"
        ".map(s => document.querySelector(s).getBoundingClientRect().toJSON())"
    )
    result, form, button = boxes
    assert form["left"] >= result["right"]  # beside the result
    assert button["bottom"] <= 800 and button["top"] >= 0
    page.check("#resection-2")  # a what-if: no scroll needed for the input or the button
    with page.expect_navigation():
        page.click("form.calculator button[type=submit]", no_wait_after=False)
    assert page.locator("#result-heading").count() == 1


def old_engine_css(css: str) -> str:
    """The stylesheet as an engine without custom properties or grid reads it: every declaration
    that uses var() or grid dropped, and no @supports (display: grid) block."""
    css = re.sub(r"@supports \(display: grid\) \{(?:[^{}]*\{[^{}]*\})*\s*\}", "", css)
    css = re.sub(r"[\w-]+\s*:[^;{}]*var\(--[^;{}]*(;|(?=\}))", "", css)
    css = re.sub(r"(display:\s*grid|grid[\w-]*\s*:[^;{}]*)(;|(?=\}))", "", css)
    return css


def test_old_engines_keep_contrast_and_separation(page, live_url):
    css = (ROOT / "calculator" / "static" / "style.css").read_text(encoding="utf-8")
    page.route(
        "**/static/style.css*", lambda route: route.fulfill(content_type="text/css", body=old_engine_css(css))
    )
    try:
        page.goto(live_url + "/")
        assert page.evaluate("getComputedStyle(document.querySelector('form.calculator')).display") == "block"
        colours = page.evaluate(
            "(() => { const s = getComputedStyle("
            "document.querySelector('form.calculator > button[type=submit]')); "
            "return [s.color, s.backgroundColor]; })()"
        )
        assert contrast(*colours) >= 4.5, colours
        boxes = page.evaluate(
            "[...document.querySelectorAll('.field')].map(e => e.getBoundingClientRect().toJSON())"
        )
        for above, below in zip(boxes, boxes[1:]):
            assert below["top"] - above["bottom"] >= 8  # apart, not run together
        label, desc = page.evaluate(
            "['#field-resection .choice-label', '#field-resection .choice-desc']"
            ".map(s => document.querySelector(s).getBoundingClientRect().toJSON())"
        )
        assert desc["top"] >= label["bottom"] - 1  # each description under its option
        fill(page, PATIENT)
        submit(page)
        assert page.locator(".interval-bar .band").get_attribute("fill") != "#000"
        band = page.evaluate("getComputedStyle(document.querySelector('.interval-bar .band')).fill")
        assert contrast(band, "rgb(0, 0, 0)") >= 3 and contrast(band, "rgb(255, 255, 255)") >= 3
    finally:
        page.unroute("**/static/style.css*")


def test_without_javascript_a_notice_warns_of_frame_reuse(live_url, page):
    context = page.context.browser.new_context(java_script_enabled=False)
    try:
        plain = context.new_page()
        plain.goto(live_url + "/")
        fill(plain, PATIENT)
        with plain.expect_navigation():
            plain.click("form.calculator > button[type=submit]")
        notice = plain.locator(".frame-reuse")
        assert notice.is_visible() and "reuses this frame" in notice.inner_text()
    finally:
        context.close()


@pytest.mark.parametrize("code", ["de", "it"])
def test_german_and_italian_pages_are_accessible_fit_and_switch(page, live_url, code):
    """The translated pages pass axe, keep the form and its button on one laptop screen with
    their longer words, and the switch re-sends the form: the same result, in the other language."""
    page.goto(live_url + f"/?lang={code}")
    assert page.evaluate("document.documentElement.lang") == code
    button = "form.calculator > button[type=submit]"
    assert page.evaluate(f"document.querySelector('{button}').getBoundingClientRect().bottom") <= 800
    assert axe_violations(page) == [], f"{code} empty form"
    with page.expect_navigation():
        page.click(button)
    assert axe_violations(page) == [], f"{code} errors"
    fill(page, PATIENT)
    with page.expect_navigation():
        page.click(button)
    assert axe_violations(page) == [], f"{code} result"
    estimate = page.inner_text("#result-heading .value")
    with page.expect_navigation():
        page.click("nav.languages button[value=en]")
    assert page.evaluate("document.documentElement.lang") == "en"
    assert page.inner_text("#result-heading .value") == estimate.replace("\xa0", "")
    assert "lang=" not in page.url and "kps" not in page.url
    page.goto(live_url + f"/model?lang={code}")
    assert axe_violations(page) == [], f"{code} /model"
