"""Small lists typed by hand (tests/stats/small_lists.py) are linked as a reviewer would link them."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from habeas.stats.linkage import LinkageConfig, LinkageResult, evaluate_clusters, link, parse_partial_date
from habeas.stats.linkage.prior import learn_prior_weights, prior_weights
from habeas.stats.linkage.synthetic import generate_lists
from tests.stats.small_lists import SETS, load


@pytest.fixture(scope="module")
def linked() -> dict[str, tuple[pd.DataFrame, LinkageResult]]:
    out = {}
    for name in SETS:
        records = load(name)
        out[name] = (records, link(records.drop(columns="person"), seed=3))
    return out


def _cluster_of(result: LinkageResult) -> dict[str, int]:
    return dict(zip(result.clusters["record_id"], result.clusters["cluster_id"], strict=True))


@pytest.mark.parametrize("name", sorted(SETS))
def test_small_lists_are_linked_with_pairwise_f1_of_at_least_095(
    linked: dict[str, tuple[pd.DataFrame, LinkageResult]], name: str
) -> None:
    records, result = linked[name]
    metrics = evaluate_clusters(result.clusters["cluster_id"].to_numpy(), records["person"].to_numpy())
    assert metrics.pairwise_f1 >= 0.95, metrics
    assert result.summary.shipped_weights
    assert not result.summary.m_from_em


@pytest.mark.parametrize("name", sorted(SETS))
def test_no_person_found_has_two_birth_years(linked: dict[str, tuple[pd.DataFrame, LinkageResult]], name: str) -> None:
    records, result = linked[name]
    years = [parse_partial_date(dob).year for dob in records["dob"]]
    for cluster in np.unique(result.clusters["cluster_id"]):
        members = np.flatnonzero(result.clusters["cluster_id"].to_numpy() == cluster)
        known = {years[i] for i in members if years[i] is not None}
        assert len(known) <= 1, records.iloc[members]


def test_names_in_both_scripts_and_any_transliteration_are_one_person(
    linked: dict[str, tuple[pd.DataFrame, LinkageResult]],
) -> None:
    """Кенжебаев / Kenjebayev / Kenzhebaev, Досжанов / Doszhanov, Исмагулов / Ismagulov, Бекмуханов /
    Bekmuchanow (German spelling)."""
    zhanaozen = _cluster_of(linked["zhanaozen"][1])
    assert zhanaozen["o1"] == zhanaozen["r1"] == zhanaozen["j1"]
    assert zhanaozen["o2"] == zhanaozen["j2"]
    assert zhanaozen["o3"] == zhanaozen["r8"] == zhanaozen["j3"]
    spellings = _cluster_of(linked["spellings"][1])
    assert spellings["f1"] == spellings["m1"]
    assert spellings["f5"] == spellings["m4"]


def test_identical_rows_are_linked_and_never_sent_to_review(
    linked: dict[str, tuple[pd.DataFrame, LinkageResult]],
) -> None:
    for records, result in linked.values():
        fields = records.drop(columns=["record_id", "source", "person"]).fillna("")
        text = fields.astype(str).agg("|".join, axis=1)
        by_id = dict(zip(records["record_id"], text, strict=True))
        clusters = _cluster_of(result)
        for same in text[text.duplicated(keep=False)].groupby(text).groups.values():
            ids = records.loc[same, "record_id"].tolist()
            assert len({clusters[i] for i in ids}) == 1, ids
        queue = result.review_queue
        for left, right in zip(queue["record_id_l"], queue["record_id_r"], strict=True):
            assert by_id[left] != by_id[right], (left, right)


def test_a_father_and_son_of_one_name_born_decades_apart_never_merge() -> None:
    rows = [
        ("p1", "police", "Марат", None, "Жумабаев", "1961"),
        ("h1", "hospital", "Marat", None, "Zhumabaev", "1987"),
        ("p2", "police", "Серик", "Ахметович", "Ахметов", "10.04.1961"),
        ("h2", "hospital", "Serik", "Akhmetovich", "Akhmetov", "1981-04-10"),
        ("p3", "police", "Асель", None, "Нурова", "1992"),
        ("h3", "hospital", "Assel", None, "Nurova", "1992"),
    ]
    records = pd.DataFrame(rows, columns=["record_id", "source", "first_name", "patronymic", "surname", "dob"])
    clusters = _cluster_of(link(records, seed=1))
    assert clusters["p1"] != clusters["h1"]
    assert clusters["p2"] != clusters["h2"]
    assert clusters["p3"] == clusters["h3"]


@pytest.mark.slow  # learns a model on 3,000 records
def test_shipped_weights_carry_their_provenance_and_can_be_remade() -> None:
    shipped = prior_weights()
    provenance = shipped["provenance"]
    assert provenance["generator"] == "habeas.stats.linkage.synthetic.generate_lists"
    assert provenance["records"] >= 10_000
    assert {"seed", "date", "splink"} <= set(provenance)
    lists = generate_lists(3000, seed=5)
    remade = learn_prior_weights(lists.records.drop(columns="person_id"), generator="test", seed=5, people=lists.people)
    assert remade["provenance"]["records"] == 3000
    assert set(remade["levels"]) == set(shipped["levels"])
    exact = remade["levels"]["surname_key"]["Exact match on surname_key"]
    assert exact["m"] > 0.5 > 0.01 > exact["u"]


def test_lists_large_enough_learn_their_own_weights() -> None:
    lists = generate_lists(400, seed=4)
    config = LinkageConfig(shipped_weights_below=100)
    result = link(lists.records.drop(columns="person_id"), config=config, seed=4)
    assert not result.summary.shipped_weights
    assert result.summary.m_from_em
