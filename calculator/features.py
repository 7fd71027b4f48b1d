"""The five predictors, the outcome and the horizon, declared once.

Both sides import this module: `training/` to validate cohort files and build the model frame,
`calculator/` to build the form, validate API input and explain estimates. It imports nothing
beyond the standard library, so it is cheap to import anywhere.
"""

from __future__ import annotations

from dataclasses import dataclass


def N_(message: str) -> str:  # noqa: N802 (the gettext convention's name)
    """Mark text for translation without translating it: the labels below are declared before any
    request and stay English here (training and the API use them as they are); the page translates
    them where it shows them (calculator.i18n, which re-exports this marker)."""
    return message


HORIZON_DAYS = 90  # the outcome: alive 90 days after surgery


@dataclass(frozen=True)
class Choice:
    value: int | bool | str
    label: str  # short text for a form control or a table
    description: str = ""  # the standard definition, shown beside the label


@dataclass(frozen=True)
class Feature:
    name: str  # column in a cohort file, key in the API, field name in the form
    label: str
    help: str  # what counts, in words a clinician uses
    choices: tuple[Choice, ...]
    source: str = ""  # where the scale and its wording come from, for a graded scale

    @property
    def values(self) -> tuple:
        return tuple(c.value for c in self.choices)

    def choice(self, value) -> Choice:
        for c in self.choices:
            if c.value == value and type(c.value) is type(value):
                return c
        raise KeyError(f"{self.name}: {value!r} is not one of {self.values}")


# Karnofsky performance status, standard wording.
KPS = Feature(
    name="kps",
    label=N_("Karnofsky performance status (KPS)"),
    help=N_("Preoperative KPS, 10 to 100 in steps of 10."),
    choices=tuple(
        Choice(v, str(v), d)
        for v, d in [
            (100, N_("Normal; no complaints; no evidence of disease")),
            (90, N_("Able to carry on normal activity; minor signs or symptoms")),
            (80, N_("Normal activity with effort; some signs or symptoms")),
            (70, N_("Cares for self; unable to carry on normal activity or do active work")),
            (60, N_("Requires occasional assistance; cares for most personal needs")),
            (50, N_("Requires considerable assistance and frequent medical care")),
            (40, N_("Disabled; requires special care and assistance")),
            (30, N_("Severely disabled; hospital admission indicated, death not imminent")),
            (20, N_("Very sick; hospital admission and active supportive treatment necessary")),
            (10, N_("Moribund; fatal processes progressing rapidly")),
        ]
    ),
    source="Karnofsky & Burchenal 1949",
)

OTHER_METASTASES = Feature(
    name="other_metastases",
    label=N_("Other metastases"),
    help=N_(
        "Systemic metastases beyond the operated intradural lesion: visceral, bone, brain or "
        "other spinal metastases known at the time of surgery. The primary tumour itself does "
        "not count."
    ),
    choices=(
        Choice(False, N_("No"), N_("No known metastases beyond the operated lesion")),
        Choice(True, N_("Yes"), N_("One or more metastases beyond the operated lesion")),
    ),
)

# Modified McCormick scale, preoperative.
MCCORMICK = Feature(
    name="mccormick_grade",
    label=N_("Modified McCormick grade (preoperative)"),
    help=N_("Neurological function before surgery, grade I (intact) to V (paraplegia/tetraplegia)."),
    choices=(
        Choice(1, "I", N_("Neurologically intact; ambulates normally; may have minimal dysaesthesia")),
        Choice(2, "II", N_("Mild motor or sensory deficit; functionally independent")),
        Choice(3, "III", N_("Moderate deficit; limited function; independent with external aid")),
        Choice(4, "IV", N_("Severe motor or sensory deficit; limited function; dependent")),
        Choice(5, "V", N_("Paraplegia or tetraplegia, even with flickering movement")),
    ),
    source="McCormick et al., J Neurosurg 1990",
)

