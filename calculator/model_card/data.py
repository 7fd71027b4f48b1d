"""Where the data comes from: the cohort, and for the synthetic default the published series and
their reconstruction (the assumptions are in calculator.model_card.assumptions)."""

from __future__ import annotations

from calculator.i18n import _
from calculator.model_card.assumptions import assumption_blocks
from calculator.model_card.blocks import (
    Paragraph,
    Section,
    Table,
    count,
    deaths,
    interval,
    pct,
    plain,
    pooled,
    table,
)
from calculator.model_card.lineage import lineage_section


def data_sections(m: dict) -> list[Section]:
    sections = [cohort_section(m)]
    if m.get("lineage"):
        sections.append(lineage_section(m))
    rec = m.get("reconstruction")
    if rec:
        sections += [
            Section("series", _("The published series"), (series_table(rec),), level=3),
            Section("targets", _("Published figures and their reconstruction"), targets_blocks(rec), level=3),
            Section("assumptions", _("Every assumption with its uncertainty"), assumption_blocks(m), level=3),
        ]
    return sections


def cohort_section(m: dict) -> Section:
    cohort, h = m["cohort"], m["horizon_days"]
    studies = table(
        _("Patients by study in the fitting cohort"),
        (
            _("Study"),
            # TRANSLATORS: a column header: the number of patients.
            _("n"),
            _("Deaths by day %(day)s (mean over the reconstructions)", day=h)
            if pooled(m)
            else _("Deaths by day %(day)s", day=h),
        ),
        [(s["study_id"], s["n"], count(s["events_90d"])) for s in cohort["studies"]]
        # TRANSLATORS: the last row of a table of studies: all studies together.
        + [(_("All"), cohort["n"], count(cohort["events_90d"]))],
        numeric=(1, 2),
    )
    facts = cohort_facts(m)
    if not m.get("synthetic"):
        return Section(
            "data",
            _("Where the data comes from"),
            (Paragraph(facts, _("A registry cohort.")), studies),
        )
    statement = Paragraph(synthetic_statement(m), _("The cohort is synthetic."))
    return Section("data", _("Where the data comes from"), (statement, Paragraph(facts), studies))


def cohort_facts(m: dict) -> str:
    """The cohort's figures and its file: for the pooled default, one reconstruction of many."""
    cohort, h = m["cohort"], m["horizon_days"]
    variables = {
        "n": cohort["n"],
        "studies": len(cohort["studies"]),
        "censored": cohort["censored_before_90d"],
        "day": h,
        "file": cohort["file"],
        "sha256": cohort["sha256"],
    }
    if pooled(m):
        return _(
            "%(n)s patients in each of %(reconstructions)s reconstructions, from %(studies)s studies; "
            "%(deaths)s; %(censored)s last seen alive before day %(day)s. The file %(file)s (SHA-256 "
            "%(sha256)s) is one of them, the first draw, kept with the model as an example: the model is "
            "not fitted to it alone.",
            reconstructions=cohort["reconstructions"],
            deaths=deaths(m),
            **variables,
        )
    facts = _(
        "%(n)s patients used of %(rows)s rows in the file %(file)s (SHA-256 %(sha256)s), from "
        "%(studies)s studies; %(deaths)s died by day %(day)s; %(censored)s were last seen alive before "
        "day %(day)s.",
        rows=cohort["n_rows"],
        deaths=cohort["events_90d"],
        **variables,
    )
    if "files" not in m:  # the manifest lists what its model directory holds
        return facts
    if cohort["file"] in m["files"]:
        return facts + " " + _("A copy of the file is kept with the model.")
    return facts + " " + _("The file is not kept with the model: its hash identifies it.")


