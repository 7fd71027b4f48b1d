"""Plain-language text for an estimate, and warnings where the evidence does not cover a patient.

Pure functions of the estimates (calculator.result) and the model's coverage
(calculator.coverage), in the current language (calculator.i18n): every sentence is one message,
translated whole, with the inputs' phrases (calculator.wording) as named placeholders. The
resection sentence never attributes a difference to the operation: in the published series, extent
of resection was not independently predictive once patient selection was accounted for (Ivren
2025, p = 0.834; Gazzeri 2021; Wilson 2012).
"""

from __future__ import annotations

from calculator.contributions import rounded_points, signed
from calculator.coverage import NO_EVIDENCE
from calculator.features import BY_NAME, FEATURE_NAMES, N_, REFERENCE_PATIENT
from calculator.i18n import _, alternatives, ngettext, number, pct, pct_range
from calculator.wording import grade, kps_band, value_phrase

# The meaning of this caveat must be exact in every language: the differences between operations
# are selection, not an effect of choosing a more radical operation.
SELECTION_CAVEAT = N_(
    "In the published series these differences largely reflect which patients were chosen for "
    "which operation (Ivren 2025; Gazzeri 2021): extent of resection was not independently "
    "associated with short-term survival once performance status, other metastases and "
    "neurological function were taken into account. They must not be read as the effect of "
    "choosing a more radical operation."
)
SHAPLEY_RULE = N_(
    "These shares add up to the difference between the two estimates (Shapley values: each input's "
    "change, averaged over every order in which the inputs could be changed). The planned resection "
    "is held at the reference patient's, so it has no share: the evidence does not show an effect "
    "of the operation (below)."
)


def interval_text(interval) -> str:
    """'95% interval 12-40%'."""
    return _("95%% interval %(range)s", range=pct_range(*interval))


def finding(name: str, value) -> str:
    """The patient's value against the reference's, as the (singular) subject of a sentence."""
    reference = REFERENCE_PATIENT[name]
    if name == "kps":
        # TRANSLATORS: the subject of "... raises the estimate by N percentage points".
        return _("KPS %(value)s instead of %(reference)s", value=value, reference=reference)
    if name == "other_metastases":
        return _("Having other metastases") if value else _("Having no other metastases")
    if name == "mccormick_grade":
        return _(
            "McCormick grade %(grade)s instead of %(reference)s",
            grade=grade(value),
            reference=grade(reference),
        )
    if value == "intradural_extramedullary":
        return _("An intradural extramedullary lesion instead of an intramedullary one")
    return _("An intramedullary lesion instead of an intradural extramedullary one")


def share_sentence(name: str, inputs: dict, points: int) -> str:
    """One known input's share in whole percentage points (calculator.contributions.rounded_points)."""
    subject = finding(name, inputs[name])
    if points == 0:
        return _("%(finding)s makes little difference (under 1 percentage point).", finding=subject)
    if points > 0:
        return ngettext(
            "%(finding)s raises the estimate by %(num)s percentage point.",
            "%(finding)s raises the estimate by %(num)s percentage points.",
            points,
            finding=subject,
        )
    return ngettext(
        "%(finding)s lowers the estimate by %(num)s percentage point.",
        "%(finding)s lowers the estimate by %(num)s percentage points.",
        -points,
        finding=subject,
    )


def explain(inputs: dict, shares, by_resection: dict) -> list[str]:
    """The sentences shown under the estimate (and returned by the API as `explanation`).

    `shares`: calculator.contributions.Contributions, or None when there is no estimate;
    `by_resection`: each option's estimate or None. The last sentence is the resection caveat;
    with no estimate it is the only one."""
    if shares is None:
        return [_(SELECTION_CAVEAT)]
    reference = ", ".join(value_phrase(n, v) for n, v in REFERENCE_PATIENT.items())
    sentences = [
        # TRANSLATORS: %(resection)s is "biopsy", "subtotal resection" or "gross total resection".
        _(
            "Compared with a reference patient (%(reference)s) having the same planned %(resection)s, "
            "whose estimate is %(estimate)s:",
            reference=reference,
            resection=value_phrase("resection", inputs["resection"]),
            estimate=pct(shares.reference),
        )
    ]
    points = rounded_points(shares)
    changed = [n for n in shares.shares if n not in shares.ranges and inputs[n] != REFERENCE_PATIENT[n]]
    sentences.extend(share_sentence(name, inputs, points[name]) for name in changed)
    for name, (low, high) in shares.ranges.items():
        sentences.append(averaged_sentence(name, inputs, points[name], low, high))
    if not changed and not shares.ranges:
        sentences.append(_("This patient matches the reference patient in every input."))
    else:
        sentences.append(_(SHAPLEY_RULE))
    sentences.append(resection_sentence(by_resection))
    return sentences


