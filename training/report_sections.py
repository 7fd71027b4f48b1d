"""The validation report's statistician sections (training/local_measures.py) as HTML, and the
small formatting helpers the whole report shares. Every value is escaped."""

from __future__ import annotations

from html import escape

from calculator.features import HORIZON_DAYS
from training.report_svg import decision_curve_svg, smoothed_svg
from training.validation_measures import TARGET_SE_LN_OE

RECALIBRATE = "python -m training recalibrate --cohort {cohort} --model {model} --out recalibrated_model/"


def pct(value) -> str:
    return "not available" if value is None else f"{100 * value:.1f}%"


def num(value, digits: int = 3) -> str:
    return "not estimable" if value is None else f"{value:.{digits}f}"


def table(header: list[str], rows: list[list[str]], numeric: tuple[int, ...] = ()) -> str:
    """A table; the columns at the `numeric` positions are right-aligned."""
    head = "".join(f"<th scope='col'>{escape(h)}</th>" for h in header)
    body = "".join(
        "<tr>"
        + "".join(
            f"<td class='num'>{escape(c)}</td>" if i in numeric else f"<td>{escape(c)}</td>"
            for i, c in enumerate(row)
        )
        + "</tr>"
        for row in rows
    )
    return f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


def _oe_cells(r: dict) -> list[str]:
    ci = "—" if not r.get("ci_95") else f"{r['ci_95'][0]:.2f} to {r['ci_95'][1]:.2f}"
    return [
        str(r["n"]),
        "—" if r["observed"] is None else f"{r['observed']:.1f}",
        "—" if r["expected"] is None else f"{r['expected']:.1f}",
        "—" if r["oe"] is None else f"{r['oe']:.2f}",
        ci,
    ]


def subgroup_section(stats: dict) -> str:
    rows = [["All patients", *_oe_cells(stats["oe"])]]
    for kind, groups in stats["subgroups"].items():
        rows += [[f"{kind}: {g['group']}", *_oe_cells(g)] for g in groups]
    header = ["Group", "n", f"Observed deaths by day {HORIZON_DAYS}", "Expected", "O/E", "95% CI"]
    return (
        f"<h2>Observed and expected deaths, overall and within subgroups</h2><p>Observed = deaths by day "
        f"{HORIZON_DAYS} (IPCW-weighted), expected = sum of predicted risks. O/E &lt; 1: the model "
        "over-predicts death. 95% CI on the log scale, SE(ln O/E) = sqrt((1 - o) / (n o)) with o the "
        "observed proportion and n Kish's effective n (Debray et al., BMJ 2017;356:i6460).</p>"
        + table(header, rows, (1, 2, 3, 4, 5))
    )


def case_mix_section(stats: dict) -> str:
    mix = stats["case_mix"]
    rows = [[r["input"], r["value"], pct(r["here"]), pct(r["development"])] for r in mix["rows"]]
    corr = mix["kps_mccormick_correlation"]
    return (
        "<h2>Case mix against the development cohort</h2><p>Share of patients with each value here and "
        "in the cohort the model was developed on (its support table: patients per input combination; "
        "for a pooled model, the mean over its draws). A case mix unlike the development cohort's "
        "changes what c and calibration mean. Correlation of KPS with McCormick grade (Pearson): "
        f"here {num(corr['here'], 2)}, development {num(corr['development'], 2)}.</p>"
        + table(["Input", "Value", "Here", "Development"], rows, (2, 3))
    )


def curves_section(stats: dict) -> str:
    s = stats["smoothed"]
    ici = f"ICI {num(s['ici'])}" + (
        f" (95% CI {s['ici_ci_95'][0]:.3f} to {s['ici_ci_95'][1]:.3f})" if s.get("ici_ci_95") else ""
    )
    return (
        "<h2>Smoothed calibration and decision curve</h2><p>Smoothed calibration: weighted logistic "
        "regression of death by day 90 on a restricted cubic spline (3 knots, 10th/50th/90th "
        f"percentiles) of the logit of predicted risk ({escape(s['smoother'])}); band: percentile "
        f"bootstrap, {s['resamples_used']} resamples. Grey bars: histogram of predicted risks. "
        f"Integrated calibration index (mean absolute distance of the curve from the diagonal, Austin "
        f"&amp; Steyerberg, Stat Med 2019;38:4051-4065): {ici}.</p>"
        f"<figure>{smoothed_svg(s, stats['histogram'], 'Smoothed calibration curve')}</figure>"
        "<p>Decision curve (Vickers &amp; Elkin, Med Decis Making 2006;26:565-574): net benefit of "
        "acting on a predicted risk of death at or above each threshold (blue), of acting on everyone "
        "(dashed) and on no one (0).</p>"
        f"<figure>{decision_curve_svg(stats['net_benefit'], 'Decision curve')}</figure>"
        + table(
            ["Threshold", "Model", "Treat all", "Treat none"],
            [
                [f"{r['threshold']:.2f}", f"{r['model']:.3f}", f"{r['treat_all']:.3f}", "0.000"]
                for r in stats["net_benefit"]
            ],
            (0, 1, 2, 3),
        )
    )


def precision_text(stats: dict) -> str:
    v = stats["verdict"]
    needed = v["events_needed"]
    se = "not estimable" if v["se_ln_oe"] is None else f"{v['se_ln_oe']:.2f}"
    if needed["events"] is None:
        return "The precision of O/E cannot be judged: the cohort needs deaths and survivors."
    return (
        f"Precision: SE(ln O/E) here is {se}. A precise validation (SE(ln O/E) {TARGET_SE_LN_OE}, a "
        "95% CI for O/E of about 0.82 to 1.22; Riley et al., Stat Med 2021;40:4230-4251, criterion 1: "
        f"events = (1 - o) / SE^2 at the observed proportion o) needs about {needed['events']} deaths "
        f"by day {HORIZON_DAYS} ({needed['patients']} patients); this cohort has {v['events']}"
        + (": precise enough by this criterion." if v["events"] >= needed["events"] else ": not enough.")
    )


def update_section(stats: dict, cohort_file: str, model_dir: str, imputations: int | None = None) -> str:
    update = stats.get("update")
    if update is None:
        return "<h2>Update</h2><p>No update can be tested: the cohort needs deaths and survivors.</p>"
    steps = [
        [s["test"], f"{s['lr_statistic']:.2f}", str(s["df"]), f"{s['p_value']:.4f}"] for s in update["steps"]
    ]
    command = RECALIBRATE.format(cohort=cohort_file, model=model_dir)
    if imputations:
        command += f" --impute --imputations {imputations}"
    return (
        "<h2>The update the closed test recommends</h2><p>Closed testing (Vergouwe et al., Stat Med "
        "2017;36:4529-4539): likelihood-ratio tests of a full refit against the original model, the "
        f"intercept update and logistic recalibration in turn, alpha {update['alpha']}.</p>"
        + table(["Test", "LR statistic", "df", "p"], steps, (1, 2, 3))
        + f"<p><strong>Recommended: {escape(update['label'])}.</strong> To make it (it also reports "
        f"each option's cross-validated log-loss): <code>{escape(command)}</code></p>"
    )
