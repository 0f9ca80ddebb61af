"""The coverage study's own machinery (bench/bench_coverage.py), on a case small enough for the test suite."""

from __future__ import annotations

import math

import numpy as np
import pytest

from habeas.stats.estimation.simulate import (
    Replicate,
    dependent,
    independent,
    latent_classes,
    replicate_rng,
    run_replicate,
    scenarios,
    summarise,
)


def test_independent_lists_have_the_product_of_their_capture_probabilities():
    population = independent(1_000, [0.1, 0.25, 0.4])
    assert population.probabilities[0] == pytest.approx(0.9 * 0.75 * 0.6, rel=1e-12)
    assert population.capture_probabilities == pytest.approx([0.1, 0.25, 0.4], rel=1e-12)


def test_an_odds_ratio_makes_two_lists_dependent():
    """The odds ratio of lists 1 and 2 in their 2 x 2 margin equals the one put in (no other interaction),
    to rounding (1e-9)."""
    population = dependent(2_000, [0.2, 0.25, 0.3, 0.35], {(1, 2): 4.0})
    x = (np.arange(16)[:, None] >> np.array([3, 2, 1, 0])) & 1
    cell = {(a, b): population.probabilities[(x[:, 0] == a) & (x[:, 1] == b)].sum() for a in (0, 1) for b in (0, 1)}
    assert cell[1, 1] * cell[0, 0] / (cell[1, 0] * cell[0, 1]) == pytest.approx(4.0, rel=1e-9)


def test_latent_classes_mix_their_classes_by_weight():
    population = latent_classes(2_000, [0.3, 0.7], [[0.5, 0.5, 0.5], [0.1, 0.1, 0.1]])
    assert population.seen_probability == pytest.approx(0.3 * (1 - 0.5**3) + 0.7 * (1 - 0.9**3), rel=1e-12)


def test_a_draw_keeps_every_person_of_the_population():
    """Observed plus unseen is N: the unseen are the all-zero cell of the same multinomial draw."""
    population = independent(5_000, [0.1, 0.2, 0.3])
    table = population.draw(np.random.default_rng(0))
    assert 0 < table.observed < 5_000 and table.patterns.shape == (7, 3)


def test_a_replicate_draws_the_same_data_for_every_method():
    first = replicate_rng(7, "independent-3-1000", 3).integers(10**9, size=4)
    again = replicate_rng(7, "independent-3-1000", 3).integers(10**9, size=4)
    other = replicate_rng(7, "independent-3-1000", 4).integers(10**9, size=4)
    assert np.array_equal(first, again) and not np.array_equal(first, other)


def test_twenty_replicates_of_three_independent_lists_cover_the_truth_with_the_loglinear_interval():
    """20 replicates, N = 1,000, capture 0.1/0.25/0.4, the BIC-best log-linear model and its profile interval.
    With nominal 95% coverage, 15 or fewer hits of 20 has probability 0.26% (binomial), so 80% (16 hits) is the
    bar; the data are seeded, so the outcome is fixed (17 of 20 when written)."""
    (scenario,) = [s for s in scenarios() if s.name == "independent-3-1000"]
    replicates = [r for rep in range(20) for r in run_replicate(scenario, "loglinear", rep, seed=1)]
    (summary,) = summarise(replicates)
    assert summary.reps == 20 and summary.no_estimate == 0.0
    assert summary.coverage >= 0.8
    assert summary.coverage_se == pytest.approx(math.sqrt(summary.coverage * (1 - summary.coverage) / 20))
    assert abs(summary.median_bias) < 0.05 and 0.1 < summary.median_width < 0.4


def test_a_stratified_scenario_scores_the_total_and_the_pooled_estimate():
    (scenario,) = [s for s in scenarios() if s.name == "strata-2"]
    stratified, pooled = run_replicate(scenario, "dga", 0, seed=1)
    assert (stratified.variant, pooled.variant) == ("stratified", "pooled")
    assert stratified.truth == pooled.truth == 3_000
    assert stratified.covered and pooled.estimate < stratified.estimate


def test_the_summary_counts_runs_without_an_estimate_and_leaves_them_out_of_the_medians():
    runs = [
        Replicate("s", "m", "", 0, 100, 50, 110.0, 90.0, 130.0, 0.1),
        Replicate("s", "m", "", 1, 100, 50, 90.0, 80.0, 95.0, 0.1),
        Replicate("s", "m", "", 2, 100, 50, None, None, None, 0.1),
    ]
    (summary,) = summarise(runs)
    assert summary.coverage == 0.5 and summary.no_estimate == pytest.approx(1 / 3)
    assert summary.median_bias == pytest.approx(0.0) and summary.median_width == pytest.approx(0.275)