RESECTION = Feature(
    name="resection",
    label=N_("Planned resection"),
    help=N_("The operation under discussion for the intradural lesion."),
    choices=(
        Choice("biopsy", N_("Biopsy"), N_("Open biopsy only")),
        Choice("subtotal", N_("Subtotal resection"), N_("Partial or subtotal resection")),
        Choice("gross_total", N_("Gross total resection"), N_("Complete (gross total) resection")),
    ),
)

COMPARTMENT = Feature(
    name="compartment",
    label=N_("Compartment"),
    help=N_("Where the lesion lies inside the dura."),
    choices=(
        Choice("intramedullary", N_("Intramedullary"), N_("Within the spinal cord (ISCM)")),
        Choice(
            "intradural_extramedullary",
            N_("Intradural extramedullary"),
            N_("Inside the dura, outside the cord (IESM)"),
        ),
    ),
)

# ECOG performance status instead of KPS: one published correspondence, used everywhere ECOG is
# accepted (the calculator's input, an EHR launch, a registry's `ecog` column). The conventional
# side-by-side table of the two scales (ECOG-ACRIN; ECOG scale: Oken MM et al., Am J Clin Oncol
# 1982;5:649-655; Karnofsky & Burchenal 1949) pairs each ECOG grade with two KPS steps. It is a
# band, not a point: the largest paired study (Prasad et al., World J Clin Oncol 2018;9:140-147,
# 5844 paired assessments) found the two scales agree only approximately, so an ECOG grade is used
# as its whole band of KPS values, never as one KPS.
ECOG_KPS_BAND: dict[int, tuple[int, ...]] = {0: (100, 90), 1: (80, 70), 2: (60, 50), 3: (40, 30), 4: (20, 10)}
ECOG_SOURCE = (
    "ECOG-ACRIN side-by-side table of the ECOG (Oken et al., Am J Clin Oncol 1982;5:649-655) and "
    "Karnofsky scales: ECOG 0 = KPS 100-90, 1 = 80-70, 2 = 60-50, 3 = 40-30, 4 = 20-10"
)
ECOG_DESCRIPTIONS = {
    0: N_("Fully active, able to carry on all pre-disease performance without restriction"),
    1: N_("Restricted in physically strenuous activity but ambulatory; light or sedentary work"),
    2: N_(
        "Ambulatory and capable of all self-care but unable to work; "
        "up and about more than half of waking hours"
    ),
    3: N_("Capable of only limited self-care; in bed or chair more than half of waking hours"),
    4: N_("Completely disabled; no self-care; totally confined to bed or chair"),
}

# The inputs a case conference may not know yet (staging pending, grade not recorded): the form's
# "Not known yet", JSON null in the API. Planned resection and compartment are always known.
NOT_KNOWN_YET_ALLOWED: tuple[str, ...] = ("kps", "other_metastases", "mccormick_grade")

FEATURES: tuple[Feature, ...] = (KPS, OTHER_METASTASES, MCCORMICK, RESECTION, COMPARTMENT)
FEATURE_NAMES: tuple[str, ...] = tuple(f.name for f in FEATURES)
BY_NAME: dict[str, Feature] = {f.name: f for f in FEATURES}

# The comparison point for the plain-language explanation: a typical operable patient. KPS 70 is
# the mean preoperative KPS of operated spinal metastases (Lenschow 2024, n = 463; base_rates.csv);
# McCormick II is the grade nearest the only published intradural mean, 2.47 (Payer 2015).
# "No other metastases" and "intramedullary" are the first category of each input, chosen so that
# each sentence reads as "this finding lowers/raises the estimate". Resection is taken from the
# patient, so the explanation never attributes a difference to the operation.
REFERENCE_PATIENT = {
    "kps": 70,
    "other_metastases": False,
    "mccormick_grade": 2,
    "compartment": "intramedullary",
}

# Cohort-file columns beyond the predictors.
STUDY_COLUMN = "study_id"
OUTCOME_COLUMNS = ("survival_days", "died")
COHORT_COLUMNS: tuple[str, ...] = (STUDY_COLUMN, *FEATURE_NAMES, *OUTCOME_COLUMNS)
