"""Numerical core of the sparse-data stepwise method (Chan, Silverman & Vincent 2021; the R package SparseMSE).

Cells are the 2**K - 1 observable capture patterns in the order of ``CaptureTable.full_counts``. A model holds the
intercept, every main effect and some two-list effects ("pairs"). A pair whose lists share nobody in the data is an
empty overlap: its parameter is minus infinity in the extended maximum-likelihood estimate, so instead of a column
the cells holding both lists are removed from the fit (their fitted count is zero).

Parameters are addressed in one full-length vector: the intercept, the K main effects, then one slot per pair in
SparseMSE's order (1:2, 1:3, ..., 1:K, 2:3, ...). A model's design takes the columns of its slots, restricted to the
cells it keeps.

Checks (SparseMSE's ``checkident``): a model is identifiable when its design over the kept cells has full column rank;
its maximum-likelihood estimate exists when some strictly positive table over the kept cells has the observed
sufficient statistics (Fienberg & Rinaldo 2012), which the linear program below decides. It is skipped when the
design restricted to the cells with positive counts has full column rank: then no direction X d <= 0, zero on every
positive cell and negative somewhere, can exist (it would need X_+ d = 0 with d != 0), and that direction is
exactly what a missing estimate requires (Haberman 1974).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from functools import cache
from itertools import combinations

import numpy as np
from numpy.typing import NDArray
from scipy.optimize import linprog
from scipy.special import pdtr, pdtrc

from habeas.stats.estimation._loglinear_design import capture_patterns

FloatArray = NDArray[np.float64]
BoolArray = NDArray[np.bool_]
IntArray = NDArray[np.int64]

RANK_TOLERANCE = 1e-10
"""An eigenvalue of X'X below this fraction of the largest counts as zero (singular values below ~1e-5 of the top)."""
LP_TOLERANCE = 1e-6
"""The linear program's optimum (the smallest cell of a positive table, capped at 1) must exceed this."""
MAX_ITERATIONS = 100
_ETA_LIMIT = 700.0


@dataclass(frozen=True)
class Layout:
    """The cells and parameter columns of K lists: ``design`` is (2**K - 1, 1 + K + K(K-1)/2), the intercept, the
    main effects and the pair products; ``pairs`` gives each pair's lists (0-based) in SparseMSE's order."""

    k: int
    design: FloatArray
    pairs: tuple[tuple[int, int], ...]

    @property
    def cells(self) -> int:
        return self.design.shape[0]

    def pair_column(self, q: int) -> FloatArray:
        return self.design[:, 1 + self.k + q]


@cache
def layout(k: int) -> Layout:
    patterns = capture_patterns(k).astype(np.float64)
    pairs = tuple(combinations(range(k), 2))
    products = [patterns[:, i] * patterns[:, j] for i, j in pairs]
    design = np.column_stack([np.ones(patterns.shape[0]), patterns, *products])
    design.setflags(write=False)
    return Layout(k, design, pairs)


@dataclass(frozen=True)
class Model:
    """Pairs in the order they entered (indices into ``Layout.pairs``) and whether each is an empty overlap."""

    pairs: tuple[int, ...] = ()
    empty: tuple[bool, ...] = ()

    def add(self, q: int, empty: bool) -> Model:
        return Model((*self.pairs, q), (*self.empty, empty))

    def columns(self, k: int) -> IntArray:
        fitted = [1 + k + q for q, e in zip(self.pairs, self.empty, strict=True) if not e]
        return np.array([*range(k + 1), *fitted], dtype=np.int64)

    def keep(self, lay: Layout) -> BoolArray:
        keep = np.ones(lay.cells, dtype=bool)
        for q, e in zip(self.pairs, self.empty, strict=True):
            if e:
                keep &= lay.pair_column(q) == 0
        return keep

    @property
    def key(self) -> frozenset[int]:
        return frozenset(self.pairs)


def rank(x: FloatArray) -> int:
    """Column rank from the eigenvalues of X'X (cheap for these small designs, and free of threaded LAPACK)."""
    if x.shape[0] == 0:
        return 0
    values = np.linalg.eigvalsh(x.T @ x)
    top = values[-1]
    return int(np.count_nonzero(values > top * RANK_TOLERANCE)) if top > 0 else 0


