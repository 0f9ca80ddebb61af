"""Bayesian model averaging over decomposable graphical models (Madigan & York 1997).

The method of Madigan & York (1997, *Biometrika* 84:19-31), with the conventions of the R package ``dga``
(2.0.2; Johndrow, Lum & Ball), for 3, 4 or 5 lists.

The statistics, briefly. Each of the N people in the population falls in one cell of the 2**K table of
capture patterns; the all-zero cell (seen on no list) holds the ``N_missing`` people nobody recorded. A
decomposable (chordal) graph on the K lists is a model of list dependence: lists that are not joined are
conditionally independent given the lists that separate them. Under a graph with maximal cliques C and
separators S, the cell probabilities get a hyper-Dirichlet prior (Dawid & Lauritzen 1993): the margin of every
clique and separator A is Dirichlet with ``delta * 2**(K - |A|)`` on each of its cells, which is the margin of
a Dirichlet with ``delta`` on each cell of the full table. The marginal likelihood of the completed table
(observed counts plus a candidate ``N_missing``) is then a product of Dirichlet-multinomial terms over the
cliques divided by those over the separators, and only the margin cells that contain the all-zero pattern
depend on ``N_missing``. Multiplying by the number of orderings ``N! / N_missing!``, by a prior on N and by a
prior on graphs gives the joint posterior of (graph, N) on a grid of ``N_missing``; summing over graphs gives
the model-averaged posterior of N, summing over N the posterior probability of each graph.

Everything is computed in log space with ``gammaln`` and vectorised over the grid: the log marginal
likelihood of every graph is a signed sum of one vector per subset of lists, so all graphs are one matrix
product. Five lists (822 graphs) on a grid of 150,000 values take under two seconds on one core.
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import cache
from typing import Protocol

import numpy as np
from numpy.typing import ArrayLike, NDArray
from scipy.special import gammaln

from habeas.stats.estimation.table import CaptureTable

MIN_LISTS = 3
MAX_LISTS = 5
DEFAULT_TAIL_TOLERANCE = 1e-6
DEFAULT_MAX_NMISSING = 150_000
_GRID_START_MULTIPLE = 5
_GRID_GROWTH = 3
_CHUNK_COLUMNS = 2048


class DgaError(ValueError):
    """Input the decomposable-graph estimator cannot use; the message names the problem."""


class PopulationPrior(Protocol):
    """A prior on the population size N, given by its log density up to an additive constant."""

    def log_density(self, n: NDArray[np.float64]) -> NDArray[np.float64]: ...


@dataclass(frozen=True)
class InverseNPrior:
    """The improper prior p(N) ∝ 1/N, ``dga``'s default (uniform on log N)."""

    def log_density(self, n: NDArray[np.float64]) -> NDArray[np.float64]:
        return -np.log(n)

    def __str__(self) -> str:
        return "p(N) ∝ 1/N"


@dataclass(frozen=True)
class NegativeBinomialPrior:
    """N ~ negative binomial with shape ``a`` and scale ``b`` (mean ``a*b``, variance ``a*b*(1+b)``):
    p(N) = Γ(N + a) / (Γ(a) N!) · b**N / (1 + b)**(N + a), the prior of Madigan & York's three-list example
    (a = 13.14, b = 55.17 in ``dga``'s manual)."""

    a: float
    b: float

    def __post_init__(self) -> None:
        if not (np.isfinite(self.a) and np.isfinite(self.b) and self.a > 0 and self.b > 0):
            raise DgaError(f"the negative binomial prior needs a > 0 and b > 0 (got a={self.a}, b={self.b})")

    def log_density(self, n: NDArray[np.float64]) -> NDArray[np.float64]:
        a, b = self.a, self.b
        return n * np.log(b) - (n + a) * np.log1p(b) + gammaln(n + a) - gammaln(n + 1) - gammaln(a)

    def __str__(self) -> str:
        return f"negative binomial p(N) (a={self.a:g}, b={self.b:g})"


