"""Where the data comes from: the cohort, and for the synthetic default the published series and
their reconstruction (the assumptions are in calculator.model_card.assumptions)."""

from __future__ import annotations

from calculator.model_card.assumptions import assumption_blocks
from calculator.model_card.blocks import Paragraph, Section, Table, count, deaths, pct, plain, pooled, table
from calculator.model_card.lineage import lineage_section


def data_sections(m: dict) -> list[Section]:
    sections = [cohort_section(m)]
    if m.get("lineage"):
        sections.append(lineage_section(m))
    rec = m.get("reconstruction")
    if rec:
        sections += [
            Section("series", "The published series", (series_table(rec),), level=3),
            Section("targets", "Published figures and their reconstruction", targets_blocks(rec), level=3),
            Section("assumptions", "Every assumption with its uncertainty", assumption_blocks(m), level=3),
        ]
    return sections


def cohort_section(m: dict) -> Section:
    cohort, h = m["cohort"], m["horizon_days"]
    per = " (mean over the reconstructions)" if pooled(m) else ""
    studies = table(
        "Patients by study in the fitting cohort",
        ("Study", "n", f"Deaths by day {h}{per}"),
        [(s["study_id"], s["n"], count(s["events_90d"])) for s in cohort["studies"]]
        + [("All", cohort["n"], count(cohort["events_90d"]))],
        numeric=(1, 2),
    )
    if pooled(m):
        facts = (
            f"{cohort['n']} patients in each of {cohort['reconstructions']} reconstructions, from "
            f"{len(cohort['studies'])} studies; {deaths(m)}; {cohort['censored_before_90d']} last seen "
            f"alive before day {h}. The file {cohort['file']} (SHA-256 {cohort['sha256']}) is one of "
            "them, the first draw, kept with the model as an example: the model is not fitted to it "
            "alone."
        )
    else:
        facts = (
            f"{cohort['n']} patients used of {cohort['n_rows']} rows in the file "
            f"{cohort['file']} (SHA-256 {cohort['sha256']}), from {len(cohort['studies'])} studies; "
            f"{cohort['events_90d']} died by day {h}; {cohort['censored_before_90d']} were last seen "
            f"alive before day {h}."
        )
        if "files" in m:  # the manifest lists what its model directory holds
            facts += (
                " A copy of the file is kept with the model."
                if cohort["file"] in m["files"]
                else " The file is not kept with the model: its hash identifies it."
            )
    if not m.get("synthetic"):
        return Section(
            "data",
            "Where the data comes from",
            (Paragraph(facts, "A registry cohort."), studies),
        )
    many = (
        f"{cohort['reconstructions']} reconstructions, each with one patient per published patient"
        if pooled(m)
        else "one patient per published patient"
    )
    statement = Paragraph(
        "No patient-level data on operated intradural spinal metastases is public. The patients behind "
        f"this model are synthetic: {many} of the series below, drawn by a program so that each "
        "series' published figures (its size, resection split, neurological status and survival) are "
        "reproduced, with the effects of KPS, other metastases and neurological function borrowed "
        "from larger spinal-metastasis cohorts where intradural ones do not exist"
        + (", each assumption drawn from its stated uncertainty. " if pooled(m) else ". ")
        + "What this means: the cohorts are consistent restatements of the published summaries plus "
        "the assumptions listed below, not observed data. The model's coefficients largely return the "
        "effects that were put in, and its validation figures say how well it fits data made that way, "
        "not how it performs in real patients.",
        "The cohort is synthetic.",
    )
    return Section("data", "Where the data comes from", (statement, Paragraph(facts), studies))


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
        "Each series, with its citation; the figures are listed with their values in the next table",
        ("Series", "Citation", "DOI or PMID", "n", "Compartment", "Used as", "Figures taken"),
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
        header = ("Reconstructed: median", "Min to max", "Tolerance", "Draws meeting it")
        summary = (
            f"{always} of {len(targets)} targets are met in every draw. The reconstructed value is "
            "given over the draws: its median and its range. A published figure marked 'drawn' is one "
            "a series does not publish and borrows from others: it is drawn in each reconstruction "
            "(see the assumptions)."
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
        header = ("Reconstructed", "Tolerance", "Met")
        summary = f"{sum(bool(t['met']) for t in targets)} of {len(targets)} targets are met."
    return (
        Paragraph(
            "A target is a published figure each reconstruction is built to reproduce within a "
            "tolerance; a check is compared but never tuned for. Published figures (sizes, resection "
            "splits, deaths, medians) are data: the same in every reconstruction, never drawn. "
            + summary
            + " Each series' citation is in the table above."
        ),
        table(
            "Published vs reconstructed (SYNTHETIC reconstructions)",
            ("Series", "Figure", "Kind", "Published", *header, "Note"),
            table_rows,
            numeric=tuple(range(3, 3 + len(header))),
            wide=True,
        ),
    )


def _range(t: dict) -> str:
    if t["reconstructed_min"] is None:
        return "—"
    return f"{plain(t['reconstructed_min'])} to {plain(t['reconstructed_max'])}"
