"""The card's section for a model updated on a registry (`python -m training recalibrate`):
what it was updated from, on what, how the update was chosen. From the manifest's `lineage`."""

from __future__ import annotations

from calculator.model_card.blocks import Paragraph, Section, table


def recalibrated_on(m: dict) -> str:
    """One sentence: "recalibrated on FILE (N patients, DATE)", as the page footer says it."""
    lineage = m["lineage"]
    registry = lineage["registry"]
    if lineage["method"] == "original":
        return (
            f"Tested on {registry['file']} ({registry['n']} patients, {registry['date']}): the closed "
            "test kept the original model unchanged."
        )
    return (
        f"Recalibrated on {registry['file']} ({registry['n']} patients, {registry['date']}): "
        f"{lineage['method_label']}."
    )


def lineage_section(m: dict) -> Section:
    lineage = m["lineage"]
    test = lineage["closed_test"]
    registry = lineage["registry"]
    facts = (
        f"{recalibrated_on(m)} Parent model {lineage['parent_version']} (artifact SHA-256 "
        f"{lineage['parent_sha256']}); registry file SHA-256 {registry['sha256']}, "
        f"{registry['n_rows']} rows, "
        f"{registry['n']} used, {registry['events_90d']} deaths by day {m['horizon_days']}. The registry's "
        f"rows are not kept with the model. Method chosen by {test['procedure']}."
    )
    steps = table(
        "Closed testing",
        ("Test", "LR statistic", "df", "p"),
        [(s["test"], f"{s['lr_statistic']:.2f}", s["df"], f"{s['p_value']:.4f}") for s in test["steps"]],
        numeric=(1, 2, 3),
    )
    losses = table(
        "Cross-validated log-loss of each update on the registry (lower is better; reported, not "
        "used to choose)",
        ("Update", "Log-loss"),
        [(name, f"{v:.4f}") for name, v in lineage["cv_log_loss"].items()],
        numeric=(1,),
    )
    return Section("lineage", "Recalibrated on a registry", (Paragraph(facts), steps, losses))
