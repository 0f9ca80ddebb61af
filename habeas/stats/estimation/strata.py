"""Stratified multiple systems estimation: estimate each stratum on its own and add the strata up.

Why stratify. Every method here assumes something about how capture probabilities vary between people. When
they differ by a known trait (region, year, sex, kind of violation), people of the easily recorded group
appear on many lists and those of the hard-to-record group on few, so in the pooled table the lists look
positively dependent and the pooled estimate is usually too small. Estimating each stratum separately and
adding the strata removes that part of the heterogeneity; the pooled estimate is reported beside the total,
and a warning says when the two disagree beyond their intervals.

How the strata are added (the strata are independent samples, so their errors are independent):

* The total is the sum of the stratum estimates, and the number observed the sum of the numbers observed.
* Bayesian methods (``lcmcr``, ``dga``): the posterior of the total is the distribution of the sum of
  independent stratum posteriors. For LCMCR, whose posteriors are Monte Carlo draws, the i-th draws of the
  strata are added (draw-wise sums; every stratum runs the same number of chains and draws), and the
  interval is the 2.5% and 97.5% quantiles of the sums (as ``lcmcr_estimate`` summarises its own draws). For
  DGA, whose posterior is exact on a grid of N, the stratum posteriors are convolved (the exact distribution
  of the sum, with no Monte Carlo error) and the interval read as DGA reads its own. The posterior median of
  the total is reported in ``diagnostics``; it need not equal the sum of the stratum medians.
* Frequentist methods (``loglinear``, ``sparse``): their intervals (profile likelihood; BCa bootstrap) are
  not additive, and neither keeps the whole sampling distribution. The total's interval uses a normal
  approximation on the log scale of the number unseen f0 = N - n (Chao 1987, *Biometrics* 43:783-791: f0 is
  positive and right-skewed, and log f0 is close to normal). Each stratum's interval gives the standard
  error of its log f0 as the interval's width on that scale over 2 x 1.96, hence var(f0_s) ~ (f0_s se_s)**2
  by the delta method; independent strata add their variances; and the total's interval is
  n + f0 exp(+-1.96 se) with se = sqrt(sum var(f0_s)) / f0. It keeps the lower end above the number observed
  and the skew of the stratum intervals, and it needs nothing but each stratum's estimate and interval, so
  it treats both methods alike. (A stratum whose interval reaches down to its number observed, where the
  log scale breaks down, contributes the variance of a normal interval on the natural scale instead.) The
  coverage of these combined intervals is measured in ``bench/bench_coverage.py`` (docs/benchmarks.md).

A stratum without a finite estimate (or without an interval) leaves the total (or its interval) undefined,
with a warning naming the stratum: leaving it out would silently understate the total.

Seeds: the unstratified run uses ``seed``; stratum s uses a seed derived from ``seed`` and the name s (a
SHA-256 of both), so the whole run is reproducible bit for bit from ``seed`` and independent of the order
of the strata. Without a seed one is drawn and recorded in ``provenance``. With a single stratum the
stratum is the whole table and its run is the unstratified run.
"""

from __future__ import annotations

import csv
import hashlib
import math
import secrets
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
from numpy.typing import NDArray
from scipy.signal import fftconvolve

from habeas.stats.estimation.dga import DgaError
from habeas.stats.estimation.lcmcr import LcmcrError
from habeas.stats.estimation.loglinear import LoglinearError
from habeas.stats.estimation.run import (
    ESTIMATION_PACKAGES,
    RUNNERS,
    Estimate,
    EstimateError,
    Posterior,
    estimate,
    package_versions,
)
from habeas.stats.estimation.sparse import SparseError
from habeas.stats.estimation.table import CaptureTable, CaptureTableError, capture_row

__all__ = ["StrataError", "StratifiedEstimate", "estimate_strata", "read_strata", "stratum_seed"]

Z95 = 1.959963984540054
"""The 97.5% point of the standard normal distribution."""

_METHOD_ERRORS = (LoglinearError, SparseError, DgaError, LcmcrError, CaptureTableError)
"""Errors a method raises on data it cannot use: in one stratum they mean that stratum has no estimate."""


