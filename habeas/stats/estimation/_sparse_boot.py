"""Bootstrap and jackknife of the sparse-data stepwise estimate, parallel over processes and reproducible.

Resample i draws its counts from ``numpy.random.default_rng(SeedSequence(seed, spawn_key=(i,)))``, the i-th child
of the master seed, so its estimate depends on nothing but the seed and i: the replicates are bit-identical
whatever the number of workers and however the resamples are shared among them. Each resample re-runs the whole
stepwise selection; Newton's method starts from the fit of the same model on the data when the search meets one
(warm starts), else from the previous model's fit.

A resample can leave a list empty: that list is dropped (it carries no information) and the selection runs on the
others. A resample in which no two lists share anyone gives an infinite estimate (the independence model sends the
number unseen to infinity); one with no estimate at all (a single list left, or a list holding every case) is NaN.
"""

from __future__ import annotations

import math
import os
from collections.abc import Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from typing import Literal

import numpy as np
from scipy.stats import norm

from habeas.stats.estimation._loglinear_design import capture_patterns
from habeas.stats.estimation._sparse_select import FloatArray, Model, Stepwise, check, layout

Resampling = Literal["multinomial", "parametric"]


@dataclass(frozen=True)
class Job:
    """What a worker needs: the data (all 2**K - 1 cells), the rule, the warm starts and how to resample
    (``means``: the observed counts for the multinomial bootstrap, the fitted counts for the parametric one)."""

    k: int
    counts: FloatArray
    threshold: float
    starts: dict[frozenset[int], FloatArray]
    resampling: Resampling
    means: FloatArray
    seed: int


class Engine:
    """Estimates for resampled and jackknifed tables of one job."""

    def __init__(self, job: Job) -> None:
        self.job = job
        self.total = int(job.counts.sum())
        self.probabilities = job.counts / job.counts.sum()
        self.searches: dict[tuple[int, ...], Stepwise] = {}

    def replicate(self, i: int) -> float:
        rng = np.random.default_rng(np.random.SeedSequence(self.job.seed, spawn_key=(i,)))
        if self.job.resampling == "multinomial":
            y = rng.multinomial(self.total, self.probabilities).astype(np.float64)
        else:
            y = rng.poisson(self.job.means).astype(np.float64)
        return self.estimate(y)

    def leave_one_out(self, cell: int) -> float:
        y = self.job.counts.copy()
        y[cell] -= 1
        return self.estimate(y)

    def estimate(self, y: FloatArray) -> float:
        """The stepwise estimate of the population for counts ``y`` over all cells (see the module notes)."""
        k = self.job.k
        margins = layout(k).design[:, 1 : k + 1].T @ y
        active = tuple(int(j) for j in np.flatnonzero(margins > 0))
        if len(active) < 2:
            return math.nan
        if len(active) < k:
            weights = 2 ** np.arange(len(active) - 1, -1, -1)
            index = capture_patterns(k)[:, list(active)] @ weights
            seen = index > 0
            y = np.bincount(index[seen] - 1, weights=y[seen], minlength=2 ** len(active) - 1).astype(np.float64)
        lay = layout(len(active))
        if not np.any(lay.design[:, 1 + len(active) :].T @ y > 0):
            return math.inf
        if not check(lay, Model(), y).ok:
            return math.nan
        path = self._search(active).run(y)
        return float(y.sum()) + path.fit.unseen if path.fit.converged else math.nan

    def _search(self, active: tuple[int, ...]) -> Stepwise:
        if active not in self.searches:
            # Warm starts belong to the full set of lists; a table with fewer starts cold.
            starts = self.job.starts if len(active) == self.job.k else {}
            self.searches[active] = Stepwise(len(active), self.job.threshold, dict(starts))
        return self.searches[active]


_ENGINE: Engine | None = None


def _start_worker(job: Job) -> None:
    global _ENGINE
    _ENGINE = Engine(job)


def _replicates(indices: Sequence[int]) -> list[float]:
    assert _ENGINE is not None
    return [_ENGINE.replicate(i) for i in indices]


def _leave_one_out(cells: Sequence[int]) -> list[float]:
    assert _ENGINE is not None
    return [_ENGINE.leave_one_out(c) for c in cells]


def default_workers() -> int:
    """The CPUs this process may run on."""
    affinity = getattr(os, "sched_getaffinity", None)
    return len(affinity(0)) if affinity is not None else os.cpu_count() or 1


def _chunks(items: Sequence[int], pieces: int) -> list[Sequence[int]]:
    size = max(1, math.ceil(len(items) / pieces))
    return [items[start : start + size] for start in range(0, len(items), size)]


def run(job: Job, resamples: int, workers: int) -> tuple[FloatArray, FloatArray]:
    """The estimate of every resample (in resample order) and of every leave-one-out table, one per cell with a
    positive count (in cell order)."""
    cells = [int(c) for c in np.flatnonzero(job.counts > 0)]
    indices = range(resamples)
    if workers == 1:
        engine = Engine(job)
        boot = [engine.replicate(i) for i in indices]
        jack = [engine.leave_one_out(c) for c in cells]
        return np.array(boot), np.array(jack)
    # Several chunks per worker even out the load; results are put back in order.
    with ProcessPoolExecutor(max_workers=workers, initializer=_start_worker, initargs=(job,)) as pool:
        boot_chunks = [pool.submit(_replicates, chunk) for chunk in _chunks(indices, 8 * workers)]
        jack_chunks = [pool.submit(_leave_one_out, chunk) for chunk in _chunks(cells, 2 * workers)]
        return (
            np.array([value for future in boot_chunks for value in future.result()]),
            np.array([value for future in jack_chunks for value in future.result()]),
        )


def acceleration(jackknife: FloatArray, weights: FloatArray) -> float:
    """BCa's acceleration from leave-one-case-out estimates, each counted as often as its pattern was observed
    (as SparseMSE's ``estimatepopulation``): a = sum w r^3 / (6 (sum w r^2)^1.5), r = weighted mean - estimate.
    NaN when some leave-one-out table has no finite estimate."""
    if not np.all(np.isfinite(jackknife)):
        return math.nan
    residuals = float(weights @ jackknife) / float(weights.sum()) - jackknife
    spread = float(weights @ residuals**2)
    return float(weights @ residuals**3) / (6 * spread**1.5) if spread > 0 else 0.0


def quantile(ordered: FloatArray, probability: float) -> float:
    """R's quantile type 8 (median-unbiased, Hyndman & Fan 1996) of sorted values, which may end with +inf."""
    n = ordered.size
    fuzz = 4 * np.finfo(float).eps
    position = probability * (n + 1 / 3) + 1 / 3
    j = math.floor(position + fuzz)
    h = position - j
    low = ordered[min(max(j, 1), n) - 1]
    high = ordered[min(max(j + 1, 1), n) - 1]
    if abs(h) < fuzz or low == high:
        return float(low)
    return float((1 - h) * low + h * high)


def bca_probability(probability: float, bias: float, accel: float) -> float:
    """The level at which BCa reads the bootstrap distribution for the nominal ``probability``."""
    z = float(norm.ppf(probability)) + bias
    return float(norm.cdf(bias + z / (1 - accel * z)))
