"""What the model cannot do, in plain words, with the figures that say so."""

from __future__ import annotations

from calculator.explain import SELECTION_CAVEAT
from calculator.i18n import N_, _
from calculator.model_card.blocks import Paragraph, Section, bullets, deaths, plain, pooled
from calculator.model_card.resection import adjusted_sentence

# Reconstruction parameters whose hazard ratios were borrowed: each an item of a list, saying what it
# measures, without and with the distribution each draw takes it from (translated where shown).
BORROWED = {
    "hr_kps_per_10_points": (
        N_("hazard ratio %(value)s per 10 KPS points (%(source)s)"),
        N_("hazard ratio %(value)s per 10 KPS points (%(source)s; drawn from: %(distribution)s)"),
    ),
    "hr_other_metastases": (
        N_("hazard ratio %(value)s for other metastases (%(source)s)"),
        N_("hazard ratio %(value)s for other metastases (%(source)s; drawn from: %(distribution)s)"),
    ),
    "hr_non_ambulatory_general": (
        N_("hazard ratio %(value)s for non-ambulatory vs ambulatory patients (%(source)s)"),
        N_(
            "hazard ratio %(value)s for non-ambulatory vs ambulatory patients (%(source)s; drawn from: "
            "%(distribution)s)"
        ),
    ),
    "hr_neuro_deficit_intradural": (
        N_("hazard ratio %(value)s for a neurological deficit (the one intradural figure) (%(source)s)"),
        N_(
            "hazard ratio %(value)s for a neurological deficit (the one intradural figure) (%(source)s; "
            "drawn from: %(distribution)s)"
        ),
    ),
}


def borrowed_effect(name: str, p: dict) -> str:
    """One borrowed hazard ratio with its source (and, when drawn, its distribution)."""
    plain_text, drawn_text = BORROWED[name]
    if "distribution" in p:
        return _(
            drawn_text, value=plain(p["value"]), source=p["source"], distribution=p["distribution"]["text"]
        )
    return _(plain_text, value=plain(p["value"]), source=p["source"])


def small_cohort(m: dict) -> str:
    cohort = m["cohort"]
    # TRANSLATORS: a sentence on its own, e.g. "172 patients, 52 deaths by day 90."
    sentences = [_("%(n)s patients, %(deaths)s.", n=cohort["n"], deaths=deaths(m))]
    if "sample_size" in m.get("metrics", {}):
        sentences.append(m["metrics"]["sample_size"]["statement"])  # the manifest's, as training wrote it
        if pooled(m):
            sentences.append(_("(Counted on one reconstruction.)"))
    sentences.append(_("Every estimate is uncertain, and more so at the extremes."))
    return " ".join(sentences)


def limitations(m: dict) -> Section:
    h = m["horizon_days"]
    items = [Paragraph(small_cohort(m), _("Small cohort."))]
    rec = m.get("reconstruction")
    if m.get("synthetic"):
        items.append(
            Paragraph(
                _(
                    "No patient in the cohort is real. Only each series' published summary figures "
                    "constrain it; how the inputs go together within a patient, and their effects on "
                    "survival, are assumptions (see Where the data comes from). The coefficients largely "
                    "return the effects put into the reconstruction, and the internal validation measures "
                    "the fit to that construction."
                ),
                _("Reconstructed from summary figures."),
            )
        )
    if rec:
        params = {p["name"]: p for p in rec["parameters"]}
        borrowed = [borrowed_effect(n, params[n]) for n in BORROWED if n in params]
        if borrowed:
            items.append(
                Paragraph(
                    _(
                        "The effects of KPS, other metastases and neurological function come mostly from "
                        "general spinal-metastasis cohorts, not intradural ones: %(effects)s.",
                        effects="; ".join(borrowed),
                    ),
                    _("Effect sizes borrowed."),
                )
            )
    items.append(Paragraph(no_external_validation(m), _("No external validation.")))
    resection = " ".join((_(SELECTION_CAVEAT), adjusted_sentence(m), _("(Extent of resection, above.)")))
    items.append(Paragraph(resection, _("Confounding by indication of the resection variable.")))
    items.append(
        Paragraph(
            _(
                "The data record the resection achieved; the calculator asks for the one planned. Neither "
                "the estimates nor their intervals account for a planned resection that ends less complete "
                "(Achieved vs planned resection, above)."
            ),
            _("Achieved, not planned, resection."),
        )
    )
    form = [
        _(
            "KPS and McCormick grade act linearly on the log odds, with no interactions. Estimates for "
            "values or pairs of values rare in the evidence rest mostly on this form (the page warns); "
            "where the evidence has essentially no patients the calculator shows no number."
        )
    ]
    if not m.get("synthetic"):
        form.append(_("Training is complete-case, unbiased only if values are missing at random."))
    items += [
        Paragraph(
            _(
                "Age and primary tumour histology, prognostic in spinal metastases generally, are not "
                "inputs: the published intradural series report them only as summaries, not alongside the "
                "other inputs patient by patient. The estimate does not adjust for them."
            ),
            _("No age or histology."),
        ),
        Paragraph(" ".join(form), _("Model form and data handling.")),
        Paragraph(
            _(
                "Survival to day %(day)s only: not functional outcome, complications or longer-term "
                "survival.",
                day=h,
            ),
            _("One outcome."),
        ),
    ]
    return Section("limitations", _("Limitations"), (bullets(*items),))


def no_external_validation(m: dict) -> str:
    if m.get("synthetic"):
        return _(
            "The model has not been validated on real patients outside its own data. Leaving one study out "
            "at a time tests how it carries between the studies it was built from, which here are "
            "reconstructed, not how it performs in another hospital. A hospital can measure that on its "
            "own registry (python -m training validate, README) before relying on it."
        )
    return _(
        "The model has not been validated on real patients outside its own data. Leaving one study out at "
        "a time tests how it carries between the studies it was built from, not how it performs in another "
        "hospital. A hospital can measure that on its own registry (python -m training validate, README) "
        "before relying on it."
    )
