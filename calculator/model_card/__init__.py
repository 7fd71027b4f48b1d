"""The model card: what the model is, where its data comes from and how far to trust it.

`build_card(manifest)` turns a model manifest (docs/manifest.md) into sections of plain blocks.
The /model page renders them as HTML (templates/model.html); `card_markdown` writes the same
card as Markdown (docs/model-card.md, by `python -m training card`). Every number is read from the
manifest. Pure: no Flask, no I/O. Works for the synthetic default (with its `reconstruction`) and
for a registry-fitted model (without it); parts of `metrics` that a manifest lacks are left out.
Raises KeyError when the manifest lacks a key the loader also requires, or `cohort`, `model`,
`outcome` or `reference_predictions`.
"""

from __future__ import annotations

from calculator.model_card.blocks import Card, Paragraph, Section, table
from calculator.model_card.data import data_sections
from calculator.model_card.limits import limitations
from calculator.model_card.markdown import card_markdown
from calculator.model_card.method import by_hand, model_sections, worked_profile
from calculator.model_card.performance import performance_sections
from calculator.model_card.use import input_handling, intended_use, predictors, summary

TITLE = "Model card: 90-day survival after surgery for intradural spinal metastases"

__all__ = ["Card", "build_card", "by_hand", "card_markdown", "worked_profile"]


def build_card(manifest: dict) -> Card:
    m = manifest
    return Card(
        TITLE,
        (
            summary(m),
            intended_use(m),
            *predictors(),
            input_handling(m),
            *data_sections(m),
            *model_sections(m),
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
        ("Cohort file", m["cohort"]["file"]),
        ("Cohort SHA-256", m["cohort"]["sha256"]),
        ("Seed (CV folds and bootstrap)", m.get("seed", "—")),
    ]
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
                "With the same cohort file, seed and library versions, python -m training fit writes the "
                "same artifact byte for byte; the app refuses to load an artifact whose SHA-256 differs."
            ),
        ),
    )