class StrataError(EstimateError):
    """Strata that cannot be estimated together; the message names the stratum."""


@dataclass(frozen=True)
class StratifiedEstimate:
    """Each stratum's estimate, their total with its 95% interval, and the unstratified estimate beside it.

    ``total`` and ``ci95`` are None when some stratum has no finite estimate (or no interval); ``warnings`` then
    names it. ``interval`` says how ``ci95`` was combined. ``difference`` is the total less the unstratified
    estimate. ``diagnostics`` holds the posterior median of the total for the Bayesian methods.
    """

    method: str
    observed: int
    total: float | None
    ci95: tuple[float, float] | None
    interval: str
    strata: dict[str, Estimate]
    pooled: Estimate
    difference: float | None
    diagnostics: dict[str, Any] = field(default_factory=dict)
    warnings: tuple[str, ...] = ()
    provenance: dict[str, Any] = field(default_factory=dict)

    def as_dict(self) -> dict[str, Any]:
        return {
            "method": self.method,
            "observed": self.observed,
            "total": self.total,
            "ci95": list(self.ci95) if self.ci95 else None,
            "interval": self.interval,
            "difference": self.difference,
            "diagnostics": self.diagnostics,
            "warnings": list(self.warnings),
            "strata": [{"stratum": name, **result.as_dict()} for name, result in self.strata.items()],
            "unstratified": self.pooled.as_dict(),
            "provenance": self.provenance,
        }


def stratum_seed(seed: int, name: str) -> int:
    """The seed of stratum ``name`` in a run seeded with ``seed``: 63 bits of SHA-256 of both."""
    digest = hashlib.sha256(f"habeas-strata\0{seed}\0{name}".encode()).digest()
    return int.from_bytes(digest[:8], "big") >> 1


def estimate_strata(
    tables: Mapping[str, CaptureTable],
    *,
    method: str = "loglinear",
    seed: int | None = None,
    **options: Any,
) -> StratifiedEstimate:
    """Estimate each stratum with ``estimate`` (one method; ``options`` as ``estimate`` takes them: ``model``,
    ``chains``, ``burn_in``, ``samples``, ``thin``), add the strata up, and estimate the pooled table beside
    them (see the module notes for how intervals are combined and seeds derived).

    Raises ``StrataError`` for no strata, strata over different lists or with different structural zeros,
    and ``method="all"``; errors of the unstratified run propagate as ``estimate`` raises them (a method that
    cannot take tables of this shape at all). A stratum the method cannot estimate gets no number, with the
    method's reason, and makes the total undefined.
    """
    if method not in RUNNERS:
        raise StrataError(f"stratified estimates take one method at a time: choose one of {', '.join(RUNNERS)}")
    names = list(tables)
    if not names:
        raise StrataError("no strata were given")
    first = tables[names[0]]
    for name in names[1:]:
        table = tables[name]
        if table.lists != first.lists:
            raise StrataError(
                f"stratum {name!r} has lists ({', '.join(table.lists)}), stratum {names[0]!r} has "
                f"({', '.join(first.lists)}): every stratum must have the same lists in the same order"
            )
        if set(table.structural_zeros) != set(first.structural_zeros):
            raise StrataError(f"stratum {name!r} declares other structural zeros than stratum {names[0]!r}")
    base = secrets.randbits(63) if seed is None else int(seed)
    if base < 0:
        raise StrataError(f"the seed must be a non-negative whole number, not {seed}")
    pooled_table = _pool(tables)
    (pooled,) = estimate(pooled_table, method=method, seed=base, **options)

    seeds = {name: base if len(names) == 1 else stratum_seed(base, name) for name in names}
    strata: dict[str, Estimate] = {}
    for name in names:
        strata[name] = pooled if len(names) == 1 else _one_stratum(tables[name], method, seeds[name], options)

    warnings: list[str] = []
    total, ci95, interval, diagnostics = _combine(strata, method, warnings)
    difference = None
    if total is not None and pooled.estimate is not None:
        difference = total - pooled.estimate
        if len(names) > 1 and _disagree(total, ci95, pooled):
            warnings.append(
                f"the stratified total ({total:,.0f}) and the unstratified estimate ({pooled.estimate:,.0f}) "
                "disagree beyond their intervals: capture probabilities seem to differ between strata, which "
                "biases the unstratified estimate (usually downward); prefer the stratified total"
            )
    provenance = {
        "method": method,
        "seed": base,
        "stratum_seeds": seeds,
        "strata_sha256": {name: tables[name].digest() for name in names},
        "pooled_sha256": pooled_table.digest(),
        "lists": list(first.lists),
        "parameters": {key: value for key, value in options.items()},
        "versions": package_versions(*ESTIMATION_PACKAGES),
    }
    return StratifiedEstimate(
        method=method,
        observed=sum(tables[name].observed for name in names),
        total=total,
        ci95=ci95,
        interval=interval,
        strata=strata,
        pooled=pooled,
        difference=difference,
        diagnostics=diagnostics,
        warnings=tuple(warnings),
        provenance=provenance,
    )


