"""The model card: what the model is, where its data comes from and how far to trust it.

`build_card(manifest)` turns a model manifest (docs/manifest.md) into sections of plain blocks.
The /model page renders them as HTML (templates/model.html); `card_markdown` writes the same
card as Markdown (docs/model-card.md, by `python -m training card`). Every number is read from the
manifest. Pure: no Flask, no I/O. Works for the synthetic default (with its `reconstruction`) and
for a registry-fitted model (without it); parts of `metrics` that a manifest lacks are left out.
Raises KeyError when the manifest lacks a key the loader also requires, or `cohort`, `model`
(with `coefficients.pooled` and `interval.draws`), `outcome` or `reference_predictions`.

Order: the two-minute summary, then the extent of resection (the question a case conference
brings), then what a surgeon checks before trusting a number (use, inputs, data), then what a
statistician checks (method, formula, performance), then limitations and version.
"""

from __future__ import annotations

from calculator.model_card.blocks import Card, Paragraph, Section, pooled, table
from calculator.model_card.data import data_sections
from calculator.model_card.formula import (
    by_hand,
    coefficients_section,
    estimates,
    worked_example,
    worked_profile,
)
from calculator.model_card.inputs import input_sections
from calculator.model_card.limits import limitations
from calculator.model_card.markdown import card_markdown
from calculator.model_card.method import method_sections
from calculator.model_card.performance import performance_sections
from calculator.model_card.resection import resection_sections
from calculator.model_card.use import intended_use, predictors, summary

TITLE = "Model card: 90-day survival after surgery for intradural spinal metastases"

__all__ = ["Card", "build_card", "by_hand", "card_markdown", "estimates", "worked_profile"]


def build_card(manifest: dict) -> Card:
    m = manifest
    return Card(
        TITLE,
        (
            summary(m),
            *resection_sections(m),
            intended_use(m),
            *predictors(),
            *input_sections(m),
            *data_sections(m),
            *method_sections(m),
            coefficients_section(m),
            worked_example(m),
            *performance_sections(m),
            limitations(m),
            version(m),
        ),
    )


def version(m: dict) -> Section:
    rows = [
        ("Model version", m["version"]),
        ("Artifact", m["artifact"]),
        ("Artifact SHA-256", m["sha256"]),
        ("Example reconstruction (one draw)" if pooled(m) else "Cohort file", m["cohort"]["file"]),
        ("Its SHA-256" if pooled(m) else "Cohort SHA-256", m["cohort"]["sha256"]),
        (
            "Master seed (draws, choice of C, validation)" if pooled(m) else "Seed (CV folds and bootstrap)",
            m.get("seed", "—"),
        ),
    ]
    if pooled(m):
        rows.append(("Reconstructions pooled", m["cohort"]["reconstructions"]))
    rows += [(f"{name} version", v) for name, v in m["versions"].items()]
    rec = m.get("reconstruction")
    if rec:
        rows.append(("Cohort made by", rec["generator"]))
        rows += [(f"Evidence file {name} SHA-256", h) for name, h in rec["evidence_sha256"].items()]
    return Section(
        "version",
        "Version and reproducibility",
        (
            table("Identity of this model", ("Item", "Value"), rows, wide=True),
            Paragraph(
                (
                    "With the same evidence files, master seed"
                    if pooled(m)
                    else "With the same cohort file, seed"
                )
                + " and library versions, python -m training fit writes the same artifact byte for byte; "
                "the app refuses to load an artifact whose SHA-256 differs."
            ),
        ),
    )
