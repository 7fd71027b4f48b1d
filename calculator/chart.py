"""Performance status from the chart: FHIR Observations -> values for today's launch. Pure (its
sentences in the current language, calculator.i18n).

The calculator reads two scores, each the patient's most recent Observation with its LOINC code
(docs/ehr-integration.md says why these and nothing else):

- KPS, LOINC 89243-0 (Karnofsky Performance Status score), 0-100;
- ECOG, LOINC 89247-1 (ECOG Performance Status score), 0-5; used only when no KPS is found,
  as the form's ECOG choice (calculator.features.ECOG_KPS_BAND).

`chart_launch` turns them into the form data calculator.launch.read_prefill reads (so values
outside the form's choices are refused there, never rounded) and one sentence per field with the
date the score was recorded, marked old past a configurable age, for the surgeon to confirm.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from calculator.features import KPS
from calculator.i18n import _, day, ngettext
from calculator.launch import ECOG, Prefill, read_prefill

LOINC = "http://loinc.org"
KPS_LOINC = "89243-0"
ECOG_LOINC = "89247-1"
# Statuses whose value stands; 'preliminary', 'entered-in-error', 'cancelled' and the rest do not.
USABLE_STATUS = ("final", "amended", "corrected")


@dataclass(frozen=True)
class Reading:
    """One score from the chart: the Observation's value and the day it describes."""

    value: str  # as the form's data: "70"; "75" (then refused by read_prefill, not rounded)
    recorded: date


class ChartError(ValueError):
    """The FHIR answer is not a searchset Bundle of Observations."""


def latest_reading(bundle: object) -> Reading | None:
    """The most recent usable reading in a FHIR searchset Bundle, or None if it holds none.

    The most recent by the Observation's own date, not the server's order, in case a server
    ignores `_sort`. Raises ChartError if `bundle` is not a Bundle.
    """
    if not isinstance(bundle, dict) or bundle.get("resourceType") != "Bundle":
        raise ChartError("the FHIR server did not answer with a Bundle")
    readings = []
    for entry in bundle.get("entry") or []:
        resource = entry.get("resource") if isinstance(entry, dict) else None
        reading = _reading(resource) if isinstance(resource, dict) else None
        if reading:
            readings.append(reading)
    return max(readings, key=lambda r: r.recorded, default=None)


def _reading(observation: dict) -> Reading | None:
    if observation.get("resourceType") != "Observation" or observation.get("status") not in USABLE_STATUS:
        return None
    value = observation.get("valueInteger")
    if value is None and isinstance(observation.get("valueQuantity"), dict):
        value = observation["valueQuantity"].get("value")
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    when = observation.get("effectiveDateTime") or (observation.get("effectivePeriod") or {}).get("start")
    recorded = _day(when) or _day(observation.get("issued"))
    if recorded is None:
        return None  # an undated score cannot be judged current
    text = str(int(value)) if float(value).is_integer() else str(value)
    return Reading(value=text, recorded=recorded)


def _day(value: object) -> date | None:
    if not isinstance(value, str) or len(value) < 10:
        return None  # FHIR allows "2026" or "2026-11": too vague to call current
    try:
        return datetime.fromisoformat(value[:10]).date()
    except ValueError:
        return None


def chart_launch(kps: Reading | None, ecog: Reading | None, today: date, max_age_days: int) -> Prefill | None:
    """The launch the form shows, or None when the chart holds neither score."""
    if kps is None and ecog is None:
        return None
    used, label = (kps, "KPS") if kps else (ecog, "ECOG")
    launch = read_prefill({KPS.name: kps.value} if kps else {ECOG: ecog.value})
    sentence = _sentence(label, used, today, max_age_days)
    if KPS.name in launch.notes:  # a value the form does not offer: say where it came from, then why
        sentence = f"{sentence} {launch.notes[KPS.name]}"
    return Prefill(accepted=launch.accepted, notes={**launch.notes, KPS.name: sentence})


def _sentence(label: str, reading: Reading, today: date, max_age_days: int) -> str:
    """Where the value came from and how old it is; the date written out in the page's language
    (calculator.i18n.day), unambiguous wherever the EHR runs."""
    age = (today - reading.recorded).days
    values = {"value": reading.value, "date": day(reading.recorded), "ago": _days(age), "days": max_age_days}
    if label == "KPS" and age > max_age_days:
        return _(
            "From the chart: KPS %(value)s, recorded %(date)s (%(ago)s). Old: more than %(days)s days, it "
            "may no longer describe the patient. Please confirm.",
            **values,
        )
    if label == "KPS":
        return _("From the chart: KPS %(value)s, recorded %(date)s (%(ago)s). Please confirm.", **values)
    if age > max_age_days:
        return _(
            "From the chart: ECOG %(value)s (no KPS in the chart, so ECOG is used), recorded %(date)s "
            "(%(ago)s). Old: more than %(days)s days, it may no longer describe the patient. Please confirm.",
            **values,
        )
    return _(
        "From the chart: ECOG %(value)s (no KPS in the chart, so ECOG is used), recorded %(date)s "
        "(%(ago)s). Please confirm.",
        **values,
    )


def _days(age: int) -> str:
    if age <= 0:
        return _("today")
    return ngettext("%(num)s day ago", "%(num)s days ago", age)
