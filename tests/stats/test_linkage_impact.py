"""The priority of a review pair: the chance the linkage is wrong about it times the people it would change."""

from __future__ import annotations

import pandas as pd
import pytest

from habeas.stats.linkage.impact import decision_priorities


def clusters() -> pd.DataFrame:
    """Two lists: 10 people on both, 20 on A only, 20 on B only."""
    rows = []
    person = 0
    for lists, count in ((("A", "B"), 10), (("A",), 20), (("B",), 20)):
        for _ in range(count):
            rows += [{"record_id": f"{s}{person}", "source": s, "cluster_id": person} for s in lists]
            person += 1
    return pd.DataFrame(rows)


def test_merging_people_of_different_lists_matters_more_than_a_duplicate_within_a_list():
    # 30 people on each list, 10 on both. A10 and B30 are people seen on one list each: merging them makes an
    # overlap, which lowers the estimate (Chapman 31·31/11 - 1 = 86.4 → 31·31/12 - 1 = 79.1); A10 and A11 are
    # two people of list A: merging them only shrinks list A (30·31/11 - 1 = 83.5)
    across, within = decision_priorities(clusters(), ["A10", "A10"], ["B30", "A11"], [0.4, 0.4])
    assert across == pytest.approx(0.4 * (1 + 31 * 31 / 11 - 31 * 31 / 12))
    assert within == pytest.approx(0.4 * (1 + 31 * 31 / 11 - 30 * 31 / 11))
    assert across > within


def test_the_surer_the_linkage_the_lower_the_priority():
    sure, unsure = decision_priorities(clusters(), ["A0", "A0"], ["B0", "B0"], [0.95, 0.55])
    assert sure == pytest.approx(0.05 / 0.45 * unsure)
    assert unsure > sure > 0
