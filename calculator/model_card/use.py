"""The card's first sections: at a glance, intended use, the predictors."""

from __future__ import annotations

from calculator.explain import SELECTION_CAVEAT
from calculator.features import FEATURES, KPS, MCCORMICK
from calculator.i18n import N_, _, ngettext
from calculator.model_card.blocks import Paragraph, Section, bullets, deaths, num, pooled, table
from calculator.model_card.resection import adjusted_sentence
from calculator.model_card.support import GRID

# Declared before any request (base.html shows them on every page): translated where shown, with _().
INTENDED_USE = N_(
    "Adults operated on, or considered for surgery, for an intradural spinal metastasis "
    "(intramedullary or intradural extramedullary), discussed at case conference by the treating team."
)
NOT_FOR = N_(
    "Not for patients with only extradural disease, not for triage or for deciding whether to treat "
    "at all, not a substitute for clinical judgement, and not for telling a patient how long they "
    "will live."
)


def summary(m: dict) -> Section:
    """For the surgeon with two minutes: what it estimates, for whom, how far to trust it."""
    metrics = m.get("metrics", {})
    items = [
        Paragraph(
            _(
                "The probability of being %(outcome)s, with a 95%% interval, from five inputs: %(inputs)s. "
                "KPS, other metastases and McCormick grade may be 'not known yet', and KPS may be given "
                "as ECOG: the estimate then averages over the possible values.",
                outcome=m["outcome"],
                inputs=", ".join(_(f.label) for f in FEATURES),
            ),
            _("What it estimates."),
        ),
        Paragraph(_(INTENDED_USE) + " " + _(NOT_FOR), _("For whom.")),
        Paragraph(fitted_on(m), _("Data.")),
        Paragraph(interval_line(m), _("What the interval holds.")),
        Paragraph(performance_line(m), _("How well it performs.")),
    ]
    if "sample_size" in metrics:
        items.append(Paragraph(sample_size_line(m), _("Sample size.")))
    items.append(Paragraph(adjusted_sentence(m) + " " + _(SELECTION_CAVEAT), _("Resection.")))
    rule = m.get("support", {}).get("rule")
    if rule:
        items.append(
            Paragraph(
                _(
                    "Where the evidence behind the model has essentially no patients with one of the "
                    "patient's values, or a pair of them, the calculator shows no number and says why: "
                    "%(covered)s of the %(grid)s combinations of the five inputs have one.",
                    covered=rule["covered_combinations"],
                    grid=GRID,
                ),
                _("No number without evidence."),
            )
        )
    return Section("at-a-glance", _("At a glance"), (bullets(*items),))


def fitted_on(m: dict) -> str:
    """The data the model is fitted on, in one or two sentences."""
    cohort = m["cohort"]
    if not m.get("synthetic"):
        return _(
            "Fitted on the registry cohort %(file)s: %(n)s patients, %(deaths)s, %(studies)s studies or "
            "sites. It has not been validated outside that registry (no external validation).",
            file=cohort["file"],
            n=cohort["n"],
            deaths=deaths(m),
            studies=len(cohort["studies"]),
        )
    series = sum(s["used_as"] == "patients" for s in m.get("reconstruction", {}).get("series", []))
    variables = {"n": cohort["n"], "deaths": deaths(m)}
    if pooled(m):
        variables["reconstructions"] = cohort["reconstructions"]
        if not series:
            return _(
                "Fitted on SYNTHETIC cohorts of %(n)s patients (%(deaths)s) reconstructed from the "
                "published figures of several surgical series, pooled over %(reconstructions)s "
                "reconstructions, each drawing every assumption from its stated uncertainty. No individual "
                "patient's data was used, and the model has not been validated on real patients.",
                **variables,
            )
        return ngettext(
            "Fitted on SYNTHETIC cohorts of %(n)s patients (%(deaths)s) reconstructed from the published "
            "figures of %(num)s surgical series, pooled over %(reconstructions)s reconstructions, each "
            "drawing every assumption from its stated uncertainty. No individual patient's data was used, "
            "and the model has not been validated on real patients.",
            "Fitted on SYNTHETIC cohorts of %(n)s patients (%(deaths)s) reconstructed from the published "
            "figures of %(num)s surgical series, pooled over %(reconstructions)s reconstructions, each "
            "drawing every assumption from its stated uncertainty. No individual patient's data was used, "
            "and the model has not been validated on real patients.",
            series,
            **variables,
        )
    if not series:
        return _(
            "Fitted on a SYNTHETIC cohort of %(n)s patients (%(deaths)s) reconstructed from the published "
            "figures of several surgical series. No individual patient's data was used, and the model has "
            "not been validated on real patients.",
            **variables,
        )
    return ngettext(
        "Fitted on a SYNTHETIC cohort of %(n)s patients (%(deaths)s) reconstructed from the published "
        "figures of %(num)s surgical series. No individual patient's data was used, and the model has "
        "not been validated on real patients.",
        "Fitted on a SYNTHETIC cohort of %(n)s patients (%(deaths)s) reconstructed from the published "
        "figures of %(num)s surgical series. No individual patient's data was used, and the model has "
        "not been validated on real patients.",
        series,
        **variables,
    )


