"""Page weight: what a real Chromium downloads for the form and for a result page.

A fresh browser context (empty cache, as on a first visit) opens the form; then the form is filled
and submitted as a person would, and what that submission downloads is the result page's weight.
Bytes are as sent on the wire (response headers + body) for every request the page makes: HTML,
CSS, JS, images, favicon. Requests to any origin other than the server's are counted separately;
the goal is none.
"""

from __future__ import annotations

from playwright.sync_api import sync_playwright

from bench.browser import Traffic, chromium, fill_ours
from bench.common import Figure, gunicorn, main, scratch_dir

COMMAND = ".venv/bin/python -m bench.page_weight"
MAX_BYTES = 30 * 1024
MAX_REQUESTS = 4


def measure(base: str, browser) -> dict[str, dict]:
    """{'form': summary, 'result': summary} for one first visit (see Traffic.summary)."""
    context = browser.new_context()
    try:
        page = context.new_page()
        traffic = Traffic(origin=base)
        traffic.attach(page)
        page.goto(base + "/", wait_until="networkidle")
        form = traffic.summary()
        traffic.reset()
        fill_ours(page)
        page.wait_for_load_state("networkidle")
        return {"form": form, "result": traffic.summary()}
    finally:
        context.close()


def figure(name: str, label: str, s: dict) -> Figure:
    met = s["bytes"] <= MAX_BYTES and s["requests"] <= MAX_REQUESTS and not s["foreign"]
    return Figure(
        key=f"page_weight.{name}",
        figure=f"Page weight: {label} (Chromium, first visit)",
        goal=f"<= {MAX_BYTES // 1024} KB, <= {MAX_REQUESTS} requests, 0 to other origins",
        measured=(
            f"{s['bytes'] / 1024:.1f} KB, {s['requests']} requests, {len(s['foreign'])} to other origins"
        ),
        met=met,
        command=COMMAND,
        detail="; ".join(f"failed: {u}" for u in s["failed"]),
    )


def run(quick: bool) -> list[Figure]:
    scratch = scratch_dir("weight")
    with gunicorn(scratch / "gunicorn.log") as (base, _), sync_playwright() as p:
        browser = chromium(p)
        try:
            weights = measure(base, browser)
        finally:
            browser.close()
    return [
        figure("form", "the form (GET /)", weights["form"]),
        figure("result", "a result page (form submitted)", weights["result"]),
    ]


if __name__ == "__main__":
    raise SystemExit(main("page_weight", run))
