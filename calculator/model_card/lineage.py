"""The card's section for a model updated on a registry (`python -m training recalibrate`):
what it was updated from, on what, how the update was chosen. From the manifest's `lineage`."""

from __future__ import annotations

from calculator.i18n import _, decimal_text
from calculator.model_card.blocks import Paragraph, Section, table


def recalibrated_on(m: dict) -> str:
    """One sentence: "recalibrated on FILE (N patients, DATE)", as the page footer says it."""
    lineage = m["lineage"]
    registry = lineage["registry"]
    variables = {"file": registry["file"], "n": registry["n"], "date": registry["date"]}
    if lineage["method"] == "original":
        return _(
            "Tested on %(file)s (%(n)s patients, %(date)s): the closed test kept the original model "
            "unchanged.",
            **variables,
        )
    # TRANSLATORS: %(method)s is the update's name as training recorded it (in English).
    return _(
        "Recalibrated on %(file)s (%(n)s patients, %(date)s): %(method)s.",
        method=lineage["method_label"],
        **variables,
    )


def lineage_section(m: dict) -> Section:
    lineage = m["lineage"]
    test = lineage["closed_test"]
    registry = lineage["registry"]
    facts = _(
        "Parent model %(parent)s (artifact SHA-256 %(parent_sha256)s); registry file SHA-256 %(sha256)s, "
        "%(rows)s rows, %(n)s used, %(deaths)s deaths by day %(day)s. The registry's rows are not kept "
        "with the model. Method chosen by %(procedure)s.",
        parent=lineage["parent_version"],
        parent_sha256=lineage["parent_sha256"],
        sha256=registry["sha256"],
        rows=registry["n_rows"],
        n=registry["n"],
        deaths=registry["events_90d"],
        day=m["horizon_days"],
        procedure=test["procedure"],
    )
    steps = table(
        _("Closed testing"),
        # TRANSLATORS: table headers: the test, its likelihood-ratio statistic, degrees of freedom, p-value.
        (_("Test"), _("LR statistic"), _("df"), _("p")),
        [
            (
                s["test"],
                decimal_text(f"{s['lr_statistic']:.2f}"),
                s["df"],
                decimal_text(f"{s['p_value']:.4f}"),
            )
            for s in test["steps"]
        ],
        numeric=(1, 2, 3),
    )
    losses = table(
        _(
            "Cross-validated log-loss of each update on the registry (lower is better; reported, not "
            "used to choose)"
        ),
        (_("Update"), _("Log-loss")),
        [(name, decimal_text(f"{v:.4f}")) for name, v in lineage["cv_log_loss"].items()],
        numeric=(1,),
    )
    return Section(
        "lineage",
        _("Recalibrated on a registry"),
        (Paragraph(f"{recalibrated_on(m)} {facts}"), steps, losses),
    )
