"""What the calculator does with the input it gets: invalid, missing in training, not known yet,
ECOG instead of KPS (calculator.validation, calculator.forms, calculator.incomplete)."""

from __future__ import annotations

from calculator.features import ECOG_DESCRIPTIONS
from calculator.i18n import _
from calculator.model_card.blocks import Paragraph, Section, bullets, pooled, table
from calculator.model_card.support import no_number_section
from calculator.validation import EXPECTED


def input_sections(m: dict) -> list[Section]:
    return [s for s in (input_handling(m), no_number_section(m), incomplete(m)) if s]


def input_handling(m: dict) -> Section:
    """TRIPOD+AI: what the deployed calculator does with bad, missing or out-of-range input."""
    items = [
        Paragraph(
            _(
                "The form preselects nothing and the API requires every field. A field left unanswered is "
                "an error shown next to it (form) or named in the 400 response's errors (API); nothing is "
                "filled with a default. KPS, other metastases and the McCormick grade may be answered 'not "
                "known yet' (JSON null), explicitly; KPS may be given as ECOG instead (see Incomplete "
                "information). Resection and compartment are always required."
            ),
            _("Every input is answered."),
        ),
        Paragraph(
            _(
                "Anything else is refused with a message saying what is expected, never silently "
                "replaced. KPS, for example, must be %(kps)s; the McCormick grade %(grade)s; an unknown "
                "field is an error too.",
                kps=_(EXPECTED["kps"]),
                grade=_(EXPECTED["mccormick_grade"]),
            ),
            _("Only the declared values are accepted."),
        ),
    ]
    if not pooled(m):
        items.append(Paragraph(missing_in_training(m["cohort"]), _("Missing values in training.")))
    return Section("input-handling", _("Missing, invalid and out-of-range input"), (bullets(*items),))


def missing_in_training(cohort: dict) -> str:
    """Complete-case analysis, with the rows this cohort lost per predictor."""
    excluded = cohort.get("excluded_missing") or {}
    # TRANSLATORS: an item of a list, e.g. "kps missing in 3"; the input's name is not translated.
    missing = ", ".join(_("%(input)s missing in %(rows)s", input=k, rows=v) for k, v in excluded.items())
    # TRANSLATORS: no rows were excluded for missing values.
    missing = missing or _("none")
    return _(
        "Rows of the cohort file missing any predictor or the outcome are excluded before fitting "
        "(complete-case analysis; docs/cohort-schema.md says why and when to impute instead); a value "
        "that is not allowed is an error and the file is refused. This cohort: %(rows)s rows read, "
        "%(n)s used; rows excluded for missing values: %(missing)s.",
        rows=cohort["n_rows"],
        n=cohort["n"],
        missing=missing,
    )


def incomplete(m: dict) -> Section:
    blocks = [Paragraph(not_known_yet(m), _("Not known yet."))]
    ecog = m.get("ecog")
    if ecog:
        blocks += [
            Paragraph(
                _(
                    "ECOG performance status is used as its band of KPS values (%(source)s), averaged over "
                    "the band in the same way, never as one KPS value: the two scales agree only "
                    "approximately (Prasad et al., World J Clin Oncol 2018;9:140-147, 5844 paired "
                    "assessments). The page shows the range of the estimate over the band.",
                    source=ecog["source"],
                ),
                _("ECOG instead of KPS."),
            ),
            table(
                _("ECOG grade and the KPS values it stands for"),
                (_("ECOG"), _("Meaning"), _("KPS values used")),
                [
                    (
                        grade,
                        _(ECOG_DESCRIPTIONS[int(grade)]) if int(grade) in ECOG_DESCRIPTIONS else "",
                        ", ".join(str(k) for k in band),
                    )
                    for grade, band in ecog["kps_band"].items()
                ],
                numeric=(0,),
            ),
        ]
    return Section("incomplete", _("Incomplete information: not known yet, and ECOG"), tuple(blocks), level=3)


def not_known_yet(m: dict) -> str:
    """How an input not known yet is averaged over; the patients behind the model differ by kind."""
    n = m["model"]["interval"]["draws"]
    if pooled(m):
        return _(
            "An input not known yet is averaged over: each value it could take is weighted by how often "
            "it occurs together with the patient's known inputs among the patients behind the model (the "
            "reconstructions of the published series; the support table), and only combinations the "
            "evidence covers take part. The estimate is the weighted mean of their estimates. Its 95%% "
            "interval is the 2.5th to 97.5th percentile of the mixture over the %(n)s draws and those "
            "values, so it also covers where the estimate could lie once the input is known. The page "
            "shows that range: the lowest and highest estimate over the input's possible values.",
            n=n,
        )
    return _(
        "An input not known yet is averaged over: each value it could take is weighted by how often it "
        "occurs together with the patient's known inputs among the patients behind the model (the cohort "
        "the model was fitted on; the support table), and only combinations the evidence covers take "
        "part. The estimate is the weighted mean of their estimates. Its 95%% interval is the 2.5th to "
        "97.5th percentile of the mixture over the %(n)s bootstrap refits and those values, so it also "
        "covers where the estimate could lie once the input is known. The page shows that range: the "
        "lowest and highest estimate over the input's possible values.",
        n=n,
    )
