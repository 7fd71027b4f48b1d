"""The explanation as a chart: from the reference patient's estimate, each input's share, to the
patient's estimate, on one 0-100% scale (a waterfall). Server-rendered SVG, so it works without
JavaScript, prints, and stays sharp on a projector; colours are presentation attributes (no inline
style: the strict CSP allows them, and engines without CSS custom properties still draw them), and
every bar carries its signed number, so nothing relies on colour. Pure: no Flask.

The numbers printed are the whole percentage points of calculator.contributions.rounded_points,
which add up to the rounded estimate minus the rounded reference, the two numbers shown.
"""

from __future__ import annotations

from markupsafe import Markup, escape

from calculator.contributions import Contributions, rounded_points, signed
from calculator.i18n import pct

# A narrow drawing (420 units) so that its 14-unit text stays >= 13 px in a 400 px EHR pane; the
# stylesheet caps its width on wide screens (about 18 px text on a projector).
WIDTH, LABEL_W, PLOT_X, PLOT_W, ROW_H, AXIS_H = 420, 172, 180, 176, 28, 24  # values at the right edge
INK, MUTED, UP, DOWN, REFERENCE, ESTIMATE = "#1a1a1a", "#595959", "#0b5394", "#8a4b00", "#595959", "#0b5394"


def _x(p: float) -> float:
    return round(PLOT_X + PLOT_W * min(max(p, 0.0), 1.0), 1)


def contribution_svg(shares: Contributions, labels: dict[str, str], texts: dict[str, str]) -> Markup:
    """The chart. `labels`: input name -> its value in words, one row each, in order (changed and
    averaged inputs only); `texts`: 'reference', 'estimate', 'title', 'unit' (the value column's
    heading)."""
    points = rounded_points(shares)
    rows = len(labels) + 2
    height = AXIS_H + rows * ROW_H + 6
    out = [
        f'<svg class="contributions" viewBox="0 0 {WIDTH} {height}" role="img" '
        f'aria-label="{escape(texts["title"])}" font-size="14" fill="{INK}">'
    ]
    for tick in (0, 25, 50, 75, 100):  # the scale: lines at every quarter, numbers at 0, 50, 100%
        x = _x(tick / 100)
        if tick in (0, 50, 100):
            anchor = "start" if tick == 0 else "end" if tick == 100 else "middle"
            out.append(f'<text x="{x}" y="15" text-anchor="{anchor}" fill="{MUTED}">{pct(tick / 100)}</text>')
        out.append(f'<line x1="{x}" x2="{x}" y1="{AXIS_H - 4}" y2="{height}" stroke="#949494"/>')

    out.append(
        f'<text x="{WIDTH - 2}" y="15" text-anchor="end" fill="{MUTED}">{escape(texts["unit"])}</text>'
    )

    def row_label(i: int, text: str, bold: bool = False) -> None:
        weight = ' font-weight="700"' if bold else ""
        y = AXIS_H + i * ROW_H + 19
        out.append(
            f'<text x="{LABEL_W}" y="{y}" text-anchor="end" font-size="13"{weight}>{escape(text)}</text>'
        )

    def bar(i: int, a: float, b: float, fill: str, value: str) -> None:
        x0, x1 = sorted((_x(a), _x(b)))
        y = AXIS_H + i * ROW_H + 5
        out.append(f'<rect x="{x0}" y="{y}" width="{max(x1 - x0, 1.5)}" height="18" fill="{fill}"/>')
        out.append(
            f'<text x="{WIDTH - 2}" y="{y + 14}" text-anchor="end" font-weight="700">{escape(value)}</text>'
        )

    row_label(0, texts["reference"])
    bar(0, 0.0, shares.reference, REFERENCE, pct(shares.reference))
    running = shares.reference
    for i, (name, label) in enumerate(labels.items(), start=1):
        share = shares.shares[name]
        row_label(i, label)
        value = signed(points[name], minus="\u2212")
        bar(i, running, running + share, UP if share >= 0 else DOWN, value)
        if name in shares.ranges:  # what knowing the input could make of its share: a whisker
            low, high = (_x(running + s) for s in shares.ranges[name])
            y = AXIS_H + i * ROW_H + 14
            out.append(
                f'<path d="M{low} {y - 7}V{y + 7}M{low} {y}H{high}M{high} {y - 7}V{y + 7}" '
                f'stroke="{INK}" stroke-width="2" fill="none"/>'
            )
        running += share
    row_label(rows - 1, texts["estimate"], bold=True)
    bar(rows - 1, 0.0, shares.estimate, ESTIMATE, pct(shares.estimate))
    out.append("</svg>")
    return Markup("".join(out))  # noqa: S704 - every text is escaped above; the rest are our numbers
