"""Small formatting helpers for the templates (registered as Jinja globals)."""

from __future__ import annotations

from datetime import date

from flask import Flask
from markupsafe import Markup

from calculator.contribution_svg import contribution_svg
from calculator.contributions import Contributions
from calculator.explain import describe, pct
from calculator.features import BY_NAME, MCCORMICK, REFERENCE_PATIENT, RESECTION
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
    """A 0-100% bar with its scale, the interval shaded and the estimate marked: SVG attributes,
    no inline style, so the strict CSP allows it; readable in print, on a projector and with
    JavaScript off. Contrast: band #4f86c0 3.8:1 on the white track, the #1a1a1a mark 4.6:1 on
    the band, the #767676 outline and ticks 4.5:1 on white."""
    s, lo, hi = (round(4 * 100 * x, 1) for x in (survival, low, high))
    ticks = "".join(
        f'<line x1="{4 * t}" x2="{4 * t}" y1="22" y2="27" stroke="#767676"/>'
        f'<text x="{4 * t}" y="40" text-anchor="{"start" if t == 0 else "end" if t == 100 else "middle"}">'
        f"{t}%</text>"
        for t in (0, 25, 50, 75, 100)
    )
    return Markup(  # noqa: S704 - only numbers we computed are interpolated, never user text
        '<svg class="interval-bar" viewBox="-2 0 404 44" role="img" font-size="12" fill="#1a1a1a" '
        f'aria-label="{pct(survival)} with 95% interval {pct_num(low)} to {pct(high)}">'
        '<rect class="track" x="0" y="5" width="400" height="14" fill="#fff" stroke="#767676"/>'
        f'<rect class="band" x="{lo}" y="5" width="{round(hi - lo, 1)}" height="14" fill="#4f86c0"/>'
        f'<rect class="point" x="{max(s - 2.5, 0)}" y="1" width="5" height="22" fill="#1a1a1a" '
        'stroke="#fff" stroke-width="1"/>' + ticks + "</svg>"
    )


def chart_label(name: str, inputs: dict) -> str:
    """An input's value in few words, for a row of the chart (the sentences below say it in full)."""
    value = inputs[name]
    if name == "kps":
        return (
            f"ECOG {inputs['ecog']}"
            if inputs.get("ecog") is not None
            else ("KPS not known" if value is None else f"KPS {value}")
        )
    if name == "other_metastases":
        return (
            "Other metastases: not known"
            if value is None
            else ("Other metastases" if value else "No other metastases")
        )
    if name == "mccormick_grade":
        return "McCormick not known" if value is None else f"McCormick {MCCORMICK.choice(value).label}"
    return "Extramedullary" if value == "intradural_extramedullary" else "Intramedullary"


def contribution_chart(result: dict) -> Markup:
    """The waterfall chart of result["contributions"] (calculator.contribution_svg); empty with no
    estimate."""
    c = result.get("contributions")
    if not c or result["survival_90d"] is None:
        return Markup("")
    ranges = {name: tuple(span) for name, span in c["ranges"].items()}
    shares = Contributions(c["reference"], result["survival_90d"], c["shares"], ranges)
    inputs = result["inputs"]
    labels = {
        name: chart_label(name, inputs)
        for name in shares.shares
        if name in shares.ranges or inputs[name] != REFERENCE_PATIENT[name]
    }
    texts = {
        "reference": "Reference patient",
        "estimate": "This patient",
        "points": "{points}",
        "unit": "points",
        "title": (
            f"Chart: from the reference patient's {pct(c['reference'])} to this patient's "
            f"{pct(result['survival_90d'])}, each input's share in percentage points (the signed numbers), "
            "as listed below."
        ),
    }
    return contribution_svg(shares, labels, texts)


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
        contribution_chart=contribution_chart,
        note_text=note_text,
        averaged_text=averaged_line,
        today=lambda: date.today().isoformat(),
    )