def positive_table_exists(x: FloatArray, y: FloatArray) -> bool:
    """Whether some table with every cell positive has the sufficient statistics X'y: maximise s subject to
    X'(z + s) = X'y, z >= 0, 0 <= s <= 1 (the linear program of Fienberg & Rinaldo 2012, as SparseMSE poses it,
    with x = z + s)."""
    a = x.T
    n = x.shape[0]
    constraints = np.column_stack([a, a.sum(axis=1)])
    objective = np.zeros(n + 1)
    objective[-1] = -1.0
    bounds = [(0.0, None)] * n + [(0.0, 1.0)]
    result = linprog(objective, A_eq=constraints, b_eq=a @ y, bounds=bounds, method="highs")
    if result.status != 0:
        raise RuntimeError(f"the existence linear program failed: {result.message}")
    return bool(-result.fun > LP_TOLERANCE)


@dataclass(frozen=True)
class Check:
    """SparseMSE's ``checkident``: whether the estimate exists and whether the model is identifiable."""

    exists: bool
    identifiable: bool

    @property
    def ok(self) -> bool:
        return self.exists and self.identifiable


def check(lay: Layout, model: Model, y: FloatArray, *, stop_early: bool = False) -> Check:
    """Check a model against counts ``y`` over all cells. With ``stop_early`` a model found not identifiable is not
    tested for existence (reported as not existing), which is all the stepwise search needs."""
    keep = model.keep(lay)
    x = lay.design[np.ix_(keep, model.columns(lay.k))]
    p = x.shape[1]
    # Over every observable cell, the intercept, main effects and two-list products of K >= 3 lists are linearly
    # independent (a dependency would make the indicator of the unseen cell, of degree K, a polynomial of degree 2).
    identifiable = (lay.k >= 3 and bool(keep.all())) or rank(x) == p
    if stop_early and not identifiable:
        return Check(exists=False, identifiable=False)
    yk = y[keep]
    positive = yk > 0
    exists = bool(positive.all()) or rank(x[positive]) == p or positive_table_exists(x, yk)
    return Check(exists=exists, identifiable=identifiable)


@dataclass(frozen=True)
class Fit:
    """A Poisson fit of one model: the full-length parameter vector (zero for slots outside the model), fitted
    counts over the kept cells, the Fisher information and whether Newton's method converged."""

    model: Model
    beta: FloatArray
    mu: FloatArray
    keep: BoolArray
    information: FloatArray
    converged: bool

    @property
    def unseen(self) -> float:
        return math.exp(self.beta[0])

    @property
    def var_intercept(self) -> float:
        return float(np.linalg.inv(self.information)[0, 0])


def _loglik(x: FloatArray, y: FloatArray, beta: FloatArray) -> tuple[float, FloatArray]:
    eta = np.minimum(x @ beta, _ETA_LIMIT)
    mu = np.exp(eta)
    return float(y @ eta - mu.sum()), mu


def cold_start(x: FloatArray, y: FloatArray) -> FloatArray:
    """One weighted least-squares step from fitted counts y + 0.1, as R's glm starts a Poisson fit."""
    start = y + 0.1
    working = np.log(start) + (y - start) / start
    weighted = x * start[:, None]
    return np.asarray(np.linalg.solve(weighted.T @ x, weighted.T @ working), dtype=np.float64)


