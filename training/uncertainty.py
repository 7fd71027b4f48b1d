"""The uncertainty of every reconstruction parameter, and draws of all of them at once.

Each parameter of `assumptions.json` carries an `uncertainty` entry; this module turns it into a
`Distribution` with its central value (the parameter's resolved value), its 95% range and where
that range comes from, and draws a full set of parameters from one `numpy.random.Generator`.

Spreads come from the evidence wherever it has one: the width of a published 95% CI
(`log_sd_from_ci`), the binomial error of a published fraction (`beta`), or a figure computed from
the published rows (`log_sd_of`, `of`). Otherwise a stated range is a named assumption with its
reason. Published figures themselves (series sizes, resection splits, deaths, medians) are data:
they are not parameters and are never drawn.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, replace

import numpy as np
import scipy.stats

from training.evidence import Z95, Parameter, find_row, log_se_from_ci, read_rows, resolve_parameters


@dataclass(frozen=True)
class Distribution:
    name: str
    kind: str  # fixed | normal | lognormal | uniform | beta
    centre: float  # the parameter's resolved value
    low: float  # 2.5th percentile (uniform: the lower bound)
    high: float  # 97.5th percentile (uniform: the upper bound)
    basis: str  # the reason, naming the row or figure the spread comes from
    beta: tuple[float, float] = ()  # (a, b) of a beta distribution

    def draw(self, rng: np.random.Generator) -> float:
        if self.kind == "fixed":
            return self.centre
        if self.kind == "uniform":
            return float(rng.uniform(self.low, self.high))
        if self.kind == "normal":
            return float(rng.normal(self.centre, (self.high - self.low) / (2 * Z95)))
        if self.kind == "lognormal":
            log_sd = (math.log(self.high) - math.log(self.low)) / (2 * Z95)
            return float(math.exp(rng.normal(math.log(self.centre), log_sd)))
        return float(rng.beta(*self.beta))

    def describe(self) -> str:
        """The distribution in words, for the model card and the manifest."""
        if self.kind == "fixed":
            return "fixed"
        rng = f"{_g(self.low)}-{_g(self.high)}"
        return {
            "uniform": f"uniform over {rng}",
            "normal": f"normal, 95% range {rng}",
            "lognormal": f"log-normal, 95% range {rng}",
            "beta": f"beta, 95% range {rng}",
        }[self.kind]


def _g(x: float) -> str:
    return f"{x:.3g}"


def published_log_median_survival() -> float:
    """SD of the log of every median survival published by an intradural series (series.csv),
    in months: how much one series' median differs from another's."""
    medians = []
    for row in read_rows("series.csv"):
        figure = row["figure"]
        if figure in ("median_os_months", "average_os_months"):
            medians.append(float(row["value"]))
        elif figure == "median_os_days":
            medians.append(float(row["value"]) / resolve_parameters()["days_per_month"].value)
    return float(np.std(np.log(medians), ddof=1))


def published_mean_mccormick_grades() -> tuple[float, float]:
    """(lowest, highest) mean McCormick grade implied by the series that publish a neurological
    figure, under the reconstruction's grade family (training.reconstruct.mccormick_q)."""
    from training.evidence import load_assumptions, series_info
    from training.reconstruct import mccormick_q

    means = []
    for study in load_assumptions()["series"]:
        if study["neuro"]:
            sid = study["study_id"]
            means.append(1 + 4 * mccormick_q(study["neuro"], sid, series_info(sid).n, None))
    return min(means), max(means)


COMPUTED = {"published_log_median_survival": published_log_median_survival}
SPANS = {"published_mean_mccormick_grades": published_mean_mccormick_grades}


def distribution(param: Parameter, spec: dict) -> Distribution:
    """The Distribution of one resolved parameter from its `uncertainty` entry."""
    kind, reason, centre = spec["kind"], spec["reason"], param.value
    if kind == "fixed" or not isinstance(centre, (int, float)):
        return Distribution(param.name, "fixed", centre, centre, centre, reason)
    if kind == "beta":
        ref = dict(spec["n_from"])
        n = int(find_row(ref.pop("file"), **ref)["n"])
        a, b = centre * n + 0.5, (1 - centre) * n + 0.5
        low, high = scipy.stats.beta.ppf([0.025, 0.975], a, b)
        return Distribution(param.name, kind, centre, float(low), float(high), reason, (a, b))
    if "of" in spec:  # a span computed from the evidence
        low, high = SPANS[spec["of"]]()
        return Distribution(param.name, kind, centre, low, high, reason)
    if "log_sd_from_ci" in spec:
        ref = dict(spec["log_sd_from_ci"])
        row = find_row(ref.pop("file"), **ref)
        log_sd = log_se_from_ci(row) * spec.get("per_units", 1)
        return _log_range(param, log_sd, reason)
    if "log_sd_of" in spec:
        return _log_range(param, COMPUTED[spec["log_sd_of"]](), reason)
    return Distribution(param.name, kind, centre, float(spec["low"]), float(spec["high"]), reason)


def _log_range(param: Parameter, log_sd: float, reason: str) -> Distribution:
    centre = float(param.value)
    return Distribution(
        param.name,
        "lognormal",
        centre,
        centre * math.exp(-Z95 * log_sd),
        centre * math.exp(Z95 * log_sd),
        reason,
    )


def distributions(params: dict[str, Parameter], assumptions: dict) -> dict[str, Distribution]:
    return {
        name: distribution(params[name], spec["uncertainty"])
        for name, spec in assumptions["parameters"].items()
    }


def draw_parameters(
    params: dict[str, Parameter], dists: dict[str, Distribution], rng: np.random.Generator
) -> dict[str, Parameter]:
    """One draw of every parameter, in declaration order (so a stream gives the same draw)."""
    return {name: replace(p, value=dists[name].draw(rng)) for name, p in params.items()}
