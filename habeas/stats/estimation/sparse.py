"""The sparse-data stepwise method of multiple systems estimation, after the R package SparseMSE 2.0.1.

Chan, Silverman & Vincent (2021), "Multiple systems estimation for sparse capture data: inferential challenges when
there are nonoverlapping lists", JASA, doi:10.1080/01621459.2019.1708748; used for the UK modern-slavery estimate
(Silverman 2014).

The statistics, briefly. The counts of the 2**K - 1 observable capture patterns are Poisson, with log-linear means:
an intercept, a main effect per list and some two-list effects (no higher interactions); the number nobody recorded
is extrapolated as exp(intercept), and the population estimate is the number observed plus that. Sparse tables
raise two problems this method faces head on:

* Two lists may share nobody (an empty overlap). If the model includes their two-list effect, its estimate is minus
  infinity: the cells holding both lists get expected count zero and are left out of the fit (the extended maximum
  likelihood estimate), and the effect costs no column.
* A model may have no maximum-likelihood estimate at all, or too many parameters for the cells it keeps. Each model is
  checked first, as SparseMSE's ``checkident`` does: a linear program (Fienberg & Rinaldo 2012) decides whether a
  strictly positive table has the observed sufficient statistics (the estimate exists), and the rank of the design
  over the kept cells decides identifiability. A model failing either gives no number.

Model choice (``sparse_stepwise``): start from the main effects; for each two-list effect not yet in, the number of
cases on both its lists is Poisson under the current model with mean the sum of the fitted counts of the cells holding
both; its p-value is the smaller of the two tails at the observed number. Add the effect with the smallest p-value
among those whose model passes the checks (ties to the first pair in the order 1:2, 1:3, ..., 2:3, ...), while that
p-value is below the threshold (default 0.02).

Intervals. The lognormal interval treats the intercept as normal with its asymptotic variance (SparseMSE's
``estimatepopulation.0``): observed + exp(intercept +- z sd). It ignores the model choice; the bootstrap
(``sparse_bootstrap``, SparseMSE's ``estimatepopulation``) does not: each resample re-runs the whole selection. By
default resamples are multinomial draws of the observed total over the observed patterns (SparseMSE); the
``parametric`` alternative draws Poisson counts from the fitted model. The BCa interval (DiCiccio & Efron 1996)
corrects the percentiles for bias, z0 = Phi^-1(share of replicates below the estimate), and for acceleration, from a
jackknife that leaves out one case of each observed pattern in turn and weights it by that pattern's count;
percentiles are R's quantile type 8, as in SparseMSE.

Departures from SparseMSE, all in cases it does not handle: a list that recorded nobody is refused in the data and
dropped from a resample (SparseMSE's checks then reject every two-list effect); a resample where no two lists overlap
counts as an infinite estimate and one with no estimate at all (a single list left, or one list holding every case)
as undefined, both reported.
"""

from __future__ import annotations

import math
import string
from collections.abc import Iterable
from dataclasses import dataclass

import numpy as np
from scipy.stats import norm

from habeas.stats.estimation._sparse_boot import (
    Job,
    Resampling,
    acceleration,
    bca_probability,
    default_workers,
    quantile,
    run,
)
from habeas.stats.estimation._sparse_select import (
    Check,
    Fit,
    FloatArray,
    Model,
    Path,
    Stepwise,
    check,
    fit,
    layout,
)
from habeas.stats.estimation.table import CaptureTable

MAX_LISTS = 12
"""The table has 2**K - 1 cells; beyond 12 lists it is out of reach."""
DEFAULT_THRESHOLD = 0.02
"""SparseMSE's default p-value threshold for adding a two-list effect."""
DEFAULT_SEED = 1234
"""SparseMSE's default seed (``iseed``); the random streams differ from R's, so replicates do too."""


class SparseError(ValueError):
    """A table, model or setting the sparse-data method cannot use; the message names the problem."""


@dataclass(frozen=True)
class Interval:
    """A confidence interval for the population size."""

    lower: float
    upper: float
    level: float


@dataclass(frozen=True)
class SparseCheck:
    """Whether a model's maximum-likelihood estimate exists and whether the model is identifiable."""

    exists: bool
    identifiable: bool

    @property
    def ok(self) -> bool:
        return self.exists and self.identifiable

    def problem(self) -> str | None:
        """Why the model gives no estimate, or None when it does."""
        reasons = []
        if not self.exists:
            reasons.append(
                "its maximum-likelihood estimate does not exist (no table with every cell positive has the observed "
                "margins, so some parameter diverges)"
            )
        if not self.identifiable:
            reasons.append("it is not identifiable (more parameters than the cells it keeps can tell apart)")
        return " and ".join(reasons) or None


