"""Performance status from FHIR Observations: the most recent usable one, its date, old or not."""

from datetime import date

import pytest

from calculator.chart import ChartError, Reading, chart_launch, latest_reading

TODAY = date(2026, 12, 2)


def observation(value, when="2026-11-27T10:00:00Z", status="final", key="valueInteger"):
    resource = {"resourceType": "Observation", "status": status, key: value}
    if when:
        resource["effectiveDateTime"] = when
    return resource


def bundle(*resources):
    return {"resourceType": "Bundle", "type": "searchset", "entry": [{"resource": r} for r in resources]}


def test_the_most_recent_reading_wins_whatever_the_servers_order():
    found = latest_reading(
        bundle(observation(40, "2026-06-01"), observation(70, "2026-11-27T10:00:00+01:00"))
    )
    assert found == Reading("70", date(2026, 11, 27))


@pytest.mark.parametrize(
    "resource, expected",
    [
        (observation(70.0, key="valueQuantity"), None),  # valueQuantity must be an object
        ({**observation(None), "valueQuantity": {"value": 70.0}}, "70"),
        ({**observation(None), "valueQuantity": {"value": 72.5}}, "72.5"),  # refused later, not rounded
        (observation(70, status="entered-in-error"), None),
        (observation(70, status="preliminary"), None),
        (observation(70, when=None), None),  # undated: cannot be judged current
        (observation(70, when="2026-11"), None),  # month only: too vague
        ({**observation(70, when=None), "effectivePeriod": {"start": "2026-11-01"}}, "70"),
        (observation(True), None),
        (observation("70"), None),
    ],
)
def test_usable_readings(resource, expected):
    found = latest_reading(bundle(resource))
    assert (found.value if found else None) == expected


@pytest.mark.parametrize("answer", [None, [], {"resourceType": "OperationOutcome"}, "Bundle"])
def test_an_answer_that_is_not_a_bundle_is_an_error(answer):
    with pytest.raises(ChartError):
        latest_reading(answer)


def test_an_empty_bundle_holds_no_reading():
    assert latest_reading({"resourceType": "Bundle", "type": "searchset", "total": 0}) is None


def test_a_recent_kps_is_prefilled_with_its_date():
    launch = chart_launch(Reading("70", date(2026, 11, 27)), None, TODAY, 30)
    assert launch.accepted == {"kps": "70"}
    assert (
        launch.notes["kps"]
        == "From the chart: KPS 70, recorded 27 November 2026 (5 days ago). Please confirm."
    )


@pytest.mark.parametrize("age, old", [(30, False), (31, True)])
def test_a_reading_past_the_age_limit_is_marked_old(age, old):
    recorded = date.fromordinal(TODAY.toordinal() - age)
    note = chart_launch(Reading("70", recorded), None, TODAY, 30).notes["kps"]
    assert ("Old: more than 30 days, it may no longer describe the patient." in note) is old


def test_kps_is_used_when_present_and_ecog_only_without_it():
    ecog = Reading("1", date(2026, 12, 1))
    assert chart_launch(Reading("60", date(2026, 11, 1)), ecog, TODAY, 30).accepted == {"kps": "60"}
    launch = chart_launch(None, ecog, TODAY, 30)
    assert launch.accepted == {"kps": "ecog-1"}
    assert launch.notes["kps"].startswith("From the chart: ECOG 1 (no KPS in the chart, so ECOG is used)")


@pytest.mark.parametrize("reading, field", [(Reading("75", TODAY), "kps"), (Reading("0", TODAY), "kps")])
def test_a_kps_not_on_the_form_is_refused_with_its_origin(reading, field):
    launch = chart_launch(reading, None, TODAY, 30)
    assert launch.accepted == {}
    assert launch.notes[field].startswith(
        f"From the chart: KPS {reading.value}, recorded 2 December 2026 (today)."
    )
    assert "which is not one of the choices here. Choose the value yourself." in launch.notes[field]


def test_ecog_5_is_refused():
    launch = chart_launch(None, Reading("5", TODAY), TODAY, 30)
    assert launch.accepted == {} and "not a grade from 0 to 4" in launch.notes["kps"]


def test_no_reading_is_no_launch():
    assert chart_launch(None, None, TODAY, 30) is None
