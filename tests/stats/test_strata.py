"""Stratified estimates: each stratum on its own, added up, beside the unstratified estimate."""

from __future__ import annotations

import math

import numpy as np
import pytest

from habeas.stats import CaptureTable, estimate, estimate_strata
from habeas.stats.estimation.simulate import independent
from habeas.stats.estimation.strata import StrataError, read_strata, stratum_seed
from habeas.stats.estimation.table import CaptureTableError
from tests.paths import MSE

SMALL_LCMCR = {"chains": 2, "burn_in": 300, "samples": 100, "thin": 2}


# Short LCMCR chains warn that they are short.
pytestmark = pytest.mark.filterwarnings("ignore::habeas.stats.estimation.lcmcr.LcmcrWarning")


@pytest.fixture(scope="module")
def two_strata() -> dict[str, CaptureTable]:
    """Two strata of 4 lists drawn (seed 2024) from known populations: 1,000 people recorded with
    probability 0.35-0.5 by each list and 2,000 recorded with probability 0.08-0.15; 3,000 in all."""
    rng = np.random.default_rng(2024)
    return {
        "easy": independent(1_000, [0.5, 0.45, 0.4, 0.35]).draw(rng),
        "hard": independent(2_000, [0.08, 0.1, 0.12, 0.15]).draw(rng),
    }


@pytest.mark.parametrize("method", ["loglinear", "dga", "sparse"])
def test_the_stratified_interval_covers_the_truth_where_the_pooled_one_is_biased(two_strata, method):
    """The truth is 3,000 by construction. Pooling the strata makes the lists look positively dependent and the
    pooled estimate too small (by about 20% on these data): its interval lies wholly below 3,000."""
    result = estimate_strata(two_strata, method=method, seed=11)
    assert result.ci95 is not None and result.ci95[0] <= 3_000 <= result.ci95[1]
    assert result.pooled.ci95 is not None and result.pooled.ci95[1] < 3_000
    assert result.total == pytest.approx(sum(r.estimate for r in result.strata.values()), rel=1e-12)
    assert result.difference == pytest.approx(result.total - result.pooled.estimate, rel=1e-12)
    assert any("disagree beyond their intervals" in w for w in result.warnings)


def test_the_total_adds_the_numbers_observed_and_reports_the_unstratified_table(two_strata):
    result = estimate_strata(two_strata, method="loglinear", seed=1)
    assert result.observed == sum(t.observed for t in two_strata.values()) == result.pooled.observed
    assert list(result.strata) == ["easy", "hard"]


def test_a_seeded_run_is_reproduced_bit_for_bit(two_strata):
    first = estimate_strata(two_strata, method="lcmcr", seed=42, **SMALL_LCMCR)
    again = estimate_strata(dict(reversed(two_strata.items())), method="lcmcr", seed=42, **SMALL_LCMCR)
    other = estimate_strata(two_strata, method="lcmcr", seed=43, **SMALL_LCMCR)
    assert (first.total, first.ci95, first.diagnostics) == (again.total, again.ci95, again.diagnostics)
    for name in two_strata:
        assert np.array_equal(first.strata[name].posterior.values, again.strata[name].posterior.values)
        assert first.strata[name].provenance["parameters"]["seed"] == stratum_seed(42, name)
    assert first.ci95 != other.ci95


def test_each_stratum_has_its_own_seed_derived_from_the_seed_and_its_name():
    seeds = {stratum_seed(42, name) for name in ("easy", "hard")} | {stratum_seed(43, "easy")}
    assert len(seeds) == 3 and all(0 <= s < 2**63 for s in seeds)
    assert stratum_seed(42, "easy") == stratum_seed(42, "easy")


def test_lcmcr_adds_the_strata_draw_by_draw(two_strata):
    result = estimate_strata(two_strata, method="lcmcr", seed=5, **SMALL_LCMCR)
    sums = result.strata["easy"].posterior.values + result.strata["hard"].posterior.values
    assert sums.size == SMALL_LCMCR["chains"] * SMALL_LCMCR["samples"]
    assert result.ci95 == tuple(np.quantile(sums, [0.025, 0.975]))
    assert result.diagnostics["posterior_median"] == np.median(sums)


def test_dga_adds_the_strata_by_convolving_their_exact_posteriors(two_strata):
    """The convolution is checked against 400,000 sums of independent draws from the two stratum posteriors;
    tolerance: 0.5% of N, several times the Monte Carlo error of a 2.5% quantile from that many draws."""
    result = estimate_strata(two_strata, method="dga", seed=5)
    rng = np.random.default_rng(0)
    sums = sum(
        rng.choice(p.values, size=400_000, p=p.probabilities / p.probabilities.sum())
        for p in (r.posterior for r in result.strata.values())
    )
    lower, median, upper = np.quantile(sums, [0.025, 0.5, 0.975])
    assert result.ci95 == pytest.approx((lower, upper), rel=0.005)
    assert result.diagnostics["posterior_median"] == pytest.approx(median, rel=0.005)


