"""Simulated capture data from populations of known size, to measure how often the 95% intervals cover the truth.

A ``Population`` is a closed population of ``size`` people and the probability of each of the 2**K capture
patterns over K lists (the all-zero pattern included: the people no list recorded). A draw puts the people in
the patterns with one multinomial draw, which is the same as drawing each person's captures, and keeps the
observable patterns as a ``CaptureTable``. Three kinds of population are built here:

* ``independent``: each list records each person independently with its own probability.
* ``dependent``: the same, with pairs of lists made dependent by an odds ratio (a log-linear two-list
  interaction: the cell probabilities are proportional to prod_j odds_j**x_j * prod_(i,j) ratio**(x_i x_j)).
* ``latent_classes``: a mixture of independent populations (heterogeneity: some people are easier to
  record than others, on every list).

A ``Scenario`` is one or more named strata, each a population; its truth is the sum of their sizes. Everything
is seeded: replicate r of a scenario draws its data from a generator seeded by the study's seed, the
scenario's name and r, so every method sees the same tables, and any replicate can be re-run alone.
``run_replicate`` estimates one replicate with one method (through ``estimate``, or ``estimate_strata`` for a
stratified scenario, where the unstratified estimate is scored too), and ``summarise`` turns replicates into
coverage, bias, width and failure rates. ``bench/bench_coverage.py`` runs the full study.
"""

from __future__ import annotations

import hashlib
import math
import time
import warnings
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from numpy.typing import NDArray

from habeas.stats.estimation.run import estimate
from habeas.stats.estimation.strata import estimate_strata
from habeas.stats.estimation.table import CaptureTable

__all__ = [
    "Coverage",
    "Population",
    "Replicate",
    "Scenario",
    "dependent",
    "independent",
    "latent_classes",
    "replicate_rng",
    "run_replicate",
    "scenarios",
    "summarise",
]


def _patterns(k: int) -> NDArray[np.int64]:
    """All 2**K patterns, row i being i written in binary (list 1 the most significant bit)."""
    codes = np.arange(2**k)
    return (codes[:, None] >> np.arange(k - 1, -1, -1)[None, :]) & 1


@dataclass(frozen=True, eq=False)
class Population:
    """``size`` people over the lists ``lists``; ``probabilities[i]`` is the chance of capture pattern i
    (i written in binary, list 1 the most significant bit; 0 the all-zero pattern). ``description`` says in
    words how it was built."""

    size: int
    lists: tuple[str, ...]
    probabilities: NDArray[np.float64] = field(repr=False)
    description: str = ""

    def __post_init__(self) -> None:
        if self.size < 1:
            raise ValueError(f"a population needs at least one person, not {self.size}")
        if self.probabilities.shape != (2 ** len(self.lists),):
            raise ValueError(f"{len(self.lists)} lists need {2 ** len(self.lists)} pattern probabilities")
        if np.any(self.probabilities < 0) or not math.isclose(float(self.probabilities.sum()), 1.0, rel_tol=1e-9):
            raise ValueError("pattern probabilities must be non-negative and add up to one")

    @property
    def k(self) -> int:
        return len(self.lists)

    @property
    def capture_probabilities(self) -> NDArray[np.float64]:
        """Each list's marginal chance of recording a person."""
        return np.asarray(_patterns(self.k).T @ self.probabilities, dtype=np.float64)

    @property
    def seen_probability(self) -> float:
        """The chance that at least one list records a person."""
        return float(1.0 - self.probabilities[0])

    def draw(self, rng: np.random.Generator) -> CaptureTable:
        """The capture table of one draw of the population (sampling zeros kept as zero counts)."""
        counts = rng.multinomial(self.size, self.probabilities)
        patterns = _patterns(self.k)[1:].astype(np.int8)
        return CaptureTable(self.lists, patterns, counts[1:].astype(np.int64))


def _names(k: int) -> tuple[str, ...]:
    return tuple(f"L{j + 1}" for j in range(k))


def independent(size: int, capture: Sequence[float]) -> Population:
    """Lists that record each person independently, list j with probability ``capture[j]``."""
    return dependent(size, capture, {})