@dataclass(frozen=True)
class SparseFit:
    """A fitted model and its estimate of the population.

    ``pairs`` are the two-list effects (list numbers from 1) in the order they entered; ``empty_overlaps`` those among
    them whose lists share nobody (effect minus infinity, their cells left out); ``p_values`` the p-value of each at
    entry (empty for a model given in advance, when ``threshold`` is None too). ``unseen`` is exp(intercept), the
    number nobody recorded; ``log_unseen_se`` the standard error of the intercept.
    """

    lists: tuple[str, ...]
    pairs: tuple[tuple[int, int], ...]
    empty_overlaps: tuple[tuple[int, int], ...]
    p_values: tuple[float, ...]
    threshold: float | None
    observed: int
    unseen: float
    estimate: float
    log_unseen_se: float
    coefficients: tuple[tuple[str, float], ...]

    @property
    def formula(self) -> str:
        """SparseMSE's model formula with its default list names A, B, C...: the two-list effects that are fitted
        (not the empty overlaps), in the order they entered, e.g. ``count ~ . + B:C + C:D``."""
        terms = [f"{string.ascii_uppercase[i - 1]}:{string.ascii_uppercase[j - 1]}" for i, j in self._fitted_pairs]
        return " + ".join(["count ~ .", *terms])

    @property
    def _fitted_pairs(self) -> list[tuple[int, int]]:
        return [pair for pair in self.pairs if pair not in self.empty_overlaps]

    def lognormal_interval(self, level: float = 0.95) -> Interval:
        """observed + exp(intercept -+ z sd(intercept)), conditional on the model (SparseMSE's
        ``estimatepopulation.0``)."""
        _check_level(level)
        z = float(norm.ppf((1 + level) / 2))
        log_unseen = math.log(self.unseen)
        return Interval(
            self.observed + math.exp(log_unseen - z * self.log_unseen_se),
            self.observed + math.exp(log_unseen + z * self.log_unseen_se),
            level,
        )

    def describe(self) -> str:
        """A plain-text summary of the model and the estimate."""
        names = [":".join(self.lists[m - 1] for m in pair) for pair in self.pairs]
        if not names:
            model = "main effects only"
        else:
            model = "main effects + " + " + ".join(
                f"{name} (empty overlap)" if pair in self.empty_overlaps else name
                for name, pair in zip(names, self.pairs, strict=True)
            )
        interval = self.lognormal_interval()
        return (
            f"{model}\nestimated population {self.estimate:,.1f} ({self.observed:,} observed, "
            f"{self.unseen:,.1f} unseen); 95% lognormal interval {interval.lower:,.1f} to {interval.upper:,.1f}"
        )


@dataclass(frozen=True)
class SparseBootstrap:
    """Bootstrap intervals for the stepwise estimate, the selection re-run on every resample.

    ``replicates`` holds the estimate of each resample in resample order: ``inf`` where no two lists overlapped,
    NaN where no estimate existed (see ``infinite`` and ``undefined``); the intervals use every replicate but the
    NaN ones. ``bca`` is None when the bias correction or the acceleration is undefined (every replicate on one side
    of the estimate; a leave-one-out table without an estimate). The same ``seed`` gives bit-identical results
    whatever the number of worker processes.
    """

    fit: SparseFit
    seed: int
    resamples: int
    resampling: Resampling
    level: float
    replicates: tuple[float, ...]
    bias_correction: float
    acceleration: float
    percentile: Interval
    bca: Interval | None
    lognormal: Interval

    @property
    def threshold(self) -> float:
        assert self.fit.threshold is not None
        return self.fit.threshold

    @property
    def infinite(self) -> int:
        return sum(1 for value in self.replicates if math.isinf(value))

    @property
    def undefined(self) -> int:
        return sum(1 for value in self.replicates if math.isnan(value))

    def percentile_quantile(self, probability: float) -> float:
        """The bootstrap distribution's quantile (R's type 8)."""
        return quantile(self._ordered(), _probability(probability))

    def bca_quantile(self, probability: float) -> float:
        """The BCa-adjusted quantile, as SparseMSE's ``bcaconfvalues``; NaN when BCa is undefined."""
        if self.bca is None:
            return math.nan
        level = bca_probability(_probability(probability), self.bias_correction, self.acceleration)
        return quantile(self._ordered(), level)

    def _ordered(self) -> FloatArray:
        values = np.array(self.replicates)
        return np.sort(values[~np.isnan(values)])

    def describe(self) -> str:
        """A plain-text summary: the estimate and its three intervals, with the settings that reproduce them."""
        lines = [self.fit.describe()]
        percent = f"{self.level:.0%}"
        if self.bca is not None:
            lines.append(f"{percent} BCa bootstrap interval {self.bca.lower:,.1f} to {self.bca.upper:,.1f}")
        else:
            lines.append(f"{percent} BCa bootstrap interval undefined (degenerate bias correction or acceleration)")
        lines.append(f"{percent} percentile interval {self.percentile.lower:,.1f} to {self.percentile.upper:,.1f}")
        lines.append(
            f"{self.resamples} {self.resampling} resamples, seed {self.seed}, threshold {self.threshold}; "
            f"{self.infinite} infinite, {self.undefined} without an estimate"
        )
        return "\n".join(lines)


