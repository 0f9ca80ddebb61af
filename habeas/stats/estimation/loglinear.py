"""Log-linear models of multiple systems estimation, with the conventions of the R package Rcapture 1.4-4.

The statistics, briefly. Each of the N people in the population falls in one cell of the 2**K table of
capture patterns over K lists; the all-zero cell holds the n0 people no list recorded. A log-linear model
writes the expected count of pattern w as log E(n_w) = intercept + the effects of the lists w is on (main
effects) + those of the pairs, triples... of lists it is on (interactions: dependence between lists) and,
optionally, a term in its number of captures c(w) (heterogeneity: some people are easier to record than
others). Every column is zero for the unseen pattern, so the model is fitted by Poisson regression to the
2**K - 1 observable cells and extrapolates E(n0) = exp(intercept): the Poisson estimate of N is
n + exp(intercept). The interaction of all K lists cannot be estimated: only the unseen cell could tell it.

Models (Baillargeon & Rivest 2007, J. Stat. Software 19(5); Rivest & Baillargeon 2007, Biometrics 63):

* ``Mt``, independence: main effects only.
* Hierarchical models, named by their generators as in Rcapture: ``[123,14,34]`` has the interaction of
  lists 1, 2, 3 with all its lower-order terms, and 1:4 and 3:4. Main effects are always in.
* Heterogeneity (``Mth``), a column f(c) added to the design: Poisson2 f = 2**c - 1, Darroch f = c**2 / 2,
  Gamma3.5 f = log(3.5) - log(3.5 + c); Chao's lower bound has K - 2 columns max(c - j + 1, 0), j = 3..K,
  whose coefficients must not be negative: a negative one is set to zero (its column dropped) and the
  model refitted, one at a time, the first negative first.
* Any mix of these, e.g. ``Mth Darroch + c1:c2 + c1:c3 + c1:c4``.

Fit statistics follow Rcapture: deviance and degrees of freedom over the 2**K - 1 cells, AIC = -2 log L + 2p
and BIC = -2 log L + p log n, with log L the Poisson log-likelihood, p the number of parameters and n the
number of people observed. The standard error of N is sqrt(u + u**2 var(intercept)), u = exp(intercept).
Besides the Poisson estimate, a fit gives the multinomial estimate of N and its profile-likelihood interval
(Cormack 1992), which Rcapture's ``closedpCI.t`` reports (see ``_loglinear_fit.profile_interval``).

A fit can fail: a design with more parameters than the cells identify (rank-deficient), or data on the
boundary of the model, where the maximum-likelihood estimate does not exist (the parameters diverge as the
fitted count of some never-observed pattern goes to zero). Such a fit carries a ``problem`` and no number.
A fit whose asymptotic bias exceeds 10% of N keeps its numbers with a warning. Model searches rank only the
fits with neither, as Rcapture's ``closedpMS.t`` flags the others (its infoFit code).
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, replace
from itertools import islice
from typing import Literal

import numpy as np

from habeas.stats.estimation._loglinear_design import (
    HETEROGENEITY_COLUMNS,
    DesignBuilder,
    Term,
    addable_terms,
    capture_patterns,
    enumerate_hierarchical,
    generator_name,
    hierarchical_closure,
    is_hierarchical,
    sorted_terms,
)
from habeas.stats.estimation._loglinear_fit import (
    LARGE_BIAS,
    FloatArray,
    NewtonResult,
    PoissonSummary,
    chao_reduction,
    newton_poisson,
    profile_interval,
    summarize,
)
from habeas.stats.estimation.table import CaptureTable

Heterogeneity = Literal["Chao", "Poisson2", "Darroch", "Gamma3.5"]
Criterion = Literal["AIC", "BIC"]

MAX_LISTS = 12
"""The full table has 2**K cells; beyond 12 lists these models are out of reach."""
DEFAULT_MAX_MODELS = 10_000
"""Largest exhaustive search by default: Rcapture's own limit (every model of 5 lists, 6,893, fits)."""
EXHAUSTIVE_MAX_LISTS = 5
"""``search_models(method="auto")`` is exhaustive up to this many lists and stepwise beyond."""

