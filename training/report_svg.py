"""Inline SVG figures for the validation report: the smoothed calibration curve with its band over
a histogram of predicted risks, and the decision curve. No script, no external resource."""

from __future__ import annotations

from html import escape

SIZE, PAD = 320, 40
PLOT = SIZE - 2 * PAD


def _x(v: float, lo: float = 0.0, hi: float = 1.0) -> float:
    return PAD + (v - lo) / (hi - lo) * PLOT


def _y(v: float, lo: float = 0.0, hi: float = 1.0) -> float:
    return SIZE - PAD - (min(max(v, lo), hi) - lo) / (hi - lo) * PLOT


def _axes(x_label: str, y_label: str, ticks_x, ticks_y, xr=(0.0, 1.0), yr=(0.0, 1.0)) -> str:
    parts = [
        f"<line x1='{PAD}' y1='{SIZE - PAD}' x2='{SIZE - PAD}' y2='{SIZE - PAD}' stroke='#000'/>",
        f"<line x1='{PAD}' y1='{PAD}' x2='{PAD}' y2='{SIZE - PAD}' stroke='#000'/>",
        f"<text x='{SIZE / 2}' y='{SIZE - 6}' text-anchor='middle' font-size='11'>{escape(x_label)}</text>",
        f"<text x='12' y='{SIZE / 2}' text-anchor='middle' font-size='11' "
        f"transform='rotate(-90 12 {SIZE / 2})'>{escape(y_label)}</text>",
    ]
    for t in ticks_x:
        parts.append(
            f"<text x='{_x(t, *xr):.1f}' y='{SIZE - PAD + 14}' text-anchor='middle' "
            f"font-size='10'>{t:g}</text>"
        )
    for t in ticks_y:
        parts.append(
            f"<text x='{PAD - 4}' y='{_y(t, *yr) + 3:.1f}' text-anchor='end' font-size='10'>{t:g}</text>"
        )
    return "".join(parts)


def _path(xs, ys, xr=(0.0, 1.0), yr=(0.0, 1.0)) -> str:
    return " ".join(
        f"{'M' if i == 0 else 'L'}{_x(a, *xr):.1f},{_y(b, *yr):.1f}" for i, (a, b) in enumerate(zip(xs, ys))
    )


def smoothed_svg(smoothed: dict, histogram: list[int], title: str) -> str:
    """Smoothed observed vs predicted P(death by day 90), its 95% band, the diagonal, and the
    histogram of predicted risks along the bottom (bar heights relative to the tallest)."""
    grid, curve = smoothed["grid"], smoothed["curve"]
    parts = [_axes("Predicted risk of death by day 90", "Observed (smoothed)", (0, 0.5, 1), (0, 0.5, 1))]
    tallest = max(histogram) or 1
    width = PLOT / len(histogram)
    for i, count in enumerate(histogram):
        h = count / tallest * PLOT * 0.2
        parts.append(
            f"<rect x='{PAD + i * width:.1f}' y='{SIZE - PAD - h:.1f}' width='{width - 1:.1f}' "
            f"height='{h:.1f}' fill='#bbb'/>"
        )
    if smoothed.get("low") is not None:
        upper = _path(grid, smoothed["high"])
        lower = " ".join(
            f"L{_x(a):.1f},{_y(b):.1f}" for a, b in zip(reversed(grid), reversed(smoothed["low"]))
        )
        parts.append(f"<path d='{upper} {lower} Z' fill='#9ecae1' fill-opacity='0.6' stroke='none'/>")
    parts.append(
        f"<line x1='{_x(0)}' y1='{_y(0)}' x2='{_x(1)}' y2='{_y(1)}' stroke='#777' stroke-dasharray='4 3'/>"
    )
    parts.append(f"<path d='{_path(grid, curve)}' fill='none' stroke='#08519c' stroke-width='2'/>")
    return (
        f"<svg xmlns='http://www.w3.org/2000/svg' viewBox='0 0 {SIZE} {SIZE}' role='img' "
        f"aria-label='{escape(title)}'><title>{escape(title)}</title>{''.join(parts)}</svg>"
    )


def decision_curve_svg(rows: list[dict], title: str) -> str:
    """Net benefit of the model, treat-all and treat-none over the thresholds."""
    xs = [r["threshold"] for r in rows]
    values = [v for r in rows for v in (r["model"], r["treat_all"], 0.0)]
    top = max(max(values), 0.05)
    yr = (-top / 2, top)
    xr = (0.0, max(xs))
    parts = [
        _axes(
            "Threshold risk of death",
            "Net benefit",
            (0, round(max(xs) / 2, 2), max(xs)),
            (0, round(top, 2)),
            xr,
            yr,
        ),
        f"<path d='{_path(xs, [0.0] * len(xs), xr, yr)}' fill='none' stroke='#000' stroke-width='1'/>",
        f"<path d='{_path(xs, [r['treat_all'] for r in rows], xr, yr)}' fill='none' stroke='#777' "
        "stroke-dasharray='4 3' stroke-width='1.5'/>",
        f"<path d='{_path(xs, [r['model'] for r in rows], xr, yr)}' fill='none' stroke='#08519c' "
        "stroke-width='2'/>",
    ]
    return (
        f"<svg xmlns='http://www.w3.org/2000/svg' viewBox='0 0 {SIZE} {SIZE}' role='img' "
        f"aria-label='{escape(title)}'><title>{escape(title)}</title>{''.join(parts)}</svg>"
    )
