"""Stability of the pooled model: what doubling the draws, or another master seed, changes
(the manifest's `stability`, measured by training/pooled.py over every input combination)."""

from __future__ import annotations

from calculator.i18n import _
from calculator.model_card.blocks import Paragraph, Section, pp, table
from calculator.model_card.support import GRID


def _ends(d: dict) -> float:
    return max(d["interval_low"], d["interval_high"])


def _doubling(d: dict, limit: float) -> str:
    variables = {"compared": d["compared"], "grid": GRID, "moved": pp(d["point"]), "tolerance": pp(limit)}
    if d["point"] <= limit:
        return _(
            "Doubling the draws (%(compared)s) moves no estimate of the %(grid)s input combinations by more "
            "than %(moved)s percentage points (within the tolerance of %(tolerance)s).",
            **variables,
        )
    return _(
        "Doubling the draws (%(compared)s) moves no estimate of the %(grid)s input combinations by more "
        "than %(moved)s percentage points (EXCEEDS the tolerance of %(tolerance)s).",
        **variables,
    )


def _master_seed(d: dict, limit: float) -> str:
    variables = {"compared": d["compared"], "moved": pp(d["point"]), "tolerance": pp(limit)}
    if d["point"] <= limit:
        return _(
            "Another master seed (%(compared)s) changes none by more than %(moved)s (within the tolerance "
            "of %(tolerance)s).",
            **variables,
        )
    return _(
        "Another master seed (%(compared)s) changes none by more than %(moved)s (EXCEEDS the tolerance of "
        "%(tolerance)s).",
        **variables,
    )


def _tolerance(moved: float, limit: float) -> str:
    """A table cell: the tolerance, and whether the change stays within it."""
    if moved <= limit:
        # TRANSLATORS: a table cell: the tolerance in percentage points, and the change is within it.
        return _("%(tolerance)s (within)", tolerance=pp(limit))
    # TRANSLATORS: a table cell: the tolerance in percentage points, and the change exceeds it.
    return _("%(tolerance)s (EXCEEDS)", tolerance=pp(limit))


def stability_section(m: dict) -> Section:
    s = m["stability"]
    tol, doubling, seed = s["tolerance"], s["doubling"], s["master_seed"]
    text = " ".join(
        (
            _doubling(doubling, tol["doubling"]),
            _master_seed(seed, tol["master_seed"]),
            _(
                "The ends of the 95%% intervals, being percentiles of the draws, move more: by up to "
                "%(doubling)s percentage points with twice the draws and %(seed)s with another master seed.",
                doubling=pp(_ends(doubling)),
                seed=pp(_ends(seed)),
            ),
            _(
                "The order of the three resection options agrees between the two master seeds for "
                "%(agree)s of %(patients)s patients (every combination of the other four inputs).",
                agree=s["resection_order_agrees"],
                patients=s["resection_order_patients"],
            ),
        )
    )
    rows = [
        (
            name,
            d["compared"],
            pp(d["point"]),
            pp(d["interval_low"]),
            pp(d["interval_high"]),
            _tolerance(d["point"], limit),
        )
        for name, d, limit in (
            (_("Doubling the draws"), doubling, tol["doubling"]),
            (_("Another master seed"), seed, tol["master_seed"]),
        )
    ]
    return Section(
        "stability",
        _("Stability: would another run give the same numbers?"),
        (
            Paragraph(text),
            table(
                _("Largest change over the %(grid)s input combinations, in percentage points", grid=GRID),
                (
                    # TRANSLATORS: column headers: the check (another run), what was
                    # compared, and the largest change of the estimate.
                    _("Check"),
                    _("Compared"),
                    _("Estimate"),
                    _("Interval, lower end"),
                    _("Interval, upper end"),
                    _("Tolerance for the estimate"),
                ),
                rows,
                numeric=(2, 3, 4),
                wide=True,
            ),
        ),
        level=3,
    )
