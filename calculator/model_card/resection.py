"""The extent of resection: its adjusted association with its interval, why the calculator's
resection table is not the effect of choosing an operation, and planned vs achieved resection.

Shown near the top of the card: it is the question a case conference brings to the calculator.
"""

from __future__ import annotations

import re

from calculator.features import RESECTION
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
)

BASELINE = RESECTION.values[0]  # biopsy: the design's reference


def label(option: str) -> str:
    return RESECTION.choice(option).label.lower()


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
    effects = adjusted(m)
    parts = [
        f"after {label(v)} {'are ' if i == 0 else ''}{odds_ratio(e['estimate'])} times "
        f"{'those after ' + label(BASELINE) + ' ' if i == 0 else ''}"
        f"(95% interval {interval(*e['interval_95'], fmt=odds_ratio)})"
        for i, (v, e) in enumerate(effects.items())
    ]
    none = [label(v) for v, e in effects.items() if includes_none(e)]
    if len(none) == len(effects):
        verdict = (
            f"{'Both intervals include' if len(none) == 2 else 'Every interval includes'} no effect (an "
            "odds ratio of 1): once the other inputs are accounted for, the evidence behind the model "
            "shows no clear difference in 90-day survival by extent of resection."
        )
    elif none:
        rest = [label(v) for v, e in effects.items() if not includes_none(e)]
        verdict = (
            f"The interval for {' and '.join(none)} includes no effect (an odds ratio of 1); the "
            f"interval for {' and '.join(rest)} does not, and is still an association, not an effect."
        )
    else:
        verdict = (
            "No interval includes no effect (an odds ratio of 1); they are still an association, not an "
            "effect."
        )
    return (
        f"Adjusted for the other four inputs, the odds of death by day {m['horizon_days']} "
        f"{', and '.join(parts)}. {verdict}"
    )


def order_sentence(m: dict) -> str:
    """The order of the options in the calculator's table: the same for every patient, since the
    formula has no interactions."""
    log_odds = {BASELINE: 0.0} | {v: e["estimate"] for v, e in adjusted(m).items()}
    ranked = sorted(log_odds, key=log_odds.get)  # lowest risk of death first
    return (
        "The formula has no interactions, so the calculator's table ranks the options in the same "
        f"order for every patient: {label(ranked[0])} highest, then "
        + ", then ".join(label(v) for v in ranked[1:])
        + "."
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
            figure = t["note"] or pct(t["published"])
            by_study.setdefault(who, []).append(f"{figure} after {label(found[1])}")
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
    header = ["Operation", "Patients" + (" per reconstruction" if pooled(m) else "")]
    header += ["Crude 90-day mortality over the reconstructions: median (range)"] if crude else []
    header += [
        "Log odds of death vs biopsy (95% interval)",
        "Odds ratio for death vs biopsy (95% interval)",
        "Interval includes no effect",
    ]
    rows = []
    for v in RESECTION.values:
        row = [RESECTION.choice(v).label, plain(patients[v]) if v in patients else "—"]
        row += [crude.get(v, "—")] if crude else []
        if v == BASELINE:
            row += ["0 (reference)", "1 (reference)", "—"]
        else:
            e = effects[v]
            row += [
                f"{num(e['estimate'])} ({interval(*e['interval_95'])})",
                f"{odds_ratio(e['estimate'])} ({interval(*e['interval_95'], fmt=odds_ratio)})",
                "yes" if includes_none(e) else "no",
            ]
        rows.append(row)
    return [
        Section(
            "resection",
            "Extent of resection: adjusted effect and what the calculator's table shows",
            (
                Paragraph(adjusted_sentence(m), "Adjusted effect."),
                table(
                    "Resection: patients, crude figures and the adjusted effect",
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
    carried = (
        f"by the published crude figures ({'; '.join(crude)}) and "
        if crude
        else "by the crude differences in the data and "
    )
    items = [
        Paragraph(
            order_sentence(m)
            + f" That order is an association, not an effect: it is carried {carried}by which patients "
            "were selected for which operation, on more than the five inputs. It does not say that "
            "choosing a more radical operation changes survival.",
            "The order of the options.",
        )
    ]
    params = {p["name"]: p for p in m.get("reconstruction", {}).get("parameters", [])}
    p = params.get("hr_resection_adjusted")
    if p:
        drawn = p.get("distribution", {}).get("text")
        items.append(
            Paragraph(
                "No adjusted effect of resection was found in any published series, so the "
                "reconstruction gives gross total resection vs biopsy a causal hazard ratio of "
                f"{p['value']:g} (subtotal resection half-way on the log scale)"
                + (f", drawn in each reconstruction from: {drawn}" if drawn else "")
                + ". Anything in the adjusted figures beyond that comes from selection that KPS, other "
                "metastases, McCormick grade and compartment do not capture.",
                "What the reconstruction put in.",
            )
        )
    return items


def planned_vs_achieved(m: dict) -> Section:
    source = "The published series recorded" if m.get("synthetic") else "A registry usually records"
    return Section(
        "planned-vs-achieved",
        "Achieved vs planned resection",
        (
            Paragraph(
                f"{source} the resection each patient had, the one achieved; the calculator asks "
                "for the one planned. A planned gross total resection that ends subtotal belongs among "
                "the patients of the subtotal row, and a planned resection that ends as a biopsy among "
                "those of the biopsy row. So the resection table describes the patients who had each "
                "operation, not what choosing it would do for this patient. The model has no figure for "
                "how often a planned extent is achieved: neither the estimates nor their intervals "
                "account for the difference."
            ),
        ),
        level=3,
    )