def _check_level(level: float) -> None:
    if not 0 < level < 1:
        raise SparseError(f"the confidence level must lie strictly between 0 and 1, not {level}")


def _probability(probability: float) -> float:
    if not 0 <= probability <= 1:
        raise SparseError(f"a quantile's probability must lie between 0 and 1, not {probability}")
    return probability


def _counts(table: CaptureTable) -> FloatArray:
    """The counts of all 2**K - 1 cells of a table the method can use; SparseError otherwise."""
    if table.k < 2:
        raise SparseError(
            "a single list cannot tell how many people it missed: at least two overlapping lists are needed"
        )
    if table.k > MAX_LISTS:
        raise SparseError(f"{table.k} lists make a table of 2**{table.k} cells: this method stops at {MAX_LISTS}")
    if table.structural_zeros:
        raise SparseError("the sparse-data method does not model structural zeros (impossible capture patterns)")
    if table.observed == 0:
        raise SparseError("nobody was observed (the table is empty or every count is 0): nothing to estimate")
    y = table.full_counts().astype(np.float64)
    margins = layout(table.k).design[:, 1 : table.k + 1].T @ y
    empty = [name for name, total in zip(table.lists, margins, strict=True) if total == 0]
    if empty:
        raise SparseError(f"list(s) {', '.join(empty)} recorded nobody: remove them, they carry no information")
    if not np.any(layout(table.k).design[:, 1 + table.k :].T @ y > 0):
        raise SparseError(
            "no one appears on more than one list: without overlaps nothing links the lists, "
            "so no model can estimate how many people they all missed"
        )
    full = [name for name, total in zip(table.lists, margins, strict=True) if total == table.observed]
    if full:
        raise SparseError(
            f"list(s) {', '.join(full)} hold every case observed: nobody seen off them, nothing to extrapolate from"
        )
    return y


def _result(
    table: CaptureTable, y: FloatArray, model_fit: Fit, p_values: tuple[float, ...], threshold: float | None
) -> SparseFit:
    if not model_fit.converged:
        raise SparseError("Newton's method did not converge for this model; no estimate is given")
    lay = layout(table.k)
    model = model_fit.model
    pairs = tuple((lay.pairs[q][0] + 1, lay.pairs[q][1] + 1) for q in model.pairs)
    empty = tuple(pair for pair, e in zip(pairs, model.empty, strict=True) if e)
    names = [
        ("(Intercept)", float(model_fit.beta[0])),
        *((name, float(model_fit.beta[1 + j])) for j, name in enumerate(table.lists)),
        *(
            (":".join(table.lists[m - 1] for m in pair), -math.inf if e else float(model_fit.beta[1 + table.k + q]))
            for q, pair, e in zip(model.pairs, pairs, model.empty, strict=True)
        ),
    ]
    observed = int(y.sum())
    return SparseFit(
        lists=table.lists,
        pairs=pairs,
        empty_overlaps=empty,
        p_values=p_values,
        threshold=threshold,
        observed=observed,
        unseen=model_fit.unseen,
        estimate=observed + model_fit.unseen,
        log_unseen_se=math.sqrt(model_fit.var_intercept),
        coefficients=tuple(names),
    )


def _model(table: CaptureTable, y: FloatArray, pairs: Iterable[tuple[int, int]]) -> Model:
    lay = layout(table.k)
    model = Model()
    for raw in pairs:
        i, j = sorted(raw)
        if i == j or not (i >= 1 and j <= table.k):
            raise SparseError(f"a two-list effect joins two different lists among 1..{table.k}, not {raw}")
        q = lay.pairs.index((i - 1, j - 1))
        if q in model.pairs:
            raise SparseError(f"the two-list effect {raw} is given twice")
        model = model.add(q, bool(lay.pair_column(q) @ y == 0))
    return model


def sparse_check(table: CaptureTable, pairs: Iterable[tuple[int, int]] = ()) -> SparseCheck:
    """SparseMSE's ``checkident`` for the model with main effects and the two-list effects ``pairs`` (list numbers
    from 1, e.g. ``[(1, 2), (2, 3)]``): whether its maximum-likelihood estimate exists and whether it is
    identifiable."""
    y = _counts(table)
    return _public(check(layout(table.k), _model(table, y, pairs), y))


