"""Records linked with known errors, for simulation studies of what linkage does to an estimate
(``bench/bench_linkage_coverage.py``)."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray
from scipy.sparse import coo_matrix
from scipy.sparse.csgraph import connected_components

from habeas.stats.estimation.linkage_uncertainty import UncertainPair
from habeas.stats.estimation.table import CaptureTable
from habeas.stats.linkage.cluster import _logit, gaec

_NEVER = 1e-6  # the probability of a pair of records no model would join (different people, nothing alike)


@dataclass(frozen=True)
class NoisyLinkage:
    """Records of a capture table linked with errors: the run's clustering (``labels``), each record's list
    (``lists``), the uncertain pairs left for review, and the true person of each record (``truth``)."""

    labels: NDArray[np.int64]
    lists: NDArray[np.int64]
    pairs: tuple[UncertainPair, ...]
    truth: NDArray[np.int64]


def noisy_linkage(
    table: CaptureTable,
    rng: np.random.Generator,
    *,
    hard: float = 0.3,
    prior: tuple[float, float] = (1.0, 1.0),
    threshold: float = 0.5,
    band: tuple[float, float] = (0.3, 0.9),
) -> NoisyLinkage:
    """Link the records of ``table`` (one per person and list they are on) as a model with calibrated match
    probabilities and Habeas's clustering would.

    A share ``hard`` of the true pairs (two records of one person) is hard to link; beside them come decoys
    (two records of different people on different lists), as many as make the matches a share a / (a + b) of
    the hard pairs and decoys, for ``prior`` = (a, b). Each gets a probability drawn so that it is
    calibrated: a true pair's from Beta(a + 1, b), a decoy's from Beta(a, b + 1) — the two conditionals of
    p ~ Beta(a, b) with the pair a match with probability p. The other true pairs are certain; every other
    pair is all but impossible. The records are clustered as ``habeas.stats.link`` does: connected components
    of the pairs at ``threshold`` or above, each checked against all its pairs by greedy additive edge
    contraction. The pairs whose probability lies in ``band`` are the uncertain ones."""
    a_prior, b_prior = prior
    full = np.repeat(table.patterns, table.counts, axis=0)
    person, on = np.nonzero(full)
    n = len(person)
    first = np.concatenate([[0], np.cumsum(np.bincount(person, minlength=len(full)))])
    true_pairs = np.array(
        [(i, j) for p in range(len(full)) for i in range(first[p], first[p + 1]) for j in range(i + 1, first[p + 1])],
        dtype=np.int64,
    ).reshape(-1, 2)
    is_hard = rng.random(len(true_pairs)) < hard
    hard_pairs = true_pairs[is_hard]
    wanted = round(len(hard_pairs) * b_prior / a_prior)
    decoys: set[tuple[int, int]] = set()
    while len(decoys) < wanted and n > 1:
        i, j = (int(x) for x in rng.integers(0, n, 2))
        if person[i] != person[j] and on[i] != on[j]:
            decoys.add((min(i, j), max(i, j)))
    candidates = np.concatenate([hard_pairs, np.array(sorted(decoys), dtype=np.int64).reshape(-1, 2)])
    probability = np.concatenate(
        [rng.beta(a_prior + 1, b_prior, len(hard_pairs)), rng.beta(a_prior, b_prior + 1, len(decoys))]
    )
    scored = {(int(i), int(j)): 1.0 for i, j in true_pairs[~is_hard]}
    scored.update({(int(i), int(j)): float(p) for (i, j), p in zip(candidates, probability, strict=True)})
    links = np.array([pair for pair, p in scored.items() if p >= threshold], dtype=np.int64).reshape(-1, 2)
    graph = coo_matrix((np.ones(len(links)), (links[:, 0], links[:, 1])), shape=(n, n))
    _, components = connected_components(graph, directed=False)
    labels = components.astype(np.int64)
    fresh = int(labels.max()) + 1 if n else 0
    baseline = float(_logit(np.array(threshold)))
    for component in np.flatnonzero(np.bincount(components) >= 3):
        ids = np.flatnonzero(components == component)
        p = np.array([[scored.get((int(min(x, y)), int(max(x, y))), _NEVER) for y in ids] for x in ids])
        groups = gaec(_logit(p) - baseline)
        for group in np.unique(groups)[1:]:
            labels[ids[groups == group]] = fresh
            fresh += 1
    low, high = band
    uncertain = (probability >= low) & (probability < high)
    pairs = tuple(
        UncertainPair(int(i), int(j), float(p))
        for (i, j), p in zip(candidates[uncertain], probability[uncertain], strict=True)
    )
    return NoisyLinkage(labels, on.astype(np.int64), pairs, person.astype(np.int64))
