"""The calculator form: each of the five inputs declared once, from calculator.features.

No CSRF token, hence no session cookie: CSRF protects requests that change state on the server
under the user's identity. This form changes nothing (it computes an estimate and stores nothing)
and there is no login or session to ride on, so a forged submission could only show a forger the
estimate for inputs they chose themselves. Dropping the token keeps the page cookie-free, which it
must be inside an EHR iframe where third-party cookies are blocked.

Nothing is preselected: a missing answer is an error next to the field, never a silent default.
"Not known yet" is an explicit answer (staging pending, grade not recorded), never the default;
the KPS list also offers ECOG instead of KPS (calculator.features.ECOG_KPS_BAND).
"""

from __future__ import annotations

from flask import request
from flask_wtf import FlaskForm
from wtforms import RadioField, SelectField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import InputRequired, StopValidation

from calculator.features import (
    BY_NAME,
    COMPARTMENT,
    ECOG_DESCRIPTIONS,
    ECOG_KPS_BAND,
    FEATURES,
    KPS,
    MCCORMICK,
    NOT_KNOWN_YET_ALLOWED,
    OTHER_METASTASES,
    RESECTION,
)

UNKNOWN = "unknown"  # form value of "not known yet"
ECOG_PREFIX = "ecog-"  # form value of ECOG grade g: "ecog-g"
OPTIONAL = NOT_KNOWN_YET_ALLOWED  # may be "not known yet"
UNKNOWN_LABEL = {
    KPS.name: "Not known yet",
    OTHER_METASTASES.name: "Not known yet",
    MCCORMICK.name: "Not known yet",
}
UNKNOWN_DESCRIPTION = {
    OTHER_METASTASES.name: "Staging pending: the estimate averages over both answers",
    MCCORMICK.name: "The estimate averages over the grades of patients like this one",
}
KPS_GROUP = "Karnofsky performance status (KPS)"
ECOG_GROUP = "ECOG instead of KPS (used as its KPS band)"

MISSING = {
    KPS.name: "Choose the patient's KPS (10 to 100).",
    OTHER_METASTASES.name: "Say whether there are metastases beyond the operated lesion.",
    MCCORMICK.name: "Choose the preoperative modified McCormick grade (I to V).",
    RESECTION.name: "Choose the planned resection.",
    COMPARTMENT.name: "Choose where the lesion lies.",
}
INVALID = {
    KPS.name: "KPS must be one of 10, 20, ... 100 (or an ECOG grade, or not known yet).",
    OTHER_METASTASES.name: "Answer yes, no or not known yet.",
    MCCORMICK.name: "The McCormick grade must be I, II, III, IV or V (or not known yet).",
    RESECTION.name: "Choose biopsy, subtotal or gross total resection.",
    COMPARTMENT.name: "Choose intramedullary or intradural extramedullary.",
}


def form_value(value) -> str:
    """How a declared value travels in form data ('yes'/'no' for booleans)."""
    if isinstance(value, bool):
        return "yes" if value else "no"
    return str(value)


def form_values(feature) -> tuple[str, ...]:
    """Every value the field accepts, as form text."""
    values = tuple(form_value(v) for v in feature.values)
    if feature is KPS:
        values += tuple(f"{ECOG_PREFIX}{g}" for g in ECOG_KPS_BAND)
    return values + ((UNKNOWN,) if feature.name in OPTIONAL else ())


def _coercer(feature):
    accepted = set(form_values(feature))

    def coerce(raw):  # never raises: an unknown value becomes None and fails validation below
        text = raw if isinstance(raw, str) else None
        return text if text in accepted else None

    return coerce


def conflict_message(name: str) -> str:
    """A field sent twice with different values: never resolved silently to the first."""
    return f"The form sent different values for {BY_NAME[name].label}: choose one."


class ChoiceMixin:
    """Replace WTForms' 'Not a valid choice' with a message a clinician understands."""

    def pre_validate(self, form):
        if len(set(self.raw_data or [])) > 1:
            raise StopValidation(conflict_message(self.name))
        if self.data is None:
            missing = not self.raw_data or not str(self.raw_data[0]).strip()
            raise StopValidation(MISSING[self.name] if missing else INVALID[self.name])


class ChoiceSelect(ChoiceMixin, SelectField):
    pass


class ChoiceRadio(ChoiceMixin, RadioField):
    pass


def _choices(feature) -> list[SelectChoice]:
    if feature is not KPS:
        choices = [SelectChoice(form_value(c.value), c.label) for c in feature.choices]
        if feature.name in OPTIONAL:
            choices.append(SelectChoice(UNKNOWN, UNKNOWN_LABEL[feature.name]))
        return choices
    # An explicit empty first option: no KPS is ever preselected. Then "not known yet", the KPS
    # values, and ECOG grades as their KPS band.
    return [
        SelectChoice("", "Choose KPS"),
        SelectChoice(UNKNOWN, UNKNOWN_LABEL[KPS.name]),
        *(
            SelectChoice(form_value(c.value), f"{c.label}: {c.description}", optgroup=KPS_GROUP)
            for c in KPS.choices
        ),
        *(
            SelectChoice(
                f"{ECOG_PREFIX}{g}",
                f"ECOG {g} (as KPS {band[0]}-{band[-1]}): {ECOG_DESCRIPTIONS[g]}",
                optgroup=ECOG_GROUP,
            )
            for g, band in ECOG_KPS_BAND.items()
        ),
    ]


def _field(feature):
    field = ChoiceSelect if feature is KPS else ChoiceRadio
    choices = _choices(feature)
    return field(
        feature.label,
        choices=choices,
        coerce=_coercer(feature),
        validators=[InputRequired(MISSING[feature.name])],
        description=feature.help,
    )


class EstimateForm(FlaskForm):
    class Meta:
        csrf = False  # see the module docstring

        def wrap_formdata(self, form, formdata):
            """Read only an HTML form body. Flask-WTF would also read a JSON body into the form: a
            500 on a JSON array, and JSON true taken for McCormick grade 1. JSON is the API's."""
            if formdata is None or hasattr(formdata, "getlist"):  # passed in explicitly
                return formdata
            return request.form if form.is_submitted() else None

    kps = _field(KPS)
    other_metastases = _field(OTHER_METASTASES)
    mccormick_grade = _field(MCCORMICK)
    resection = _field(RESECTION)
    compartment = _field(COMPARTMENT)

    def inputs(self) -> dict:
        """The validated inputs as calculator.validation returns them: typed as
        calculator.features declares them, None for "not known yet", and `ecog`."""
        return form_inputs({feature.name: self[feature.name].data for feature in FEATURES})


def form_inputs(texts: dict[str, str]) -> dict:
    """Validated form texts -> typed inputs (see EstimateForm.inputs)."""
    inputs: dict = {"ecog": None}
    for feature in FEATURES:
        text = texts[feature.name]
        by_text = {form_value(v): v for v in feature.values}
        if text == UNKNOWN:
            inputs[feature.name] = None
        elif feature is KPS and text.startswith(ECOG_PREFIX):
            inputs[feature.name], inputs["ecog"] = None, int(text[len(ECOG_PREFIX) :])
        else:
            inputs[feature.name] = by_text[text]
    return inputs
