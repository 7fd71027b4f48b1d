"""What the default model's numbers would be with other draws: the stability measurements the fit
records in the manifest (`stability`), and each published target's agreement over the draws.
Pure: no I/O."""

from __future__ import annotations

import numpy as np

from calculator.predict import percentile_interval
from training.pooling import Pooled, grid_survival


def grid_difference(a: Pooled, b: Pooled) -> dict[str, float]:
    """Largest change, in probability, over the 600 input combinations: of the point estimate and
    of each end of the 95% interval."""
    point_a, draws_a = grid_survival(a)
    point_b, draws_b = grid_survival(b)
    (lo_a, hi_a), (lo_b, hi_b) = percentile_interval(draws_a), percentile_interval(draws_b)
    return {
        "point": float(np.max(np.abs(point_a - point_b))),
        "interval_low": float(np.max(np.abs(lo_a - lo_b))),
        "interval_high": float(np.max(np.abs(hi_a - hi_b))),
    }


def resection_order(pooled: Pooled) -> list[tuple[str, ...]]:
    """The order of the three resection options by point estimate, for each of the 200 patients."""
    point, _ = grid_survival(pooled)
    by_patient = point.reshape(-1, 3, 2)  # grid order: ..., resection (3), compartment (2)
    options = ("biopsy", "subtotal", "gross_total")
    return [
        tuple(options[i] for i in np.argsort(-by_patient[p, :, c], kind="stable"))
        for p in range(by_patient.shape[0])
        for c in range(2)
    ]


def target_agreement(fits: list, rows: list[dict]) -> list[dict]:
    """Each row of the targets table with its reconstructed values over the draws: the range, and
    the share of draws meeting it (targets; checks are reported, never enforced)."""
    out = []
    for i, row in enumerate(rows):
        values = [f.targets[i][1] for f in fits]
        numeric = [float(v) for v in values if isinstance(v, (int, float, np.number))]
        met = [f.targets[i][2] for f in fits]
        out.append(
            {k: row[k] for k in ("study_id", "figure", "kind", "tolerance", "note")}
            | {
                "published": row["published"]
                if "(borrowed)" not in row["figure"]
                else f"{row['published']} (drawn)",
                "reconstructed_median": float(np.median(numeric)) if numeric else None,
                "reconstructed_min": float(min(numeric)) if numeric else None,
                "reconstructed_max": float(max(numeric)) if numeric else None,
                "met_share": None if met[0] is None else float(np.mean([bool(m) for m in met])),
            }
        )
    return out