def test_frequentist_intervals_add_variances_on_the_log_scale_of_the_number_unseen(two_strata):
    """The total's interval is n + f0 exp(+-1.96 se), se**2 = sum (f0_s se_s)**2 / f0**2, each se_s read off
    the stratum's interval as log((U - n) / (L - n)) / (2 x 1.96) (Chao 1987); recomputed here by hand."""
    result = estimate_strata(two_strata, method="loglinear", seed=1)
    n = f0 = var = 0.0
    for r in result.strata.values():
        lower, upper = r.ci95
        unseen = r.estimate - r.observed
        se = (math.log(upper - r.observed) - math.log(lower - r.observed)) / (2 * 1.959963984540054)
        n, f0, var = n + r.observed, f0 + unseen, var + (unseen * se) ** 2
    se_total = math.sqrt(var) / f0
    expected = (n + f0 * math.exp(-1.959963984540054 * se_total), n + f0 * math.exp(1.959963984540054 * se_total))
    assert result.ci95 == pytest.approx(expected, rel=1e-12)
    assert "log scale" in result.interval


def test_a_stratum_with_no_finite_estimate_leaves_the_total_undefined_and_is_named(two_strata):
    """Three lists that share nobody: the independence model sends the number unseen to infinity."""
    apart = CaptureTable.from_rows(("L1", "L2", "L3", "L4"), [((1, 0, 0, 0), 5), ((0, 1, 0, 0), 3), ((0, 0, 1, 0), 4)])
    result = estimate_strata({**two_strata, "apart": apart}, method="loglinear", seed=1)
    assert result.strata["apart"].estimate is None
    assert result.total is None and result.ci95 is None and result.difference is None
    assert any("stratum 'apart' has no finite estimate" in w for w in result.warnings)
    assert result.pooled.estimate is not None  # the unstratified estimate is still reported


def test_a_stratum_the_method_refuses_gets_no_number_with_the_reason(two_strata):
    """The sparse method refuses a table in which a list recorded nobody."""
    empty_list = CaptureTable.from_rows(
        ("L1", "L2", "L3", "L4"), [((1, 1, 0, 0), 5), ((0, 1, 1, 0), 3), ((1, 0, 1, 0), 4)]
    )
    result = estimate_strata({**two_strata, "no L4": empty_list}, method="sparse", seed=1)
    assert result.total is None
    assert result.strata["no L4"].warnings and any("stratum 'no L4'" in w for w in result.warnings)


@pytest.mark.parametrize(
    ("method", "options"), [("loglinear", {}), ("dga", {}), ("sparse", {}), ("lcmcr", SMALL_LCMCR)]
)
def test_a_single_stratum_equals_the_unstratified_estimate_exactly(method, options):
    kosovo = CaptureTable.from_csv(MSE / "kosovo.csv")
    result = estimate_strata({"all": kosovo}, method=method, seed=9, **options)
    (alone,) = estimate(kosovo, method=method, seed=9, **options)
    assert (result.total, result.ci95) == (alone.estimate, alone.ci95)
    assert result.difference == 0 and result.warnings == ()


def test_strata_over_different_lists_are_refused_by_name(two_strata):
    other = CaptureTable.from_rows(("A", "B", "C", "D"), [((1, 1, 0, 0), 5)])
    with pytest.raises(StrataError, match="stratum 'other' has lists"):
        estimate_strata({**two_strata, "other": other})


def test_one_method_at_a_time():
    with pytest.raises(StrataError, match="one method at a time"):
        estimate_strata({"a": CaptureTable.from_csv(MSE / "kosovo.csv")}, method="all")


def test_the_result_reads_as_a_dictionary_with_its_provenance(two_strata):
    answer = estimate_strata(two_strata, method="dga", seed=3).as_dict()
    assert [s["stratum"] for s in answer["strata"]] == ["easy", "hard"]
    assert answer["unstratified"]["method"] == "dga" and answer["provenance"]["seed"] == 3
    assert set(answer["provenance"]["strata_sha256"]) == {"easy", "hard"}


def test_a_file_per_person_and_a_tabulated_file_give_the_same_strata(tmp_path):
    people = tmp_path / "people.csv"
    people.write_text("A,B,region\n1,0,north\n1,1,north\n0,1,south\n1,1,north\n", encoding="utf-8")
    tabulated = tmp_path / "tabulated.csv"
    tabulated.write_text("region,A,B,count\nnorth,1,0,1\nnorth,1,1,2\nsouth,0,1,1\nsouth,1,1,0\n", encoding="utf-8")
    by_person, by_pattern = read_strata(people, "region"), read_strata(tabulated, "region")
    assert list(by_person) == list(by_pattern) == ["north", "south"]
    for name in by_person:
        assert by_person[name].lists == ("A", "B")
        assert by_person[name].observed == by_pattern[name].observed


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("A,B,count\n1,0,5\n", "no stratum column 'region'"),
        ("A,B,region\n1,0,\n", "row 2, column 'region': the stratum is empty"),
        ("A,B,region\n1,2,x\n", "row 2, column 'B': expected 0 or 1, found '2'"),
        ("A,B,region,count\n1,0,x,-1\n", "row 2, column 'count': a count cannot be negative (-1)"),
    ],
)
def test_a_bad_strata_file_is_named_by_row_and_column(tmp_path, text, message):
    path = tmp_path / "strata.csv"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(CaptureTableError, match=message.replace("(", r"\(").replace(")", r"\)")):
        read_strata(path, "region")
