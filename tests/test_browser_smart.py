"""The SMART on FHIR EHR launch in Debian's Chromium, inside a cross-site frame, end to end.

A host page on http://localhost:PORT (the EHR's screen) frames
http://127.0.0.1:PORT/launch?iss=...&launch=... on the calculator under real gunicorn; the test EHR
(tests/ehr/) runs as its own process on 127.0.0.1. Third-party cookies are blocked. The launch goes
through the EHR's authorize endpoint and back, ends on the prefilled form, and the surgeon
confirms and estimates; the failure paths end on the form with one sentence.
"""

import functools
import re
import threading
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer

import pytest
from ehr import CLIENT_ID, running_ehr
from live import free_port, gunicorn_server, launch_chromium
from playwright.sync_api import sync_playwright

from calculator import smart

pytestmark = [pytest.mark.browser, pytest.mark.slow]

STORAGE_PROBE = (
    "(() => { try { localStorage.setItem('p', '1'); return 'open'; } catch (e) { return 'blocked'; } })()"
)


class QuietHandler(SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass


@pytest.fixture(scope="module")
def stack(tmp_path_factory):
    """(host origin, calculator base, iss, access log path, host page directory)."""
    root = tmp_path_factory.mktemp("smart-browser")
    pages = root / "pages"
    pages.mkdir()
    host = ThreadingHTTPServer(
        ("127.0.0.1", free_port()), functools.partial(QuietHandler, directory=str(pages))
    )
    threading.Thread(target=host.serve_forever, daemon=True).start()
    host_origin = f"http://localhost:{host.server_port}"
    ehr_port = free_port()
    iss = f"http://127.0.0.1:{ehr_port}/fhir"
    env = {
        "CALCULATOR_FRAME_ANCESTORS": f"'self' {host_origin}",
        "CALCULATOR_SMART_ENABLED": "true",
        "CALCULATOR_SMART_ISSUERS": iss,
        "CALCULATOR_SMART_CLIENT_ID": CLIENT_ID,
        "CALCULATOR_SMART_KEY": "browser-test-key-" + "x" * 32,
    }
    access_log = root / "gunicorn.log"
    # The calculator needs the EHR's iss (its port, chosen above); the EHR needs the calculator's port.
    with (
        gunicorn_server(env=env, log_path=access_log, startup_seconds=60) as (app, _),
        running_ehr([app + "/launch/callback"], root / "ehr.log", port=ehr_port),
    ):
        yield host_origin, app, iss, access_log, pages
    host.shutdown()
    host.server_close()


@pytest.fixture(scope="module")
def browser(stack):  # closed before the servers: open connections would hold gunicorn's workers
    with sync_playwright() as p:
        browser = launch_chromium(p, args=["--test-third-party-cookie-phaseout"])
        yield browser
        browser.close()


def launched_frame(browser, stack, launch_id):
    """Open the EHR's screen framing the launch; returns (context, page, frame, responses)."""
    host_origin, app, iss, _, pages = stack
    src = f"{app}/launch?iss={iss}&launch={launch_id}"
    (pages / f"{launch_id}.html").write_text(
        "<!doctype html><meta charset='utf-8'><title>EHR</title>"
        f"<iframe src='{src}' width='100%' height='900' style='border: 0'></iframe>",
        encoding="utf-8",
    )
    context = browser.new_context(viewport={"width": 1000, "height": 800})
    responses = []
    context.on("response", lambda r: responses.append(r))
    page = context.new_page()
    with page.expect_response(lambda r: r.url.startswith(app + "/launch/callback"), timeout=60_000):
        page.goto(f"{host_origin}/{launch_id}.html")
    frame = page.frames[1]
    frame.wait_for_load_state()
    return context, page, frame, responses


def test_ehr_launch_in_a_cross_site_frame_prefills_then_estimates_on_confirmation(browser, stack):
    _, app, iss, access_log, _ = stack
    context, page, frame, responses = launched_frame(browser, stack, "kps-recent")
    # Cross-site, third-party cookies blocked: the launch needed none, and none can be set.
    assert frame.evaluate("location.ancestorOrigins[0]").startswith("http://localhost:")
    assert frame.evaluate(STORAGE_PROBE) == "blocked"
    # The prefilled form: KPS 70 from the chart with its date, to confirm; nothing estimated.
    assert frame.eval_on_selector("#kps", "s => s.value") == "70"
    note = frame.inner_text("#field-kps .prefill-note")
    assert re.fullmatch(
        r"From the chart: KPS 70, recorded \d{1,2} \w+ \d{4} \(5 days ago\)\. Please confirm\.", note
    )
    assert frame.locator(".prefill-banner").count() == 1
    assert frame.locator("#result").count() == 0
    # The surgeon enters what the chart does not hold, confirms, and only then gets an estimate.
    for choice in ("#other_metastases-1", "#mccormick_grade-2", "#resection-0", "#compartment-0"):
        frame.check(choice)
    with frame.expect_navigation():
        frame.click("form.calculator > button[type=submit]")
    assert re.fullmatch(
        r"Estimated 90-day survival: \d+%\s*\(95% interval \d+-\d+%\)", frame.inner_text(".estimate")
    )
    assert context.cookies() == []
    assert all(r.header_value("set-cookie") is None for r in responses)
    # The access token went nowhere near the browser: no response it saw carried one.
    assert not [r for r in responses if "access_token" in (r.header_value("location") or "")]
    context.close()
    # The calculator's access log holds paths only: no code, no state, no launch, no patient.
    log = access_log.read_text(encoding="utf-8")
    assert "GET /launch/callback HTTP" in log
    for secret in ("code=", "state=", "kps-recent", "launch=", "Observation", "Bearer"):
        assert secret not in log


def test_failed_launches_end_on_the_form_with_one_sentence(browser, stack):
    for launch_id, sentence in (
        ("denied", smart.DENIED),
        ("none", smart.NONE_FOUND),
        ("fhir-error", smart.FHIR),
    ):
        context, _, frame, _ = launched_frame(browser, stack, launch_id)
        assert frame.inner_text("p.notice[role=alert]") == sentence
        assert frame.eval_on_selector("#kps", "s => s.value") == ""
        assert frame.locator("form.calculator > button[type=submit]").count() == 1
        context.close()
