"""Stability of the pooled model: what doubling the draws, or another master seed, changes
(the manifest's `stability`, measured by training/pooled.py over every input combination)."""

from __future__ import annotations

from calculator.model_card.blocks import Paragraph, Section, pp, table
from calculator.model_card.support import GRID


def stability_section(m: dict) -> Section:
    s = m["stability"]
    tol, doubling, seed = s["tolerance"], s["doubling"], s["master_seed"]

    def verdict(moved: float, limit: float) -> str:
        return "within" if moved <= limit else "EXCEEDS"

    def ends(d: dict) -> float:
        return max(d["interval_low"], d["interval_high"])

    agree, patients = s["resection_order_agrees"], s["resection_order_patients"]
    text = (
        f"Doubling the draws ({doubling['compared']}) moves no estimate of the {GRID} input "
        f"combinations by more than {pp(doubling['point'])} percentage points "
        f"({verdict(doubling['point'], tol['doubling'])} the tolerance of {pp(tol['doubling'])}). "
        f"Another master seed ({seed['compared']}) changes none by "
        f"more than {pp(seed['point'])} ({verdict(seed['point'], tol['master_seed'])} the tolerance of "
        f"{pp(tol['master_seed'])}). The ends of the 95% intervals, being percentiles of the draws, move "
        f"more: by up to {pp(ends(doubling))} percentage points with twice the draws and "
        f"{pp(ends(seed))} with another master seed. The order of the "
        f"three resection options agrees between the two master seeds for {agree} of {patients} patients "
        "(every combination of the other four inputs)."
    )
    rows = [
        (
            name,
            d["compared"],
            pp(d["point"]),
            pp(d["interval_low"]),
            pp(d["interval_high"]),
            f"{pp(limit)} ({verdict(d['point'], limit)})",
        )
        for name, d, limit in (
            ("Doubling the draws", doubling, tol["doubling"]),
            ("Another master seed", seed, tol["master_seed"]),
        )
    ]
    return Section(
        "stability",
        "Stability: would another run give the same numbers?",
        (
            Paragraph(text),
            table(
                f"Largest change over the {GRID} input combinations, in percentage points",
                (
                    "Check",
                    "Compared",
                    "Estimate",
                    "Interval, lower end",
                    "Interval, upper end",
                    "Tolerance for the estimate",
                ),
                rows,
                numeric=(2, 3, 4),
                wide=True,
            ),
        ),
        level=3,
    )
