"""`validate --impute`: the local validation on each of m imputed data sets, pooled.

Measures with a variance are pooled by Rubin's rules (training.mi_pooling.rubin): c, the
calibration intercept and slope with their bootstrap standard errors, O/E (overall and per
subgroup) on the log scale with SE(ln O/E). The closed test's statistics are pooled by D2.
Curves, histograms, calibration groups, case mix and net benefit are means over imputations
(descriptive: no variance is claimed for them beyond each imputation's own band).
"""

from __future__ import annotations

import numpy as np

from training.local_measures import OE_TOLERANCE, SLOPE_TOLERANCE, within
from training.mi_pooling import rubin
from training.recalibrate import LABELS, closed_test_imputed
from training.recalibrate_command import registry_arrays
from training.validation_measures import events_for_precise_oe


def _mean_rows(rows_per_set: list[list[dict]], keys) -> list[dict]:
    out = []
    for rows in zip(*rows_per_set):
        row = dict(rows[0])
        for k in keys:
            values = [r[k] for r in rows if r.get(k) is not None]
            row[k] = float(np.mean(values)) if values else None
        out.append(row)
    return out


def _pooled_oe(entries: list[dict]) -> dict:
    logs = [np.log(e["oe"]) if e.get("oe") else None for e in entries]
    pooled = rubin(logs, [e.get("se_ln") for e in entries])
    out = dict(entries[0]) | {
        "observed": float(np.mean([e["observed"] or 0 for e in entries])),
        "expected": float(np.mean([e["expected"] or 0 for e in entries])),
        "n": int(round(np.mean([e["n"] for e in entries]))),
    }
    if pooled["estimate"] is None:
        return out | {"oe": None, "ci_95": None, "se_ln": None}
    ci = [float(np.exp(v)) for v in pooled["ci_95"]] if pooled["ci_95"] else None
    return out | {"oe": float(np.exp(pooled["estimate"])), "ci_95": ci, "se_ln": pooled["se"]}


def _pooled_subgroups(runs: list[dict]) -> dict:
    out = {}
    for kind in runs[0]["subgroups"]:
        names = dict.fromkeys(g["group"] for r in runs for g in r["subgroups"][kind])
        out[kind] = []
        for name in names:
            entries = [g for r in runs for g in r["subgroups"][kind] if g["group"] == name]
            if len(entries) == len(runs):
                out[kind].append(_pooled_oe(entries) | {"group": name})
    return out


def pool_validations(runs: list[dict], model, sets) -> dict:
    """One results dict (training.local_validation's shape) from one per imputed data set."""
    m = len(runs)
    results = dict(runs[0])
    results["measures"] = {
        k: rubin([r["measures"][k]["estimate"] for r in runs], [r["measures"][k]["se"] for r in runs])
        for k in runs[0]["measures"]
    }
    for k in ("brier", "brier_null", "mean_predicted_survival_90d"):
        results[k] = float(np.mean([r[k] for r in runs]))
    results["calibration_groups"] = _mean_rows(
        [r["calibration_groups"] for r in runs], ("predicted", "observed", "ci_low", "ci_high")
    )
    results["by_resection"] = _mean_rows(
        [r["by_resection"] for r in runs],
        ("n", "deaths_90d", "observed_survival_90d", "mean_predicted_survival_90d"),
    )
    for row in results["by_resection"]:
        row["n"], row["deaths_90d"] = int(round(row["n"])), int(round(row["deaths_90d"]))
    stats = [r["statistician"] for r in runs]
    pooled = dict(stats[0])
    pooled["oe"] = _pooled_oe([s["oe"] for s in stats])
    pooled["subgroups"] = _pooled_subgroups(stats)
    smoothed = dict(stats[0]["smoothed"])
    for k in ("curve", "low", "high"):
        if all(s["smoothed"].get(k) is not None for s in stats):
            smoothed[k] = np.mean([s["smoothed"][k] for s in stats], axis=0).tolist()
    smoothed["ici"] = float(np.mean([s["smoothed"]["ici"] for s in stats]))
    smoothed["ici_ci_95"] = None  # not pooled: the mean ICI is descriptive
    pooled["smoothed"] = smoothed
    pooled["histogram"] = np.mean([s["histogram"] for s in stats], axis=0).round().astype(int).tolist()
    pooled["net_benefit"] = _mean_rows([s["net_benefit"] for s in stats], ("model", "treat_all"))
    pooled["case_mix"] = dict(stats[0]["case_mix"]) | {
        "rows": _mean_rows([s["case_mix"]["rows"] for s in stats], ("here",))
    }
    y = registry_arrays(sets[0])[1]
    test = closed_test_imputed([registry_arrays(s) for s in sets], model.coefficients)
    o = float(1 - results["observed_survival_90d"]) if results["observed_survival_90d"] is not None else 0.0
    pooled["verdict"] = dict(stats[0]["verdict"]) | {
        "oe": within(pooled["oe"]["ci_95"], OE_TOLERANCE),
        "slope": within(results["measures"]["calibration_slope"]["ci_95"], SLOPE_TOLERANCE),
        "se_ln_oe": pooled["oe"].get("se_ln"),
        "events_needed": events_for_precise_oe(o),
        "events": int(y.sum()),
    }
    pooled["update"] = test | {"label": LABELS[test["chosen"]]}
    results["statistician"] = pooled
    results["imputations"] = m
    return results