def resection_sentence(by_resection: dict) -> str:
    """The spread over the three operations, if there is one, and the caveat that it is selection."""
    values = [v for v in by_resection.values() if v is not None]
    if len(values) < 2:
        return _(SELECTION_CAVEAT)
    spread = _(
        "Across biopsy, subtotal and gross total resection the estimates for patients like this one "
        "range from %(low)s to %(high)s.",
        low=pct(min(values)),
        high=pct(max(values)),
    )
    return f"{spread} {_(SELECTION_CAVEAT)}"


def averaged_sentence(name: str, inputs: dict, points: int, low: float, high: float) -> str:
    """An input averaged over: its share of the difference, and the lowest and highest share it
    takes over its possible values (`low`, `high` as fractions), which knowing it could give."""
    values = {"share": signed(points), "low": signed(100 * low), "high": signed(100 * high)}
    if name == "kps" and inputs.get("ecog") is not None:
        band_high, band_low = kps_band(inputs["ecog"])
        return _(
            "KPS is taken from ECOG %(grade)s, which corresponds to KPS %(band_high)s-%(band_low)s "
            "(ECOG-ACRIN table): the estimate averages over that band; its share is %(share)s "
            "percentage points, between %(low)s and %(high)s over the band.",
            grade=inputs["ecog"],
            band_high=band_high,
            band_low=band_low,
            **values,
        )
    if name == "kps":
        return _(
            "KPS is not known yet: the estimate averages over the values seen with this patient's known "
            "inputs in the evidence behind the model; its share is %(share)s percentage points, and "
            "knowing it could make that anywhere from %(low)s to %(high)s.",
            **values,
        )
    if name == "other_metastases":
        return _(
            "Whether there are other metastases is not known yet (staging pending): the estimate averages "
            "over the values seen with this patient's known inputs in the evidence behind the model; its "
            "share is %(share)s percentage points, and knowing it could make that anywhere from %(low)s "
            "to %(high)s.",
            **values,
        )
    return _(
        "The McCormick grade is not known yet: the estimate averages over the grades seen with this "
        "patient's known inputs in the evidence behind the model; its share is %(share)s percentage "
        "points, and knowing it could make that anywhere from %(low)s to %(high)s.",
        **values,
    )


def gap_sentence(gap: tuple, coverage) -> str:
    """Why no number is shown: what the evidence lacks, and what it covers."""
    if gap[0] == "value":
        _kind, name, value = gap
        covered = [v for v in BY_NAME[name].values if coverage.value_count(name, v) >= NO_EVIDENCE]
        span = (
            _("KPS %(low)s-%(high)s", low=min(covered), high=max(covered))
            if name == "kps" and covered
            else ", ".join(value_phrase(name, v) for v in covered)
        )
        return _(
            "No estimate: the evidence behind the model has essentially no patient with %(value)s "
            "(it covers %(covered)s). A number here would be an extrapolation, not a summary of evidence.",
            value=value_phrase(name, value),
            covered=span,
        )
    if gap[0] == "pair":
        _kind, a, va, b, vb = gap
        return _(
            "No estimate: the evidence behind the model essentially never combines %(first)s with "
            "%(second)s. A number here would be an extrapolation, not a summary of evidence.",
            first=value_phrase(a, va),
            second=value_phrase(b, vb),
        )
    possible = gap[1]
    open_inputs = [
        alternatives([value_phrase(n, v) for v in possible[n]]) for n in FEATURE_NAMES if len(possible[n]) > 1
    ]
    return _(
        "No estimate: none of the values the unknown inputs could take (%(values)s) occurs with the "
        "known inputs in the evidence behind the model.",
        values="; ".join(open_inputs),
    )


def coverage_warnings(known: dict, coverage) -> list[str]:
    """Say which of the patient's known values, or pairs of values, the evidence rarely saw."""
    n = number(round(coverage.n))
    warnings = []
    for item in coverage.rare(known):
        count = item[-1]
        if item[0] == "value":
            fewer, about = RARE_VALUE_SENTENCES
            values = {"value": value_phrase(item[1], item[2])}
        else:
            fewer, about = RARE_PAIR_SENTENCES
            values = {"first": value_phrase(item[1], item[2]), "second": value_phrase(item[3], item[4])}
        template = fewer if count < 1 else about
        warnings.append(_(template, n=n, count=number(round(count)), **values))
    return warnings


# What the evidence rarely saw: (fewer than one patient, about N patients), each sentence whole.
RARE_VALUE_SENTENCES = (
    N_(
        "Fewer than one of the %(n)s patients behind the model had %(value)s: the estimate for this "
        "value rests mostly on the model's assumptions."
    ),
    N_(
        "Only about %(count)s of the %(n)s patients behind the model had %(value)s: the estimate for "
        "this value rests mostly on the model's assumptions."
    ),
)
RARE_PAIR_SENTENCES = (
    N_(
        "Fewer than one of the %(n)s patients behind the model combined %(first)s with %(second)s: "
        "this combination is rare in the evidence."
    ),
    N_(
        "Only about %(count)s of the %(n)s patients behind the model combined %(first)s with "
        "%(second)s: this combination is rare in the evidence."
    ),
)
