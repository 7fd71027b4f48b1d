"""The README's "Embedding in the EHR", checked in Debian's Chromium against real gunicorn.

The EHR is a host page served from another site (http://localhost:PORT) that frames the
calculator (http://127.0.0.1:PORT) with the README's snippet, as written; a second host on
http://127.0.0.2:PORT is not on CALCULATOR_FRAME_ANCESTORS. Third-party cookies are blocked.
"""

import functools
import re
import textwrap
import threading
import urllib.request
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer

import pytest
from live import ROOT, free_port, gunicorn_server, launch_chromium
from playwright.sync_api import sync_playwright

pytestmark = [pytest.mark.browser, pytest.mark.slow]

# KPS value and, for the radio groups, the index of the option (#mccormick_grade-2 is grade III):
# KPS 70, other metastases, McCormick III, gross total, intramedullary; and the profile with the
# most text (three coverage warnings), the hardest to print on one page.
PATIENT = {"kps": "70", "other_metastases": "1", "mccormick_grade": "2", "resection": "2", "compartment": "0"}
# The longest result with a number (rare values, every warning), and one outside the evidence.
WORST = {"kps": "30", "other_metastases": "1", "mccormick_grade": "4", "resection": "0", "compartment": "1"}
NO_EVIDENCE = {
    "kps": "10",
    "other_metastases": "1",
    "mccormick_grade": "4",
    "resection": "0",
    "compartment": "1",
}
# All five inputs as an EHR sends them (form values, not option indexes).
LAUNCH = {
    "kps": "50",
    "other_metastases": "no",
    "mccormick_grade": "2",
    "resection": "biopsy",
    "compartment": "intramedullary",
}
RECORDER = (  # the test's own listener, beside the snippet's: every message the host receives
    "<script>window.received = []; window.addEventListener('message', function (e) "
    "{ window.received.push({origin: e.origin, data: e.data}); });</script>"
)
STORAGE_PROBE = (
    "(() => { try { localStorage.setItem('p', '1'); return 'open'; } catch (e) { return 'blocked'; } })()"
)
PDF_PAGE = re.compile(rb"/Type\s*/Page(?![A-Za-z])")


def readme_snippet() -> str:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    section = readme.split("## Embedding in the EHR", 1)[1].split("\n## ", 1)[0]
    return textwrap.dedent(re.search(r"```html\n(.*?)\n\s*```", section, re.S)[1])


class Hosts:
    """Static host pages on two loopback sites, written on demand."""

    def __init__(self, directory):
        self.directory = directory
        handler = functools.partial(QuietHandler, directory=str(directory))
        self.servers = [ThreadingHTTPServer((ip, free_port()), handler) for ip in ("127.0.0.1", "127.0.0.2")]
        for server in self.servers:
            threading.Thread(target=server.serve_forever, daemon=True).start()
        self.allowed = f"http://localhost:{self.servers[0].server_port}"
        self.other = f"http://127.0.0.2:{self.servers[1].server_port}"

    def page(self, name: str, app: str, path: str = "/", above: str = "", body: str = "") -> str:
        snippet = readme_snippet().replace('src="https://calculator.example.org/"', f'src="{app}{path}"')
        snippet = snippet.replace("https://calculator.example.org", app)
        html = f"<!doctype html><meta charset='utf-8'><title>EHR</title>{above}{RECORDER}{snippet}{body}"
        (self.directory / name).write_text(html, encoding="utf-8")
        return "/" + name

    def close(self):
        for server in self.servers:
            server.shutdown()
            server.server_close()