def dependent(size: int, capture: Sequence[float], odds_ratios: Mapping[tuple[int, int], float]) -> Population:
    """Lists with two-list dependence: cell probabilities proportional to prod_j odds_j**x_j times
    prod ratio**(x_i x_j) over the pairs (i, j) (list numbers from 1) in ``odds_ratios``, where
    odds_j = capture[j] / (1 - capture[j]). Without pairs the lists are independent with these capture
    probabilities; with them the marginal capture probabilities move (``capture_probabilities`` gives them)."""
    p = np.asarray(capture, dtype=np.float64)
    if p.ndim != 1 or p.size < 2 or np.any((p <= 0) | (p >= 1)):
        raise ValueError("capture probabilities must be two or more numbers strictly between 0 and 1")
    x = _patterns(p.size)
    log_weight = x @ np.log(p / (1 - p))
    for (i, j), ratio in odds_ratios.items():
        if not (1 <= i < j <= p.size) or ratio <= 0:
            raise ValueError(f"pair {(i, j)} must be two lists 1..{p.size} in order, with a positive odds ratio")
        log_weight = log_weight + math.log(ratio) * x[:, i - 1] * x[:, j - 1]
    weights = np.exp(log_weight - log_weight.max())
    pairs = ", ".join(f"odds ratio {ratio:g} between lists {i} and {j}" for (i, j), ratio in odds_ratios.items())
    words = f"capture {', '.join(f'{v:.2f}' for v in p)}" + (f"; {pairs}" if pairs else "")
    return Population(size, _names(p.size), weights / weights.sum(), words)


def latent_classes(size: int, weights: Sequence[float], capture: Sequence[Sequence[float]]) -> Population:
    """A mixture of classes, class c holding a share ``weights[c]`` of the people, recorded independently by
    list j with probability ``capture[c][j]``."""
    w = np.asarray(weights, dtype=np.float64)
    lam = np.asarray(capture, dtype=np.float64)
    if lam.ndim != 2 or lam.shape[0] != w.size or np.any(w <= 0) or not math.isclose(float(w.sum()), 1.0):
        raise ValueError("latent classes need one row of capture probabilities per class and weights adding to 1")
    if np.any((lam <= 0) | (lam >= 1)):
        raise ValueError("capture probabilities must lie strictly between 0 and 1")
    x = _patterns(lam.shape[1])
    probabilities = np.zeros(x.shape[0])
    for share, row in zip(w, lam, strict=True):
        probabilities += share * np.prod(np.where(x == 1, row, 1 - row), axis=1)
    words = "; ".join(
        f"{share:.0%} with capture {', '.join(f'{v:.2f}' for v in row)}" for share, row in zip(w, lam, strict=True)
    )
    return Population(size, _names(lam.shape[1]), probabilities, words)


@dataclass(frozen=True)
class Scenario:
    """A named population to draw from, in one or more strata (``strata`` name -> population). ``truth`` is
    the number of people; a scenario with several strata is estimated stratum by stratum."""

    name: str
    title: str
    strata: tuple[tuple[str, Population], ...]

    @property
    def truth(self) -> int:
        return sum(population.size for _, population in self.strata)

    @property
    def k(self) -> int:
        return self.strata[0][1].k

    @property
    def stratified(self) -> bool:
        return len(self.strata) > 1

    def draw(self, rng: np.random.Generator) -> dict[str, CaptureTable]:
        return {name: population.draw(rng) for name, population in self.strata}


def scenarios() -> tuple[Scenario, ...]:
    """The scenarios of the coverage study (docs/benchmarks.md)."""

    def one(name: str, title: str, population: Population) -> Scenario:
        return Scenario(name, title, (("all", population),))

    out = []
    for k in (3, 5):
        for size in (1_000, 5_000):
            out.append(
                one(
                    f"independent-{k}-{size}",
                    f"{k} independent lists, N = {size:,}, capture 0.1 to 0.4",
                    independent(size, np.linspace(0.1, 0.4, k).tolist()),
                )
            )
    base = [0.2, 0.25, 0.3, 0.35]
    out.append(
        one(
            "dependent-positive",
            "4 lists, N = 2,000, lists 1 and 2 positively dependent (odds ratio 4)",
            dependent(2_000, base, {(1, 2): 4.0}),
        )
    )
    out.append(
        one(
            "dependent-negative",
            "4 lists, N = 2,000, lists 1 and 2 negatively dependent (odds ratio 1/4)",
            dependent(2_000, base, {(1, 2): 0.25}),
        )
    )
    for k in (4, 5):
        out.append(
            one(
                f"latent-{k}",
                f"{k} lists, N = 2,000, two latent classes (30% recorded 0.35-0.5, 70% recorded 0.08-0.15)",
                latent_classes(
                    2_000, [0.3, 0.7], [np.linspace(0.5, 0.35, k).tolist(), np.linspace(0.08, 0.15, k).tolist()]
                ),
            )
        )
    out.append(
        Scenario(
            "strata-2",
            "4 lists, two strata: N = 1,000 recorded 0.35-0.5 and N = 2,000 recorded 0.08-0.15",
            (
                ("easy", independent(1_000, np.linspace(0.5, 0.35, 4).tolist())),
                ("hard", independent(2_000, np.linspace(0.08, 0.15, 4).tolist())),
            ),
        )
    )
    return tuple(out)


