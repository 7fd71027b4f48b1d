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

from functools import cache

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
    N_,
    NOT_KNOWN_YET_ALLOWED,
    OTHER_METASTASES,
    RESECTION,
)
from calculator.i18n import _, current
from calculator.wording import ecog_phrase, label

UNKNOWN = "unknown"  # form value of "not known yet"
ECOG_PREFIX = "ecog-"  # form value of ECOG grade g: "ecog-g"
OPTIONAL = NOT_KNOWN_YET_ALLOWED  # may be "not known yet"
# The labels and messages below are marked here and translated per request (EstimateForm).
# TRANSLATORS: an answer in the form, for KPS, other metastases or McCormick grade.
UNKNOWN_LABEL = N_("Not known yet")
UNKNOWN_DESCRIPTION = {
    OTHER_METASTASES.name: N_("Staging pending: the estimate averages over both answers"),
    MCCORMICK.name: N_("The estimate averages over the grades of patients like this one"),
}
KPS_GROUP = KPS.label
ECOG_GROUP = N_("ECOG instead of KPS (used as its KPS band)")

MISSING = {
    KPS.name: N_("Choose the patient's KPS (10 to 100)."),
    OTHER_METASTASES.name: N_("Say whether there are metastases beyond the operated lesion."),
    MCCORMICK.name: N_("Choose the preoperative modified McCormick grade (I to V)."),
    RESECTION.name: N_("Choose the planned resection."),
    COMPARTMENT.name: N_("Choose where the lesion lies."),
}
INVALID = {
    KPS.name: N_("KPS must be one of 10, 20, ... 100 (or an ECOG grade, or not known yet)."),
    OTHER_METASTASES.name: N_("Answer yes, no or not known yet."),
    MCCORMICK.name: N_("The McCormick grade must be I, II, III, IV or V (or not known yet)."),
    RESECTION.name: N_("Choose biopsy, subtotal or gross total resection."),
    COMPARTMENT.name: N_("Choose intramedullary or intradural extramedullary."),
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
    return _("The form sent different values for %(input)s: choose one.", input=label(name))


class ChoiceMixin:
    """Replace WTForms' 'Not a valid choice' with a message a clinician understands."""

    def pre_validate(self, form):
        if len(set(self.raw_data or [])) > 1:
            raise StopValidation(conflict_message(self.name))
        if self.data is None:
            missing = not self.raw_data or not str(self.raw_data[0]).strip()
            raise StopValidation(_(MISSING[self.name] if missing else INVALID[self.name]))


class ChoiceSelect(ChoiceMixin, SelectField):
    pass


class ChoiceRadio(ChoiceMixin, RadioField):
    pass


@cache
def _translated(name: str, language: str) -> tuple[str, str, tuple[SelectChoice, ...]]:
    """A field's label, help and options in `language` (the current one): the same for every
    patient, so built once per language and process."""
    feature = BY_NAME[name]
    return label(name), _(feature.help), tuple(_choices(feature))


def _choices(feature) -> list[SelectChoice]:
    if feature is not KPS:
        choices = [SelectChoice(form_value(c.value), _(c.label)) for c in feature.choices]
        if feature.name in OPTIONAL:
            choices.append(SelectChoice(UNKNOWN, _(UNKNOWN_LABEL)))
        return choices
    # An explicit empty first option: no KPS is ever preselected. Then "not known yet", the KPS
    # values, and ECOG grades as their KPS band.
    return [
        SelectChoice("", _("Choose KPS")),
        SelectChoice(UNKNOWN, _(UNKNOWN_LABEL)),
        *(
            SelectChoice(form_value(c.value), option_text(c.label, _(c.description)), optgroup=_(KPS_GROUP))
            for c in KPS.choices
        ),
        *(
            SelectChoice(
                f"{ECOG_PREFIX}{g}",
                option_text(ecog_phrase(g), _(ECOG_DESCRIPTIONS[g])),
                optgroup=_(ECOG_GROUP),
            )
            for g in ECOG_KPS_BAND
        ),
    ]


def option_text(value: str, description: str) -> str:
    """A KPS list option: the value and its standard definition, e.g. '70: Cares for self; ...'."""
    return _("%(value)s: %(description)s", value=value, description=description)


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

    def __init__(self, *args, **kwargs):
        """Labels, help and options in the request's language (declared in English, once)."""
        super().__init__(*args, **kwargs)
        for feature in FEATURES:
            field = self[feature.name]
            field.label.text, field.description, choices = _translated(feature.name, current())
            field.choices = list(choices)

    kps = _field(KPS)
    other_metastases = _field(OTHER_METASTASES)
    mccormick_grade = _field(MCCORMICK)
    resection = _field(RESECTION)
    compartment = _field(COMPARTMENT)

    def inputs(self) -> dict:
        """The validated inputs as calculator.validation returns them: typed as
        calculator.features declares them, None for "not known yet", and `ecog`."""
        return form_inputs({feature.name: self[feature.name].data for feature in FEATURES})


# Each input's declared values by their form text, e.g. "yes" -> True.
BY_TEXT = {feature.name: {form_value(v): v for v in feature.values} for feature in FEATURES}


def form_inputs(texts: dict[str, str]) -> dict:
    """Validated form texts -> typed inputs (see EstimateForm.inputs)."""
    inputs: dict = {"ecog": None}
    for feature in FEATURES:
        text = texts[feature.name]
        if text == UNKNOWN:
            inputs[feature.name] = None
        elif feature is KPS and text.startswith(ECOG_PREFIX):
            inputs[feature.name], inputs["ecog"] = None, int(text[len(ECOG_PREFIX) :])
        else:
            inputs[feature.name] = BY_TEXT[feature.name][text]
    return inputs
