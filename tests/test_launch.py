"""Launch from the EHR: prefilled values are shown to confirm, validated, and never computed."""

import re

import pytest

from calculator.features import ECOG_KPS_BAND
from calculator.launch import inputs_in_query, is_prefill, read_prefill

LAUNCH = {
    "kps": "70",
    "other_metastases": "yes",
    "mccormick_grade": "3",
    "resection": "gross_total",
    "compartment": "intramedullary",
}


def test_valid_values_are_accepted_as_sent():
    prefill = read_prefill({**LAUNCH, "prefill": "1"})
    assert prefill.accepted == LAUNCH
    assert prefill.notes == {}


@pytest.mark.parametrize(
    "sent, field, note",
    [
        (
            {"kps": "75"},
            "kps",
            "The EHR sent “75”, which is not one of the choices here. Choose the value yourself.",
        ),
        (
            {"mccormick_grade": "IV"},
            "mccormick_grade",
            "The EHR sent “IV”, which is not one of the choices here.",
        ),
        ({"other_metastases": "true"}, "other_metastases", "The EHR sent “true”"),
        ({"resection": "x" * 100}, "resection", "The EHR sent “" + "x" * 40 + "…”"),
        ({"ecog": "5"}, "kps", "The EHR sent ECOG “5”, which is not a grade from 0 to 4."),
    ],
)
def test_values_outside_the_choices_are_dropped_with_a_note(sent, field, note):
    prefill = read_prefill(sent)
    assert field not in prefill.accepted
    assert note in prefill.notes[field]


def test_a_valid_kps_wins_over_ecog():
    prefill = read_prefill({"kps": "60", "ecog": "3"})
    assert prefill.accepted == {"kps": "60"}
    assert prefill.notes == {}


@pytest.mark.parametrize("grade", [0, 1, 2, 3, 4])
def test_an_ecog_launch_prefills_the_ecog_choice_to_confirm(grade):
    prefill = read_prefill({"ecog": str(grade)})
    assert prefill.accepted == {"kps": f"ecog-{grade}"}
    assert prefill.notes == {}


def test_an_invalid_kps_with_ecog_keeps_the_ecog_choice_and_says_why():
    prefill = read_prefill({"kps": "65", "ecog": "0"})
    assert prefill.accepted == {"kps": "ecog-0"}
    assert "The EHR sent “65”, which is not one of the choices here." in prefill.notes["kps"]


def test_the_ecog_correspondence_is_the_published_table():
    # ECOG-ACRIN: ECOG 0 = KPS 100-90, 1 = 80-70, 2 = 60-50, 3 = 40-30, 4 = 20-10.
    assert ECOG_KPS_BAND == {0: (100, 90), 1: (80, 70), 2: (60, 50), 3: (40, 30), 4: (20, 10)}


@pytest.mark.parametrize(
    "form, fetch_site, launch",
    [
        ({"prefill": "1"}, "same-origin", True),
        ({"prefill": "1"}, None, True),
        (LAUNCH, "cross-site", True),  # the EHR forgot the flag: still only shown, never computed
        (LAUNCH, "same-site", True),
        (LAUNCH, "same-origin", False),  # the surgeon's own button
        (LAUNCH, None, False),  # a browser too old to send Sec-Fetch-Site
        ({"prefill": "yes"}, "same-origin", False),
    ],
)
def test_what_makes_a_launch(form, fetch_site, launch):
    assert is_prefill(form, fetch_site) is launch


def test_inputs_in_query_names_them():
    assert inputs_in_query({"kps": "70", "ecog": "1", "utm": "x"}) == ["kps", "ecog"]


# The page


def test_post_launch_shows_values_marked_and_computes_nothing(client):
    response = client.post("/", data={**LAUNCH, "kps": "75", "prefill": "1"})
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert 'id="result"' not in html
    assert "Filled in from the EHR: nothing has been estimated yet." in html
    assert html.count("From the EHR: please confirm.") == 4
    assert re.search(r'class="field prefilled" id="field-mccormick_grade"', html)
    assert re.search(r'class="field" id="field-kps"', html)
    assert "The EHR sent “75”" in html
    assert re.search(
        r'<input aria-describedby="mccormick_grade-help" checked id="mccormick_grade-2"[^>]*value="3"', html
    )
    assert re.search(r'<option selected value="">Choose KPS</option>', html)
    assert 'class="error"' not in html  # nothing validated yet, so nothing is marked wrong


