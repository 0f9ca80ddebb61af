"""Design matrices and model enumeration for the log-linear models of multiple systems estimation.

Cells are the 2**K - 1 observable capture patterns in the order of ``CaptureTable.full_counts``: cell ``i``
is the pattern whose binary reading (list 1 most significant) is ``i + 1``. Lists are numbered from 1,
as in Rcapture's model names (``[123,14,34]``).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from itertools import combinations

import numpy as np
from numpy.typing import NDArray

Term = frozenset[int]
"""An interaction between lists, as the set of their numbers (1-based, at least two of them)."""

FloatArray = NDArray[np.float64]


def capture_patterns(k: int) -> NDArray[np.int64]:
    """The (2**K - 1, K) 0/1 matrix of observable capture patterns, in cell order."""
    index = np.arange(1, 2**k, dtype=np.int64)
    return (index[:, None] >> np.arange(k - 1, -1, -1)) & 1


def _chao_columns(captures: FloatArray, k: int) -> list[FloatArray]:
    # Chao's lower-bound model (Rivest & Baillargeon 2007): log E(n) is linear in the number of captures c
    # up to c = 2 and free beyond. Column j (j = 3..K) is max(c - j + 1, 0), so its coefficient eta_j is the
    # second difference of log E(n) at c = j - 1, which heterogeneity makes non-negative.
    return [np.maximum(captures - j + 1, 0.0) for j in range(3, k + 1)]


HETEROGENEITY_COLUMNS: dict[str, Callable[[FloatArray, int], list[FloatArray]]] = {
    "Chao": _chao_columns,
    "Poisson2": lambda c, k: [2.0**c - 1.0],
    "Darroch": lambda c, k: [c**2 / 2.0],
    "Gamma3.5": lambda c, k: [np.log(3.5) - np.log(3.5 + c)],
}
"""Heterogeneity columns as functions of the number of captures ``c`` of each pattern (Rcapture's forms).
Every form is 0 at c = 0, so the unseen cell keeps log E(n0) = intercept."""


def sorted_terms(terms: Iterable[Term]) -> list[Term]:
    """Terms by increasing order, then lexicographically (the column order of the design)."""
    return sorted(terms, key=lambda term: (len(term), sorted(term)))


class DesignBuilder:
    """Poisson regression designs over the modelled cells (``keep``: the observable patterns less any
    structural zeros), with the columns of interactions cached across the many models of a search.

    Columns: intercept, one main effect per list, the interactions (products of capture indicators) by
    increasing order, then the heterogeneity columns.
    """

    def __init__(self, list_names: tuple[str, ...], keep: NDArray[np.bool_]) -> None:
        self.k = len(list_names)
        self.list_names = list_names
        self._patterns = capture_patterns(self.k)[keep].astype(np.float64)
        self._base = np.column_stack([np.ones(self._patterns.shape[0]), self._patterns])
        self._terms: dict[Term, tuple[FloatArray, str]] = {}
        self._heterogeneity: dict[str, tuple[FloatArray, tuple[str, ...]]] = {}

    def _term(self, term: Term) -> tuple[FloatArray, str]:
        if term not in self._terms:
            members = sorted(term)
            column = np.prod(self._patterns[:, [m - 1 for m in members]], axis=1)
            self._terms[term] = (column, ":".join(self.list_names[m - 1] for m in members))
        return self._terms[term]

    def _het(self, form: str) -> tuple[FloatArray, tuple[str, ...]]:
        if form not in self._heterogeneity:
            columns = HETEROGENEITY_COLUMNS[form](self._patterns.sum(axis=1), self.k)
            names = tuple(f"eta{j}" for j in range(3, self.k + 1)) if form == "Chao" else (form,)
            self._heterogeneity[form] = (np.column_stack(columns) if columns else self._base[:, :0], names)
        return self._heterogeneity[form]

    def build(self, interactions: Iterable[Term], heterogeneity: str | None) -> tuple[FloatArray, tuple[str, ...], int]:
        """The design, its column names and its number of heterogeneity columns."""
        terms = [self._term(t) for t in sorted_terms(interactions)]
        het, het_names = self._het(heterogeneity) if heterogeneity is not None else (self._base[:, :0], ())
        x = np.hstack([self._base, *(column[:, None] for column, _ in terms), het])
        names = ("(Intercept)", *self.list_names, *(name for _, name in terms), *het_names)
        return x, names, len(het_names)


def hierarchical_closure(generators: Iterable[Iterable[int]]) -> frozenset[Term]:
    """Every interaction (order >= 2) implied by the generators: all their subsets of two or more lists."""
    closure: set[Term] = set()
    for generator in generators:
        members = sorted(set(generator))
        for order in range(2, len(members) + 1):
            closure.update(frozenset(c) for c in combinations(members, order))
    return frozenset(closure)


def is_hierarchical(interactions: frozenset[Term]) -> bool:
    """Whether every interaction's lower-order interactions are in the model too."""
    return all(
        frozenset(face) in interactions
        for term in interactions
        if len(term) > 2
        for face in combinations(sorted(term), len(term) - 1)
    )


def generators(k: int, interactions: frozenset[Term]) -> list[Term]:
    """The maximal terms of a hierarchical model (main effects included), highest order first."""
    terms = [*interactions, *(frozenset({j}) for j in range(1, k + 1))]
    maximal = [t for t in terms if not any(t < other for other in terms)]
    return sorted(maximal, key=lambda term: (-len(term), sorted(term)))


def generator_name(k: int, interactions: frozenset[Term]) -> str:
    """Rcapture's name of a hierarchical model, e.g. ``[123,14,34]``; lists are joined by ':' when K > 9."""
    joiner = "" if k <= 9 else ":"
    return "[" + ",".join(joiner.join(str(m) for m in sorted(g)) for g in generators(k, interactions)) + "]"


def addable_terms(k: int, interactions: frozenset[Term], max_order: int) -> list[Term]:
    """Interactions that can join the model without breaking the hierarchy (all their faces are present)."""
    present = interactions | {frozenset({j}) for j in range(1, k + 1)}
    candidates: list[Term] = []
    for order in range(2, max_order + 1):
        for members in combinations(range(1, k + 1), order):
            term = frozenset(members)
            if term not in present and all(frozenset(f) in present for f in combinations(members, order - 1)):
                candidates.append(term)
    return candidates


def enumerate_hierarchical(k: int, max_order: int) -> Iterator[frozenset[Term]]:
    """All hierarchical models with every main effect and interactions of order 2..max_order.

    Terms are decided in increasing order, so when a term comes up its faces are already settled: it may
    join only if all of them did. Each model is produced once (they are the simplicial complexes on K
    vertices of dimension < max_order).
    """
    terms = [frozenset(c) for order in range(2, max_order + 1) for c in combinations(range(1, k + 1), order)]
    pending: list[tuple[int, frozenset[Term]]] = [(0, frozenset())]
    while pending:
        position, chosen = pending.pop()
        if position == len(terms):
            yield chosen
            continue
        term = terms[position]
        faces = combinations(sorted(term), len(term) - 1)
        if len(term) == 2 or all(frozenset(face) in chosen for face in faces):
            pending.append((position + 1, chosen | {term}))
        pending.append((position + 1, chosen))