_ALIASES: dict[str, Heterogeneity] = {
    "chao": "Chao",
    "lb": "Chao",
    "poisson2": "Poisson2",
    "poisson": "Poisson2",
    "darroch": "Darroch",
    "gamma3.5": "Gamma3.5",
    "gamma": "Gamma3.5",
}


class LoglinearError(ValueError):
    """A table or a model the log-linear estimators cannot use; the message names the problem."""


def _heterogeneity(name: str) -> Heterogeneity:
    try:
        return _ALIASES[name.strip().lower()]
    except KeyError:
        raise LoglinearError(
            f"unknown heterogeneity {name!r}: expected one of Chao (LB), Poisson2, Darroch, Gamma3.5"
        ) from None


@dataclass(frozen=True)
class LoglinearModel:
    """A log-linear model for K lists: all main effects, the given interactions and optional heterogeneity.

    ``interactions`` are sets of list numbers (1-based, two or more lists each). Build models with
    ``LoglinearModel.parse("[123,14,34]", k=4)`` or ``LoglinearModel.hierarchical(4, [{1, 2, 3}, {1, 4}])``.
    """

    k: int
    interactions: frozenset[Term] = frozenset()
    heterogeneity: Heterogeneity | None = None

    def __post_init__(self) -> None:
        if self.k < 1:
            raise LoglinearError("a model needs at least one list")
        for term in self.interactions:
            if len(term) < 2 or not all(1 <= m <= self.k for m in term):
                raise LoglinearError(f"interaction {sorted(term)} must join two or more of the lists 1..{self.k}")
        if self.heterogeneity is not None and self.heterogeneity not in HETEROGENEITY_COLUMNS:
            raise LoglinearError(f"unknown heterogeneity {self.heterogeneity!r}")

    @classmethod
    def hierarchical(
        cls, k: int, generators: str | Iterable[Iterable[int]], heterogeneity: Heterogeneity | None = None
    ) -> LoglinearModel:
        """The hierarchical model with these generators, ``"[123,14,34]"`` or ``[{1, 2, 3}, {1, 4}, {3, 4}]``:
        each generator brings all its subsets."""
        if isinstance(generators, str):
            parsed = cls.parse(generators, k)
            return replace(parsed, heterogeneity=heterogeneity or parsed.heterogeneity)
        return cls(k, hierarchical_closure(generators), heterogeneity)

    @classmethod
    def parse(cls, spec: str, k: int) -> LoglinearModel:
        """Read a model written as Rcapture writes it, parts joined by ``+``: ``Mt``; ``Mth Darroch`` (or a
        heterogeneity alone: ``Chao``/``LB``, ``Poisson2``, ``Darroch``, ``Gamma3.5``); generators
        ``[123,14,34]`` (``[1:2:10,3:4]`` beyond 9 lists); single interactions ``c1:c2``. For example
        ``"Mt + c1:c2"``, ``"Mth Darroch + c1:c2+c1:c3+c1:c4"``, ``"[12,13,14] + Darroch"``."""
        interactions: set[Term] = set()
        heterogeneity: Heterogeneity | None = None
        for raw in spec.split("+"):
            part = raw.strip()
            words = part.split()
            if part.lower() == "mt" or re.fullmatch(r"c\d+", part):
                continue
            if len(words) == 2 and words[0].lower() == "mth":
                heterogeneity = _heterogeneity(words[1])
            elif part.lower() in _ALIASES:
                heterogeneity = _heterogeneity(part)
            elif part.startswith("[") and part.endswith("]"):
                inner = part[1:-1].replace(" ", "")
                gens = [g.split(":") if ":" in g else list(g) for g in inner.split(",") if g]
                try:
                    interactions |= hierarchical_closure([int(m) for m in g] for g in gens)
                except ValueError:
                    raise LoglinearError(f"cannot read the generators {part!r}") from None
            elif re.fullmatch(r"c\d+(:c\d+)+", part):
                interactions.add(frozenset(int(m) for m in part.replace("c", "").split(":")))
            else:
                raise LoglinearError(f"cannot read {part!r} in the model {spec!r}")
        return cls(k, frozenset(interactions), heterogeneity)

    @property
    def is_hierarchical(self) -> bool:
        return is_hierarchical(self.interactions)

    @property
    def name(self) -> str:
        """Rcapture's name of a hierarchical model (``[123,14,34]``; ``[1,2,3,4]`` is independence), or
        ``Mt + c1:c2:c3`` for one that is not hierarchical; then `` + Darroch`` etc. for heterogeneity."""
        if self.is_hierarchical:
            base = generator_name(self.k, self.interactions)
        else:
            base = " + ".join(["Mt", *(":".join(f"c{m}" for m in sorted(t)) for t in sorted_terms(self.interactions))])
        return base if self.heterogeneity is None else f"{base} + {self.heterogeneity}"

    def __str__(self) -> str:
        return self.name


