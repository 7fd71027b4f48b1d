"""The card's first sections: at a glance, intended use, the predictors, how input is handled."""

from __future__ import annotations

from calculator.explain import RARE_PAIR, RARE_VALUE, SELECTION_CAVEAT, phrase
from calculator.features import FEATURES, KPS, MCCORMICK
from calculator.model_card.blocks import Paragraph, Section, bullets, num, table
from calculator.validation import EXPECTED

INTENDED_USE = (
    "Adults operated on, or considered for surgery, for an intradural spinal metastasis "
    "(intramedullary or intradural extramedullary), discussed at case conference by the treating team."
)
NOT_FOR = (
    "Not for patients with only extradural disease, not for triage or for deciding whether to treat "
    "at all, not a substitute for clinical judgement, and not for telling a patient how long they "
    "will live."
)


def summary(m: dict) -> Section:
    """For the surgeon with two minutes: what it estimates, for whom, how far to trust it."""
    cohort, metrics = m["cohort"], m.get("metrics", {})
    inputs = ", ".join(f.label for f in FEATURES)
    if m.get("synthetic"):
        series = sum(s["used_as"] == "patients" for s in m.get("reconstruction", {}).get("series", []))
        data = (
            f"a SYNTHETIC cohort of {cohort['n']} patients ({cohort['events_90d']} deaths by day "
            f"{m['horizon_days']}) reconstructed from the published figures of {series or 'several'} "
            "surgical series. No individual patient's data was used, and the model has not been validated "
            "on real patients."
        )
    else:
        data = (
            f"the registry cohort {cohort['file']}: {cohort['n']} patients, {cohort['events_90d']} "
            f"deaths by day {m['horizon_days']}, {len(cohort['studies'])} studies or sites. It has not "
            "been validated outside that registry (no external validation)."
        )
    items = [
        Paragraph(
            f"The probability of being {m['outcome']}, with a 95% interval, from five inputs: {inputs}.",
            "What it estimates.",
        ),
        Paragraph(INTENDED_USE + " " + NOT_FOR, "For whom."),
        Paragraph("Fitted on " + data, "Data."),
        Paragraph(performance_line(metrics), "How well it performs."),
    ]
    if "sample_size" in metrics:
        items.append(Paragraph(metrics["sample_size"]["statement"], "Sample size."))
    items.append(Paragraph(SELECTION_CAVEAT, "Resection."))
    return Section("at-a-glance", "At a glance", (bullets(*items),))


def performance_line(metrics: dict) -> str:
    corrected = metrics.get("optimism_corrected")
    apparent = metrics.get("apparent", {})
    if not corrected:
        return (
            f"Only apparent performance was recorded (c-statistic {num(apparent.get('c_statistic'), 2)}), "
            "measured on the fitting data itself: it is optimistic."
        )
    text = (
        f"Optimism-corrected c-statistic {num(corrected['c_statistic'], 2)} for death by day 90 "
        f"(apparent {num(apparent.get('c_statistic'), 2)}"
    )
    pooled = metrics.get("internal_external", {}).get("pooled", {})
    if "c_statistic" in pooled:
        text += f"; each study predicted from the others: {num(pooled['c_statistic'], 2)}"
    return text + (
        f"); optimism-corrected calibration slope {num(corrected['calibration_slope'], 2)} (1 is ideal). "
        "A c-statistic of 0.5 is chance, 1 perfect ranking."
    )


def intended_use(m: dict) -> Section:
    h = m["horizon_days"]
    return Section(
        "intended-use",
        "Intended use, users and outcome",
        (
            Paragraph(INTENDED_USE, "Patients."),
            Paragraph(
                "The treating team (spine surgeon, oncologist, radiation oncologist) at a multidisciplinary "
                "case conference, to inform the choice between biopsy, subtotal and gross total resection "
                "and the conversation with the patient. " + NOT_FOR,
                "Users.",
            ),
            Paragraph(
                f"Being {m['outcome']}: death from any cause within {h} days of the operation counts as "
                f"the event. Patients last seen alive before day {h} have an unknown status and are "
                "handled by censoring weights in training (see Method).",
                "Outcome and horizon.",
            ),
        ),
    )


