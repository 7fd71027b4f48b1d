"""The extent of resection: its adjusted association with its interval, why the calculator's
resection table is not the effect of choosing an operation, and planned vs achieved resection.

Shown near the top of the card: it is the question a case conference brings to the calculator.
"""

from __future__ import annotations

import re

from babel.lists import format_list

from calculator.features import RESECTION
from calculator.i18n import _, current, decimal_text
from calculator.model_card.blocks import (
    Paragraph,
    Section,
    bullets,
    interval,
    num,
    odds_ratio,
    pct,
    plain,
    pooled,
    table,
    yes_no,
)
from calculator.wording import value_phrase as phrase

BASELINE = RESECTION.values[0]  # biopsy: the design's reference


def label(option: str) -> str:
    """An option inside a sentence, e.g. 'gross total resection' (calculator.explain's words)."""
    return phrase("resection", option)


def listed(options: list[str]) -> str:
    """Options named in a sentence: 'biopsy', 'biopsy and subtotal resection'."""
    return format_list([label(v) for v in options], locale=current())


def adjusted(m: dict) -> dict[str, dict]:
    """{option: {"estimate", "interval_95"}} of each resection coefficient (log odds of death vs
    biopsy), in the declared order."""
    c = m["model"]["coefficients"]["pooled"]
    return {v: c[f"resection_{v}"] for v in RESECTION.values[1:] if f"resection_{v}" in c}


def includes_none(entry: dict) -> bool:
    low, high = entry["interval_95"]
    return low <= 0 <= high


def adjusted_sentence(m: dict) -> str:
    """The adjusted odds ratios vs biopsy in words, saying whether their intervals include no effect."""
    return " ".join((odds_sentence(m), verdict(adjusted(m))))


def odds_sentence(m: dict) -> str:
    """The adjusted odds ratio of each resection vs biopsy, with its interval (the design has one or
    two such contrasts: subtotal and gross total resection)."""
    (first, e1), *rest = adjusted(m).items()
    variables = {
        "day": m["horizon_days"],
        "first": label(first),
        "first_ratio": odds_ratio(e1["estimate"]),
        "first_interval": interval(*e1["interval_95"], fmt=odds_ratio),
        "reference": label(BASELINE),
    }
    if not rest:
        return _(
            "Adjusted for the other four inputs, the odds of death by day %(day)s after %(first)s are "
            "%(first_ratio)s times those after %(reference)s (95%% interval %(first_interval)s).",
            **variables,
        )
    (second, e2), *more = rest
    if more:
        raise ValueError(f"the card words two resection contrasts, not {len(rest) + 1}")
    return _(
        "Adjusted for the other four inputs, the odds of death by day %(day)s after %(first)s are "
        "%(first_ratio)s times those after %(reference)s (95%% interval %(first_interval)s), and after "
        "%(second)s %(second_ratio)s times (95%% interval %(second_interval)s).",
        second=label(second),
        second_ratio=odds_ratio(e2["estimate"]),
        second_interval=interval(*e2["interval_95"], fmt=odds_ratio),
        **variables,
    )


def verdict(effects: dict[str, dict]) -> str:
    """Whether the intervals include no effect, and what that does and does not mean."""
    none = [v for v, e in effects.items() if includes_none(e)]
    if len(none) == len(effects):
        if len(none) == 2:
            return _(
                "Both intervals include no effect (an odds ratio of 1): once the other inputs are "
                "accounted for, the evidence behind the model shows no clear difference in 90-day "
                "survival by extent of resection."
            )
        return _(
            "Every interval includes no effect (an odds ratio of 1): once the other inputs are accounted "
            "for, the evidence behind the model shows no clear difference in 90-day survival by extent of "
            "resection."
        )
    if none:
        return _(
            "The interval for %(including)s includes no effect (an odds ratio of 1); the interval for "
            "%(excluding)s does not, and is still an association, not an effect.",
            including=listed(none),
            excluding=listed([v for v in effects if v not in none]),
        )
    return _(
        "No interval includes no effect (an odds ratio of 1); they are still an association, not an effect."
    )


