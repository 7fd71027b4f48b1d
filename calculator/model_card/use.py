"""The card's first sections: at a glance, intended use, the predictors."""

from __future__ import annotations

from calculator.explain import SELECTION_CAVEAT
from calculator.features import FEATURES, KPS, MCCORMICK
from calculator.model_card.blocks import Paragraph, Section, bullets, deaths, num, pooled, table
from calculator.model_card.resection import adjusted_sentence
from calculator.model_card.support import GRID

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
        how = (
            f", pooled over {cohort['reconstructions']} reconstructions, each drawing every assumption "
            "from its stated uncertainty"
            if pooled(m)
            else ""
        )
        data = (
            f"{'SYNTHETIC cohorts' if pooled(m) else 'a SYNTHETIC cohort'} of {cohort['n']} patients "
            f"({deaths(m)}) reconstructed from the published figures of {series or 'several'} surgical "
            f"series{how}. No individual patient's data was "
            "used, and the model has not been validated on real patients."
        )
    else:
        data = (
            f"the registry cohort {cohort['file']}: {cohort['n']} patients, {deaths(m)}, "
            f"{len(cohort['studies'])} studies or sites. It has not been validated outside that registry "
            "(no external validation)."
        )
    items = [
        Paragraph(
            f"The probability of being {m['outcome']}, with a 95% interval, from five inputs: {inputs}. "
            "KPS, other metastases and McCormick grade may be 'not known yet', and KPS may be given as "
            "ECOG: the estimate then averages over the possible values.",
            "What it estimates.",
        ),
        Paragraph(INTENDED_USE + " " + NOT_FOR, "For whom."),
        Paragraph("Fitted on " + data, "Data."),
        Paragraph(interval_line(m), "What the interval holds."),
        Paragraph(performance_line(m), "How well it performs."),
    ]
    if "sample_size" in metrics:
        items.append(Paragraph(sample_size_line(m), "Sample size."))
    items.append(Paragraph(adjusted_sentence(m) + " " + SELECTION_CAVEAT, "Resection."))
    rule = m.get("support", {}).get("rule")
    if rule:
        items.append(
            Paragraph(
                "Where the evidence behind the model has essentially no patients with one of the "
                "patient's values, or a pair of them, the calculator shows no number and says why: "
                f"{rule['covered_combinations']} of the {GRID} combinations of the five inputs have one.",
                "No number without evidence.",
            )
        )
    return Section("at-a-glance", "At a glance", (bullets(*items),))


def interval_line(m: dict) -> str:
    n = m["cohort"]["n"]
    if pooled(m):
        return (
            f"The sampling error of {n} patients, the stated uncertainty of every assumption and the "
            "randomness of reconstructing patients from summaries. Not: errors in the published figures, "
            "the choice of model, or how this hospital's patients differ from the published ones. The "
            "true uncertainty is wider."
        )
    return (
        f"The sampling error of {n} patients. Not: errors in the data, the choice of model, or how "
        "other patients differ from these. The true uncertainty is wider."
    )


def sample_size_line(m: dict) -> str:
    """Riley's statement; for the pooled default, which reconstruction it counts."""
    statement = m["metrics"]["sample_size"]["statement"]
    if pooled(m) and "events_90d_range" in m["cohort"]:
        low, high = m["cohort"]["events_90d_range"]
        statement += f" (Counted on one reconstruction; deaths vary from {low} to {high} between them.)"
    return statement


def performance_line(m: dict) -> str:
    metrics = m.get("metrics", {})
    corrected = metrics.get("optimism_corrected")
    apparent = metrics.get("apparent", {})
    if not corrected:
        return (
            f"Only apparent performance was recorded (c-statistic {num(apparent.get('c_statistic'), 2)}), "
            "measured on the fitting data itself: it is optimistic."
        )
    text = (
        f"Optimism-corrected c-statistic {num(corrected['c_statistic'], 2)} for death by day "
        f"{m['horizon_days']}"
        + (" (conservative: corrected for the optimism of a single fit)" if pooled(m) else "")
        + f"; apparent {num(apparent.get('c_statistic'), 2)}"
        + (" for the pooled model" if pooled(m) else "")
    )
    loso = metrics.get("internal_external", {}).get("pooled", {})
    if "c_statistic" in loso:
        text += f"; each study predicted from the others: {num(loso['c_statistic'], 2)}"
    return text + (
        f". Optimism-corrected calibration slope {num(corrected['calibration_slope'], 2)} (1 is ideal). "
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