@dataclass(frozen=True)
class ProfileInterval:
    """The multinomial estimate of N and its profile-likelihood interval. ``lower`` equals the number
    observed when the likelihood stays within the interval down to N = n; ``upper`` is ``math.inf`` when
    it stays within up to 3,000 times the Poisson estimate."""

    estimate: float
    lower: float
    upper: float
    level: float


@dataclass(frozen=True)
class LoglinearFit:
    """One fitted model. When ``problem`` is set the model gave no estimate and every number is None.

    ``unseen`` is the Poisson estimate exp(intercept) of the people on no list and ``abundance`` = observed +
    unseen (Rcapture's ``abundance``); ``interval`` holds the multinomial estimate and its profile-likelihood
    interval (Rcapture's ``closedpCI.t``) when requested. ``dropped_eta`` lists the j of Chao's eta_j set to
    zero. ``warnings`` (a large asymptotic bias) keep the numbers but exclude the model from rankings.
    """

    model: LoglinearModel
    observed: int
    problem: str | None = None
    warnings: tuple[str, ...] = ()
    unseen: float | None = None
    abundance: float | None = None
    stderr: float | None = None
    deviance: float | None = None
    df: int | None = None
    aic: float | None = None
    bic: float | None = None
    bias: float | None = None
    coefficients: tuple[tuple[str, float], ...] = ()
    dropped_eta: tuple[int, ...] = ()
    interval: ProfileInterval | None = None

    @property
    def estimable(self) -> bool:
        """Whether the model gave an estimate."""
        return self.problem is None

    @property
    def trustworthy(self) -> bool:
        """Whether the model gave an estimate without warnings (Rcapture's infoFit 0); only these rank."""
        return self.problem is None and not self.warnings

    def criterion(self, which: Criterion) -> float:
        """AIC or BIC; infinite for a model that is not trustworthy, so that it never wins a comparison."""
        value = self.aic if which == "AIC" else self.bic
        return value if self.trustworthy and value is not None else math.inf


@dataclass(frozen=True)
class ModelSearch:
    """Every model a search fitted; ``ranked`` orders the trustworthy ones by AIC or BIC.

    ``method`` is ``exhaustive`` (every hierarchical model with interactions up to ``max_order``, as
    Rcapture's ``closedpMS.t``) or ``stepwise`` (a greedy path steered by ``criterion``; see
    ``search_models``).
    """

    method: Literal["exhaustive", "stepwise"]
    max_order: int
    criterion: Criterion
    heterogeneity: Heterogeneity | None
    fits: tuple[LoglinearFit, ...]

    def ranked(self, criterion: Criterion = "BIC") -> tuple[LoglinearFit, ...]:
        """Trustworthy fits, best (smallest criterion) first."""
        return tuple(sorted((f for f in self.fits if f.trustworthy), key=lambda f: f.criterion(criterion)))

    def best(self, criterion: Criterion = "BIC") -> LoglinearFit | None:
        """The best trustworthy fit, or None when no model fitted without a problem or warning."""
        ranked = self.ranked(criterion)
        return ranked[0] if ranked else None

    @property
    def excluded(self) -> tuple[LoglinearFit, ...]:
        """Fits left out of the rankings, with their ``problem`` or ``warnings``."""
        return tuple(f for f in self.fits if not f.trustworthy)

    def describe(self, criterion: Criterion = "BIC", top: int = 10) -> str:
        """A plain-text report: the best models, or a statement that none could be fitted."""
        ranked = self.ranked(criterion)
        head = f"{self.method} search over {len(self.fits)} log-linear models"
        if not ranked:
            return (
                f"{head}: none fitted without a problem or warning, so there is no estimate "
                f"(no finite estimate, not identifiable, or a large bias)."
            )
        lines = [f"{head}; {len(self.excluded)} excluded; the best by {criterion}:"]
        lines.append(f"{'model':<28}{'N':>12}{'stderr':>10}{'deviance':>10}{'df':>4}{'AIC':>10}{'BIC':>10}")
        for fit in ranked[:top]:
            lines.append(
                f"{fit.model.name:<28}{fit.abundance:>12.1f}{fit.stderr:>10.1f}{fit.deviance:>10.3f}"
                f"{fit.df:>4}{fit.aic:>10.3f}{fit.bic:>10.3f}"
            )
        return "\n".join(lines)


