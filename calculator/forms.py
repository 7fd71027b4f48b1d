"""The calculator form: each of the five inputs declared once, from calculator.features.

No CSRF token, hence no session cookie: CSRF protects requests that change state on the server
under the user's identity. This form changes nothing (it computes an estimate and stores nothing)
and there is no login or session to ride on, so a forged submission could only show a forger the
estimate for inputs they chose themselves. Dropping the token keeps the page cookie-free, which it
must be inside an EHR iframe where third-party cookies are blocked.

Nothing is preselected: a missing answer is an error next to the field, never a silent default.
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
    FEATURES,
    KPS,
    MCCORMICK,
    OTHER_METASTASES,
    RESECTION,
)

MISSING = {
    KPS.name: "Choose the patient's KPS (10 to 100).",
    OTHER_METASTASES.name: "Say whether there are metastases beyond the operated lesion.",
    MCCORMICK.name: "Choose the preoperative modified McCormick grade (I to V).",
    RESECTION.name: "Choose the planned resection.",
    COMPARTMENT.name: "Choose where the lesion lies.",
}
INVALID = {
    KPS.name: "KPS must be one of 10, 20, ... 100.",
    OTHER_METASTASES.name: "Answer yes or no.",
    MCCORMICK.name: "The McCormick grade must be I, II, III, IV or V.",
    RESECTION.name: "Choose biopsy, subtotal or gross total resection.",
    COMPARTMENT.name: "Choose intramedullary or intradural extramedullary.",
}


def form_value(value) -> str:
    """How a declared value travels in form data ('yes'/'no' for booleans)."""
    if isinstance(value, bool):
        return "yes" if value else "no"
    return str(value)


def _coercer(feature):
    by_text = {form_value(v): v for v in feature.values}

    def coerce(raw):  # never raises: an unknown value becomes None and fails validation below
        if type(raw) is type(feature.values[0]) and raw in feature.values:  # True is not grade 1
            return raw
        return by_text.get(raw if isinstance(raw, str) else form_value(raw))

    return coerce


def conflict_message(name: str) -> str:
    """A field sent twice with different values: never resolved silently to the first."""
    return f"The form sent different values for {BY_NAME[name].label}: choose one."


class ChoiceMixin:
    """Replace WTForms' 'Not a valid choice' with a message a clinician understands."""

    def pre_validate(self, form):
        if len(set(self.raw_data or [])) > 1:
            raise StopValidation(conflict_message(self.name))
        if self.data is None or self.data not in BY_NAME[self.name].values:
            missing = not self.raw_data or not str(self.raw_data[0]).strip()
            raise StopValidation(MISSING[self.name] if missing else INVALID[self.name])


class ChoiceSelect(ChoiceMixin, SelectField):
    pass


class ChoiceRadio(ChoiceMixin, RadioField):
    pass


def _field(feature):
    field = ChoiceSelect if feature is KPS else ChoiceRadio
    choices = [
        SelectChoice(form_value(c.value), f"{c.label}: {c.description}" if feature is KPS else c.label)
        for c in feature.choices
    ]
    if feature is KPS:  # an explicit empty first option: no KPS is ever preselected
        choices.insert(0, SelectChoice("", "Choose KPS"))
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
        """The validated inputs, typed as calculator.features declares them."""
        return {feature.name: self[feature.name].data for feature in FEATURES}