def replicate_rng(seed: int, scenario: str, rep: int) -> np.random.Generator:
    """The generator of replicate ``rep`` of ``scenario`` in a study seeded with ``seed``."""
    key = int.from_bytes(hashlib.sha256(f"{scenario}\0{rep}".encode()).digest()[:8], "big")
    return np.random.default_rng(np.random.SeedSequence([seed, key]))


@dataclass(frozen=True)
class Replicate:
    """One method's answer on one draw: ``variant`` is "" for an unstratified scenario, "stratified" (the
    total of the strata) or "pooled" (the unstratified estimate of the same data) for a stratified one."""

    scenario: str
    method: str
    variant: str
    rep: int
    truth: int
    observed: int
    estimate: float | None
    lower: float | None
    upper: float | None
    seconds: float

    @property
    def covered(self) -> bool | None:
        """Whether the interval holds the truth; None without an interval."""
        if self.lower is None or self.upper is None:
            return None
        return self.lower <= self.truth <= self.upper


def run_replicate(
    scenario: Scenario, method: str, rep: int, *, seed: int, options: Mapping[str, Any] | None = None
) -> list[Replicate]:
    """Draw replicate ``rep`` of ``scenario`` and estimate it with ``method`` (``options`` go to ``estimate``;
    the method's own seed is derived from ``seed`` and ``rep``). Warnings of the methods are silenced: the
    study scores their numbers."""
    rng = replicate_rng(seed, scenario.name, rep)
    tables = scenario.draw(rng)
    method_seed = int(rng.integers(2**62))
    settings = dict(options or {})
    start = time.perf_counter()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        if scenario.stratified:
            result = estimate_strata(tables, method=method, seed=method_seed, **settings)
            elapsed = time.perf_counter() - start
            pooled = result.pooled
            return [
                _replicate(scenario, method, "stratified", rep, result.observed, result.total, result.ci95, elapsed),
                _replicate(scenario, method, "pooled", rep, pooled.observed, pooled.estimate, pooled.ci95, 0.0),
            ]
        (table,) = tables.values()
        (answer,) = estimate(table, method=method, seed=method_seed, **settings)
    elapsed = time.perf_counter() - start
    return [_replicate(scenario, method, "", rep, answer.observed, answer.estimate, answer.ci95, elapsed)]


def _replicate(
    scenario: Scenario,
    method: str,
    variant: str,
    rep: int,
    observed: int,
    value: float | None,
    ci95: tuple[float, float] | None,
    seconds: float,
) -> Replicate:
    finite = value is not None and math.isfinite(value)
    return Replicate(
        scenario=scenario.name,
        method=method,
        variant=variant,
        rep=rep,
        truth=scenario.truth,
        observed=observed,
        estimate=value if finite else None,
        lower=ci95[0] if finite and ci95 else None,
        upper=ci95[1] if finite and ci95 else None,
        seconds=seconds,
    )


@dataclass(frozen=True)
class Coverage:
    """How one method did on one scenario over ``reps`` replicates.

    ``coverage`` is the share of the replicates with an interval whose interval holds the truth, and
    ``coverage_se`` its Monte Carlo standard error sqrt(c (1 - c) / m) over those m replicates;
    ``median_bias`` the median of (estimate - N) / N and ``median_width`` the median of
    (upper - lower) / N over the replicates with a finite estimate; ``no_estimate`` the share of replicates
    with no finite estimate. Each is NaN when no replicate qualifies.
    """

    scenario: str
    method: str
    variant: str
    reps: int
    coverage: float
    coverage_se: float
    median_bias: float
    median_width: float
    no_estimate: float
    seconds: float

    @property
    def label(self) -> str:
        return f"{self.method} ({self.variant})" if self.variant else self.method


def summarise(replicates: Iterable[Replicate]) -> list[Coverage]:
    """One ``Coverage`` per (scenario, method, variant), in the order they first appear."""
    groups: dict[tuple[str, str, str], list[Replicate]] = {}
    for r in replicates:
        groups.setdefault((r.scenario, r.method, r.variant), []).append(r)
    out = []
    for (scenario, method, variant), group in groups.items():
        hits = [r.covered for r in group if r.covered is not None]
        finite = [r for r in group if r.estimate is not None]
        coverage = float(np.mean(hits)) if hits else math.nan
        out.append(
            Coverage(
                scenario=scenario,
                method=method,
                variant=variant,
                reps=len(group),
                coverage=coverage,
                coverage_se=math.sqrt(coverage * (1 - coverage) / len(hits)) if hits else math.nan,
                median_bias=_median([(r.estimate - r.truth) / r.truth for r in finite if r.estimate is not None]),
                median_width=_median(
                    [(r.upper - r.lower) / r.truth for r in finite if r.upper is not None and r.lower is not None]
                ),
                no_estimate=1.0 - len(finite) / len(group),
                seconds=float(sum(r.seconds for r in group)),
            )
        )
    return out


def _median(values: list[float]) -> float:
    return float(np.median(values)) if values else math.nan
