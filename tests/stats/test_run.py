"""One entry point for every method: the same shape of answer, its provenance, and exact re-runs."""

from __future__ import annotations

import pytest

from habeas.stats import CaptureTable, estimate
from habeas.stats.estimation import EstimateError
from tests.paths import MSE

DATA = MSE


@pytest.fixture(scope="module")
def kosovo() -> CaptureTable:
    return CaptureTable.from_csv(DATA / "kosovo.csv")


def test_kosovo_gives_the_published_10356(kosovo):
    """Ball et al. (2002) report 10,356 for the BIC-best hierarchical model [123,14,34] (its Poisson
    abundance, 10,356.5 in Rcapture); tolerance: the published rounding (0.5)."""
    (result,) = estimate(kosovo, method="loglinear")
    assert result.model == "[123,14,34]"
    assert result.estimate == pytest.approx(10356.5, abs=0.5)
    assert result.ci95 == pytest.approx((8994.3, 12110.4), abs=0.1)  # Rcapture's profile interval


def test_every_result_records_its_provenance(kosovo):
    (result,) = estimate(kosovo, method="dga")
    provenance = result.provenance
    assert provenance["data_sha256"] == kosovo.digest() and len(provenance["data_sha256"]) == 64
    assert provenance["method"] == "dga" and "numpy" in provenance["versions"]
    assert result.as_dict()["ci95"] == [9827.0, 16544.0]  # dga 2.0.2 (shared/data/mse/reference/dga.csv)


def test_a_seeded_run_can_be_repeated_exactly(kosovo):
    first = estimate(kosovo, method="lcmcr", seed=7, chains=2, burn_in=200, samples=50, thin=2)[0]
    second = estimate(kosovo, method="lcmcr", seed=7, chains=2, burn_in=200, samples=50, thin=2)[0]
    assert (first.estimate, first.ci95) == (second.estimate, second.ci95)


def test_no_number_when_no_model_has_a_finite_estimate():
    (result,) = estimate(CaptureTable.from_csv(DATA / "artificial3.csv"), method="loglinear")
    assert result.estimate is None and result.ci95 is None
    assert "no number is given" in result.warnings[0]


def test_an_unknown_method_is_named(kosovo):
    with pytest.raises(EstimateError, match="unknown method 'magic'"):
        estimate(kosovo, method="magic")


def test_a_model_formula_only_goes_with_the_loglinear_method(kosovo):
    with pytest.raises(EstimateError, match="--model applies to the loglinear method only"):
        estimate(kosovo, method="dga", model="[12,3,4]")
