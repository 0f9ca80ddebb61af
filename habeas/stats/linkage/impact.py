"""How much a reviewer's decision on a pair could change the people found and the estimate of the total.

A pair in the review queue is either in one cluster (the linkage says "same person") or in two. The model
gives the chance that this is wrong: ``1 - p`` for a pair kept together, ``p`` for a pair kept apart, where
``p`` is the pair's match probability. Were it wrong, the decision would change

* the clusters: a pair kept apart would merge two people, moving the records of the smaller one; a pair kept
  together would split one record off (one record moved);
* the estimate: capture–recapture estimates rest on how many people appear on more than one list. Merging a
  person seen only on list A with one seen only on list B creates an overlap and lowers the estimate a
  great deal; merging two rows of one list only lowers the observed count by one. The change is measured
  on a quick stand-in for the estimate: the mean over every two lists j, k of the Chapman estimate
  ``(n_j + 1)(n_k + 1) / (m_jk + 1) - 1`` (``n`` people on a list, ``m`` people on both); with one list, the
  number of people.

A pair's priority is the chance the linkage is wrong about it times the records moved plus the change of
the estimate (both counted in people): the expected number of people by which deciding it could change the
count. The queue is reviewed highest first.
"""

from __future__ import annotations

from collections.abc import Hashable, Sequence
from itertools import combinations

import numpy as np
import pandas as pd
from numpy.typing import NDArray


def _stand_in(on_list: NDArray[np.int64], both: NDArray[np.int64], people: int) -> float:
    k = len(on_list)
    if k < 2:
        return float(people)
    values = [(on_list[j] + 1) * (on_list[i] + 1) / (both[j, i] + 1) - 1 for j, i in combinations(range(k), 2)]
    return float(np.mean(values))


def decision_priorities(
    clusters: pd.DataFrame,
    left: Sequence[Hashable],
    right: Sequence[Hashable],
    probability: Sequence[float],
) -> NDArray[np.float64]:
    """The priority of each pair (``left[i]``, ``right[i]``) of record ids with match ``probability[i]``, given
    the ``clusters`` (``record_id``, ``source``, ``cluster_id``) the linkage found (see the module docstring)."""
    lists = sorted(clusters["source"].unique().tolist())
    index = {name: i for i, name in enumerate(lists)}
    k = len(lists)
    cluster_of = dict(zip(clusters["record_id"], clusters["cluster_id"].astype(int), strict=True))
    list_of = dict(zip(clusters["record_id"], clusters["source"].map(index), strict=True))
    people = int(clusters["cluster_id"].nunique())
    # each person's lists as a 0/1 row, and each person's records per list (to split a record off)
    seen = np.zeros((int(clusters["cluster_id"].max()) + 1, k), dtype=np.int64)
    np.add.at(seen, (clusters["cluster_id"].to_numpy(dtype=np.int64), clusters["source"].map(index).to_numpy()), 1)
    size = seen.sum(axis=1)
    present = (seen > 0).astype(np.int64)
    on_list = present.sum(axis=0)
    both = present.T @ present
    now = _stand_in(on_list, both, people)

    def after(remove: list[NDArray[np.int64]], add: list[NDArray[np.int64]]) -> float:
        n, m = on_list.copy(), both.copy()
        for row, sign in [(r, -1) for r in remove] + [(a, 1) for a in add]:
            n += sign * row
            m += sign * np.outer(row, row)
        return _stand_in(n, m, people - len(remove) + len(add))

    out = np.zeros(len(left), dtype=np.float64)
    for i, (a, b, p) in enumerate(zip(left, right, probability, strict=True)):
        ca, cb = cluster_of[a], cluster_of[b]
        if ca != cb:
            merged = np.maximum(present[ca], present[cb])
            change = abs(after([present[ca], present[cb]], [merged]) - now)
            out[i] = float(p) * (min(size[ca], size[cb]) + change)
        else:
            rest = seen[ca].copy()
            rest[list_of[b]] -= 1
            alone = np.zeros(k, dtype=np.int64)
            alone[list_of[b]] = 1
            change = abs(after([present[ca]], [(rest > 0).astype(np.int64), alone]) - now)
            out[i] = (1.0 - float(p)) * (1 + change)
    return out
