"""Where the data comes from: the cohort, and for the synthetic default how it was reconstructed."""

from __future__ import annotations

import math

from calculator.model_card.blocks import Paragraph, Section, Table, num, plain, table

# The reconstruction's effect parameters (manifest reconstruction.parameters, by name) behind each
# data-generating log hazard ratio; their values and sources are read from the manifest.
EFFECT_SOURCES = {
    "kps_per_10": ("per 10 KPS points", ("hr_kps_per_10_points",)),
    "other_metastases": ("other metastases vs none", ("hr_other_metastases",)),
    "per_mccormick_grade": (
        "per McCormick grade",
        ("hr_non_ambulatory_general", "hr_neuro_deficit_intradural", "grades_between_ambulatory_groups"),
    ),
}


def data_sections(m: dict) -> list[Section]:
    sections = [cohort_section(m)]
    rec = m.get("reconstruction")
    if rec:
        sections += [
            Section("series", "The published series", (series_table(rec),), level=3),
            Section("targets", "Published figures and their reconstruction", targets_blocks(rec), level=3),
            Section("assumptions", "Effects and assumptions", assumption_blocks(rec), level=3),
        ]
    return sections


def cohort_section(m: dict) -> Section:
    cohort, h = m["cohort"], m["horizon_days"]
    studies = table(
        "Patients by study in the fitting cohort",
        ("Study", "n", f"Deaths by day {h}"),
        [(s["study_id"], s["n"], s["events_90d"]) for s in cohort["studies"]]
        + [("All", cohort["n"], cohort["events_90d"])],
        numeric=(1, 2),
    )
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
    statement = Paragraph(
        "No patient-level data on operated intradural spinal metastases is public. The patients behind "
        "this model are synthetic: one per published patient of the series below, drawn by a program "
        "so that each series' published figures (its size, resection split, neurological status and "
        "survival) are reproduced, with the effects of KPS, other metastases and neurological function "
        "borrowed from larger spinal-metastasis cohorts where intradural ones do not exist. "
        "What this means: the cohort is a consistent restatement of the published summaries plus the "
        "assumptions listed below, not observed data. The model's coefficients largely return the "
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
    rows = [
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
        for t in rec["targets"]
    ]
    targets = [t for t in rec["targets"] if t["kind"] == "target"]
    met = sum(bool(t["met"]) for t in targets)
    return (
        Paragraph(
            f"A target is a published figure the reconstruction was built to reproduce within a "
            f"tolerance ({met} of {len(targets)} met); a check is compared but not tuned for. Each "
            "series' citation is in the table above."
        ),
        table(
            "Published vs reconstructed",
            ("Series", "Figure", "Kind", "Published", "Reconstructed", "Tolerance", "Met", "Note"),
            rows,
            numeric=(3, 4, 5),
            wide=True,
        ),
    )


def assumption_blocks(rec: dict) -> tuple:
    params = {p["name"]: p for p in rec["parameters"]}
    effect_rows = []
    for key, log_hr in rec.get("data_generating_log_hr", {}).items():
        contrast, names = EFFECT_SOURCES.get(key, (key, ()))
        sources = "; ".join(
            f"{n} = {plain(params[n]['value'])} ({params[n]['source']})" for n in names if n in params
        )
        effect_rows.append((contrast, num(math.exp(log_hr), 2), num(log_hr, 3), sources or "—"))
    blocks = [
        Paragraph(
            "The synthetic survival times were drawn with these hazard ratios; extent of resection and "
            "compartment were given none (see the assumptions below). Made by "
            f"'{rec['generator']}'."
        ),
        table(
            "Effects used to generate the synthetic survival times",
            ("Effect", "Hazard ratio", "log HR", "From"),
            effect_rows,
            numeric=(1, 2),
            wide=True,
        ),
        table(
            "Every parameter of the reconstruction, with its source or the reason for the assumption",
            ("Parameter", "Value", "Source", "Reason", "Evidence row"),
            [
                (p["name"], plain(p["value"]), p["source"], p["reason"], plain(p["evidence"]))
                for p in rec["parameters"]
            ],
            wide=True,
        ),
    ]
    return tuple(blocks)
