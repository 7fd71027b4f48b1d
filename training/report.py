"""Render the local validation report as one self-contained HTML file.

Inline CSS only: no script, no external resource (fonts, images, stylesheets), so the file can be
archived, mailed and printed as it is. Every value from the cohort or the manifest is escaped.
"""

from __future__ import annotations

from html import escape

from calculator.calibration_svg import calibration_svg
from calculator.features import HORIZON_DAYS
from training.report_sections import case_mix_section, curves_section, subgroup_section, update_section
from training.report_sections import num as _num
from training.report_sections import pct as _pct
from training.report_sections import table as _table

CSS = """
body { font-family: sans-serif; max-width: 52rem; margin: 2rem auto; padding: 0 1rem; color: #111;
       line-height: 1.45; }
table { border-collapse: collapse; margin: 0.5rem 0 1.5rem; }
th, td { border: 1px solid #999; padding: 0.25rem 0.6rem; text-align: left; vertical-align: top; }
td.num { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
figure { margin: 0; max-width: 26rem; }
code { background: #f2f2f2; padding: 0 0.2rem; }
.warning { border: 2px solid #000; padding: 0.5rem 1rem; }
@media print { body { margin: 0; max-width: none; } }
"""

MEANING = {
    "c_statistic": ("c-statistic (AUC)", "1 = perfect ranking of risk, 0.5 = chance"),
    "calibration_intercept": (
        "Calibration-in-the-large (log-odds of death)",
        "0 = right on average; > 0 more deaths than predicted",
    ),
    "calibration_slope": ("Calibration slope", "1 = ideal; < 1 estimates too extreme, > 1 too moderate"),
}


def render_report(results: dict, context: dict) -> str:
    """The report for `results` (training.local_validation.local_validation) and `context`
    (model version and sha256, cohort file and sha256, seed, date, refit command)."""
    measures = [
        [
            MEANING[m][0],
            _num(v["estimate"]),
            "—" if not v["ci_95"] else f"{v['ci_95'][0]:.3f} to {v['ci_95'][1]:.3f}",
            MEANING[m][1],
        ]
        for m, v in results["measures"].items()
    ]
    measures += [
        ["Brier score", _num(results["brier"]), "—", "0 = perfect; compare with the null model"],
        ["Brier score, null model", _num(results["brier_null"]), "—", "everyone given the observed rate"],
    ]
    groups = results["calibration_groups"]
    group_rows = [
        [
            str(i),
            str(g["n"]),
            _pct(g["predicted"]),
            _pct(g["observed"]),
            f"{_pct(g['ci_low'])} to {_pct(g['ci_high'])}",
        ]
        for i, g in enumerate(groups, start=1)
    ]
    resection_rows = [
        [
            r["resection"],
            str(r["n"]),
            str(r["deaths_90d"]),
            _pct(r["observed_survival_90d"]),
            _pct(r["mean_predicted_survival_90d"]),
        ]
        for r in results["by_resection"]
    ]
    summary = [
        ["Model version", context["model_version"]],
        ["Model SHA-256", context["model_sha256"]],
        [
            "Model trained on",
            f"{'SYNTHETIC reconstructed' if context['model_synthetic'] else 'registry'} cohort, "
            f"n = {context['model_n']}",
        ],
        ["Cohort file", f"{context['cohort_file']} (SHA-256 {context['cohort_sha256']})"],
        [
            "Patients analysed",
            f"{results['n']} ({context['rows_excluded']} rows excluded for missing values)",
        ],
        [f"Deaths by day {HORIZON_DAYS}", str(results["deaths_90d"])],
        [f"Censored before day {HORIZON_DAYS}", str(results["censored_before_90d"])],
        [f"Observed {HORIZON_DAYS}-day survival (Kaplan-Meier)", _pct(results["observed_survival_90d"])],
        [f"Mean predicted {HORIZON_DAYS}-day survival", _pct(results["mean_predicted_survival_90d"])],
        ["Generated", f"{context['generated_on']}, seed {context['seed']}"],
    ]
    if context.get("imputations"):
        summary.append(
            [
                "Missing predictors",
                f"multiple imputation by chained equations, m = {context['imputations']} (outcome in the "
                "imputation model). c, calibration intercept and slope and O/E are pooled by Rubin's "
                "rules (bootstrap standard errors; O/E on the log scale), the closed test by D2; "
                "curves, tables of groups and the decision curve are means over the imputations.",
            ]
        )
    resection_table = _table(
        ["Resection performed", "n", f"Deaths by day {HORIZON_DAYS}", "Observed", "Mean predicted"],
        resection_rows,
        (1, 2, 3, 4),
    )
    advice = "".join(f"<li>{escape(a)}</li>" for a in results["advice"])
    stats = results.get("statistician")
    stats_html = (
        subgroup_section(stats)
        + case_mix_section(stats)
        + curves_section(stats)
        + update_section(
            stats, context["cohort_file"], context.get("model_dir", "models/"), context.get("imputations")
        )
        if stats
        else f"<p>To refit on your own registry: <code>{escape(context['refit_command'])}</code>.</p>"
    )
    svg = calibration_svg(
        groups, title=f"Calibration in {context['cohort_file']}", element_id="local-calibration"
    )
    return f"""<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>Local validation of model {escape(context["model_version"])}</title>
<style>{CSS}</style>
</head>
<body>
<h1>Local validation: {HORIZON_DAYS}-day survival after surgery for intradural spinal metastases</h1>
<section class="warning"><h2>What to do</h2><ul>{advice}</ul></section>
<h2>Model and cohort</h2>
{_table(["Item", "Value"], summary)}
<h2>Performance</h2>
<p>For death by day {HORIZON_DAYS}. 95% intervals: percentile bootstrap, {results["resamples"]} resamples
of the patients. Patients censored before day {HORIZON_DAYS} are handled by inverse probability of
censoring weights, as in training.</p>
{_table(["Measure", "Estimate", "95% interval", "How to read it"], measures, (1, 2))}
<h2>Calibration plot</h2>
<p>Patients in {len(groups)} equal-sized groups by predicted {HORIZON_DAYS}-day survival; each point is
the group's observed survival with its 95% Wilson interval. Points below the diagonal: fewer survived
than predicted.</p>
<figure>{svg}</figure>
{_table(["Group", "n", "Mean predicted", "Observed", "95% interval"], group_rows, (0, 1, 2, 3, 4))}
<h2>By resection performed</h2>
<p>Observed ({HORIZON_DAYS}-day Kaplan-Meier) vs mean predicted survival, by the operation the
registry records as performed. The model's resection effect is an association in observational
series, confounded by who was offered which operation.</p>
{resection_table}
{stats_html}
</body>
</html>
"""
