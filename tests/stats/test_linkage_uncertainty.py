"""Estimates over the clusterings that a linkage's uncertain pairs allow (habeas.stats.estimation.
linkage_uncertainty), and the simulator of noisy linkage used to measure their coverage."""

from __future__ import annotations

import math

import numpy as np
import pytest

from habeas.stats import estimate
from habeas.stats.estimation.linkage_uncertainty import (
    UncertainPair,
    capture_table_of,
    clusterings,
    estimate_over_linkage,
    pool_posteriors,
    rubin,
)
from habeas.stats.estimation.run import EstimateError, Posterior
from habeas.stats.estimation.simulate import independent
from habeas.stats.linkage.noisy import noisy_linkage


def _draw(labels, pairs, draws=50, seed=0):
    return list(clusterings(labels, pairs, draws=draws, rng=np.random.default_rng(seed)))


def _same(people, i, j):
    return people[i] == people[j]


def test_a_pair_certain_to_match_always_joins_its_two_people():
    for people in _draw([0, 1, 2], [UncertainPair(0, 2, 1.0)]):
        assert _same(people, 0, 2) and not _same(people, 0, 1)


def test_a_pair_certain_to_differ_always_splits_a_cluster_of_two():
    for people in _draw([0, 0, 1], [UncertainPair(0, 1, 0.0)]):
        assert not _same(people, 0, 1) and not _same(people, 1, 2)


def test_a_cluster_of_three_stays_whole_when_one_uncertain_pair_is_drawn_apart():
    # records 0 and 1 may differ, but each is tied to record 2 by a pair that is not uncertain
    for people in _draw([0, 0, 0], [UncertainPair(0, 1, 0.0)]):
        assert _same(people, 0, 1) and _same(people, 1, 2)


def test_a_record_is_split_off_when_every_pair_tying_it_is_drawn_apart():
    for people in _draw([0, 0, 0], [UncertainPair(0, 2, 0.0), UncertainPair(1, 2, 0.0)]):
        assert _same(people, 0, 1) and not _same(people, 0, 2)


def test_pairs_are_drawn_with_their_probability():
    joined = sum(_same(p, 0, 1) for p in _draw([0, 1], [UncertainPair(0, 1, 0.3)], draws=4000, seed=1))
    # binomial(4000, 0.3): standard deviation 29, so 5 of them either side
    assert abs(joined - 1200) < 145


def test_the_capture_table_of_people_counts_each_person_once_on_each_list():
    table = capture_table_of(np.array([0, 0, 1, 2, 2]), np.array([0, 1, 0, 1, 1]), ("A", "B"))
    assert dict(zip(map(tuple, table.patterns.tolist()), table.counts.tolist(), strict=True)) == {
        (1, 1): 1,
        (1, 0): 1,
        (0, 1): 1,
    }


def test_with_no_uncertain_pair_the_estimate_is_exactly_that_of_the_clustering():
    rng = np.random.default_rng(7)
    table = independent(500, [0.3, 0.3, 0.3]).draw(rng)
    linked = noisy_linkage(table, rng, hard=0.0)
    combined, spread = estimate_over_linkage(linked.labels, linked.lists, table.lists, (), method="loglinear", seed=3)
    (plain,) = estimate(capture_table_of(linked.labels, linked.lists, table.lists), method="loglinear", seed=3)
    assert spread is None
    assert (combined.estimate, combined.ci95, combined.model) == (plain.estimate, plain.ci95, plain.model)


def test_with_no_hard_pair_the_simulated_linkage_finds_every_person():
    rng = np.random.default_rng(2)
    table = independent(300, [0.4, 0.3, 0.5]).draw(rng)
    linked = noisy_linkage(table, rng, hard=0.0)
    assert linked.pairs == ()
    assert len(np.unique(linked.labels)) == table.observed
    assert all(len(set(linked.truth[linked.labels == c])) == 1 for c in np.unique(linked.labels))


