"""How each input and its value are said, in every language: one table of phrases for the page's
"For:" line, the explanation, the warnings, the chart, the form and the note.

Each phrase is translated whole (calculator/translations); sentences that use one take it as a
named placeholder and are translated whole too (calculator.explain, calculator.note), so no
sentence is assembled from English grammar. A phrase is a noun phrase that stands on its own - in a
list, after a colon, inside a sentence whose translator chose a construction that needs no
inflection - e.g. "KPS 50", "no other metastases", "McCormick grade IV", "intramedullary lesion".
"""

from __future__ import annotations

from calculator.features import BY_NAME, ECOG_KPS_BAND, FEATURE_NAMES, MCCORMICK, N_
from calculator.i18n import _

# The inputs the estimate may average over (features.NOT_KNOWN_YET_ALLOWED), named as the object
# of "averaged over ..." and "... not known yet".
SHORT_NAME = {
    # TRANSLATORS: the input, as in "Averaged over KPS (not known yet)".
    "kps": N_("KPS"),
    "other_metastases": N_("other metastases"),
    "mccormick_grade": N_("McCormick grade"),
}
NOT_KNOWN = {
    "kps": N_("KPS not known yet"),
    "other_metastases": N_("other metastases not known yet"),
    "mccormick_grade": N_("McCormick grade not known yet"),
}
# TRANSLATORS: the answer "not known yet" to one input (staging pending, grade not recorded).
NOT_KNOWN_YET = N_("not known yet")
RESECTION_PHRASE = {
    "biopsy": N_("biopsy"),
    "subtotal": N_("subtotal resection"),
    "gross_total": N_("gross total resection"),
}
COMPARTMENT_PHRASE = {
    "intramedullary": N_("intramedullary lesion"),
    "intradural_extramedullary": N_("intradural extramedullary lesion"),
}


def label(name: str) -> str:
    """An input's label, e.g. 'Modified McCormick grade (preoperative)'."""
    return _(BY_NAME[name].label)


def choice_label(name: str, value) -> str:
    """A value's label as the form shows it: 'Yes', 'II', 'Biopsy', '70'."""
    return _(BY_NAME[name].choice(value).label)


def grade(value: int) -> str:
    """A McCormick grade as its Roman numeral (the same in every language)."""
    return MCCORMICK.choice(value).label


def value_phrase(name: str, value) -> str:
    """A known value in clinical words: 'KPS 50', 'other metastases', 'McCormick grade IV',
    'intramedullary lesion', 'biopsy'."""
    if name == "kps":
        return _("KPS %(value)s", value=value)
    if name == "other_metastases":
        return _("other metastases") if value else _("no other metastases")
    if name == "mccormick_grade":
        return _("McCormick grade %(grade)s", grade=grade(value))
    if name == "resection":
        return _(RESECTION_PHRASE[value])
    return _(COMPARTMENT_PHRASE[value])


def kps_band(ecog: int) -> tuple[int, int]:
    """The KPS band of an ECOG grade, highest first (features.ECOG_KPS_BAND)."""
    band = ECOG_KPS_BAND[ecog]
    return band[0], band[-1]


def ecog_phrase(ecog: int) -> str:
    """'ECOG 2 (as KPS 60-50)': the grade and the band it stands for."""
    high, low = kps_band(ecog)
    return _("ECOG %(grade)s (as KPS %(high)s-%(low)s)", grade=ecog, high=high, low=low)


def input_phrase(name: str, inputs: dict) -> str:
    """One input of a patient in words, including "not known yet" and KPS from ECOG."""
    if name == "kps" and inputs.get("ecog") is not None:
        return ecog_phrase(inputs["ecog"])
    if inputs.get(name) is None:
        return _(NOT_KNOWN[name])
    return value_phrase(name, inputs[name])


def describe(inputs: dict) -> str:
    """A patient's five inputs in the same words as the explanation, e.g. for the result line."""
    return ", ".join(input_phrase(name, inputs) for name in FEATURE_NAMES)


def answer(name: str, inputs: dict) -> str:
    """An input's answer as the form gave it, for a "label: answer" line (the note)."""
    if name == "kps" and inputs.get("ecog") is not None:
        return ecog_phrase(inputs["ecog"])
    if inputs.get(name) is None:
        return _(NOT_KNOWN_YET)
    return choice_label(name, inputs[name])


def short_label(name: str, inputs: dict) -> str:
    """An input's value in few words, for a row of the contribution chart."""
    value = inputs[name]
    if name == "kps" and inputs.get("ecog") is not None:
        return _("ECOG %(grade)s", grade=inputs["ecog"])
    if name == "kps":
        return _("KPS not known") if value is None else _("KPS %(value)s", value=value)
    if name == "other_metastases":
        if value is None:
            return _("Other metastases: not known")
        return _("Other metastases") if value else _("No other metastases")
    if name == "mccormick_grade":
        return _("McCormick not known") if value is None else _("McCormick %(grade)s", grade=grade(value))
    return _("Extramedullary") if value == "intradural_extramedullary" else _("Intramedullary")