def synthetic_statement(m: dict) -> str:
    """What a synthetic cohort is, and what it means for the model's figures."""
    if pooled(m):
        return _(
            "No patient-level data on operated intradural spinal metastases is public. The patients "
            "behind this model are synthetic: %(reconstructions)s reconstructions, each with one patient "
            "per published patient of the series below, drawn by a program so that each series' published "
            "figures (its size, resection split, neurological status and survival) are reproduced, with "
            "the effects of KPS, other metastases and neurological function borrowed from larger "
            "spinal-metastasis cohorts where intradural ones do not exist, each assumption drawn from its "
            "stated uncertainty. What this means: the cohorts are consistent restatements of the "
            "published summaries plus the assumptions listed below, not observed data. The model's "
            "coefficients largely return the effects that were put in, and its validation figures say "
            "how well it fits data made that way, not how it performs in real patients.",
            reconstructions=m["cohort"]["reconstructions"],
        )
    return _(
        "No patient-level data on operated intradural spinal metastases is public. The patients behind "
        "this model are synthetic: one patient per published patient of the series below, drawn by a "
        "program so that each series' published figures (its size, resection split, neurological status "
        "and survival) are reproduced, with the effects of KPS, other metastases and neurological "
        "function borrowed from larger spinal-metastasis cohorts where intradural ones do not exist. "
        "What this means: the cohorts are consistent restatements of the published summaries plus the "
        "assumptions listed below, not observed data. The model's coefficients largely return the "
        "effects that were put in, and its validation figures say how well it fits data made that way, "
        "not how it performs in real patients."
    )


def series_table(rec: dict) -> Table:
    figures: dict[str, list[str]] = {}
    for t in rec["targets"]:
        figures.setdefault(t["study_id"], []).append(t["figure"])
    rows = []
    for s in rec["series"]:
        used = s["used_as"] + (f": {s['reason']}" if s.get("reason") else "")
        rows.append(
            (
                s["study_id"],
                s["citation"],
                s["doi_or_pmid"],
                s["n"],
                s["compartment"],
                used,
                ", ".join(figures.get(s["study_id"], [])) or "—",
            )
        )
    return table(
        _("Each series, with its citation; the figures are listed with their values in the next table"),
        (
            _("Series"),
            _("Citation"),
            _("DOI or PMID"),
            _("n"),
            _("Compartment"),
            _("Used as"),
            _("Figures taken"),
        ),
        rows,
        numeric=(3,),
        wide=True,
    )


def targets_blocks(rec: dict) -> tuple:
    rows = rec["targets"]
    targets = [t for t in rows if t["kind"] == "target"]
    if rows and "met_share" in rows[0]:  # over the draws of a pooled fit
        always = sum(t["met_share"] == 1 for t in targets)
        table_rows = [
            (
                t["study_id"],
                t["figure"],
                t["kind"],
                plain(t["published"]),
                plain(t["reconstructed_median"]),
                _range(t),
                plain(t["tolerance"]),
                "—" if t["met_share"] is None else pct(t["met_share"], 0),
                plain(t["note"]),
            )
            for t in rows
        ]
        header = (_("Reconstructed: median"), _("Min to max"), _("Tolerance"), _("Draws meeting it"))
        summary = _(
            "%(met)s of %(targets)s targets are met in every draw. The reconstructed value is given over "
            "the draws: its median and its range. A published figure marked 'drawn' is one a series does "
            "not publish and borrows from others: it is drawn in each reconstruction (see the "
            "assumptions).",
            met=always,
            targets=len(targets),
        )
    else:  # one reconstruction
        table_rows = [
            (
                t["study_id"],
                t["figure"],
                t["kind"],
                plain(t["published"]),
                plain(t["reconstructed"]),
                plain(t["tolerance"]),
                plain(t["met"]),
                plain(t["note"]),
            )
            for t in rows
        ]
        header = (_("Reconstructed"), _("Tolerance"), _("Met"))
        summary = _(
            "%(met)s of %(targets)s targets are met.",
            met=sum(bool(t["met"]) for t in targets),
            targets=len(targets),
        )
    return (
        Paragraph(
            " ".join(
                (
                    _(
                        "A target is a published figure each reconstruction is built to reproduce within a "
                        "tolerance; a check is compared but never tuned for. Published figures (sizes, "
                        "resection splits, deaths, medians) are data: the same in every reconstruction, "
                        "never drawn."
                    ),
                    summary,
                    _("Each series' citation is in the table above."),
                )
            )
        ),
        table(
            _("Published vs reconstructed (SYNTHETIC reconstructions)"),
            # TRANSLATORS: column headers; "Kind" is whether a figure is a target or a check
            # (the cells stay in English).
            (_("Series"), _("Figure"), _("Kind"), _("Published"), *header, _("Note")),
            table_rows,
            numeric=tuple(range(3, 3 + len(header))),
            wide=True,
        ),
    )


def _range(t: dict) -> str:
    if t["reconstructed_min"] is None:
        return "—"
    return interval(t["reconstructed_min"], t["reconstructed_max"], fmt=plain)