def test_the_simulated_probabilities_are_calibrated():
    """Among the pairs given a probability near p, a share near p are one person (the simulator's claim)."""
    rng = np.random.default_rng(4)
    table = independent(4000, [0.5, 0.5, 0.5]).draw(rng)
    linked = noisy_linkage(table, rng, hard=1.0, band=(0.0, 1.0))
    p = np.array([pair.probability for pair in linked.pairs])
    match = np.array([linked.truth[pair.a] == linked.truth[pair.b] for pair in linked.pairs])
    for low in (0.0, 0.25, 0.5, 0.75):
        chosen = (p >= low) & (p < low + 0.25)
        assert abs(match[chosen].mean() - p[chosen].mean()) < 0.05


@pytest.mark.parametrize("method", ["loglinear", "dga"])
def test_uncertain_links_widen_the_interval(method):
    rng = np.random.default_rng(11)
    table = independent(1000, [0.3, 0.25, 0.3]).draw(rng)
    linked = noisy_linkage(table, rng, hard=0.5)
    combined, spread = estimate_over_linkage(
        linked.labels, linked.lists, table.lists, linked.pairs, method=method, draws=20, seed=5
    )
    assert spread is not None and spread.used == 20 and spread.uncertain_pairs == len(linked.pairs) > 50
    low, high = combined.ci95
    fixed_low, fixed_high = spread.fixed_ci95
    assert high - low > fixed_high - fixed_low
    assert spread.observed_range[0] < spread.observed_range[1]  # the draws did change who is one person
    assert combined.diagnostics["linkage_uncertainty"]["draws"] == 20


def test_posteriors_are_pooled_with_equal_weight():
    # N = 10 or 11 with probability 1/2 each, and N = 12 for certain: the mixture gives 10 and 11 a quarter each
    # and 12 a half, so its median is 11 (the first value where the distribution reaches 1/2) and its 2.5 %
    # and 97.5 % points are 10 and 12.
    median, interval, mixture = pool_posteriors(
        [Posterior(np.array([10.0, 11.0]), np.array([0.5, 0.5])), Posterior(np.array([12.0, 12.0, 12.0]))]
    )
    assert (median, interval) == (11.0, (10.0, 12.0))
    assert math.isclose(float(mixture.probabilities[mixture.values == 12.0].sum()), 0.5)


def test_rubins_rules_combine_log_estimates_by_hand():
    """Two imputations, N = 100 and 121, each with a 95 % interval whose log-scale standard error is 0.2.
    By hand (Rubin 1987): mean of log N = log 110; within W = 0.04; between B = (log 1.21)² / 2 = 0.018168;
    total T = W + 1.5 B = 0.067252; degrees of freedom (1 + W / 1.5B)² = 6.0899; t(0.975, 6.09) = 2.4382; so
    110 × exp(± 2.4382 × √0.067252) = 58.45 to 207.01."""
    z = 1.959963984540054
    intervals = [(n * math.exp(-0.2 * z), n * math.exp(0.2 * z)) for n in (100.0, 121.0)]
    point, (low, high) = rubin([100.0, 121.0], intervals)
    assert point == pytest.approx(110.0, abs=1e-9)
    assert low == pytest.approx(58.45, abs=0.01) and high == pytest.approx(207.01, abs=0.01)


def test_identical_imputations_give_back_their_interval():
    point, interval = rubin([200.0, 200.0, 200.0], [(150.0, 260.0)] * 3)
    assert point == pytest.approx(200.0)
    # no spread between them: the interval has the width of each on the log scale, around the estimate
    assert interval[0] == pytest.approx(200 * (150 / 260) ** 0.5)
    assert interval[1] == pytest.approx(200 * (260 / 150) ** 0.5)


@pytest.mark.parametrize(
    ("pairs", "options", "words"),
    [
        ([UncertainPair(0, 5, 0.5)], {}, "not two of the 3 records"),
        ([UncertainPair(0, 1, 1.5)], {}, "between 0 and 1"),
        ([UncertainPair(0, 1, 0.5)], {"draws": 0}, "between 1 and 200"),
        ([UncertainPair(0, 1, 0.5)], {"method": "all"}, "one method at a time"),
    ],
)
def test_bad_requests_are_refused_with_the_reason(pairs, options, words):
    with pytest.raises(EstimateError, match=words):
        estimate_over_linkage([0, 1, 2], [0, 1, 0], ("A", "B"), pairs, **options)
