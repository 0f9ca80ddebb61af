"""Estimates that carry the uncertainty of record linkage.

A linkage run gives one clustering of records into people, but some of its decisions rest on pairs whose match
probability is neither high nor low (the review band, not yet reviewed). Treating that clustering as certain
makes the interval of an estimate too narrow. Here the estimate is run over ``draws`` clusterings that those
pair probabilities allow, and the results are combined:

* **a clustering drawn**: each uncertain pair is taken as one person with its probability, independently of the
  others. A pair across two clusters, drawn as a match, joins them. Inside a cluster the pairs that are not
  uncertain count as links (the run joins records only when their pairs together say "same person", and a
  pair scored low would have kept them apart), so the pairs drawn as two people split a cluster only where
  they cut it in two. Pairs outside the band and reviewed decisions stay as the run decided them;
* **Bayesian methods** (``dga``, ``lcmcr``): the posteriors of the clusterings are pooled with equal weight,
  a mixture over the linkage (the posterior of N averaged over the clusterings the pairs allow); the
  estimate is the mixture's median and the interval its 2.5 % and 97.5 % points;
* **the other methods** (``loglinear``, ``sparse``): each clustering's result is an imputation of the unknown
  linkage, combined by Rubin's rules on the logarithm of N. The spread of each interval gives its variance
  (the 95 % interval's width on the log scale over 2 × 1.96), the spread of the estimates between
  clusterings adds to it, and the interval uses Student's t with Rubin's degrees of freedom. The log-linear
  model chosen on the run's clustering is fitted to every clustering drawn, so that the spread is the
  linkage's and not that of choosing a model again.

With no uncertain pair the estimate is exactly the one of the run's own clustering.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field, replace
from typing import Any, Final

import numpy as np
from numpy.typing import NDArray
from scipy import stats as sps
from scipy.sparse import coo_matrix
from scipy.sparse.csgraph import connected_components

from habeas.stats.estimation.run import REFUSALS, Estimate, EstimateError, Posterior, estimate
from habeas.stats.estimation.table import CaptureTable

#: clusterings drawn by default (see docs/methodology.md, "Linkage uncertainty")
DEFAULT_DRAWS: Final = 20
#: the most clusterings a run may ask for
MAX_DRAWS: Final = 200
_Z95: Final = float(sps.norm.ppf(0.975))


@dataclass(frozen=True)
class UncertainPair:
    """Two records (positions in the run's records) and the probability that they are one person."""

    a: int
    b: int
    probability: float


@dataclass(frozen=True)
class LinkageSpread:
    """What the draws over the linkage gave: how many clusterings, how many succeeded, the uncertain pairs,
    the spread of the people observed and of the estimates, and how the results were combined."""

    draws: int
    used: int
    uncertain_pairs: int
    observed_range: tuple[int, int]
    estimate_range: tuple[float, float] | None
    fixed_estimate: float | None
    fixed_ci95: tuple[float, float] | None
    combination: str
    seed: int
    failures: tuple[str, ...] = field(default=())

    def as_dict(self) -> dict[str, Any]:
        return {
            "draws": self.draws,
            "used": self.used,
            "uncertain_pairs": self.uncertain_pairs,
            "observed_range": list(self.observed_range),
            "estimate_range": list(self.estimate_range) if self.estimate_range else None,
            "fixed_estimate": self.fixed_estimate,
            "fixed_ci95": list(self.fixed_ci95) if self.fixed_ci95 else None,
            "combination": self.combination,
            "seed": self.seed,
            "failures": list(self.failures),
        }


def _check(labels: NDArray[np.int64], lists: NDArray[np.int64], pairs: Sequence[UncertainPair]) -> None:
    if labels.shape != lists.shape or labels.ndim != 1:
        raise EstimateError("the records' people and lists must be two sequences of the same length")
    n = len(labels)
    for pair in pairs:
        if not (0 <= pair.a < n and 0 <= pair.b < n) or pair.a == pair.b:
            raise EstimateError(f"an uncertain pair names records {pair.a} and {pair.b}, not two of the {n} records")
        if not 0.0 <= pair.probability <= 1.0:
            raise EstimateError(f"an uncertain pair's probability must lie between 0 and 1, not {pair.probability}")


def _components(members: NDArray[np.int64], cut: set[tuple[int, int]]) -> list[NDArray[np.int64]]:
    """The groups of ``members`` joined by every pair among them except those ``cut``, the first holding the
    first member."""
    position = {int(m): i for i, m in enumerate(members)}
    joined = np.ones((len(members), len(members)), dtype=np.int8)
    for x, y in cut:
        joined[position[x], position[y]] = joined[position[y], position[x]] = 0
    _, groups = connected_components(joined, directed=False)
    return [members[groups == g] for g in range(groups.max() + 1)]


def clusterings(
    labels: Sequence[int] | NDArray[np.int64], pairs: Sequence[UncertainPair], *, draws: int, rng: np.random.Generator
) -> Iterator[NDArray[np.int64]]:
    """``draws`` clusterings of the records (a person's number per record) that the uncertain pairs allow.

    Inside a cluster, the pairs that are not uncertain count as links (the run's clustering joins records
    only when their pairs together say "same person"), so a pair drawn as two people splits a cluster only
    when the pairs drawn apart cut it in two."""
    base = np.asarray(labels, dtype=np.int64)
    a = np.array([min(p.a, p.b) for p in pairs], dtype=np.int64)
    b = np.array([max(p.a, p.b) for p in pairs], dtype=np.int64)
    prob = np.array([p.probability for p in pairs], dtype=np.float64)
    inside = base[a] == base[b]
    members = {int(c): np.flatnonzero(base == c) for c in np.unique(base[a[inside]])}
    for _ in range(draws):
        same = rng.random(len(prob)) < prob
        people = base.copy()
        fresh = int(base.max()) + 1
        cut: dict[int, set[tuple[int, int]]] = {}
        for i, j in zip(a[inside & ~same].tolist(), b[inside & ~same].tolist(), strict=True):
            cut.setdefault(int(base[i]), set()).add((i, j))
        for cluster, apart in cut.items():
            for group in _components(members[cluster], apart)[1:]:
                people[group] = fresh
                fresh += 1
        merged = ~inside & same
        graph = coo_matrix((np.ones(int(merged.sum())), (people[a[merged]], people[b[merged]])), shape=(fresh, fresh))
        _, person = connected_components(graph, directed=False)
        yield person[people].astype(np.int64)


def capture_table_of(people: NDArray[np.int64], lists: NDArray[np.int64], names: Sequence[str]) -> CaptureTable:
    """The capture table of records assigned to people, each record on the list ``names[lists[i]]``."""
    seen = np.zeros((int(people.max()) + 1, len(names)), dtype=np.int64)
    seen[people, lists] = 1
    patterns = seen[seen.sum(axis=1) > 0]
    keys, counts = np.unique(patterns, axis=0, return_counts=True)
    return CaptureTable.from_rows(names, ((tuple(k), int(c)) for k, c in zip(keys.tolist(), counts, strict=True)))


def _weighted_quantile(values: NDArray[np.float64], weights: NDArray[np.float64], level: float) -> float:
    """The smallest value whose weighted distribution function reaches ``level``."""
    order = np.argsort(values, kind="stable")
    cumulative = np.cumsum(weights[order]) / weights.sum()
    return float(values[order][min(int(np.searchsorted(cumulative, level - 1e-12)), len(values) - 1)])


def pool_posteriors(posteriors: Sequence[Posterior]) -> tuple[float, tuple[float, float], Posterior]:
    """The equal-weight mixture of posteriors of N: its median, its central 95 % interval, and itself."""
    values, weights = [], []
    for posterior in posteriors:
        v = np.asarray(posterior.values, dtype=np.float64)
        w = np.full(len(v), 1.0 / len(v)) if posterior.probabilities is None else np.asarray(posterior.probabilities)
        values.append(v)
        weights.append(w / w.sum() / len(posteriors))
    v_all, w_all = np.concatenate(values), np.concatenate(weights)
    quantile = [_weighted_quantile(v_all, w_all, q) for q in (0.5, 0.025, 0.975)]
    return quantile[0], (quantile[1], quantile[2]), Posterior(v_all, w_all)


def rubin(estimates: Sequence[float], intervals: Sequence[tuple[float, float]]) -> tuple[float, tuple[float, float]]:
    """Rubin's rules on log N: the geometric mean of the estimates and the interval of the total variance
    (within + (1 + 1/K) × between), with Student's t on Rubin's degrees of freedom."""
    k = len(estimates)
    logs = np.log(np.asarray(estimates, dtype=np.float64))
    within = float(np.mean([((math.log(hi) - math.log(lo)) / (2 * _Z95)) ** 2 for lo, hi in intervals]))
    between = float(np.var(logs, ddof=1)) if k > 1 else 0.0
    total = within + (1 + 1 / k) * between
    centre = float(np.mean(logs))
    if between == 0.0:
        quantile = _Z95
    else:
        ratio = within / ((1 + 1 / k) * between)
        quantile = float(sps.t.ppf(0.975, (k - 1) * (1 + ratio) ** 2))
    half = quantile * math.sqrt(total)
    return math.exp(centre), (math.exp(centre - half), math.exp(centre + half))


def estimate_over_linkage(
    labels: Sequence[int],
    lists: Sequence[int],
    names: Sequence[str],
    pairs: Sequence[UncertainPair],
    *,
    method: str = "loglinear",
    draws: int = DEFAULT_DRAWS,
    seed: int = 0,
    progress: Callable[[int, int], None] | None = None,
    **options: Any,
) -> tuple[Estimate, LinkageSpread | None]:
    """Estimate N from the records assigned to people by ``labels`` (record i on list ``names[lists[i]]``),
    over ``draws`` clusterings that the uncertain ``pairs`` allow; with no pair, the run's own estimate (and
    no spread). ``options`` go to :func:`habeas.stats.estimate` (the seed of each draw's method is ``seed`` +
    the draw's number)."""
    if method == "all":
        raise EstimateError("linkage uncertainty is estimated with one method at a time, not 'all'")
    if not 1 <= draws <= MAX_DRAWS:
        raise EstimateError(f"the number of clusterings drawn must lie between 1 and {MAX_DRAWS}, not {draws}")
    base = np.asarray(labels, dtype=np.int64)
    on = np.asarray(lists, dtype=np.int64)
    _check(base, on, pairs)
    (fixed,) = estimate(capture_table_of(base, on, names), method=method, seed=seed, **options)
    if not pairs:
        return fixed, None
    if method == "loglinear" and not options.get("model") and fixed.estimate is not None:
        options = {**options, "model": fixed.model}  # the model chosen on the run's clustering, fitted to each
    results: list[Estimate] = []
    failures: list[str] = []
    observed: list[int] = []
    rng = np.random.default_rng(seed)
    for number, people in enumerate(clusterings(base, pairs, draws=draws, rng=rng)):
        table = capture_table_of(people, on, names)
        observed.append(table.observed)
        try:
            (result,) = estimate(table, method=method, seed=seed + number + 1, **options)
        except REFUSALS as exc:
            failures.append(str(exc))
        else:
            if result.estimate is None or result.ci95 is None:
                failures.append("; ".join(result.warnings) or "no finite estimate")
            else:
                results.append(result)
        if progress is not None:
            progress(number + 1, draws)
    numbers = [float(r.estimate) for r in results if r.estimate is not None]
    spread = LinkageSpread(
        draws=draws,
        used=len(results),
        uncertain_pairs=len(pairs),
        observed_range=(min(observed), max(observed)),
        estimate_range=(min(numbers), max(numbers)) if numbers else None,
        fixed_estimate=fixed.estimate,
        fixed_ci95=fixed.ci95,
        combination="",
        seed=seed,
        failures=tuple(dict.fromkeys(failures)),
    )
    if len(results) < max(2, math.ceil(draws / 2)):
        warning = (
            f"only {len(results)} of {draws} clusterings drawn over the uncertain links gave a finite estimate: "
            "no interval that includes the linkage's uncertainty can be given"
        )
        combined = replace(fixed, estimate=None, ci95=None, warnings=(*fixed.warnings, warning), posterior=None)
        return combined, replace(spread, combination="none")
    if all(r.posterior is not None for r in results):
        point, interval, posterior = pool_posteriors([r.posterior for r in results])  # type: ignore[misc]
        how = "mixture of the posteriors"
    else:
        point, interval = rubin([r.estimate for r in results], [r.ci95 for r in results])  # type: ignore[misc]
        posterior, how = None, "Rubin's rules on log N"
    combined = replace(
        fixed,
        estimate=point,
        ci95=interval,
        posterior=posterior,
        diagnostics={**fixed.diagnostics, "linkage_uncertainty": spread.as_dict() | {"combination": how}},
    )
    return combined, replace(spread, combination=how)