def _public(result: Check) -> SparseCheck:
    return SparseCheck(exists=result.exists, identifiable=result.identifiable)


def sparse_fit(table: CaptureTable, pairs: Iterable[tuple[int, int]] = ()) -> SparseFit:
    """Fit the model with main effects and the given two-list effects (SparseMSE's ``modelfit``; no pairs: main
    effects only). Raises ``SparseError`` for a model whose estimate does not exist or which is not identifiable."""
    y = _counts(table)
    lay = layout(table.k)
    model = _model(table, y, pairs)
    problem = _public(check(lay, model, y)).problem()
    if problem is not None:
        raise SparseError(f"this model gives no estimate: {problem}")
    return _result(table, y, fit(lay, model, y, None), (), None)


def _stepwise(table: CaptureTable, threshold: float) -> tuple[FloatArray, Stepwise, Path]:
    if not 0 <= threshold < 1:
        raise SparseError(f"the p-value threshold must lie in [0, 1), not {threshold}")
    y = _counts(table)
    problem = _public(check(layout(table.k), Model(), y)).problem()
    if problem is not None:
        raise SparseError(f"the main-effects model, where the search starts, gives no estimate: {problem}")
    search = Stepwise(table.k, threshold)
    return y, search, search.run(y, record=True)


def sparse_stepwise(table: CaptureTable, threshold: float = DEFAULT_THRESHOLD) -> SparseFit:
    """Choose two-list effects by SparseMSE's stepwise rule and estimate the population (``estimatepopulation.0``
    with ``method="stepwise"``). ``threshold`` 0 keeps the main effects only."""
    y, _, path = _stepwise(table, threshold)
    return _result(table, y, path.fit, tuple(step.p_value for step in path.steps), threshold)


def sparse_bootstrap(
    table: CaptureTable,
    *,
    resamples: int = 1000,
    seed: int = DEFAULT_SEED,
    threshold: float = DEFAULT_THRESHOLD,
    level: float = 0.95,
    workers: int | None = None,
    resampling: Resampling = "multinomial",
) -> SparseBootstrap:
    """The stepwise estimate with lognormal, percentile and BCa bootstrap intervals (SparseMSE's
    ``estimatepopulation``), the selection re-run on each of ``resamples`` resamples.

    ``workers`` processes share the resamples and the jackknife (default: the CPUs available; 1 runs in this
    process); the results do not depend on it. ``resampling`` is ``multinomial`` (SparseMSE: the observed total
    redrawn over the observed patterns) or ``parametric`` (Poisson counts from the fitted model).
    """
    if resamples < 2:
        raise SparseError(f"the bootstrap needs at least 2 resamples, not {resamples}")
    if seed < 0:
        raise SparseError(f"the seed must be a non-negative integer, not {seed}")
    if resampling not in ("multinomial", "parametric"):
        raise SparseError(f"unknown resampling {resampling!r}: expected multinomial or parametric")
    _check_level(level)
    workers = default_workers() if workers is None else workers
    if workers < 1:
        raise SparseError(f"the number of workers must be at least 1, not {workers}")
    y, search, path = _stepwise(table, threshold)
    result = _result(table, y, path.fit, tuple(step.p_value for step in path.steps), threshold)
    means = y
    if resampling == "parametric":
        means = np.zeros_like(y)
        means[path.fit.keep] = path.fit.mu
    job = Job(table.k, y, threshold, search.starts, resampling, means, seed)
    boot, jack = run(job, resamples, workers)
    finite = boot[~np.isnan(boot)]
    if finite.size == 0:
        raise SparseError("no resample gave an estimate: the data are too sparse for the bootstrap")
    ordered = np.sort(finite)
    tail = (1 - level) / 2
    share = float(np.mean(finite < result.estimate))
    bias = float(norm.ppf(share))
    accel = acceleration(jack, y[y > 0])
    bca = None
    if math.isfinite(bias) and math.isfinite(accel):
        bca = Interval(
            quantile(ordered, bca_probability(tail, bias, accel)),
            quantile(ordered, bca_probability(1 - tail, bias, accel)),
            level,
        )
    return SparseBootstrap(
        fit=result,
        seed=seed,
        resamples=resamples,
        resampling=resampling,
        level=level,
        replicates=tuple(float(value) for value in boot),
        bias_correction=bias,
        acceleration=accel,
        percentile=Interval(quantile(ordered, tail), quantile(ordered, 1 - tail), level),
        bca=bca,
        lognormal=result.lognormal_interval(level),
    )


__all__ = [
    "DEFAULT_SEED",
    "DEFAULT_THRESHOLD",
    "Interval",
    "SparseBootstrap",
    "SparseCheck",
    "SparseError",
    "SparseFit",
    "sparse_bootstrap",
    "sparse_check",
    "sparse_fit",
    "sparse_stepwise",
]
