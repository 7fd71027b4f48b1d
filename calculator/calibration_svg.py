"""A calibration plot as an inline SVG string: observed vs predicted, 0-100% on both axes.

Shared by the /model page and the training command's validation report, so it lives here
(`calculator` never imports from `training`). Pure: its words in the current language
(calculator.i18n, English outside a request). The SVG carries
its own <title> and <desc> (the numbers, for screen readers), draws in black and grey so it
prints, and uses no script, no CSS, no external resource and no JavaScript.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from html import escape

from calculator.i18n import _, pct, percent_text

SIZE = 320  # viewBox width and height; the SVG scales to its container
# Margins for tick labels and axis titles; on the right, half of the centred "100%" tick label.
LEFT, RIGHT, TOP, BOTTOM = 56, 20, 12, 48
TICKS = (0, 20, 40, 60, 80, 100)  # per cent


def _x(fraction: float) -> float:
    return LEFT + min(max(fraction, 0.0), 1.0) * (SIZE - LEFT - RIGHT)


def _y(fraction: float) -> float:
    return SIZE - BOTTOM - min(max(fraction, 0.0), 1.0) * (SIZE - TOP - BOTTOM)


def _group(i: int, p: float, o: float, lo: float, hi: float, n) -> str:
    """One group for a screen reader, e.g. 'group 2: predicted 60%, observed 70% (95% CI 50% to 85%)'."""
    variables = {"group": i, "predicted": pct(p), "observed": pct(o), "low": pct(lo), "high": pct(hi)}
    if n is None:
        # TRANSLATORS: an item of a list describing a calibration plot's points, for screen readers.
        return _(
            "group %(group)s: predicted %(predicted)s, observed %(observed)s (95%% CI %(low)s to %(high)s)",
            **variables,
        )
    # TRANSLATORS: an item of a list describing a calibration plot's points, for screen readers.
    return _(
        "group %(group)s: predicted %(predicted)s, observed %(observed)s (95%% CI %(low)s to %(high)s), "
        "n = %(n)s",
        n=n,
        **variables,
    )


def _description(points: list, x_label: str | None, y_label: str | None) -> str:
    """The plot in words (its <desc>): the axes, the diagonal and every group."""
    if x_label is None and y_label is None:
        axes = _(
            "Predicted 90-day survival on the horizontal axis against observed 90-day survival on the "
            "vertical axis, 0 to 100%%."
        )
    else:
        axes = _(
            "%(x_label)s on the horizontal axis against %(y_label)s on the vertical axis, 0 to 100%%.",
            x_label=x_label if x_label is not None else _("Predicted 90-day survival"),
            y_label=(y_label if y_label is not None else _("Observed 90-day survival")).lower(),
        )
    described = "; ".join(_group(i, *point) for i, point in enumerate(points, start=1))
    return " ".join(
        (
            axes,
            _("The dashed diagonal is perfect calibration."),
            described + "." if points else _("No groups to show."),
        )
    )


def calibration_svg(
    groups: Sequence[Mapping],
    title: str | None = None,
    x_label: str | None = None,
    y_label: str | None = None,
    element_id: str = "calibration",
) -> str:
    """The plot of `groups`, each a mapping with "predicted", "observed", "ci_low", "ci_high"
    (fractions 0-1, as in the manifest's metrics.calibration_curve.groups) and optionally "n".

    One filled circle (class "point") per group with its 95% interval as a vertical bar, over the
    dashed line of perfect calibration. Values outside 0-1 are drawn at the edge. Text is
    XML-escaped. `element_id` prefixes the ids of <title> and <desc>: make it unique per page.
    An empty `groups` gives the axes and a description saying there is nothing to show.
    The title and axis labels default to 90-day survival, in the current language.
    Raises KeyError when a group lacks one of the four keys.
    """
    eid = escape(element_id, quote=True)
    points = [(g["predicted"], g["observed"], g["ci_low"], g["ci_high"], g.get("n")) for g in groups]
    title = title if title is not None else _("Calibration: observed vs predicted 90-day survival")
    desc = _description(points, x_label, y_label)
    x_label = x_label if x_label is not None else _("Predicted 90-day survival")
    y_label = y_label if y_label is not None else _("Observed 90-day survival")
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {SIZE} {SIZE}" role="img" '
        f'aria-labelledby="{eid}-title {eid}-desc" font-family="sans-serif" font-size="11">',
        f'<title id="{eid}-title">{escape(title)}</title>',
        f'<desc id="{eid}-desc">{escape(desc)}</desc>',
    ]
    for tick in TICKS:
        f, label = tick / 100, percent_text(str(tick))
        parts += [
            f'<line x1="{_x(f):.1f}" y1="{_y(0):.1f}" x2="{_x(f):.1f}" y2="{_y(1):.1f}" stroke="#ddd"/>',
            f'<line x1="{_x(0):.1f}" y1="{_y(f):.1f}" x2="{_x(1):.1f}" y2="{_y(f):.1f}" stroke="#ddd"/>',
            f'<text x="{_x(f):.1f}" y="{_y(0) + 16:.1f}" text-anchor="middle">{label}</text>',
            f'<text x="{_x(0) - 6:.1f}" y="{_y(f) + 4:.1f}" text-anchor="end">{label}</text>',
        ]
    parts += [
        f'<rect x="{_x(0):.1f}" y="{_y(1):.1f}" width="{_x(1) - _x(0):.1f}" '
        f'height="{_y(0) - _y(1):.1f}" fill="none" stroke="#000"/>',
        f'<line class="diagonal" x1="{_x(0):.1f}" y1="{_y(0):.1f}" x2="{_x(1):.1f}" y2="{_y(1):.1f}" '
        'stroke="#555" stroke-dasharray="4 3"/>',
        f'<text x="{(_x(0) + _x(1)) / 2:.1f}" y="{SIZE - 8}" text-anchor="middle">{escape(x_label)}</text>',
        f'<text x="14" y="{(_y(0) + _y(1)) / 2:.1f}" text-anchor="middle" '
        f'transform="rotate(-90 14 {(_y(0) + _y(1)) / 2:.1f})">{escape(y_label)}</text>',
    ]
    for p, o, lo, hi, _n in points:
        parts += [
            f'<line class="ci" x1="{_x(p):.1f}" y1="{_y(lo):.1f}" x2="{_x(p):.1f}" y2="{_y(hi):.1f}" '
            'stroke="#000" stroke-width="1.5"/>',
            f'<circle class="point" cx="{_x(p):.1f}" cy="{_y(o):.1f}" r="4" fill="#000"/>',
        ]
    parts.append("</svg>")
    return "\n".join(parts)