@dataclass(frozen=True)
class DecomposableGraph:
    """A chordal graph on lists ``0..k-1``: its maximal cliques and the separators of a junction forest.

    There is one separator per edge of the junction forest; the empty separators between connected
    components are left out (they contribute a factor of one to the marginal likelihood).
    """

    k: int
    cliques: tuple[tuple[int, ...], ...]
    separators: tuple[tuple[int, ...], ...]

    @property
    def edges(self) -> tuple[tuple[int, int], ...]:
        pairs = {pair for clique in self.cliques for pair in itertools.combinations(clique, 2)}
        return tuple(sorted(pairs))

    def label(self, lists: Sequence[str] | None = None) -> str:
        """Generator notation, one bracket per clique, e.g. ``[EXH,ABA,OSCE][EXH,OSCE,HRW]``."""
        names = list(lists) if lists is not None else [str(v + 1) for v in range(self.k)]
        return "".join("[" + ",".join(names[v] for v in clique) + "]" for clique in self.cliques)


@dataclass(frozen=True, eq=False)
class DgaResult:
    """The model-averaged posterior of the population size N on a grid, and its summaries.

    ``posterior[i]`` is P(N = observed + nmissing[i] | data), normalised over the grid. Quantiles are the
    smallest N whose posterior distribution function reaches the level, so the 95% interval is equal-tailed.
    ``tail_mass`` is the posterior probability of the last 5% of the grid, ``N_missing >= floor(0.95 * max)``
    (the convention of the reference runs): when it is not small the grid is too short, and the upper bound
    and the mean depend on where the grid ends.

    The mean is that of the posterior restricted to the grid. Under the saturated graph the all-zero cell is
    not identified and, with the 1/N prior, the posterior tail decays like N**(delta*(1 - 2**K) - 1); with
    ``dga``'s default delta = 2**-K the untruncated mean is infinite. The median and the interval settle once
    the tail mass is small; the mean keeps creeping up as the grid grows.
    """

    lists: tuple[str, ...]
    observed: int
    delta: float
    prior: PopulationPrior
    nmissing: NDArray[np.int64] = field(repr=False)
    posterior: NDArray[np.float64] = field(repr=False)
    graphs: tuple[DecomposableGraph, ...] = field(repr=False)
    graph_posterior: NDArray[np.float64] = field(repr=False)
    tail_tolerance: float
    median: int
    lower95: int
    upper95: int
    mean: float
    mode: int
    relative_loss_estimate: float
    """Madigan & York's Bayes estimate under relative squared error loss, E[1/N] / E[1/N**2]."""
    tail_mass: float

    @property
    def n(self) -> NDArray[np.int64]:
        """The grid of population sizes, ``observed + nmissing``."""
        return self.observed + self.nmissing

    @property
    def top_graph(self) -> DecomposableGraph:
        return self.graphs[int(np.argmax(self.graph_posterior))]

    @property
    def top_graph_probability(self) -> float:
        return float(np.max(self.graph_posterior))

    @property
    def grid_too_short(self) -> bool:
        return self.tail_mass >= self.tail_tolerance

    def quantile(self, level: float) -> int:
        """The smallest N on the grid whose posterior distribution function is at least ``level``."""
        if not 0.0 < level < 1.0:
            raise DgaError(f"a quantile level must lie strictly between 0 and 1 (got {level})")
        return _quantile(self.n, np.cumsum(self.posterior), level)

    @property
    def warnings(self) -> tuple[str, ...]:
        if not self.grid_too_short:
            return ()
        return (
            f"the posterior still has mass {self.tail_mass:.2g} in the last 5% of the grid "
            f"(N_missing up to {int(self.nmissing[-1]):,}): the upper bound and the mean depend on where "
            "the grid ends; the data do not pin down the number missing",
        )

    def summary(self) -> str:
        """The estimate with its interval, the graph evidence and the grid diagnostics, in plain words."""
        lines = [
            f"N = {self.median:,} (posterior median), 95% interval {self.lower95:,} to {self.upper95:,} "
            f"(width {self.upper95 - self.lower95:,}); mean {self.mean:,.0f}, mode {self.mode:,}; "
            f"{self.observed:,} observed on {len(self.lists)} lists.",
            f"Averaged over {len(self.graphs)} decomposable graphs (delta = {self.delta:g}, {self.prior}); "
            f"the most probable, {self.top_graph.label(self.lists)}, has posterior probability "
            f"{self.top_graph_probability:.3f}.",
            f"Grid N_missing {int(self.nmissing[0]):,}..{int(self.nmissing[-1]):,}; "
            f"posterior mass in its last 5%: {self.tail_mass:.2g}.",
        ]
        lines.extend(f"Warning: {text}." for text in self.warnings)
        return "\n".join(lines)

    def __str__(self) -> str:
        return self.summary()


