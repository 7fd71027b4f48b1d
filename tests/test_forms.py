"""The form: every input required, only declared values, messages in clinical words."""

import re

import pytest

VALID = {
    "kps": "60",
    "other_metastases": "yes",
    "mccormick_grade": "3",
    "resection": "subtotal",
    "compartment": "intradural_extramedullary",
}


def field_errors(html: str) -> dict[str, list[str]]:
    """Error messages per field, read from each field's block of the page."""
    form = html[html.index("<form") : html.index("</form>")]
    blocks = re.split(r'id="field-(\w+)"', form)[1:]
    return {
        name: re.findall(r'class="error"[^>]*>([^<]+)<', block)
        for name, block in zip(blocks[::2], blocks[1::2])
    }


@pytest.mark.parametrize(
    "field, value, message",
    [
        ("kps", None, "Choose the patient&#39;s KPS (10 to 100)."),
        ("kps", "", "Choose the patient&#39;s KPS (10 to 100)."),
        ("kps", "75", "KPS must be one of 10, 20, ... 100 (or an ECOG grade, or not known yet)."),
        ("kps", "0", "KPS must be one of 10, 20, ... 100 (or an ECOG grade, or not known yet)."),
        ("kps", "110", "KPS must be one of 10, 20, ... 100 (or an ECOG grade, or not known yet)."),
        ("kps", "seventy", "KPS must be one of 10, 20, ... 100 (or an ECOG grade, or not known yet)."),
        ("kps", "70.0", "KPS must be one of 10, 20, ... 100 (or an ECOG grade, or not known yet)."),
        ("kps", "ecog-5", "KPS must be one of 10, 20, ... 100 (or an ECOG grade, or not known yet)."),
        ("kps", "ecog", "KPS must be one of 10, 20, ... 100 (or an ECOG grade, or not known yet)."),
        ("other_metastases", None, "Say whether there are metastases beyond the operated lesion."),
        ("other_metastases", "maybe", "Answer yes, no or not known yet."),
        ("other_metastases", "true", "Answer yes, no or not known yet."),
        ("mccormick_grade", None, "Choose the preoperative modified McCormick grade (I to V)."),
        ("mccormick_grade", "0", "The McCormick grade must be I, II, III, IV or V (or not known yet)."),
        ("mccormick_grade", "6", "The McCormick grade must be I, II, III, IV or V (or not known yet)."),
        ("mccormick_grade", "IV", "The McCormick grade must be I, II, III, IV or V (or not known yet)."),
        ("resection", None, "Choose the planned resection."),
        ("resection", "total", "Choose biopsy, subtotal or gross total resection."),
        ("compartment", None, "Choose where the lesion lies."),
        ("compartment", "extradural", "Choose intramedullary or intradural extramedullary."),
    ],
)
def test_invalid_input_rerenders_with_message_next_to_field(client, field, value, message):
    data = dict(VALID)
    if value is None:
        del data[field]
    else:
        data[field] = value
    response = client.post("/", data=data)
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    errors = field_errors(html)
    assert errors[field] == [message]
    assert all(not v for k, v in errors.items() if k != field)  # only that field is flagged
    assert 'id="result"' not in html  # never a result from a partial form


def test_empty_form_names_every_field(client):
    html = client.post("/", data={}).get_data(as_text=True)
    assert {k for k, v in field_errors(html).items() if v} == set(VALID)


def test_valid_input_keeps_the_choices_selected(client):
    html = client.post("/", data=VALID).get_data(as_text=True)
    assert re.search(r'<option selected value="60">|<option value="60" selected>', html)
    assert re.search(r'checked[^>]*value="subtotal"|value="subtotal"[^>]*checked', html)


def test_nothing_is_preselected_on_a_fresh_form(client):
    html = client.get("/").get_data(as_text=True)
    assert "checked" not in html
    assert re.search(r'<option selected value="">Choose KPS</option>', html)


@pytest.mark.parametrize(
    "data",
    [
        None,
        {},
        VALID,
        {**VALID, "kps": ""},
        {**VALID, "kps": "75", "resection": "nope"},
        {**VALID, "kps": "ecog-2", "other_metastases": "unknown", "mccormick_grade": "unknown"},
    ],
    ids=["fresh", "empty", "valid", "kps-missing", "invalid", "ecog-and-unknown"],
)
def test_the_written_out_inputs_are_the_widgets_own_markup(app, data):
    """templates/index.html writes the inputs out instead of calling WTForms' widgets (for speed,
    docs/performance.md); each must still be exactly what the widget would render."""
    from calculator.forms import EstimateForm

    client = app.test_client()
    response = client.get("/") if data is None else client.post("/", data=data)
    html = response.get_data(as_text=True)
    request = {"method": "GET"} if data is None else {"method": "POST", "data": data}
    with app.test_request_context("/", **request):
        form = EstimateForm()
        if data is not None:
            form.validate()
        for field in form:
            if field.type == "ChoiceSelect":
                described = {"aria-describedby": f"{field.id}-help"}
                if field.errors:
                    described = {
                        "aria-describedby": f"{field.id}-help {field.id}-error",
                        "aria-invalid": "true",
                    }
                assert str(field(required=True, **described)) in html
            else:
                described = {"aria-describedby": f"{field.id}-help"}
                if field.errors:
                    described = {
                        "aria-describedby": f"{field.id}-help {field.id}-error",
                        "aria-invalid": "true",
                    }
                for option in field:
                    assert str(option(required=True, **described)) in html


@pytest.mark.parametrize(
    "texts, expected",
    [
        (VALID, {"kps": 60, "ecog": None, "other_metastases": True, "mccormick_grade": 3}),
        ({**VALID, "kps": "unknown"}, {"kps": None, "ecog": None}),
        ({**VALID, "kps": "ecog-3"}, {"kps": None, "ecog": 3}),
        (
            {**VALID, "other_metastases": "unknown", "mccormick_grade": "unknown"},
            {"other_metastases": None, "mccormick_grade": None},
        ),
        ({**VALID, "other_metastases": "no"}, {"other_metastases": False}),
    ],
)
def test_form_texts_become_the_apis_inputs(texts, expected):
    from calculator.forms import form_inputs

    inputs = form_inputs(texts)
    assert {k: inputs[k] for k in expected} == expected
    assert set(inputs) == {"kps", "ecog", "other_metastases", "mccormick_grade", "resection", "compartment"}


def test_not_known_yet_and_ecog_are_offered_but_never_preselected(client):
    html = client.get("/").get_data(as_text=True)
    assert '<option value="unknown">Not known yet</option>' in html
    assert (
        '<optgroup label="ECOG instead of KPS (used as its KPS band)">'
        '<option value="ecog-0">ECOG 0 (as KPS 100-90):' in html
    )
    assert re.search(
        r'<input aria-describedby="other_metastases-help" id="other_metastases-2" '
        r'name="other_metastases" required type="radio" value="unknown">',
        html,
    )
    assert re.search(
        r'<input aria-describedby="mccormick_grade-help" id="mccormick_grade-5" '
        r'name="mccormick_grade" required type="radio" value="unknown">',
        html,
    )
    assert "checked" not in html and "<option selected" in html  # only the empty "Choose KPS"


@pytest.mark.parametrize("resection", ["", "unknown"])
def test_resection_and_compartment_stay_required(client, resection):
    html = client.post("/", data={**VALID, "resection": resection, "compartment": "unknown"}).get_data(
        as_text=True
    )
    errors = field_errors(html)
    assert errors["resection"] and errors["compartment"]