EHR = "https://ehr.example.org"


@pytest.fixture()
def ehr_client():
    from calculator import create_app

    return create_app({"TESTING": True, "FRAME_ANCESTORS": f"'self' {EHR}"}).test_client()


def test_a_post_from_another_site_is_a_launch_even_without_the_flag(ehr_client):
    headers = {"Sec-Fetch-Site": "cross-site", "Origin": EHR}
    html = ehr_client.post("/", data=LAUNCH, headers=headers).get_data(as_text=True)
    assert 'id="result"' not in html
    assert html.count("From the EHR: please confirm.") == 5


@pytest.mark.parametrize(
    "headers, allowed",
    [
        ({"Origin": EHR, "Sec-Fetch-Site": "cross-site"}, True),  # on CALCULATOR_FRAME_ANCESTORS
        (
            {"Origin": "http://localhost", "Sec-Fetch-Site": "same-origin"},
            True,
        ),  # 'self': the fragment launch
        ({"Origin": "https://evil.example", "Sec-Fetch-Site": "cross-site"}, False),
        ({"Origin": "https://evil.example"}, False),  # Origin decides, not only Sec-Fetch-Site
        ({"Origin": "https://ehr.example.org.evil.example"}, False),
        ({"Origin": "null", "Sec-Fetch-Site": "cross-site"}, False),  # a sandboxed frame names no one
        ({"Origin": "null"}, False),
        ({"Origin": "null", "Sec-Fetch-Site": "same-origin"}, True),  # our own no-referrer page
        ({"Sec-Fetch-Site": "cross-site"}, False),  # no Origin from a browser that says cross-site
        ({}, True),  # no browser headers at all: a script; nothing it sends is computed anyway
    ],
)
def test_a_launch_is_accepted_only_from_an_allowed_origin(ehr_client, headers, allowed):
    response = ehr_client.post("/", data={**LAUNCH, "prefill": "1"}, headers=headers)
    html = response.get_data(as_text=True)
    assert response.status_code == (200 if allowed else 403)
    assert ("From the EHR: please confirm." in html) == allowed
    assert 'id="result"' not in html
    if not allowed:
        assert "not allowed to launch the calculator" in html
        assert "70" not in html and "gross_total" not in html  # nothing it sent is echoed


def test_a_launch_with_conflicting_duplicates_shows_neither_value():
    from werkzeug.datastructures import MultiDict

    prefill = read_prefill(MultiDict([*LAUNCH.items(), ("kps", "40"), ("prefill", "1")]))
    assert "kps" not in prefill.accepted
    assert "different values" in prefill.notes["kps"]


def test_conflicting_duplicate_fields_get_422_naming_the_field(client):
    from werkzeug.datastructures import MultiDict

    response = client.post("/", data=MultiDict([*LAUNCH.items(), ("mccormick_grade", "1")]))
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert "The form sent different values for" in html and 'id="mccormick_grade-error"' in html
    assert 'id="result"' not in html
    same = client.post("/", data=MultiDict([*LAUNCH.items(), ("kps", "70")]))  # repeated, not conflicting
    assert same.status_code == 200


def test_confirming_a_launch_computes(client):
    html = client.post("/", data=LAUNCH).get_data(as_text=True)
    assert 'id="result"' in html
    assert "From the EHR" not in html


def test_values_in_the_query_string_are_ignored_and_the_page_says_why(client):
    html = client.get("/?kps=70&mccormick_grade=3").get_data(as_text=True)
    text = re.sub(r"\s+", " ", html)
    assert "The address carried patient values (kps, mccormick_grade); they were ignored" in text
    assert "checked" not in html
    assert re.search(r'<option selected value="">Choose KPS</option>', html)


def test_an_ordinary_page_has_no_launch_notices(client):
    html = client.get("/", headers={"Sec-Fetch-Site": "cross-site"}).get_data(
        as_text=True
    )  # framed by the EHR
    assert "From the EHR" not in html
    assert "The address carried" not in html


def test_conflicting_ecog_grades_are_never_resolved_to_the_first():
    from werkzeug.datastructures import MultiDict

    launch = read_prefill(MultiDict([("ecog", "1"), ("ecog", "3")]))
    assert "kps" not in launch.accepted
    assert "different ECOG grades" in launch.notes["kps"]