def _pool(tables: Mapping[str, CaptureTable]) -> CaptureTable:
    """The table of all strata together: counts of each pattern added up."""
    tables_list = list(tables.values())
    rows = [
        (tuple(int(v) for v in pattern), int(count))
        for table in tables_list
        for pattern, count in zip(table.patterns.tolist(), table.counts.tolist(), strict=True)
    ]
    pooled = CaptureTable.from_rows(tables_list[0].lists, rows)
    if tables_list[0].structural_zeros:
        pooled = CaptureTable(pooled.lists, pooled.patterns, pooled.counts, tables_list[0].structural_zeros)
    return pooled


def _one_stratum(table: CaptureTable, method: str, seed: int, options: Mapping[str, Any]) -> Estimate:
    try:
        (result,) = estimate(table, method=method, seed=seed, **options)
    except _METHOD_ERRORS as exc:
        return Estimate(
            method,
            "none",
            table.observed,
            None,
            None,
            {},
            (str(exc),),
            {"data_sha256": table.digest(), "method": method, "seed": seed},
        )
    return result


def _combine(
    strata: Mapping[str, Estimate], method: str, warnings: list[str]
) -> tuple[float | None, tuple[float, float] | None, str, dict[str, Any]]:
    missing = [name for name, result in strata.items() if result.estimate is None]
    if missing:
        for name in missing:
            reason = "; ".join(strata[name].warnings) or "no finite estimate"
            warnings.append(
                f"stratum {name!r} has no finite estimate ({reason}): the total is not given, since leaving "
                "the stratum out would understate it"
            )
        return None, None, "none", {}
    total = float(sum(result.estimate for result in strata.values() if result.estimate is not None))
    if len(strata) == 1:
        (only,) = strata.values()
        return total, only.ci95, "the single stratum's own interval", {}
    posteriors = [result.posterior for result in strata.values()]
    if all(p is not None for p in posteriors):
        return (total, *_bayesian([p for p in posteriors if p is not None]))
    no_interval = [name for name, result in strata.items() if result.ci95 is None]
    if no_interval:
        warnings.extend(
            f"stratum {name!r} has an estimate but no interval: the total has no interval" for name in no_interval
        )
        return total, None, "none", {}
    return total, _lognormal(strata), "normal approximation on the log scale of the number unseen (Chao 1987)", {}


def _bayesian(posteriors: list[Posterior]) -> tuple[tuple[float, float], str, dict[str, Any]]:
    if all(p.probabilities is None for p in posteriors):
        lengths = {p.values.size for p in posteriors}
        if len(lengths) != 1:
            raise StrataError("the strata's posteriors have different numbers of draws and cannot be added draw-wise")
        sums = np.sum([p.values for p in posteriors], axis=0)
        lower, upper = np.quantile(sums, [0.025, 0.975])
        return (
            (float(lower), float(upper)),
            "quantiles of draw-wise sums of the strata's posterior draws",
            {"posterior_median": float(np.median(sums))},
        )
    if any(p.probabilities is None for p in posteriors):
        raise StrataError("the strata's posteriors are of different kinds (draws and grids) and cannot be added")
    values, probabilities = _convolve(posteriors)
    cdf = np.cumsum(probabilities)

    def quantile(level: float) -> float:
        return float(values[min(int(np.searchsorted(cdf, level, side="left")), values.size - 1)])

    return (
        (quantile(0.025), quantile(0.975)),
        "quantiles of the exact posterior of the sum (the strata's posteriors convolved)",
        {"posterior_median": quantile(0.5)},
    )


