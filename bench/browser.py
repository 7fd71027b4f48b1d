"""Debian's Chromium through Playwright, what it downloads, and the Streamlit peer's server.

Chromium is launched headless with background networking off and a host-resolver rule that lets
it resolve nothing but loopback, so neither our page nor the peer can reach another machine even
by mistake; requests to other origins are still counted (they would fail, not vanish).
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tomllib
import urllib.parse
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from bench.common import FORM, ROOT, free_port, serve

CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
    "--disable-sync",
    "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE localhost, EXCLUDE 127.0.0.*",  # loopback only
]
PEER_DIR = ROOT / "bench" / "peers"
PEER_VENV = ROOT / "bench" / ".venv-peer"
PEER_PYTHON = PEER_VENV / "bin" / "python"
ESTIMATE_TEXT = "Estimated 90-day survival:"  # both apps' estimate heading starts so
SUBMIT_TEXT = "Estimate 90-day survival"  # both apps' submit button says so


def chromium(playwright, **kwargs):
    """Debian's chromium, headless, with no background traffic and no name but loopback resolved
    (never a downloaded browser). The one launcher for benches and tests (tests/live.py); extra
    `args` are appended, other keywords go to Playwright's launch()."""
    executable = shutil.which("chromium")
    if executable is None:
        raise RuntimeError("chromium is not installed: `make chromium` (Debian's apt-get install chromium)")
    extra = kwargs.pop("args", [])
    return playwright.chromium.launch(
        executable_path=executable, headless=True, args=CHROMIUM_ARGS + extra, **kwargs
    )


@dataclass
class Traffic:
    """Everything one page downloads over the network: HTTP (headers + body as sent) and websocket
    frames. Playwright's page.on("request") sees every request the page makes, to any origin,
    which is what the other-origins count uses. It also reports answers from the browser's cache
    as finished requests, so what crossed the network (and how many bytes) comes from Chromium's
    own Network domain (CDP): a request served from cache is no request and no byte."""

    origin: str
    attempted: list[str] = field(default_factory=list)
    finished: dict[str, int] = field(default_factory=dict)  # CDP requestId -> encoded bytes
    cached: set[str] = field(default_factory=set)
    failed: list[str] = field(default_factory=list)
    urls: dict[str, str] = field(default_factory=dict)
    frames_bytes: int = 0
    websockets: int = 0

    def attach(self, page) -> None:
        page.on("request", self._request)
        cdp = page.context.new_cdp_session(page)
        cdp.on("Network.requestWillBeSent", self._sent)
        cdp.on("Network.requestServedFromCache", self._cached)
        cdp.on("Network.loadingFinished", self._finished)
        cdp.on("Network.loadingFailed", self._failed)
        cdp.on("Network.webSocketCreated", self._websocket)
        cdp.on("Network.webSocketFrameReceived", self._frame)
        cdp.send("Network.enable")

    def _request(self, request) -> None:
        self.attempted.append(request.url)

    def _sent(self, event) -> None:
        self.urls[event["requestId"]] = event["request"]["url"]

    def _cached(self, event) -> None:
        self.cached.add(event["requestId"])

    def _finished(self, event) -> None:
        if not self.urls.get(event["requestId"], "").startswith(("data:", "blob:")):
            self.finished[event["requestId"]] = int(event["encodedDataLength"])

    def _failed(self, event) -> None:
        self.failed.append(self.urls.get(event["requestId"], event["requestId"]))

    def _websocket(self, event) -> None:
        self.websockets += 1

    def _frame(self, event) -> None:
        payload = event["response"]["payloadData"]
        binary = event["response"]["opcode"] == 2  # CDP gives binary frames in base64
        self.frames_bytes += len(payload) * 3 // 4 if binary else len(payload.encode())

    def reset(self) -> None:
        self.attempted.clear()
        self.finished.clear()
        self.cached.clear()
        self.failed.clear()
        self.frames_bytes = self.websockets = 0

    def summary(self) -> dict:
        """Bytes, requests over the network (websockets included), requests to any other origin."""
        network = {rid: n for rid, n in self.finished.items() if rid not in self.cached}
        foreign = [
            u for u in self.attempted if not u.startswith(("data:", "blob:")) and origin_of(u) != self.origin
        ]
        return {
            "bytes": sum(network.values()) + self.frames_bytes,
            "requests": len(network) + len(self.failed) + self.websockets,
            "foreign": foreign,
            "failed": self.failed,
        }


# The in-page clock for bench.first_estimate, installed in every document of a context before its
# own scripts run. Times are absolute (performance.timeOrigin + ...) and kept in sessionStorage so
# they survive the navigation our form's POST makes; only the first time of each event is kept.
# Checked on every animation frame: "visible" is in the frame about to be painted.
CLOCK_SCRIPT = """
(() => {
  const store = sessionStorage;
  const mark = (name, at) => {
    if (store.getItem("bench:" + name) === null) store.setItem("bench:" + name, String(at));
  };
  const visible = (el) => !!el && el.getBoundingClientRect().height > 0;
  const button = (el) => el && el.closest && el.closest("button");
  const isSubmit = (el) => !!el && el.textContent.includes(%(submit)s);
  mark("navigation", performance.timeOrigin);
  document.addEventListener("click", (e) => {
    if (isSubmit(button(e.target))) mark("submit", performance.timeOrigin + e.timeStamp);
  }, true);
  const checks = {
    ready: () => [...document.querySelectorAll("button")].some((b) => isSubmit(b) && visible(b)),
    estimate: () => [...document.querySelectorAll("h1, h2, h3")].some(
      (h) => h.textContent.includes(%(estimate)s) && visible(h)),
  };
  const tick = () => {
    for (const name in checks) if (checks[name]()) mark(name, performance.timeOrigin + performance.now());
    requestAnimationFrame(tick);
  };
  requestAnimationFrame(tick);
})();
"""


