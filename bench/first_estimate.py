"""Time to first estimate in a real browser, ours beside a Streamlit peer serving the same model.

Each sample is a first visit (a fresh browser context: empty cache, no cookies) in one headless
Chromium, from navigation start to the estimate visible after the five answers are given and
submitted. The figure is the time the person waits, read from a clock inside the page
(bench.browser.CLOCK_SCRIPT): navigation start -> submit button visible (the form is usable),
plus the submit click -> estimate heading visible. The time spent giving the five answers is left
out: it is the person's (here Playwright's, tens of ms per action on a loaded 2-core machine, for
both apps alike), not the web stack's. The end-to-end wall time including it, as Playwright sees
it, is reported beside. Median of 20 samples each, alternating ours and the peer's.

The peer (bench/peers/streamlit_app.py) runs from its own venv, bench/.venv-peer, which a full run
creates when missing (Streamlit is never a dependency of the product). Quick mode skips the peer.
Also reported: the bytes each downloads from navigation to first estimate (HTTP and websocket).
"""

from __future__ import annotations

import time

from playwright.sync_api import sync_playwright

from bench.browser import (
    Traffic,
    answer_ours,
    answer_peer,
    chromium,
    clock_script,
    ensure_peer_venv,
    peer_available,
    read_clock,
    ready_ours,
    ready_peer,
    streamlit_server,
    submit_ours,
    submit_peer,
)
from bench.common import Figure, gunicorn, main, median, scratch_dir

COMMAND = ".venv/bin/python -m bench.first_estimate"
SPEEDUP_GOAL = 10
WEIGHT_GOAL = 50
OURS = (ready_ours, answer_ours, submit_ours)
PEER = (ready_peer, answer_peer, submit_peer)


def first_estimate(browser, base: str, steps) -> tuple[float, float, dict]:
    """(seconds waited, seconds end to end, what was downloaded) for one first visit."""
    ready, answer, submit = steps
    context = browser.new_context()
    context.add_init_script(clock_script())
    try:
        page = context.new_page()
        traffic = Traffic(origin=base)
        traffic.attach(page)
        start = time.perf_counter()
        page.goto(base + "/")
        ready(page)
        answer(page)
        submit(page)
        end = time.perf_counter()
        marks = read_clock(page)
        page.wait_for_load_state("networkidle")
        waited = (marks["ready"] - marks["navigation"]) + (marks["estimate"] - marks["submit"])
        return waited, end - start, traffic.summary()
    finally:
        context.close()


def samples(browser, sites: dict, n: int) -> dict[str, dict]:
    waited = {name: [] for name in sites}
    total = {name: [] for name in sites}
    weights = {}
    for base, steps in sites.values():  # warm-up: first requests compile templates, fill caches
        first_estimate(browser, base, steps)
    for _ in range(n):
        for name, (base, steps) in sites.items():
            w, t, weights[name] = first_estimate(browser, base, steps)
            waited[name].append(w)
            total[name].append(t)
    return {
        name: {"seconds": median(waited[name]), "total": median(total[name]), "weight": weights[name]}
        for name in sites
    }


def run(quick: bool) -> list[Figure]:
    n = 2 if quick else 20
    with_peer = not quick
    if quick:
        print("  note: quick mode skips the Streamlit peer (it needs bench/.venv-peer)")
    elif not peer_available():
        ensure_peer_venv()
    scratch = scratch_dir("first")
    with gunicorn(scratch / "gunicorn.log") as (base, _), sync_playwright() as p:
        sites = {"ours": (base, OURS)}
        browser = chromium(p)
        try:
            if with_peer:
                with streamlit_server(scratch / "streamlit.log") as peer:
                    sites["peer"] = (peer, PEER)
                    result = samples(browser, sites, n)
            else:
                result = samples(browser, sites, n)
        finally:
            browser.close()
    ours = result["ours"]
    figures = [
        Figure(
            key="first_estimate.ours",
            figure="Time to first estimate, ours (Chromium: waiting for the form + for the estimate)",
            goal="-",
            measured=f"{ours['seconds'] * 1e3:.0f} ms",
            met=None,
            command=COMMAND,
            detail=(
                f"median of {n}; {ours['total'] * 1e3:.0f} ms end to end with the answers given by "
                f"Playwright; {ours['weight']['bytes'] / 1024:.1f} KB in "
                f"{ours['weight']['requests']} requests"
            ),
        )
    ]
    if with_peer:
        peer = result["peer"]
        speedup = peer["seconds"] / ours["seconds"]
        lighter = peer["weight"]["bytes"] / ours["weight"]["bytes"]
        figures += [
            Figure(
                key="first_estimate.speedup",
                figure="Time to first estimate: Streamlit peer / ours",
                goal=f">= {SPEEDUP_GOAL}x",
                measured=f"{speedup:.1f}x",
                met=speedup >= SPEEDUP_GOAL,
                command=COMMAND,
                detail=(
                    f"medians of {n}: {peer['seconds'] * 1e3:.0f} ms vs {ours['seconds'] * 1e3:.0f} ms; "
                    f"end to end {peer['total'] * 1e3:.0f} ms vs {ours['total'] * 1e3:.0f} ms"
                ),
            ),
            Figure(
                key="first_estimate.weight",
                figure="Bytes to first estimate: Streamlit peer / ours",
                goal=f">= {WEIGHT_GOAL}x",
                measured=f"{lighter:.0f}x",
                met=lighter >= WEIGHT_GOAL,
                command=COMMAND,
                detail=(
                    f"{peer['weight']['bytes'] / 1024:.0f} KB in {peer['weight']['requests']} requests "
                    f"(websocket included) vs {ours['weight']['bytes'] / 1024:.1f} KB in "
                    f"{ours['weight']['requests']}; other origins: {len(peer['weight']['foreign'])} vs "
                    f"{len(ours['weight']['foreign'])}"
                ),
            ),
        ]
    return figures


if __name__ == "__main__":
    raise SystemExit(main("first_estimate", run))
