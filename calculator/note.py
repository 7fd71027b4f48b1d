"""The plain-text summary a surgeon pastes into the clinical note ("copy to note").

A pure function of the result dict (calculator.result.build_result) and the date, so the text is
tested without Flask and can never disagree with the page. Plain lines, no markup: EHR note
editors differ in what they keep. Written in the current language (calculator.i18n); the page
may ask for the note in another language than its own (calculator.display.note_in).
"""

from __future__ import annotations

from datetime import date

from calculator.explain import interval_text
from calculator.features import FEATURE_NAMES, N_
from calculator.i18n import _, day, pct
from calculator.wording import SHORT_NAME, answer, label

SYNTHETIC_CAVEAT = N_(
    "Caveat: decision support from a model fitted on synthetic cohorts reconstructed from "
    "published series (not real patients, not validated on real patients); it supports, and does "
    "not replace, clinical judgement."
)
REGISTRY_CAVEAT = N_(
    "Caveat: decision support from a model fitted on a registry cohort; it supports, and does not "
    "replace, clinical judgement."
)


def estimate_line(result: dict) -> str:
    if result["survival_90d"] is None:
        return _("Estimated 90-day survival: none (no patients like this one in the evidence; see warning).")
    return _(
        "Estimated 90-day survival: %(estimate)s (%(interval)s).",
        estimate=pct(result["survival_90d"]),
        interval=interval_text(result["interval_95"]),
    )


def averaged_line(name: str, entry: dict) -> str:
    """One line per input the estimate averaged over (not known yet, or KPS from ECOG)."""
    span = entry["estimate_range"]
    moved = {"low": pct(span[0]), "high": pct(span[1])} if span else {}
    if entry["reason"] == "ecog":
        high, low = entry["kps_values"][0], entry["kps_values"][-1]
        if moved:
            return _(
                "Averaged over KPS (derived from ECOG: KPS %(band_high)s-%(band_low)s, ECOG-ACRIN table); "
                "the estimate ranges from %(low)s to %(high)s over its values.",
                band_high=high,
                band_low=low,
                **moved,
            )
        return _(
            "Averaged over KPS (derived from ECOG: KPS %(band_high)s-%(band_low)s, ECOG-ACRIN table).",
            band_high=high,
            band_low=low,
        )
    if moved:
        # TRANSLATORS: %(input)s is "KPS", "other metastases" or "McCormick grade".
        return _(
            "Averaged over %(input)s (not known yet); the estimate ranges from %(low)s to %(high)s over "
            "its values.",
            input=_(SHORT_NAME[name]),
            **moved,
        )
    return _("Averaged over %(input)s (not known yet).", input=_(SHORT_NAME[name]))


def inputs_line(inputs: dict) -> str:
    items = "; ".join(
        _("%(input)s: %(answer)s", input=label(name), answer=answer(name, inputs)) for name in FEATURE_NAMES
    )
    return _("Inputs: %(inputs)s.", inputs=items)


def note_text(result: dict, computed_on: date) -> str:
    """The summary: inputs, estimate with interval, coverage warnings, caveat, model and date.

    `computed_on` is the date shown on the page beside the estimate, written in the note's
    language. Raises KeyError if `result` lacks a key that build_result always provides.
    """
    lines = [
        _("Intradural spinal metastasis: estimated 90-day survival after surgery"),
        inputs_line(result["inputs"]),
        estimate_line(result),
        *(averaged_line(name, entry) for name, entry in result["averaged_over"].items()),
        *(_("Warning: %(warning)s", warning=warning) for warning in result["warnings"]),
        _(SYNTHETIC_CAVEAT) if result["model"]["synthetic"] else _(REGISTRY_CAVEAT),
        _(
            "Model %(version)s; estimate computed %(date)s.",
            version=result["model"]["version"],
            date=day(computed_on),
        ),
    ]
    return "\n".join(lines)
