"""What the model cannot do, in plain words, with the figures that say so."""

from __future__ import annotations

from calculator.explain import SELECTION_CAVEAT
from calculator.model_card.blocks import Paragraph, Section, bullets, deaths, plain, pooled
from calculator.model_card.resection import adjusted_sentence

# Reconstruction parameters whose hazard ratios were borrowed; the label says what each measures.
BORROWED = {
    "hr_kps_per_10_points": "per 10 KPS points",
    "hr_other_metastases": "for other metastases",
    "hr_non_ambulatory_general": "for non-ambulatory vs ambulatory patients",
    "hr_neuro_deficit_intradural": "for a neurological deficit (the one intradural figure)",
}


def limitations(m: dict) -> Section:
    cohort, h = m["cohort"], m["horizon_days"]
    small = f"{cohort['n']} patients, {deaths(m)}."
    if "sample_size" in m.get("metrics", {}):
        small += " " + m["metrics"]["sample_size"]["statement"]
        small += " (Counted on one reconstruction.)" if pooled(m) else ""
    items = [Paragraph(small + " Every estimate is uncertain, and more so at the extremes.", "Small cohort.")]
    rec = m.get("reconstruction")
    if m.get("synthetic"):
        items.append(
            Paragraph(
                "No patient in the cohort is real. Only each series' published summary figures constrain "
                "it; how the inputs go together within a patient, and their effects on survival, are "
                "assumptions (see Where the data comes from). The coefficients largely return the "
                "effects put into the reconstruction, and the internal validation measures the fit to "
                "that construction.",
                "Reconstructed from summary figures.",
            )
        )
    if rec:
        params = {p["name"]: p for p in rec["parameters"]}
        borrowed = [
            f"hazard ratio {plain(params[n]['value'])} {what} ({params[n]['source']}"
            + (f"; drawn from: {params[n]['distribution']['text']}" if "distribution" in params[n] else "")
            + ")"
            for n, what in BORROWED.items()
            if n in params
        ]
        if borrowed:
            items.append(
                Paragraph(
                    "The effects of KPS, other metastases and neurological function come mostly from "
                    "general spinal-metastasis cohorts, not intradural ones: " + "; ".join(borrowed) + ".",
                    "Effect sizes borrowed.",
                )
            )
    items.append(
        Paragraph(
            "The model has not been validated on real patients outside its own data. Leaving one study "
            "out at a time tests how it carries between the studies it was built from"
            + (", which here are reconstructed," if m.get("synthetic") else "")
            + " not how it performs in another hospital. A hospital can measure that on its own registry "
            "(python -m training validate, README) before relying on it.",
            "No external validation.",
        )
    )
    resection = f"{SELECTION_CAVEAT} {adjusted_sentence(m)} (Extent of resection, above.)"
    items.append(Paragraph(resection, "Confounding by indication of the resection variable."))
    items.append(
        Paragraph(
            "The data record the resection achieved; the calculator asks for the one planned. Neither the "
            "estimates nor their intervals account for a planned resection that ends less complete "
            "(Achieved vs planned resection, above).",
            "Achieved, not planned, resection.",
        )
    )
    items += [
        Paragraph(
            "Age and primary tumour histology, prognostic in spinal metastases generally, are not inputs: "
            "the published intradural series report them only as summaries, not alongside the other "
            "inputs patient by patient. The estimate does not adjust for them.",
            "No age or histology.",
        ),
        Paragraph(
            "KPS and McCormick grade act linearly on the log odds, with no interactions. Estimates for "
            "values or pairs of values rare in the evidence rest mostly on this form (the page warns); "
            "where the evidence has essentially no patients the calculator shows no number."
            + (
                ""
                if m.get("synthetic")
                else " Training is complete-case, unbiased only if values are missing at random."
            ),
            "Model form and data handling.",
        ),
        Paragraph(
            f"Survival to day {h} only: not functional outcome, complications or longer-term survival.",
            "One outcome.",
        ),
    ]
    return Section("limitations", "Limitations", (bullets(*items),))
