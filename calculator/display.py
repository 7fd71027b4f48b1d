"""Small formatting helpers for the templates (registered as Jinja globals)."""

from __future__ import annotations

from datetime import date

from flask import Flask
from markupsafe import Markup

from calculator.explain import describe, pct
from calculator.features import BY_NAME, RESECTION
from calculator.forms import UNKNOWN, UNKNOWN_DESCRIPTION, form_value
from calculator.model_card.use import INTENDED_USE, NOT_FOR
from calculator.note import averaged_line, note_text


def pct_num(p: float) -> str:
    return str(round(100 * p))


def resection_label(option: str) -> str:
    return RESECTION.choice(option).label


def describe_choice(name: str, form_text: str) -> str:
    """The standard definition beside a radio option, e.g. McCormick II's wording."""
    if form_text == UNKNOWN:
        return UNKNOWN_DESCRIPTION[name]
    return next(c.description for c in BY_NAME[name].choices if form_value(c.value) == form_text)


def interval_svg(survival: float, low: float, high: float) -> Markup:
    """A 0-100% bar with the interval shaded and the estimate marked: SVG attributes, no inline
    style, so the strict CSP allows it; readable in print and with JavaScript off."""
    s, lo, hi = (round(100 * x, 1) for x in (survival, low, high))
    return Markup(  # noqa: S704 - only numbers we computed are interpolated, never user text
        '<svg class="interval-bar" viewBox="0 0 100 12" preserveAspectRatio="none" role="img" '
        f'aria-label="{pct(survival)} with 95% interval {pct_num(low)} to {pct(high)}">'
        '<rect class="track" x="0" y="3" width="100" height="6"/>'
        f'<rect class="band" x="{lo}" y="3" width="{round(hi - lo, 1)}" height="6"/>'
        f'<rect class="point" x="{max(s - 0.6, 0)}" y="0" width="1.2" height="12"/>'
        "</svg>"
    )


def init_app(app: Flask) -> None:
    app.jinja_env.globals.update(
        intended_use=INTENDED_USE,  # one wording for the footer and the model card
        not_for=NOT_FOR,
        pct=pct,
        pct_num=pct_num,
        resection_label=resection_label,
        describe=describe,
        describe_choice=describe_choice,
        interval_svg=interval_svg,
        note_text=note_text,
        averaged_text=averaged_line,
        today=lambda: date.today().isoformat(),
    )