def _convolve(posteriors: list[Posterior]) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    """The distribution of the sum of independent variables on grids of whole numbers."""
    offset = 0
    pmf: NDArray[np.float64] = np.ones(1)
    for posterior in posteriors:
        assert posterior.probabilities is not None
        grid = np.rint(posterior.values).astype(np.int64)
        low = int(grid.min())
        dense = np.bincount(grid - low, weights=posterior.probabilities).astype(np.float64)
        pmf = np.clip(fftconvolve(pmf, dense), 0.0, None)
        pmf /= pmf.sum()
        offset += low
    return offset + np.arange(pmf.size, dtype=np.float64), pmf


def _lognormal(strata: Mapping[str, Estimate]) -> tuple[float, float]:
    observed = sum(result.observed for result in strata.values())
    unseen = 0.0
    variance = 0.0
    for result in strata.values():
        assert result.estimate is not None and result.ci95 is not None
        lower, upper = result.ci95
        f0 = result.estimate - result.observed
        unseen += f0
        if f0 > 0 and lower > result.observed and math.isfinite(upper):
            se_log = (math.log(upper - result.observed) - math.log(lower - result.observed)) / (2 * Z95)
            variance += (f0 * se_log) ** 2
        else:
            variance += ((upper - lower) / (2 * Z95)) ** 2
    if not math.isfinite(variance):
        return observed + unseen, math.inf
    if unseen <= 0:
        return float(observed), observed + Z95 * math.sqrt(variance)
    se = math.sqrt(variance) / unseen
    return observed + unseen * math.exp(-Z95 * se), observed + unseen * math.exp(Z95 * se)


def _disagree(total: float, ci95: tuple[float, float] | None, pooled: Estimate) -> bool:
    """Either estimate outside the other's interval."""
    assert pooled.estimate is not None
    outside_total = ci95 is not None and not ci95[0] <= pooled.estimate <= ci95[1]
    outside_pooled = pooled.ci95 is not None and not pooled.ci95[0] <= total <= pooled.ci95[1]
    return outside_total or outside_pooled


def read_strata(path: str | Path, column: str) -> dict[str, CaptureTable]:
    """One capture table per value of ``column`` from a CSV with one 0/1 column per list, the stratum column
    and either a ``count`` column (one row per pattern and stratum) or none (one row per person); strata in
    the order of their names. Errors name the row and the column."""
    path = Path(path)
    try:
        handle = path.open(newline="", encoding="utf-8-sig")
    except OSError as exc:
        raise CaptureTableError(f"{path}: cannot be read ({exc.strerror})") from exc
    groups: dict[str, list[tuple[list[int], int]]] = {}
    with handle:
        reader = csv.DictReader(handle)
        header = reader.fieldnames or []
        if not header:
            raise CaptureTableError(f"{path}: the file is empty")
        if column not in header:
            raise CaptureTableError(f"{path}: no stratum column {column!r} (the columns are {', '.join(header)})")
        lists = [name for name in header if name not in ("count", column)]
        if not lists:
            raise CaptureTableError(f"{path}: no list columns besides {column!r} (expected 0/1 columns)")
        for line, record in enumerate(reader, start=2):
            stratum = (record.get(column) or "").strip()
            if not stratum:
                raise CaptureTableError(f"{path}, row {line}, column '{column}': the stratum is empty")
            row = capture_row(record, lists, header, where=f"{path}, row {line}")
            if row is not None:
                groups.setdefault(stratum, []).append(row)
    if not groups:
        raise CaptureTableError(f"{path}: no one was observed in any stratum")
    return {name: CaptureTable.from_rows(lists, groups[name]) for name in sorted(groups)}