@dataclass(frozen=True)
class _Cells:
    """The modelled cells of a table: observable patterns less any declared structural zeros."""

    k: int
    counts: FloatArray
    labels: list[str]
    observed: int
    designs: DesignBuilder


def _cells(table: CaptureTable) -> _Cells:
    k = table.k
    if k < 2:
        raise LoglinearError(
            "a single list cannot tell how many people it missed: at least two overlapping lists are needed"
        )
    if k > MAX_LISTS:
        raise LoglinearError(f"{k} lists make a table of 2**{k} cells: log-linear models stop at {MAX_LISTS}")
    if table.observed == 0:
        raise LoglinearError("nobody was observed (the table is empty or every count is 0): nothing to estimate")
    counts = table.full_counts()
    patterns = capture_patterns(k)
    keep = np.ones(counts.size, dtype=bool)
    for zero in table.structural_zeros:
        if len(zero) != k or set(zero) - {0, 1} or not any(zero):
            raise LoglinearError(f"structural zero {zero} is not an observable capture pattern of {k} lists")
        index = int("".join(str(v) for v in zero), 2) - 1
        if counts[index] > 0:
            raise LoglinearError(f"pattern {zero} is declared impossible but {counts[index]} people have it")
        keep[index] = False
    if counts[patterns.sum(axis=1) >= 2].sum() == 0:
        raise LoglinearError(
            "no one appears on more than one list: without overlaps nothing links the lists, "
            "so no model can estimate how many people they all missed"
        )
    labels = ["".join(str(v) for v in row) for row in patterns[keep]]
    return _Cells(k, counts[keep].astype(np.float64), labels, table.observed, DesignBuilder(table.lists, keep))


def _design(cells: _Cells, model: LoglinearModel) -> tuple[FloatArray, tuple[str, ...], int]:
    if model.k != cells.k:
        raise LoglinearError(f"the model is for {model.k} lists but the table has {cells.k}")
    return cells.designs.build(model.interactions, model.heterogeneity)


def _fit_models(cells: _Cells, models: list[LoglinearModel]) -> list[LoglinearFit]:
    """Fit many models at once: designs with the same number of columns share one stacked Newton run and
    one vectorised summary."""
    y = cells.counts
    fits: dict[int, LoglinearFit] = {}
    # The final design of each identifiable model (after Chao's negative etas are dropped) and its fit.
    finals: dict[int, _Final] = {}
    designs = [_design(cells, model) for model in models]
    for p, members in _by_width([x for x, _, _ in designs]).items():
        ranks = np.linalg.matrix_rank(np.stack([designs[i][0] for i in members]))
        identifiable = [i for i, rank in zip(members, ranks, strict=True) if rank == p]
        for i, rank in zip(members, ranks, strict=True):
            if rank < p:
                problem = (
                    f"the model is not identifiable: it has {p} parameters but its design has rank {rank} "
                    f"over the {y.size} capture patterns"
                )
                fits[i] = LoglinearFit(models[i], cells.observed, problem=problem)
        if not identifiable:
            continue
        newton = newton_poisson(np.stack([designs[i][0] for i in identifiable]), y)
        for j, i in enumerate(identifiable):
            x, names, n_het = designs[i]
            first_eta = p - n_het
            if models[i].heterogeneity == "Chao" and (newton.beta[j, first_eta:] < 0).any():
                x, one, dropped = chao_reduction(x, y, n_het)
                names = tuple(n for c, n in enumerate(names) if c - first_eta not in dropped)
                eta_j = tuple(d + 3 for d in dropped)
                finals[i] = _Final(x, names, _one(one, 0), eta_j)
            else:
                finals[i] = _Final(x, names, _one(newton, j), ())
    indices = list(finals)
    for members in _by_width([finals[i].x for i in indices]).values():
        group = [finals[indices[m]] for m in members]
        newton = NewtonResult(
            beta=np.concatenate([f.fit.beta for f in group]),
            mu=np.concatenate([f.fit.mu for f in group]),
            converged=np.concatenate([f.fit.converged for f in group]),
            vanishing=np.concatenate([f.fit.vanishing for f in group]),
        )
        summary = summarize(np.stack([f.x for f in group]), y, newton, cells.labels)
        for j, m in enumerate(members):
            fits[indices[m]] = _make_fit(cells, models[indices[m]], group[j], summary, j)
    return [fits[i] for i in range(len(models))]


