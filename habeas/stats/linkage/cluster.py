"""Clustering of scored record pairs into people, without chaining through weak links.

Connected components of the pairs scoring at least the match threshold are only *candidate* clusters:
with bare connected components, A~B and B~C put A and C together however clearly A and C differ. Each
candidate of three or more records whose internal pairs are not all links is therefore checked against
*all* its internal pairwise scores (pairs that blocking never scored are scored first, by the caller's
``score_missing``) and split by correlation clustering:

* every pair gets the weight ``w = logit(p) - logit(t)`` for its match probability ``p`` and the match
  threshold ``t``: positive for a link, negative for a non-link, larger the surer the score;
* greedy additive edge contraction (GAEC): repeatedly join the two groups whose summed cross weight is
  largest, while that sum is positive. Joining two groups thus needs the evidence of all their cross pairs
  together to say "same person", so a chain A~B~C is cut when the weak A–C pair outweighs the B–C link.

Reviewed decisions are hard constraints: a pair reviewed as a match is joined before anything else
(weight +∞), a pair reviewed as a non-match is never joined (weight -∞). Decisions that contradict each
other (A=B, B=C but A≠C) are refused.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable, Sequence
from dataclasses import dataclass
from typing import Final

import numpy as np
import pandas as pd
from numpy.typing import NDArray
from scipy.sparse import coo_matrix
from scipy.sparse.csgraph import connected_components

from habeas.stats.linkage.config import LinkageError

_CANNOT: Final = -1e15
_EPS: Final = 1e-12


@dataclass(frozen=True)
class ClusterOutcome:
    """Cluster labels (0..C-1 in order of first record) for unique ids 0..n-1, and what the check did."""

    labels: NDArray[np.int64]
    candidate_clusters: int
    split_components: int
    rescored: pd.DataFrame


def _logit(p: NDArray[np.float64] | float) -> NDArray[np.float64]:
    q = np.clip(np.asarray(p, dtype=np.float64), _EPS, 1 - _EPS)
    out: NDArray[np.float64] = np.log(q) - np.log1p(-q)
    return out


def _components(n: int, left: NDArray[np.int64], right: NDArray[np.int64]) -> NDArray[np.int64]:
    graph = coo_matrix((np.ones(len(left), dtype=np.int8), (left, right)), shape=(n, n))
    _, labels = connected_components(graph, directed=False)
    out: NDArray[np.int64] = labels.astype(np.int64)
    return out


def check_reviewed(n: int, must: NDArray[np.int64], cannot: NDArray[np.int64], record_ids: Sequence[Hashable]) -> None:
    """Refuse reviewed decisions that contradict each other: a non-match inside a group of matches."""
    if len(must) == 0 or len(cannot) == 0:
        return
    groups = _components(n, must[:, 0], must[:, 1])
    for a, b in cannot:
        if groups[a] == groups[b]:
            raise LinkageError(
                f"reviewed decisions contradict each other: records {record_ids[a]!r} and {record_ids[b]!r} "
                "are reviewed as different people but joined through pairs reviewed as matches"
            )


def gaec(weights: NDArray[np.float64], must: Sequence[tuple[int, int]] = ()) -> NDArray[np.int64]:
    """Greedy additive edge contraction of a complete graph with symmetric ``weights`` (diagonal ignored).

    Pairs in ``must`` are contracted first. Returns a group label per node (the index of the group's
    first node).
    """
    k = weights.shape[0]
    w = weights.astype(np.float64, copy=True)
    np.fill_diagonal(w, -np.inf)
    owner = np.arange(k)

    def contract(i: int, j: int) -> None:
        i, j = min(i, j), max(i, j)
        w[i, :] += w[j, :]
        w[:, i] = w[i, :]
        w[i, i] = -np.inf
        w[j, :] = -np.inf
        w[:, j] = -np.inf
        owner[owner == j] = i

    for a, b in must:
        ra, rb = owner[a], owner[b]
        if ra != rb:
            contract(int(ra), int(rb))
    while True:
        flat = int(np.argmax(w))
        i, j = divmod(flat, k)
        if not w[i, j] > 0:
            break
        contract(i, j)
    return owner.astype(np.int64)


def _component_weights(
    ids: NDArray[np.int64], scored: list[tuple[int, int, float]], threshold: float
) -> tuple[NDArray[np.float64], list[tuple[int, int]]]:
    """The GAEC weights of one candidate cluster and its reviewed matches, in positions within ``ids``.

    Unscored pairs count as non-links; a probability of -1 marks a reviewed non-match, +2 a reviewed match.
    """
    position = {int(uid): i for i, uid in enumerate(ids)}
    baseline = float(_logit(threshold))
    weights = np.full((len(ids), len(ids)), float(_logit(0.0)) - baseline)
    must: list[tuple[int, int]] = []
    for a, b, p in scored:
        i, j = position[a], position[b]
        if p > 1:
            must.append((i, j))
        weights[i, j] = weights[j, i] = _CANNOT if p < 0 else float(_logit(min(p, 1.0))) - baseline
    return weights, must


def cluster_pairs(
    n: int,
    pairs: pd.DataFrame,
    *,
    threshold: float,
    must: NDArray[np.int64],
    cannot: NDArray[np.int64],
    score_missing: Callable[[NDArray[np.int64]], pd.DataFrame],
    max_exhaustive: int,
) -> ClusterOutcome:
    """Cluster unique ids 0..n-1 from ``pairs`` (``unique_id_l``, ``unique_id_r``, ``match_probability``).

    ``must`` / ``cannot`` are (k, 2) arrays of unique ids reviewed as matches / non-matches, already
    checked by :func:`check_reviewed`; ``score_missing`` scores pairs that ``pairs`` lacks (same columns
    back).
    """
    left = pairs["unique_id_l"].to_numpy(dtype=np.int64)
    right = pairs["unique_id_r"].to_numpy(dtype=np.int64)
    prob = pairs["match_probability"].to_numpy(dtype=np.float64)
    strong = prob >= threshold
    components = _components(n, np.concatenate([left[strong], must[:, 0]]), np.concatenate([right[strong], must[:, 1]]))
    sizes = np.bincount(components)

    internal = components[left] == components[right]
    comp_of_pair = components[left[internal]]
    strong_internal = np.bincount(comp_of_pair[strong[internal]], minlength=len(sizes))
    complete_and_strong = strong_internal == sizes * (sizes - 1) // 2
    to_check = np.flatnonzero((sizes >= 3) & ~complete_and_strong)
    cannot_in = components[cannot[:, 0]] == components[cannot[:, 1]] if len(cannot) else np.zeros(0, bool)
    to_check = np.union1d(to_check, components[cannot[cannot_in, 0]]) if cannot_in.any() else to_check

    pair_mask = internal & np.isin(components[left], to_check)
    known: dict[tuple[int, int], float] = {
        (int(a), int(b)): float(p) for a, b, p in zip(left[pair_mask], right[pair_mask], prob[pair_mask], strict=True)
    }
    order = np.argsort(components, kind="stable")
    starts = np.concatenate([[0], np.cumsum(sizes)])
    members = {int(comp): order[starts[comp] : starts[comp + 1]] for comp in to_check}

    missing = [
        (int(a), int(b))
        for ids in members.values()
        if len(ids) <= max_exhaustive
        for i, a in enumerate(ids)
        for b in ids[i + 1 :]
        if (min(a, b), max(a, b)) not in known
    ]
    rescored = score_missing(np.array(missing, dtype=np.int64).reshape(-1, 2)) if missing else pairs.iloc[:0]
    for a, b, p in zip(
        rescored["unique_id_l"].to_numpy(), rescored["unique_id_r"].to_numpy(),
        rescored["match_probability"].to_numpy(), strict=True,
    ):  # fmt: skip
        known[(int(min(a, b)), int(max(a, b)))] = float(p)
    for decided, marker in ((must, 2.0), (cannot, -1.0)):
        for a, b in decided:
            if int(components[a]) in members and components[a] == components[b]:
                known[(int(min(a, b)), int(max(a, b)))] = marker

    by_component: dict[int, list[tuple[int, int, float]]] = {comp: [] for comp in members}
    for (a, b), p in known.items():
        by_component[int(components[a])].append((a, b, p))
    labels = components.copy()
    next_label = len(sizes)
    split = 0
    for comp, ids in members.items():
        groups = gaec(*_component_weights(ids, by_component[comp], threshold))
        distinct = np.unique(groups)
        if len(distinct) > 1:
            split += 1
            for g in distinct[1:]:
                labels[ids[groups == g]] = next_label
                next_label += 1
    _, first, dense = np.unique(labels, return_index=True, return_inverse=True)
    rank = np.empty(len(first), dtype=np.int64)
    rank[np.argsort(first)] = np.arange(len(first))
    return ClusterOutcome(
        labels=rank[dense].astype(np.int64),
        candidate_clusters=len(sizes),
        split_components=split,
        rescored=rescored,
    )