def decomposable_graphs(k: int) -> tuple[DecomposableGraph, ...]:
    """All decomposable graphs on ``k`` lists (8, 61 and 822 for k = 3, 4, 5), ordered by number of edges
    and then lexicographically by their edges; the independence graph comes first, the saturated one last."""
    _check_number_of_lists(k)
    return _enumerate_graphs(k)


def dga_estimate(
    table: CaptureTable,
    *,
    delta: float | None = None,
    nmissing: ArrayLike | None = None,
    prior: PopulationPrior | None = None,
    log_graph_prior: ArrayLike | None = None,
    tail_tolerance: float = DEFAULT_TAIL_TOLERANCE,
    max_nmissing: int = DEFAULT_MAX_NMISSING,
) -> DgaResult:
    """Average over all decomposable graphs the posterior of the population size, as ``dga::bma.cr`` does.

    ``delta`` is the hyper-Dirichlet prior count per cell of the full table (default ``2**-K``, ``dga``'s
    suggestion); ``prior`` the prior on N (default p(N) ∝ 1/N); ``log_graph_prior`` the log prior weights of
    the graphs in the order of :func:`decomposable_graphs` (default uniform; ``-inf`` leaves a graph out).

    ``nmissing`` is the grid of candidate numbers of people on no list. Without it the grid is chosen as in
    the reference runs of ``dga``: ``0..5n`` (n = number observed), tripled until the posterior mass in its
    last 5% is below ``tail_tolerance``, and capped at ``0..max_nmissing``. The result reports the tail
    mass; ``result.warnings`` says when the grid is too short.
    """
    k = table.k
    _check_number_of_lists(k, table.lists)
    if table.structural_zeros:
        raise DgaError("DGA cannot take structural zeros: every capture pattern must be possible")
    observed = table.observed
    if observed == 0:
        raise DgaError("no one was observed on any list: there is nothing to estimate from")
    if delta is None:
        delta = 2.0**-k
    if not (np.isfinite(delta) and delta > 0):
        raise DgaError(f"delta, the prior count per cell, must be a positive number (got {delta})")
    if not 0.0 < tail_tolerance < 1.0:
        raise DgaError(f"tail_tolerance must lie strictly between 0 and 1 (got {tail_tolerance})")
    if int(max_nmissing) != max_nmissing or max_nmissing < 1:
        raise DgaError(f"max_nmissing must be a positive whole number (got {max_nmissing})")
    prior = InverseNPrior() if prior is None else prior

    graphs = _enumerate_graphs(k)
    graph_weights = _graph_log_prior(log_graph_prior, len(graphs))
    model = _Model(table.full_counts(), k, float(delta), graphs, graph_weights, prior)

    if nmissing is not None:
        return model.fit(_check_grid(nmissing), table.lists, tail_tolerance)
    top = _GRID_START_MULTIPLE * observed
    while True:
        top = min(top, int(max_nmissing))
        result = model.fit(np.arange(top + 1, dtype=np.int64), table.lists, tail_tolerance)
        if result.tail_mass < tail_tolerance or top >= max_nmissing:
            return result
        top *= _GRID_GROWTH