def clock_script() -> str:
    return CLOCK_SCRIPT % {"submit": json.dumps(SUBMIT_TEXT), "estimate": json.dumps(ESTIMATE_TEXT)}


def read_clock(page) -> dict[str, float]:
    """The in-page clock's marks in seconds (absolute), once the estimate has been marked."""
    page.wait_for_function("sessionStorage.getItem('bench:estimate') !== null")
    marks = page.evaluate(
        "Object.fromEntries(['navigation', 'ready', 'submit', 'estimate']"
        ".map((k) => [k, Number(sessionStorage.getItem('bench:' + k))]))"
    )
    return {name: ms / 1000 for name, ms in marks.items()}


def origin_of(url: str) -> str:
    parts = urllib.parse.urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}"


def answer_ours(page) -> None:
    """Give the product's form the five answers as a person does (a select, then radio buttons)."""
    page.select_option("select[name=kps]", FORM["kps"])
    for name in ("other_metastases", "mccormick_grade", "resection", "compartment"):
        page.check(f'input[name="{name}"][value="{FORM[name]}"]')


def submit_ours(page) -> None:
    page.click("form.calculator > button[type=submit]")
    page.locator("#result .value").wait_for(state="visible")


def fill_ours(page) -> None:
    answer_ours(page)
    submit_ours(page)


def answer_peer(page) -> None:
    """The same five answers in the Streamlit peer (its widgets: a select box and radio groups)."""
    from calculator.features import BY_NAME, KPS

    page.locator('[data-testid="stSelectbox"]').click()
    page.get_by_role("option", name=KPS.choice(int(FORM["kps"])).label, exact=True).click()
    for name in ("other_metastases", "mccormick_grade", "resection", "compartment"):
        value = {"yes": True, "no": False}.get(FORM[name], FORM[name])
        value = int(value) if name == "mccormick_grade" else value
        group = page.get_by_role("radiogroup", name=BY_NAME[name].label)
        group.get_by_text(BY_NAME[name].choice(value).label, exact=True).click()


def submit_peer(page) -> None:
    page.get_by_role("button", name=SUBMIT_TEXT).click()
    page.get_by_text(ESTIMATE_TEXT).wait_for(state="visible")


def ready_ours(page) -> None:
    page.locator("form.calculator > button[type=submit]").wait_for(state="visible")


def ready_peer(page) -> None:
    """Streamlit's page is an empty shell until its script has run and sent the widgets."""
    page.get_by_role("button", name=SUBMIT_TEXT).wait_for(state="visible")


def peer_available() -> bool:
    return PEER_PYTHON.exists() and (PEER_VENV / "bin" / "streamlit").exists()


def ensure_peer_venv() -> None:
    """Create bench/.venv-peer with Streamlit and the product's runtime pins (never the product's venv)."""
    if peer_available():
        return
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    peer = [
        line.strip()
        for line in (PEER_DIR / "requirements.txt").read_text(encoding="utf-8").splitlines()
        if line.strip() and not line.startswith("#")
    ]
    print(f"  creating {PEER_VENV.relative_to(ROOT)} for the Streamlit peer (once)", flush=True)
    subprocess.run([sys.executable, "-m", "venv", str(PEER_VENV)], check=True)
    subprocess.run(
        [str(PEER_PYTHON), "-m", "pip", "install", "--quiet", *peer, *project["dependencies"]], check=True
    )


@contextmanager
def streamlit_server(log_path: Path, startup_seconds: float = 90):
    """The peer on a free loopback port, from its own venv; yields its base URL; always stopped."""
    port = free_port()
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith(("CALCULATOR_", "STREAMLIT_"))},
        "PYTHONPATH": str(ROOT),
        "STREAMLIT_BROWSER_GATHER_USAGE_STATS": "false",
        "STREAMLIT_SERVER_HEADLESS": "true",
    }
    command = [
        str(PEER_VENV / "bin" / "streamlit"),
        "run",
        "streamlit_app.py",
        "--server.port",
        str(port),
        "--server.address",
        "127.0.0.1",
        "--browser.gatherUsageStats",
        "false",
        "--server.headless",
        "true",
    ]
    base = f"http://127.0.0.1:{port}"
    healthy = lambda body: body.strip() == b"ok"  # noqa: E731
    with serve(
        command,
        base + "/_stcore/health",
        log_path,
        env=env,
        cwd=PEER_DIR,
        ready=healthy,
        startup_seconds=startup_seconds,
    ):
        yield base