@dataclass(frozen=True)
class _Final:
    """A model's final design (names of its columns), its Newton fit and Chao's dropped eta_j."""

    x: FloatArray
    names: tuple[str, ...]
    fit: NewtonResult
    dropped: tuple[int, ...]


def _one(newton: NewtonResult, j: int) -> NewtonResult:
    """The j-th fit of a stack, as a stack of one."""
    keep = slice(j, j + 1)
    return NewtonResult(newton.beta[keep], newton.mu[keep], newton.converged[keep], newton.vanishing[keep])


def _by_width(designs: list[FloatArray]) -> dict[int, list[int]]:
    groups: dict[int, list[int]] = {}
    for i, x in enumerate(designs):
        groups.setdefault(x.shape[1], []).append(i)
    return groups


def _make_fit(cells: _Cells, model: LoglinearModel, final: _Final, summary: PoissonSummary, j: int) -> LoglinearFit:
    problem = summary.problem[j]
    if problem is not None:
        return LoglinearFit(model, cells.observed, problem=problem, dropped_eta=final.dropped)
    p = len(final.names)
    unseen = float(summary.unseen[j])
    abundance = cells.observed + unseen
    bias = float(summary.bias[j])
    loglik = float(summary.log_likelihood[j])
    warnings: tuple[str, ...] = ()
    if abs(bias) > LARGE_BIAS * abundance:
        warnings = (f"the asymptotic bias of N ({bias:.1f}) exceeds {LARGE_BIAS:.0%} of N ({abundance:.1f})",)
    return LoglinearFit(
        model,
        cells.observed,
        warnings=warnings,
        unseen=unseen,
        abundance=abundance,
        stderr=float(summary.stderr[j]),
        deviance=float(summary.deviance[j]),
        df=cells.counts.size - p,
        aic=-2 * loglik + 2 * p,
        bic=-2 * loglik + p * math.log(cells.observed),
        bias=bias,
        coefficients=tuple((name, float(b)) for name, b in zip(final.names, final.fit.beta[0], strict=True)),
        dropped_eta=final.dropped,
    )


def fit_loglinear(
    table: CaptureTable, model: LoglinearModel | str = "Mt", *, interval: bool = True, level: float = 0.95
) -> LoglinearFit:
    """Fit one log-linear model (a ``LoglinearModel`` or a spec such as ``"[123,14,34]"``, ``"Mth Chao"``,
    ``"Mt + c1:c2"``) and, if ``interval``, compute the multinomial estimate of N and its profile-likelihood
    interval at ``level``. Raises ``LoglinearError`` for a table no model can use (a single list, nobody
    observed, no overlap between lists); a model that cannot be fitted comes back with a ``problem``."""
    cells = _cells(table)
    if isinstance(model, str):
        model = LoglinearModel.parse(model, cells.k)
    if not 0 < level < 1:
        raise LoglinearError(f"the confidence level must lie strictly between 0 and 1, not {level}")
    fit = _fit_models(cells, [model])[0]
    if not interval or fit.abundance is None:
        return fit
    x, _, n_het = _design(cells, model)
    chao = n_het if model.heterogeneity == "Chao" else 0
    profile = profile_interval(x, cells.counts, chao, fit.abundance, level)
    return replace(fit, interval=ProfileInterval(profile.estimate, profile.lower, profile.upper, level))


