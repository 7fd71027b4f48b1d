"""Small formatting helpers for the templates (registered as Jinja globals)."""

from __future__ import annotations

from datetime import date

from flask import Flask, current_app, render_template, request
from markupsafe import Markup, escape

from calculator.contribution_svg import contribution_svg
from calculator.contributions import Contributions
from calculator.features import BY_NAME, N_, REFERENCE_PATIENT
from calculator.forms import UNKNOWN, UNKNOWN_DESCRIPTION, form_value
from calculator.i18n import _, current, day, language_of, pct, pct_range
from calculator.model import get_model
from calculator.model_card.use import INTENDED_USE, NOT_FOR
from calculator.note import averaged_line, note_text
from calculator.result import build_result
from calculator.wording import choice_label, describe, short_label


def resection_label(option: str) -> str:
    return choice_label("resection", option)


def describe_choice(name: str, form_text: str) -> str:
    """The standard definition beside a radio option, e.g. McCormick II's wording."""
    if form_text == UNKNOWN:
        return _(UNKNOWN_DESCRIPTION[name])
    return _(next(c.description for c in BY_NAME[name].choices if form_value(c.value) == form_text))


def interval_svg(survival: float, low: float, high: float) -> Markup:
    """A 0-100% bar with its scale, the interval shaded and the estimate marked: SVG attributes,
    no inline style, so the strict CSP allows it; readable in print, on a projector and with
    JavaScript off. Contrast: band #4f86c0 3.8:1 on the white track, the #1a1a1a mark 4.6:1 on
    the band, the #767676 outline and ticks 4.5:1 on white."""
    s, lo, hi = (round(4 * 100 * x, 1) for x in (survival, low, high))
    ticks = "".join(
        f'<line x1="{4 * t}" x2="{4 * t}" y1="22" y2="27" stroke="#767676"/>'
        f'<text x="{4 * t}" y="40" text-anchor="{"start" if t == 0 else "end" if t == 100 else "middle"}">'
        f"{pct(t / 100)}</text>"
        for t in (0, 25, 50, 75, 100)
    )
    return Markup(  # noqa: S704 - our numbers and our escaped label, never user text
        '<svg class="interval-bar" viewBox="-2 0 404 44" role="img" font-size="12" fill="#1a1a1a" '
        f'aria-label="{escape(bar_label(survival, low, high))}">'
        '<rect class="track" x="0" y="5" width="400" height="14" fill="#fff" stroke="#767676"/>'
        f'<rect class="band" x="{lo}" y="5" width="{round(hi - lo, 1)}" height="14" fill="#4f86c0"/>'
        f'<rect class="point" x="{max(s - 2.5, 0)}" y="1" width="5" height="22" fill="#1a1a1a" '
        'stroke="#fff" stroke-width="1"/>' + ticks + "</svg>"
    )


def bar_label(survival: float, low: float, high: float) -> str:
    return _(
        "%(estimate)s with 95%% interval %(low)s to %(high)s",
        estimate=pct(survival),
        low=pct(low),
        high=pct(high),
    )


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
        name: short_label(name, inputs)
        for name in shares.shares
        if name in shares.ranges or inputs[name] != REFERENCE_PATIENT[name]
    }
    texts = {
        "reference": _("Reference patient"),
        "estimate": _("This patient"),
        # TRANSLATORS: the chart's axis unit, short for "percentage points".
        "unit": _("points"),
        "title": _(
            "Chart: from the reference patient's %(reference)s to this patient's %(estimate)s, each "
            "input's share in percentage points (the signed numbers), as listed below.",
            reference=pct(c["reference"]),
            estimate=pct(result["survival_90d"]),
        ),
    }
    return contribution_svg(shares, labels, texts)


def data_line(m: dict) -> Markup:
    """The footer's line on what the model was fitted on, and what a hospital did with it since."""
    if m["synthetic"]:
        series = sum(s["used_as"] == "patients" for s in (m.get("reconstruction") or {}).get("series", []))
        lead = _("Data: synthetic.")
        if m["cohort"].get("reconstructions"):
            text = _(
                "Fitted on cohorts reconstructed from %(series)s published series (n = %(n)s, "
                "%(reconstructions)s reconstructions pooled); no real patient data, and not yet validated "
                "on real patients.",
                series=series,
                n=m["cohort"]["n"],
                reconstructions=m["cohort"]["reconstructions"],
            )
        else:
            text = _(
                "Fitted on a cohort reconstructed from %(series)s published series (n = %(n)s); no real "
                "patient data, and not yet validated on real patients.",
                series=series,
                n=m["cohort"]["n"],
            )
    else:
        lead = _("Data:")
        cohort = m["cohort"]
        text = _("Fitted on the registry cohort %(file)s (n = %(n)s).", file=cohort["file"], n=cohort["n"])
    lineage = m.get("lineage")
    if lineage:
        r = lineage["registry"]
        text += " " + _(LINEAGE[lineage["method"]], file=r["file"], n=r["n"], date=r["date"])
    return Markup("<strong>{}</strong> {}").format(lead, text)


# What a hospital did with the model on its own registry (training/recalibrate.py's methods).
LINEAGE = {
    "original": N_("Tested on %(file)s (%(n)s patients, %(date)s): kept unchanged."),
    "intercept": N_(
        "Recalibrated on %(file)s (%(n)s patients, %(date)s): intercept update (recalibration in the large)."
    ),
    "logistic": N_(
        "Recalibrated on %(file)s (%(n)s patients, %(date)s): logistic recalibration (intercept and slope)."
    ),
    "refit": N_("Refitted on %(file)s (%(n)s patients, %(date)s): every coefficient re-estimated."),
}


def rendered_once(template: str, key: tuple = (), **context) -> Markup:
    """A part of the page that is the same for every patient, rendered once per language, page
    and `key` and kept for the process: the header, the footer, each input at each value. `key`
    must hold everything in `context` the markup depends on; never a patient's answers beyond the
    one value of one input."""
    cached = current_app.extensions.setdefault("calculator_rendered", {})
    full_key = (template, current(), request.endpoint, request.script_root, key)
    if full_key not in cached:
        cached[full_key] = Markup(render_template(template, **context))  # noqa: S704 - our template
    return cached[full_key]


def field_markup(field, prefill) -> Markup:
    """One input of the form (templates/_field.html). Without errors or an EHR's prefill it
    depends only on the language and the value chosen, so it is rendered once per pair and kept:
    the form is most of the page's rendering, and the same for every patient."""
    if field.errors or prefill:
        return Markup(render_template("_field.html", field=field, prefill=prefill))  # noqa: S704
    # bounded: coerce admits only the declared values, anything else is None
    return rendered_once("_field.html", (field.name, field.data), field=field, prefill=None)


def note_in(result: dict, language: str, computed_on: date) -> str:
    """The clinical note in `language`, which may differ from the page's: its sentences (warnings
    included) are written again in that language from the same inputs and model."""
    if language == current():
        return note_text(result, computed_on)
    with language_of(language):
        return note_text(build_result(get_model(), result["inputs"]), computed_on)


def init_app(app: Flask) -> None:
    app.jinja_env.globals.update(
        intended_use=INTENDED_USE,  # one wording for the footer and the model card
        not_for=NOT_FOR,
        pct=pct,
        pct_range=pct_range,
        day=day,
        resection_label=resection_label,
        describe=describe,
        describe_choice=describe_choice,
        interval_svg=interval_svg,
        contribution_chart=contribution_chart,
        note_in=note_in,
        field_markup=field_markup,
        rendered_once=rendered_once,
        data_line=data_line,
        averaged_text=averaged_line,
        today=date.today,
    )