class _Model:
    """The pieces of the joint posterior of (graph, N_missing) that do not depend on the grid."""

    def __init__(
        self,
        full_counts: NDArray[np.int64],
        k: int,
        delta: float,
        graphs: tuple[DecomposableGraph, ...],
        log_graph_prior: NDArray[np.float64],
        prior: PopulationPrior,
    ) -> None:
        self.k = k
        self.delta = delta
        self.graphs = graphs
        self.log_graph_prior = log_graph_prior
        self.prior = prior
        self.observed = int(full_counts.sum())
        # Row i of `presence` says which lists pattern i (list 1 = most significant bit) is on.
        codes = np.arange(2**k)
        self.presence = (codes[:, None] >> np.arange(k - 1, -1, -1)[None, :]) & 1
        self.cell_counts = np.concatenate([[0], full_counts]).astype(np.float64)
        self.subsets = [s for r in range(1, k + 1) for s in itertools.combinations(range(k), r)]
        index = {s: i for i, s in enumerate(self.subsets)}
        # coefficients[g, s] = +1 for each clique, -1 for each separator of graph g equal to subset s.
        self.coefficients = np.zeros((len(graphs), len(self.subsets)))
        for g, graph in enumerate(graphs):
            for clique in graph.cliques:
                self.coefficients[g, index[clique]] += 1
            for separator in graph.separators:
                self.coefficients[g, index[separator]] -= 1

    def _margin_terms(self, nmissing: NDArray[np.float64]) -> NDArray[np.float64]:
        """Row s: log Dirichlet-multinomial probability of the margin over subset s of the completed table,
        as a function of N_missing (the multinomial coefficient left out)."""
        n_total = self.observed + nmissing
        total_prior = self.delta * 2**self.k
        rows = np.empty((len(self.subsets), nmissing.size))
        for s, subset in enumerate(self.subsets):
            alpha = self.delta * 2 ** (self.k - len(subset))
            cell = self.presence[:, list(subset)] @ (1 << np.arange(len(subset) - 1, -1, -1))
            margin = np.bincount(cell, weights=self.cell_counts, minlength=2 ** len(subset))
            constant = gammaln(total_prior) + np.sum(gammaln(margin[1:] + alpha)) - len(margin) * gammaln(alpha)
            rows[s] = constant + gammaln(margin[0] + nmissing + alpha) - gammaln(n_total + total_prior)
        return rows

    def fit(self, nmissing: NDArray[np.int64], lists: tuple[str, ...], tail_tolerance: float) -> DgaResult:
        grid = nmissing.astype(np.float64)
        n_total = self.observed + grid
        common = self.prior.log_density(n_total) + gammaln(n_total + 1) - gammaln(grid + 1)
        log_post_n, log_post_graph = _log_posteriors(
            self.coefficients, self._margin_terms(grid), common, self.log_graph_prior
        )
        finite_max = np.max(log_post_n)
        if not np.isfinite(finite_max):
            raise DgaError("the prior on N gives probability zero to every value on the grid")
        log_norm = finite_max + np.log(np.sum(np.exp(log_post_n - finite_max)))
        posterior = np.exp(log_post_n - log_norm)
        graph_posterior = np.exp(log_post_graph - log_norm)
        n = self.observed + nmissing
        cdf = np.cumsum(posterior)
        inverse = np.sum(posterior / n_total)
        inverse_square = np.sum(posterior / n_total**2)
        for array in (nmissing, posterior, graph_posterior):
            array.setflags(write=False)
        return DgaResult(
            lists=lists,
            observed=self.observed,
            delta=self.delta,
            prior=self.prior,
            nmissing=nmissing,
            posterior=posterior,
            graphs=self.graphs,
            graph_posterior=graph_posterior,
            tail_tolerance=tail_tolerance,
            median=_quantile(n, cdf, 0.5),
            lower95=_quantile(n, cdf, 0.025),
            upper95=_quantile(n, cdf, 0.975),
            mean=float(np.sum(posterior * n_total)),
            mode=int(n[np.argmax(posterior)]),
            relative_loss_estimate=float(inverse / inverse_square),
            tail_mass=float(np.sum(posterior[nmissing >= _tail_start(int(nmissing[-1]))])),
        )


def _log_posteriors(
    coefficients: NDArray[np.float64],
    margin_terms: NDArray[np.float64],
    common: NDArray[np.float64],
    log_graph_prior: NDArray[np.float64],
) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    """Unnormalised log posterior of each grid value (summed over graphs) and of each graph (summed over
    the grid), from the (graphs x grid) matrix of joint log posteriors, built a block of columns at a time."""
    size = common.size
    log_post_n = np.empty(size)
    log_post_graph = np.full(coefficients.shape[0], -np.inf)
    with np.errstate(divide="ignore"):
        for start in range(0, size, _CHUNK_COLUMNS):
            cols = slice(start, start + _CHUNK_COLUMNS)
            joint = coefficients @ margin_terms[:, cols] + common[cols] + log_graph_prior[:, None]
            column_max = np.max(joint, axis=0)
            shift = np.where(np.isfinite(column_max), column_max, 0.0)
            weights = np.exp(joint - shift)
            log_post_n[cols] = shift + np.log(np.sum(weights, axis=0))
            block_max = np.max(column_max)
            if np.isfinite(block_max):
                block = block_max + np.log(weights @ np.exp(shift - block_max))
                log_post_graph = np.logaddexp(log_post_graph, block)
    return log_post_n, log_post_graph


def _tail_start(largest: int) -> int:
    """Where the last 5% of a grid of N_missing begins: floor(0.95 * largest), in exact arithmetic."""
    return largest * 19 // 20


