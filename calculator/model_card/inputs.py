"""What the calculator does with the input it gets: invalid, missing in training, not known yet,
ECOG instead of KPS (calculator.validation, calculator.forms, calculator.incomplete)."""

from __future__ import annotations

from calculator.features import ECOG_DESCRIPTIONS
from calculator.model_card.blocks import Paragraph, Section, bullets, draws_named, pooled, table
from calculator.model_card.support import no_number_section
from calculator.validation import EXPECTED

PRASAD = (
    "the two scales agree only approximately (Prasad et al., World J Clin Oncol 2018;9:140-147, "
    "5844 paired assessments)"
)


def input_sections(m: dict) -> list[Section]:
    return [s for s in (input_handling(m), no_number_section(m), incomplete(m)) if s]


def input_handling(m: dict) -> Section:
    """TRIPOD+AI: what the deployed calculator does with bad, missing or out-of-range input."""
    cohort = m["cohort"]
    items = [
        Paragraph(
            "The form preselects nothing and the API requires every field. A field left unanswered is "
            "an error shown next to it (form) or named in the 400 response's errors (API); nothing is "
            "filled with a default. KPS, other metastases and the McCormick grade may be answered 'not "
            "known yet' (JSON null), explicitly; "
            "KPS may be given as ECOG instead (see Incomplete information). Resection and compartment "
            "are always required.",
            "Every input is answered.",
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
    if not pooled(m):
        excluded = cohort.get("excluded_missing") or {}
        missing = ", ".join(f"{k} missing in {v}" for k, v in excluded.items()) or "none"
        items.append(
            Paragraph(
                "Rows of the cohort file missing any predictor or the outcome are excluded before "
                "fitting (complete-case analysis; docs/cohort-schema.md says why and when to impute "
                "instead); a value that is not allowed is an error and the file is refused. This cohort: "
                f"{cohort['n_rows']} rows read, {cohort['n']} used; rows excluded for missing values: "
                f"{missing}.",
                "Missing values in training.",
            )
        )
    return Section("input-handling", "Missing, invalid and out-of-range input", (bullets(*items),))


def incomplete(m: dict) -> Section:
    behind = (
        "the reconstructions of the published series" if pooled(m) else "the cohort the model was fitted on"
    )
    blocks = [
        Paragraph(
            "An input not known yet is averaged over: each value it could take is weighted by how often "
            f"it occurs together with the patient's known inputs among the patients behind the model "
            f"({behind}; the support table), and only combinations the evidence covers take part. The "
            "estimate is the weighted mean of their estimates. Its 95% interval is the 2.5th to 97.5th "
            f"percentile of the mixture over the {draws_named(m)} and those values, so it also covers "
            "where the estimate "
            "could lie once the input is known. The page shows that range: the lowest and highest "
            "estimate over the input's possible values.",
            "Not known yet.",
        )
    ]
    ecog = m.get("ecog")
    if ecog:
        blocks += [
            Paragraph(
                f"ECOG performance status is used as its band of KPS values ({ecog['source']}), averaged "
                f"over the band in the same way, never as one KPS value: {PRASAD}. The page shows the "
                "range of the estimate over the band.",
                "ECOG instead of KPS.",
            ),
            table(
                "ECOG grade and the KPS values it stands for",
                ("ECOG", "Meaning", "KPS values used"),
                [
                    (grade, ECOG_DESCRIPTIONS.get(int(grade), ""), ", ".join(str(k) for k in band))
                    for grade, band in ecog["kps_band"].items()
                ],
                numeric=(0,),
            ),
        ]
    return Section("incomplete", "Incomplete information: not known yet, and ECOG", tuple(blocks), level=3)