def order_sentence(m: dict) -> str:
    """The order of the options in the calculator's table: the same for every patient, since the
    formula has no interactions."""
    log_odds = {BASELINE: 0.0} | {v: e["estimate"] for v, e in adjusted(m).items()}
    ranked = [label(v) for v in sorted(log_odds, key=log_odds.get)]  # lowest risk of death first
    if len(ranked) == 2:
        return _(
            "The formula has no interactions, so the calculator's table ranks the options in the same "
            "order for every patient: %(first)s highest, then %(second)s.",
            first=ranked[0],
            second=ranked[1],
        )
    if len(ranked) != 3:
        raise ValueError(f"the card words two or three resection options, not {len(ranked)}")
    return _(
        "The formula has no interactions, so the calculator's table ranks the options in the same "
        "order for every patient: %(first)s highest, then %(second)s, then %(third)s.",
        first=ranked[0],
        second=ranked[1],
        third=ranked[2],
    )


def crude_figures(m: dict) -> list[str]:
    """The published crude 90-day mortality by resection (e.g. Ivren 2025: 1/8 died after gross
    total resection), from the reconstruction's targets."""
    by_study: dict[str, list[str]] = {}
    for t in m.get("reconstruction", {}).get("targets", []):
        found = re.fullmatch(r"mortality_90d_(\w+)", t["figure"])
        if found and found[1] in RESECTION.values and t["kind"] == "target":
            study = re.match(r"([a-z]+)(\d{4})", t["study_id"])
            who = f"{study[1].capitalize()} {study[2]}" if study else t["study_id"]
            figure = t["note"] or pct(t["published"])  # the note, as the reconstruction recorded it
            # TRANSLATORS: an item of a list of published figures, e.g. "1/8 died after gross total
            # resection" or "12.5% after biopsy".
            by_study.setdefault(who, []).append(
                _("%(figure)s after %(operation)s", figure=figure, operation=label(found[1]))
            )
    return [f"{who}: {', '.join(figures)}" for who, figures in by_study.items()]


def crude_reconstructed(m: dict) -> dict[str, str]:
    """{option: crude 90-day mortality over the reconstructions, 'median (min to max)'}."""
    out = {}
    for t in m.get("reconstruction", {}).get("targets", []):
        found = re.fullmatch(r"crude_mortality_90d_(\w+)", t["figure"])
        if found and t.get("reconstructed_median") is not None:
            spread = interval(t["reconstructed_min"], t["reconstructed_max"], fmt=pct)
            out[found[1]] = f"{pct(t['reconstructed_median'])} ({spread})"
    return out


def resection_sections(m: dict) -> list[Section]:
    effects = adjusted(m)
    patients = m.get("support", {}).get("marginal", {}).get("resection", {})
    crude = crude_reconstructed(m)
    header = [_("Operation"), _("Patients per reconstruction") if pooled(m) else _("Patients")]
    header += [_("Crude 90-day mortality over the reconstructions: median (range)")] if crude else []
    header += [
        _("Log odds of death vs biopsy (95%% interval)"),
        _("Odds ratio for death vs biopsy (95%% interval)"),
        _("Interval includes no effect"),
    ]
    rows = []
    for v in RESECTION.values:
        row = [_(RESECTION.choice(v).label), plain(patients[v]) if v in patients else "—"]
        row += [crude.get(v, "—")] if crude else []
        if v == BASELINE:
            # TRANSLATORS: table cells: the reference category's log odds (0) and odds ratio (1).
            row += [_("0 (reference)"), _("1 (reference)"), "—"]
        else:
            e = effects[v]
            row += [
                f"{num(e['estimate'])} ({interval(*e['interval_95'])})",
                f"{odds_ratio(e['estimate'])} ({interval(*e['interval_95'], fmt=odds_ratio)})",
                yes_no(includes_none(e)),
            ]
        rows.append(row)
    return [
        Section(
            "resection",
            _("Extent of resection: adjusted effect and what the calculator's table shows"),
            (
                Paragraph(adjusted_sentence(m), _("Adjusted effect.")),
                table(
                    _("Resection: patients, crude figures and the adjusted effect"),
                    header,
                    rows,
                    numeric=tuple(range(1, len(header) - 1)),
                    wide=True,
                ),
                bullets(*association(m)),
            ),
        ),
        planned_vs_achieved(m),
    ]