def predictors() -> list[Section]:
    rows = [
        (
            f.label,
            f.name,
            f.help,
            "see the scale below"
            if f in (KPS, MCCORMICK)
            else "; ".join(f"{c.label}: {c.description}" for c in f.choices),
        )
        for f in FEATURES
    ]
    overview = table(
        "The five inputs, all assessed before surgery",
        ("Predictor", "Input name", "What counts and how to measure it", "Values"),
        rows,
        wide=True,
    )
    scales = [
        table(
            f"{f.label} ({f.source})",
            ("Value" if f is KPS else "Grade", "Meaning"),
            [(c.label, c.description) for c in f.choices],
            numeric=(0,) if f is KPS else (),
        )
        for f in (KPS, MCCORMICK)
    ]
    return [
        Section("predictors", "The predictors", (overview,)),
        Section("scales", "The two graded scales", tuple(scales), level=3),
    ]


def input_handling(m: dict) -> Section:
    """TRIPOD+AI: what the deployed calculator does with bad, missing or out-of-range input."""
    cohort, support = m["cohort"], m.get("support")
    items = [
        Paragraph(
            "The form preselects nothing and the API requires every field. A missing input is an "
            "error shown next to its field (form) or named in the 400 response's errors (API); "
            "nothing is imputed or filled with a default at prediction time.",
            "All five inputs are required.",
        ),
        Paragraph(
            "Anything else is refused with a message saying what is expected, never silently "
            "replaced. KPS, for example, must be "
            + EXPECTED["kps"]
            + "; the McCormick grade "
            + EXPECTED["mccormick_grade"]
            + "; an unknown field is an error too.",
            "Only the declared values are accepted.",
        ),
    ]
    if support:
        absent, rare = coverage(support)
        text = (
            f"The estimate is still given, with a warning, when the patient's value was seen in fewer "
            f"than {RARE_VALUE} patients of the fitting cohort (or a pair of values in fewer than "
            f"{RARE_PAIR}); for a value no patient had, the warning says the estimate is an "
            "extrapolation, not a summary of data."
        )
        text += f" In this cohort no patient had {either(absent, 'or')}." if absent else ""
        text += f" Fewer than {RARE_VALUE} had {either(rare, 'or')}." if rare else ""
        items.append(Paragraph(text, "Values outside or rare in the cohort."))
    excluded = cohort.get("excluded_missing") or {}
    missing = ", ".join(f"{k} missing in {v}" for k, v in excluded.items()) or "none"
    items.append(
        Paragraph(
            "Rows of the cohort file missing any predictor or the outcome are excluded before fitting "
            "(complete-case analysis; docs/cohort-schema.md says why and when to impute instead); a "
            "value that is not allowed is an error and the file is refused. This cohort: "
            f"{cohort['n_rows']} rows read, {cohort['n']} used; rows excluded for missing values: "
            f"{missing}.",
            "Missing values in training.",
        )
    )
    return Section("input-handling", "Missing, invalid and out-of-range input", (bullets(*items),))


def coverage(support: dict) -> tuple[list[str], list[str]]:
    """The input values no cohort patient had, and those fewer than RARE_VALUE had, in words."""
    absent, rare = [], []
    for feature in FEATURES:
        counts = support["marginal"].get(feature.name, {})
        for value in feature.values:
            key = str(value).lower() if isinstance(value, bool) else str(value)
            count = counts.get(key)
            if count == 0:
                absent.append(phrase(feature.name, value))
            elif count is not None and count < RARE_VALUE:
                rare.append(f"{phrase(feature.name, value)} ({count})")
    return absent, rare


def either(items: list[str], word: str) -> str:
    """'a, b or c'."""
    return items[0] if len(items) == 1 else f"{', '.join(items[:-1])} {word} {items[-1]}"