def fit(lay: Layout, model: Model, y: FloatArray, start: FloatArray | None) -> Fit:
    """Maximise the Poisson likelihood by Newton's method with step halving, from the full-length ``start`` (or
    R's glm start). The model must have passed ``check``: the likelihood is then strictly concave with a finite
    maximum, and the iteration stops when the Newton decrement is negligible."""
    keep = model.keep(lay)
    columns = model.columns(lay.k)
    x = lay.design[np.ix_(keep, columns)]
    yk = y[keep]
    beta = cold_start(x, yk) if start is None else start[columns].copy()
    loglik, mu = _loglik(x, yk, beta)
    tolerance = 1e-12 * max(1.0, float(yk.sum()))
    converged = False
    information = x.T @ (mu[:, None] * x)
    for _ in range(MAX_ITERATIONS):
        gradient = x.T @ (yk - mu)
        step = np.linalg.solve(information, gradient)
        decrement = float(gradient @ step)
        if not math.isfinite(decrement):
            break
        if decrement <= tolerance:
            # Within reach of the maximum, where Newton's method converges quadratically: one last full step
            # brings the parameters to machine precision.
            beta = beta + step
            _, mu = _loglik(x, yk, beta)
            information = x.T @ (mu[:, None] * x)
            converged = True
            break
        scale = 1.0
        for _ in range(50):
            candidate = beta + scale * step
            new, new_mu = _loglik(x, yk, candidate)
            if new >= loglik:
                break
            scale /= 2
        else:  # no step improves: the maximum is reached to machine precision
            converged = True
            break
        beta, loglik, mu = candidate, new, new_mu
        information = x.T @ (mu[:, None] * x)
    full = np.zeros(lay.design.shape[1])
    full[columns] = beta
    return Fit(model, full, mu, keep, information, converged)


def p_values(lay: Layout, current: Fit, overlaps: FloatArray, candidates: list[int]) -> FloatArray:
    """SparseMSE's p-value for adding each candidate pair: the number of cases on both its lists is Poisson under
    the current model, with mean the sum of fitted counts over the kept cells holding both; the p-value is the
    smaller of the lower tail P(X <= n) and the upper tail P(X >= n) at the observed number n."""
    columns = lay.design[np.ix_(current.keep, 1 + lay.k + np.array(candidates, dtype=np.int64))]
    expected = columns.T @ current.mu
    observed = overlaps[candidates]
    lower = pdtr(observed, expected)
    upper = np.where(observed > 0, pdtrc(np.maximum(observed - 1, 0), expected), 1.0)
    return np.asarray(np.minimum(lower, upper), dtype=np.float64)


@dataclass(frozen=True)
class Step:
    """A pair that entered the model, its p-value and whether it is an empty overlap."""

    pair: int
    p_value: float
    empty: bool


@dataclass(frozen=True)
class Path:
    """The outcome of a stepwise search: the steps taken and the final fit."""

    steps: tuple[Step, ...]
    fit: Fit


@dataclass
class Stepwise:
    """Forward stepwise selection over two-list effects with SparseMSE's rule, for one number of lists.

    ``starts`` maps models (sets of pairs) to full-length parameter vectors used as Newton starting points: the
    search on the data records its fits there, and searches on resampled data start from them.
    """

    k: int
    threshold: float
    starts: dict[frozenset[int], FloatArray] = field(default_factory=dict)

    def run(self, y: FloatArray, *, record: bool = False) -> Path:
        """Select a model for counts ``y`` (all 2**K - 1 cells). The main-effects model must have passed
        ``check``. With ``record`` every fit along the path is stored in ``starts``."""
        lay = layout(self.k)
        overlaps = lay.design[:, 1 + self.k :].T @ y
        model = Model()
        current = self._fit(lay, model, y, None, record)
        steps: list[Step] = []
        while len(model.pairs) < len(lay.pairs):
            candidates = [q for q in range(len(lay.pairs)) if q not in model.pairs]
            values = p_values(lay, current, overlaps, candidates)
            chosen: Step | None = None
            for position in np.lexsort((np.array(candidates), values)):
                if not values[position] < self.threshold:
                    break
                q = candidates[position]
                trial = model.add(q, bool(overlaps[q] == 0))
                if check(lay, trial, y, stop_early=True).ok:
                    chosen = Step(q, float(values[position]), trial.empty[-1])
                    break
            if chosen is None:
                break
            steps.append(chosen)
            previous = current.beta
            model = model.add(chosen.pair, chosen.empty)
            current = self._fit(lay, model, y, previous, record)
        return Path(tuple(steps), current)

    def _fit(self, lay: Layout, model: Model, y: FloatArray, previous: FloatArray | None, record: bool) -> Fit:
        start = self.starts.get(model.key, previous)
        result = fit(lay, model, y, start)
        if record:
            self.starts[model.key] = result.beta
        return result