def _quantile(n: NDArray[np.int64], cdf: NDArray[np.float64], level: float) -> int:
    return int(n[min(int(np.searchsorted(cdf, level, side="left")), n.size - 1)])


def _check_number_of_lists(k: int, lists: Sequence[str] | None = None) -> None:
    if not MIN_LISTS <= k <= MAX_LISTS:
        named = f" ({', '.join(lists)})" if lists else ""
        raise DgaError(
            f"DGA averages over decomposable graphs on {MIN_LISTS} to {MAX_LISTS} lists; "
            f"this table has {k} list{'s' if k != 1 else ''}{named}"
        )


def _check_grid(nmissing: ArrayLike) -> NDArray[np.int64]:
    values = np.asarray(nmissing)
    if values.ndim != 1 or values.size == 0:
        raise DgaError("nmissing must be a non-empty one-dimensional sequence of whole numbers")
    if not np.issubdtype(values.dtype, np.integer):
        if not np.issubdtype(values.dtype, np.floating) or not np.all(np.isfinite(values)):
            raise DgaError("nmissing must hold whole numbers")
        if np.any(values != np.round(values)):
            raise DgaError("nmissing must hold whole numbers (the number of people on no list)")
    grid = np.sort(values.astype(np.int64))
    if grid[0] < 0:
        raise DgaError(f"nmissing cannot be negative (found {int(grid[0])})")
    if np.any(np.diff(grid) == 0):
        raise DgaError("nmissing must not repeat a value")
    return grid


def _graph_log_prior(log_graph_prior: ArrayLike | None, count: int) -> NDArray[np.float64]:
    if log_graph_prior is None:
        return np.zeros(count)
    weights = np.asarray(log_graph_prior, dtype=np.float64)
    if weights.shape != (count,):
        raise DgaError(f"log_graph_prior needs one value per graph ({count}), got shape {weights.shape}")
    if np.any(np.isnan(weights) | (weights == np.inf)) or not np.any(np.isfinite(weights)):
        raise DgaError("log_graph_prior must be finite or -inf, with at least one graph finite")
    return weights


@cache
def _enumerate_graphs(k: int) -> tuple[DecomposableGraph, ...]:
    pairs = list(itertools.combinations(range(k), 2))
    graphs = []
    for size in range(len(pairs) + 1):
        for edges in itertools.combinations(pairs, size):
            adjacency = [0] * k
            for u, v in edges:
                adjacency[u] |= 1 << v
                adjacency[v] |= 1 << u
            if _is_chordal(adjacency):
                graphs.append(_junction_forest(adjacency))
    return tuple(graphs)


def _members(mask: int) -> list[int]:
    return [v for v in range(mask.bit_length()) if mask >> v & 1]


def _is_chordal(adjacency: list[int]) -> bool:
    """Maximum cardinality search (Tarjan & Yannakakis 1984): a graph is chordal if and only if, in the
    search order, the neighbours of each vertex that were visited before it are pairwise adjacent."""
    k = len(adjacency)
    visited = 0
    weight = [0] * k
    for _ in range(k):
        vertex = max((u for u in range(k) if not visited >> u & 1), key=lambda u: weight[u])
        earlier = adjacency[vertex] & visited
        if any(earlier & ~adjacency[u] & ~(1 << u) for u in _members(earlier)):
            return False
        visited |= 1 << vertex
        for u in _members(adjacency[vertex]):
            weight[u] += 1
    return True


def _junction_forest(adjacency: list[int]) -> DecomposableGraph:
    """Maximal cliques by exhaustion over vertex subsets, then a maximum-weight spanning tree of the cliques
    (weight = size of the intersection), which for a chordal graph is a junction tree (Jensen 1994)."""
    k = len(adjacency)
    complete = [mask for mask in range(1, 2**k) if all(mask & ~(1 << u) & ~adjacency[u] == 0 for u in _members(mask))]
    cliques = sorted(
        (m for m in complete if not any(m != other and m & other == m for other in complete)),
        key=_members,
    )
    joined = [cliques[0]]
    separators = []
    remaining = cliques[1:]
    while remaining:
        size, new, old = max(((m & o).bit_count(), m, o) for m in remaining for o in joined)
        joined.append(new)
        remaining.remove(new)
        if size:
            separators.append(new & old)
    return DecomposableGraph(
        k=k,
        cliques=tuple(tuple(_members(m)) for m in cliques),
        separators=tuple(sorted(tuple(_members(m)) for m in separators)),
    )