def hierarchical_models(
    k: int, max_order: int | None = None, heterogeneity: Heterogeneity | None = None
) -> Iterator[LoglinearModel]:
    """Every hierarchical model for K lists with all main effects and interactions of order 2..max_order
    (default K - 1, as Rcapture's ``getAllModels``): 8 for 3 lists, 113 for 4, 6,893 for 5."""
    top = _max_order(k, max_order)
    for interactions in enumerate_hierarchical(k, top):
        yield LoglinearModel(k, interactions, heterogeneity)


def _max_order(k: int, max_order: int | None) -> int:
    top = k - 1 if max_order is None else max_order
    if not 1 <= top <= k - 1:
        raise LoglinearError(f"max_order must lie between 1 and {k - 1} for {k} lists, not {top}")
    return top


def search_models(
    table: CaptureTable,
    *,
    heterogeneity: Heterogeneity | None = None,
    max_order: int | None = None,
    method: Literal["auto", "exhaustive", "stepwise"] = "auto",
    criterion: Criterion = "BIC",
    max_models: int = DEFAULT_MAX_MODELS,
) -> ModelSearch:
    """Fit hierarchical models (all main effects, interactions up to ``max_order``, default K - 1, optional
    heterogeneity) and rank the trustworthy fits by AIC and BIC.

    ``exhaustive`` fits every such model, as Rcapture's ``closedpMS.t`` does with its defaults: 8 models for
    3 lists, 113 for 4, 6,893 for 5. Their number explodes beyond (7,785,061 for 6 lists; 32,768 even with
    pairwise interactions only), so it is refused above ``max_models``. ``stepwise`` is a greedy search for
    any number of lists: from independence, fit every model one step away (one interaction added whose
    lower-order terms are all present, or one generator removed) and move to the best by ``criterion``
    while it improves; it fits a few hundred models but may miss the best one. ``auto`` is exhaustive up
    to 5 lists and stepwise beyond. Raises ``LoglinearError`` for a table no model can use.
    """
    cells = _cells(table)
    top = _max_order(cells.k, max_order)
    if method == "auto":
        method = "exhaustive" if cells.k <= EXHAUSTIVE_MAX_LISTS else "stepwise"
    if method == "stepwise":
        return ModelSearch("stepwise", top, criterion, heterogeneity, _stepwise(cells, top, heterogeneity, criterion))
    if method == "exhaustive":
        models = list(islice(hierarchical_models(cells.k, top, heterogeneity), max_models + 1))
        if len(models) > max_models:
            raise LoglinearError(
                f"more than {max_models} hierarchical models of {cells.k} lists with interactions up to "
                f"order {top}: use method='stepwise', a lower max_order, or a larger max_models"
            )
        fits = [
            fit for start in range(0, len(models), _CHUNK) for fit in _fit_models(cells, models[start : start + _CHUNK])
        ]
        return ModelSearch("exhaustive", top, criterion, heterogeneity, tuple(fits))
    raise LoglinearError(f"unknown search method {method!r}: expected auto, exhaustive or stepwise")


_CHUNK = 2048
"""Models fitted per stacked Newton run in an exhaustive search (bounds the memory of the stacks)."""


def _stepwise(
    cells: _Cells, top: int, heterogeneity: Heterogeneity | None, criterion: Criterion
) -> tuple[LoglinearFit, ...]:
    fitted: dict[frozenset[Term], LoglinearFit] = {}

    def evaluate(candidates: list[frozenset[Term]]) -> None:
        new = [c for c in dict.fromkeys(candidates) if c not in fitted]
        models = [LoglinearModel(cells.k, c, heterogeneity) for c in new]
        fitted.update(zip(new, _fit_models(cells, models), strict=True))

    current: frozenset[Term] = frozenset()
    evaluate([current])
    while True:
        removable = [t for t in current if not any(t < other for other in current)]
        neighbours = [current | {t} for t in addable_terms(cells.k, current, top)]
        neighbours += [current - {t} for t in removable]
        evaluate(neighbours)
        best = min(neighbours, key=lambda c: fitted[c].criterion(criterion), default=None)
        if best is None or fitted[best].criterion(criterion) >= fitted[current].criterion(criterion):
            return tuple(fitted.values())
        current = best