def interval_line(m: dict) -> str:
    n = m["cohort"]["n"]
    if pooled(m):
        return _(
            "The sampling error of %(n)s patients, the stated uncertainty of every assumption and the "
            "randomness of reconstructing patients from summaries. Not: errors in the published figures, "
            "the choice of model, or how this hospital's patients differ from the published ones. The "
            "true uncertainty is wider.",
            n=n,
        )
    return _(
        "The sampling error of %(n)s patients. Not: errors in the data, the choice of model, or how "
        "other patients differ from these. The true uncertainty is wider.",
        n=n,
    )


def sample_size_line(m: dict) -> str:
    """Riley's statement (from the manifest, as training wrote it); for the pooled default, which
    reconstruction it counts."""
    statement = m["metrics"]["sample_size"]["statement"]
    if pooled(m) and "events_90d_range" in m["cohort"]:
        low, high = m["cohort"]["events_90d_range"]
        statement += " " + _(
            "(Counted on one reconstruction; deaths vary from %(low)s to %(high)s between them.)",
            low=low,
            high=high,
        )
    return statement


def performance_line(m: dict) -> str:
    metrics = m.get("metrics", {})
    corrected = metrics.get("optimism_corrected")
    apparent = num(metrics.get("apparent", {}).get("c_statistic"), 2)
    if not corrected:
        return _(
            "Only apparent performance was recorded (c-statistic %(apparent)s), measured on the fitting "
            "data itself: it is optimistic.",
            apparent=apparent,
        )
    return " ".join(
        (
            discrimination(m, num(corrected["c_statistic"], 2), apparent),
            _(
                "Optimism-corrected calibration slope %(slope)s (1 is ideal).",
                slope=num(corrected["calibration_slope"], 2),
            ),
            _("A c-statistic of 0.5 is chance, 1 perfect ranking."),
        )
    )


def discrimination(m: dict, corrected: str, apparent: str) -> str:
    """The c-statistics: optimism-corrected, apparent and, when measured, each study left out."""
    loso = m["metrics"].get("internal_external", {}).get("pooled", {})
    variables = {"corrected": corrected, "day": m["horizon_days"], "apparent": apparent}
    if "c_statistic" in loso:
        variables["loso"] = num(loso["c_statistic"], 2)
        if pooled(m):
            return _(
                "Optimism-corrected c-statistic %(corrected)s for death by day %(day)s (conservative: "
                "corrected for the optimism of a single fit); apparent %(apparent)s for the pooled model; "
                "each study predicted from the others: %(loso)s.",
                **variables,
            )
        return _(
            "Optimism-corrected c-statistic %(corrected)s for death by day %(day)s; apparent "
            "%(apparent)s; each study predicted from the others: %(loso)s.",
            **variables,
        )
    if pooled(m):
        return _(
            "Optimism-corrected c-statistic %(corrected)s for death by day %(day)s (conservative: "
            "corrected for the optimism of a single fit); apparent %(apparent)s for the pooled model.",
            **variables,
        )
    return _(
        "Optimism-corrected c-statistic %(corrected)s for death by day %(day)s; apparent %(apparent)s.",
        **variables,
    )


def intended_use(m: dict) -> Section:
    h = m["horizon_days"]
    return Section(
        "intended-use",
        _("Intended use, users and outcome"),
        (
            Paragraph(_(INTENDED_USE), _("Patients.")),
            Paragraph(
                _(
                    "The treating team (spine surgeon, oncologist, radiation oncologist) at a "
                    "multidisciplinary case conference, to inform the choice between biopsy, subtotal and "
                    "gross total resection and the conversation with the patient."
                )
                + " "
                + _(NOT_FOR),
                _("Users."),
            ),
            Paragraph(
                _(
                    "Being %(outcome)s: death from any cause within %(day)s days of the operation counts as "
                    "the event. Patients last seen alive before day %(day)s have an unknown status and are "
                    "handled by censoring weights in training (see Method).",
                    outcome=m["outcome"],
                    day=h,
                ),
                _("Outcome and horizon."),
            ),
        ),
    )


def predictors() -> list[Section]:
    rows = [
        (
            _(f.label),
            f.name,
            _(f.help),
            _("see the scale below")
            if f in (KPS, MCCORMICK)
            else "; ".join(f"{_(c.label)}: {_(c.description)}" for c in f.choices),
        )
        for f in FEATURES
    ]
    overview = table(
        _("The five inputs, all assessed before surgery"),
        (_("Predictor"), _("Input name"), _("What counts and how to measure it"), _("Values")),
        rows,
        wide=True,
    )
    scales = [
        table(
            f"{_(f.label)} ({f.source})",
            (_("Value") if f is KPS else _("Grade"), _("Meaning")),
            [(_(c.label), _(c.description)) for c in f.choices],
            numeric=(0,) if f is KPS else (),
        )
        for f in (KPS, MCCORMICK)
    ]
    return [
        Section("predictors", _("The predictors"), (overview,)),
        Section("scales", _("The two graded scales"), tuple(scales), level=3),
    ]
