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

from calculator.i18n import N_, _
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

TITLE = N_("Model card: 90-day survival after surgery for intradural spinal metastases")

__all__ = ["Card", "build_card", "by_hand", "card_markdown", "estimates", "worked_profile"]


def build_card(manifest: dict) -> Card:
    m = manifest
    return Card(
        _(TITLE),
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
        (_("Model version"), m["version"]),
        (_("Artifact"), m["artifact"]),
        (_("Artifact SHA-256"), m["sha256"]),
        *cohort_identity(m),
    ]
    # TRANSLATORS: a table row: the version of a library (e.g. "numpy version"); the name is not translated.
    rows += [(_("%(library)s version", library=name), v) for name, v in m["versions"].items()]
    rec = m.get("reconstruction")
    if rec:
        rows.append((_("Cohort made by"), rec["generator"]))
        rows += [
            (_("Evidence file %(file)s SHA-256", file=name), h) for name, h in rec["evidence_sha256"].items()
        ]
    return Section(
        "version",
        _("Version and reproducibility"),
        (
            table(_("Identity of this model"), (_("Item"), _("Value")), rows, wide=True),
            Paragraph(reproducible(m)),
        ),
    )


def cohort_identity(m: dict) -> list[tuple[str, str]]:
    """The rows naming the data and the seed: the example reconstruction for the pooled default,
    the cohort file for a cohort fit."""
    cohort, seed = m["cohort"], m.get("seed", "—")
    if pooled(m):
        return [
            (_("Example reconstruction (one draw)"), cohort["file"]),
            # TRANSLATORS: the SHA-256 hash of the example reconstruction named in the row above.
            (_("Its SHA-256"), cohort["sha256"]),
            (_("Master seed (draws, choice of C, validation)"), seed),
            (_("Reconstructions pooled"), cohort["reconstructions"]),
        ]
    return [
        (_("Cohort file"), cohort["file"]),
        (_("Cohort SHA-256"), cohort["sha256"]),
        (_("Seed (CV folds and bootstrap)"), seed),
    ]


def reproducible(m: dict) -> str:
    if pooled(m):
        return _(
            "With the same evidence files, master seed and library versions, python -m training fit "
            "writes the same artifact byte for byte; the app refuses to load an artifact whose SHA-256 "
            "differs."
        )
    return _(
        "With the same cohort file, seed and library versions, python -m training fit writes the same "
        "artifact byte for byte; the app refuses to load an artifact whose SHA-256 differs."
    )