class QuietHandler(SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass


@pytest.fixture(scope="module")
def hosts(tmp_path_factory):
    hosts = Hosts(tmp_path_factory.mktemp("ehr"))
    yield hosts
    hosts.close()


@pytest.fixture(scope="module")
def access_log(tmp_path_factory):
    return tmp_path_factory.mktemp("gunicorn") / "access.log"


@pytest.fixture(scope="module")
def app(hosts, access_log):
    env = {"CALCULATOR_FRAME_ANCESTORS": f"'self' {hosts.allowed}"}
    with gunicorn_server(env=env, log_path=access_log) as (base, _):
        yield base


@pytest.fixture(scope="module")
def browser(app):  # closed before the app: open connections would hold gunicorn's workers at exit
    with sync_playwright() as p:
        browser = launch_chromium(p, args=["--test-third-party-cookie-phaseout"])
        yield browser
        browser.close()


@pytest.fixture()
def context(browser):
    context = browser.new_context(viewport={"width": 1000, "height": 800})
    yield context
    context.close()


def calculator_frame(page):
    frame = page.locator("iframe").element_handle().content_frame()
    frame.wait_for_load_state()
    return frame


def fill_and_submit(frame, choices=PATIENT):
    frame.select_option("#kps", choices["kps"])
    for name in ("other_metastases", "mccormick_grade", "resection", "compartment"):
        frame.check(f"#{name}-{choices[name]}")
    with frame.expect_navigation():
        frame.click("form.calculator > button[type=submit]")


def test_framed_flow_with_third_party_cookies_blocked(context, hosts, app):
    responses, errors = [], []
    context.on("response", lambda r: responses.append(r))
    page = context.new_page()
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.goto(hosts.allowed + hosts.page("flow.html", app))
    frame = calculator_frame(page)
    # Third-party cookies and storage are blocked here: a cookie the framed page sets does not
    # stick, and local storage refuses to open. The flow below needs neither.
    assert frame.evaluate("document.cookie = 'probe=1; SameSite=None; Secure; Path=/'; document.cookie") == ""
    assert frame.evaluate(STORAGE_PROBE) == "blocked"

    assert frame.locator(".prefill-banner").count() == 0  # opening the frame is not a launch
    fill_and_submit(frame)
    assert re.fullmatch(
        r"Estimated 90-day survival: \d+%\s*\(95% interval \d+-\d+%\)", frame.inner_text(".estimate")
    )
    assert frame.locator("table.by-resection tbody tr").count() == 3
    frame.click("text=Sources, method and performance")
    frame.wait_for_load_state()
    assert frame.inner_text("h1") == "The model behind the estimate"

    assert context.cookies() == []
    assert all(r.header_value("set-cookie") is None for r in responses)
    assert {re.match(r"https?://[^/]+", r.url)[0] for r in responses} == {hosts.allowed, app}
    assert not [e for e in errors if "Content Security Policy" in e]  # no inline code anywhere
    document = next(r for r in responses if r.url == app + "/").all_headers()
    assert f"frame-ancestors 'self' {hosts.allowed}" in document["content-security-policy"]
    assert "x-frame-options" not in document


def test_a_site_not_on_the_list_gets_a_refused_frame(context, hosts, app):
    page = context.new_page()
    refusals = []
    page.on("console", lambda m: refusals.append(m.text) if "frame-ancestors" in m.text else None)
    with page.expect_response(lambda r: r.url == app + "/"):
        page.goto(hosts.other + hosts.page("other.html", app))
    page.wait_for_timeout(300)
    child = page.frames[1]
    assert not child.url.startswith(app)  # Chromium shows its error page instead
    assert child.locator("form.calculator").count() == 0
    assert refusals
    assert page.evaluate("window.received") == []


def test_height_message_sizes_the_frame_without_scrollbars(context, hosts, app):
    page = context.new_page()
    banner = "<div style='height: 300px'>Patient banner</div>"
    page.goto(hosts.allowed + hosts.page("height.html", app, above=banner))
    frame = calculator_frame(page)
    for step in ("form", "result"):
        if step == "result":
            page.evaluate("window.received = []")
            fill_and_submit(frame)
        page.wait_for_function("window.received.length > 0")
        page.wait_for_timeout(200)  # let the last change in height arrive
        messages = page.evaluate("window.received")
        assert {m["origin"] for m in messages} == {app}
        assert all(
            set(m["data"]) == {"type", "height"} and m["data"]["type"] == "calculator:height"
            for m in messages
        )
        height = messages[-1]["data"]["height"]
        content, inner, scroll = frame.evaluate(
            "[document.documentElement.getBoundingClientRect().height, innerHeight,"
            " document.documentElement.scrollHeight]"
        )
        assert height == pytest.approx(content, abs=1)
        assert page.evaluate("document.querySelector('iframe').getBoundingClientRect().height") == height
        assert scroll <= inner  # no scrollbar inside the frame
    # The page grew with the result; after the submit the host brought the estimate into view.
    top = frame.evaluate("document.getElementById('result').getBoundingClientRect().top")
    frame_top = page.evaluate("document.querySelector('iframe').getBoundingClientRect().top")
    assert 0 <= frame_top + top < 800


def test_height_is_never_told_to_a_parent_not_on_the_list(context, hosts, app):
    """Even where a browser ignores frame-ancestors (simulated: the page is served to this browser
    without it), calculator.js posts only to allowed origins, so a foreign parent receives nothing."""
    copies = without_frame_ancestors(app)
    context.route(
        re.compile(re.escape(app) + "/.*"), lambda route: route.fulfill(**copies[route.request.url])
    )
    foreign, allowed = context.new_page(), context.new_page()
    foreign.goto(hosts.other + hosts.page("foreign.html", app))
    frame = calculator_frame(foreign)
    assert frame.locator("form.calculator").count() == 1  # framed, and its scripts ran:
    assert frame.evaluate("location.ancestorOrigins[0]") == hosts.other
    allowed.goto(hosts.allowed + hosts.page("control.html", app))
    allowed.wait_for_function("window.received.length > 0")  # the allowed parent hears it...
    foreign.wait_for_timeout(300)
    assert foreign.evaluate("window.received") == []  # ...the foreign one does not


def without_frame_ancestors(app: str) -> dict:
    """The form page and its files, fetched once outside the browser, CSP minus frame-ancestors.
    (Fetched here, not through route.fetch: Chromium's unused connections would hold gunicorn's
    two sync workers while the route waits for them.)"""
    copies = {}
    with urllib.request.urlopen(app + "/") as response:
        page = response.read()
    for path in ["/", *re.findall(r'(?:src|href)="(/static/[^"]+)"', page.decode())]:
        with urllib.request.urlopen(app + path) as response:
            headers = {k.lower(): v for k, v in response.headers.items()}
            csp = headers["content-security-policy"]
            headers["content-security-policy"] = re.sub(r";\s*frame-ancestors[^;]*", "", csp)
            copies[app + path] = {"status": response.status, "headers": headers, "body": response.read()}
    return copies


@pytest.mark.parametrize("width", [400, 1400])
def test_no_horizontal_scrolling_narrow_or_wide(browser, hosts, app, width):
    context = browser.new_context(viewport={"width": width, "height": 800})
    page = context.new_page()
    page.goto(app + "/")
    overflow = "[document.documentElement.scrollWidth, document.documentElement.clientWidth]"
    scroll_width, client_width = page.evaluate(overflow)
    assert scroll_width <= client_width
    fill_and_submit(page.main_frame, WORST)
    scroll_width, client_width = page.evaluate(overflow)
    assert scroll_width <= client_width
    columns = page.evaluate("getComputedStyle(document.querySelector('form.calculator')).gridTemplateColumns")
    assert (len(columns.split()) == 1) is (width <= 480)
    # The estimate comes before the inputs and is in view after the submit, without hunting for it.
    assert page.evaluate("document.getElementById('result').compareDocumentPosition(document.forms[0]) & 4")
    box = page.locator(".estimate").bounding_box()
    assert box["y"] >= -1 and box["y"] + box["height"] <= 800
    if width == 400:  # the same inside an EHR pane that narrow
        page.goto(hosts.allowed + hosts.page("narrow.html", app))
        frame = calculator_frame(page)
        fill_and_submit(frame, WORST)
        scroll_width, client_width = frame.evaluate(overflow)
        assert scroll_width <= client_width < 400
    context.close()


def test_flow_and_post_launch_without_javascript(browser, hosts, app):
    context = browser.new_context(java_script_enabled=False, viewport={"width": 1000, "height": 800})
    page = context.new_page()
    launch = (  # an EHR launching by form POST into the frame: no script on either side
        f"<form method='post' action='{app}/' target='survival-calculator'>"
        "<input type='hidden' name='kps' value='60'><input type='hidden' name='prefill' value='1'>"
        "<button id='launch'>Open with KPS from the EHR</button></form>"
        f"<form method='post' action='{app}/' target='survival-calculator'>"
        + "".join(f"<input type='hidden' name='{k}' value='{v}'>" for k, v in LAUNCH.items())
        + "<button id='no-flag'>A launch that forgot prefill=1</button></form>"
    )
    page.goto(hosts.allowed + hosts.page("nojs.html", app, body=launch))
    frame = calculator_frame(page)
    fill_and_submit(frame)
    assert frame.inner_text(".estimate").startswith("Estimated 90-day survival:")
    assert frame.locator("#note-text").input_value().startswith("Intradural spinal metastasis")
    assert not frame.locator("button.copy").is_visible()  # select and copy by hand
    frame.click("text=Sources, method and performance")
    assert frame.inner_text("h1") == "The model behind the estimate"

    with frame.expect_navigation():
        page.click("#launch")
    assert frame.locator("#kps").input_value() == "60"
    assert frame.locator(".field.prefilled").count() == 1
    assert frame.locator("#result").count() == 0
    assert page.locator("iframe").bounding_box()["height"] == 900  # the host's script never ran

    with frame.expect_navigation():
        page.click("#no-flag")  # from another site, so still only shown: never computed
    assert frame.locator(".field.prefilled").count() == 5
    assert frame.locator("#result").count() == 0
    context.close()


@pytest.mark.parametrize("code", ["en", "de", "it"])
def test_printed_result_fits_one_page(context, app, code):
    """In every language: German and Italian sentences are longer than the English ones."""
    page = context.new_page()
    for choices in (PATIENT, WORST, NO_EVIDENCE):
        page.goto(app + f"/?lang={code}")
        fill_and_submit(page.main_frame, choices)
        page.emulate_media(media="print")
        parts = [".for", ".estimate", ".by-resection", ".caveat", ".synthetic", ".meta", "footer .data-line"]
        parts += [".no-evidence"] if choices is NO_EVIDENCE else [".interval-bar"]
        shown = page.evaluate(
            f"{parts}.map(s => getComputedStyle(document.querySelector(s)).display !== 'none')"
        )
        assert all(shown)
        assert page.evaluate("getComputedStyle(document.querySelector('form.calculator')).display") == "none"
        for paper in ("A4", "Letter"):
            assert len(PDF_PAGE.findall(page.pdf(format=paper))) == 1, (code, paper, choices)
        page.emulate_media(media="screen")


def test_fragment_launch_prefills_and_computes_nothing(context, hosts, app, access_log):
    page = context.new_page()
    path = "/#kps=70&other_metastases=yes&mccormick_grade=3&compartment=spinal"
    page.goto(hosts.allowed + hosts.page("launch.html", app, path=path))
    frame = calculator_frame(page)
    frame.wait_for_selector(".prefill-banner")
    assert frame.url == app + "/"  # the values left the address
    assert frame.locator("#result").count() == 0
    assert frame.locator("#kps").input_value() == "70"
    assert frame.is_checked("#other_metastases-1") and frame.is_checked("#mccormick_grade-2")
    assert frame.locator(".field.prefilled").count() == 3
    assert frame.locator(".prefill-mark").all_inner_texts() == ["From the EHR: please confirm."] * 3
    assert "The EHR sent “spinal”" in frame.inner_text("#field-compartment")
    frame.check("#resection-2")
    frame.check("#compartment-0")
    with frame.expect_navigation():
        frame.click("form.calculator > button[type=submit]")
    assert frame.locator("#result .estimate").count() == 1
    assert "kps" not in access_log.read_text()  # no log line holds a value


def test_next_patient_in_the_same_frame_and_an_ecog_launch(context, hosts, app):
    page = context.new_page()
    page.goto(hosts.allowed + hosts.page("ecog.html", app, path="/#kps=70&mccormick_grade=3"))
    frame = calculator_frame(page)
    frame.wait_for_selector(".prefill-banner")
    # The EHR reuses the frame and changes only the fragment, which reloads nothing by itself:
    # the previous patient's values must not stay on screen.
    page.evaluate(f"document.querySelector('iframe').src = '{app}/#ecog=2'")
    frame.wait_for_selector("#field-kps.prefilled")
    assert frame.url == app + "/"
    assert frame.locator("input:checked").count() == 0  # the previous patient's grade is gone
    assert frame.locator("#kps").input_value() == "ecog-2"  # ECOG as its KPS band, never one KPS
    assert "From the EHR: please confirm." in frame.inner_text("#field-kps")
    selected = frame.eval_on_selector("#kps", "s => s.options[s.selectedIndex].text")
    assert selected.startswith("ECOG 2 (as KPS 60-50)")


def test_values_in_a_query_string_are_ignored_and_the_page_says_so(context, hosts, app):
    page = context.new_page()
    page.goto(hosts.allowed + hosts.page("query.html", app, path="/?kps=70&mccormick_grade=3"))
    frame = calculator_frame(page)
    assert "The address carried patient values (kps, mccormick_grade)" in frame.inner_text(".notice")
    assert frame.locator("#kps").input_value() == ""
    assert frame.locator("input:checked").count() == 0


def test_a_wildcard_stops_the_server_at_start(tmp_path):
    log = tmp_path / "gunicorn.log"
    env = {"CALCULATOR_FRAME_ANCESTORS": "*"}
    with pytest.raises(RuntimeError, match="gunicorn exited"), gunicorn_server(env=env, log_path=log):
        pass
    assert "refusing to start: CALCULATOR_FRAME_ANCESTORS contains '*', a wildcard" in log.read_text()


def test_copy_to_note_in_the_frame(context, hosts, app):
    context.grant_permissions(["clipboard-read", "clipboard-write"], origin=hosts.allowed)
    context.grant_permissions(["clipboard-read", "clipboard-write"], origin=app)
    page = context.new_page()
    page.goto(hosts.allowed + hosts.page("copy.html", app))
    frame = calculator_frame(page)
    fill_and_submit(frame)
    frame.click("button.copy")
    frame.wait_for_selector("text=Copied to the clipboard.")
    assert page.evaluate("navigator.clipboard.readText()") == frame.locator("#note-text").input_value()


def test_a_launch_from_a_site_not_on_the_list_is_refused(context, hosts, app):
    """Any site can make a browser POST here: only an origin on CALCULATOR_FRAME_ANCESTORS may
    show values as "From the EHR" (the browser's Origin header decides)."""
    page = context.new_page()
    forged = (
        f"<form method='post' action='{app}/'>"
        + "".join(f"<input type='hidden' name='{k}' value='{v}'>" for k, v in LAUNCH.items())
        + "<input type='hidden' name='prefill' value='1'><button id='forged'>Launch</button></form>"
    )
    # A page with the form alone, no frame of the calculator: the frame's idle connections would
    # hold gunicorn's two sync workers (served without nginx here) and stall the POST.
    (hosts.directory / "forged.html").write_text(
        f"<!doctype html><title>Forged</title>{forged}", encoding="utf-8"
    )
    page.goto(hosts.other + "/forged.html")
    with page.expect_navigation():
        page.click("#forged")
    text = page.inner_text("body")
    assert "not allowed to launch the calculator" in text
    assert "From the EHR" not in text and "biopsy" not in text