def association(m: dict) -> list[Paragraph]:
    crude = crude_figures(m)
    if crude:
        carried = _(
            "That order is an association, not an effect: it is carried by the published crude figures "
            "(%(figures)s) and by which patients were selected for which operation, on more than the five "
            "inputs. It does not say that choosing a more radical operation changes survival.",
            figures="; ".join(crude),
        )
    else:
        carried = _(
            "That order is an association, not an effect: it is carried by the crude differences in the "
            "data and by which patients were selected for which operation, on more than the five inputs. "
            "It does not say that choosing a more radical operation changes survival."
        )
    items = [Paragraph(" ".join((order_sentence(m), carried)), _("The order of the options."))]
    params = {p["name"]: p for p in m.get("reconstruction", {}).get("parameters", [])}
    p = params.get("hr_resection_adjusted")
    if p:
        items.append(Paragraph(put_in(p), _("What the reconstruction put in.")))
    return items


def put_in(p: dict) -> str:
    """The causal effect of resection the reconstruction assumes (and, pooled, its distribution)."""
    drawn = p.get("distribution", {}).get("text")  # as training wrote it
    if drawn:
        return _(
            "No adjusted effect of resection was found in any published series, so the reconstruction "
            "gives gross total resection vs biopsy a causal hazard ratio of %(value)s (subtotal resection "
            "half-way on the log scale), drawn in each reconstruction from: %(distribution)s. Anything in "
            "the adjusted figures beyond that comes from selection that KPS, other metastases, McCormick "
            "grade and compartment do not capture.",
            value=decimal_text(f"{p['value']:g}"),
            distribution=drawn,
        )
    return _(
        "No adjusted effect of resection was found in any published series, so the reconstruction gives "
        "gross total resection vs biopsy a causal hazard ratio of %(value)s (subtotal resection half-way "
        "on the log scale). Anything in the adjusted figures beyond that comes from selection that KPS, "
        "other metastases, McCormick grade and compartment do not capture.",
        value=decimal_text(f"{p['value']:g}"),
    )


def planned_vs_achieved(m: dict) -> Section:
    return Section(
        "planned-vs-achieved",
        _("Achieved vs planned resection"),
        (Paragraph(planned_text(m)),),
        level=3,
    )


def planned_text(m: dict) -> str:
    if m.get("synthetic"):
        return _(
            "The published series recorded the resection each patient had, the one achieved; the "
            "calculator asks for the one planned. A planned gross total resection that ends subtotal "
            "belongs among the patients of the subtotal row, and a planned resection that ends as a biopsy "
            "among those of the biopsy row. So the resection table describes the patients who had each "
            "operation, not what choosing it would do for this patient. The model has no figure for how "
            "often a planned extent is achieved: neither the estimates nor their intervals account for the "
            "difference."
        )
    return _(
        "A registry usually records the resection each patient had, the one achieved; the calculator asks "
        "for the one planned. A planned gross total resection that ends subtotal belongs among the "
        "patients of the subtotal row, and a planned resection that ends as a biopsy among those of the "
        "biopsy row. So the resection table describes the patients who had each operation, not what "
        "choosing it would do for this patient. The model has no figure for how often a planned extent "
        "is achieved: neither the estimates nor their intervals account for the difference."
    )
