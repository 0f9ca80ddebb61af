"""Estimates from a linkage run: the capture histories (one row per person, the lists they are on, their stratum)
and estimate runs stored with their provenance, reproduced bit for bit from the same seed."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied
from django.urls import reverse

from habeas.accounts.models import AuditEvent
from habeas.counting.models import EstimateRun, ReviewPair
from habeas.counting.selectors import StrataColumnError, run_histories
from habeas.counting.services import LinkageRunError, estimate_run, linkage_run
from habeas.stats import CaptureTable, estimate
from tests.counting.conftest import make_user

pytestmark = pytest.mark.django_db


@pytest.fixture
def run(three_lists, member):
    return linkage_run(lists=three_lists, user=member, seed=1)


def test_histories_have_one_row_per_person_with_their_lists_and_stratum(run, three_lists):
    histories = run_histories(run=run, strata="sex")
    labels = [f"list_{lst.pk}" for lst in three_lists]
    assert list(histories.columns) == ["cluster_id", "n_records", *labels, "sex"]
    assert len(histories) == run.people and histories["n_records"].sum() == run.records
    assert set(histories["sex"]) <= {"m", "f", "(not recorded)"}
    assert (histories[labels].sum(axis=1) >= 1).all()


def test_an_unknown_stratum_column_is_refused(run):
    with pytest.raises(StrataColumnError, match="surname"):
        run_histories(run=run, strata="surname")


def test_an_estimate_is_stored_with_its_provenance(run, member):
    stored = estimate_run(linkage=run, method="loglinear", seed=11, user=member, linkage_draws=0)
    histories = run_histories(run=run)
    table = CaptureTable.from_rows(stored.lists, [(row[:-1], row[-1]) for row in stored.provenance["table"]["rows"]])
    assert stored.table_sha256 == table.digest() == stored.provenance["data_sha256"]
    assert stored.observed == len(histories) == run.people
    assert stored.estimate is not None and stored.estimate >= stored.observed
    assert stored.ci_low <= stored.estimate <= stored.ci_high
    assert stored.provenance["linkage_run"] == run.pk and stored.seed == 11
    assert {"numpy", "scipy", "python"} <= set(stored.provenance["versions"])
    (again,) = estimate(table, method="loglinear", seed=11)  # with the people as linked, the table repeats it
    assert again.estimate == stored.estimate
    event = AuditEvent.objects.get(action="create", target_type="counting.estimaterun", target_id=str(stored.pk))
    assert event.actor == member


def test_the_same_seed_reproduces_an_estimate_bit_for_bit(run, member):
    first = estimate_run(linkage=run, method="sparse", seed=5, user=member)
    second = estimate_run(linkage=run, method="sparse", seed=5, user=member)
    assert first.result == second.result and first.estimate == second.estimate
    assert (first.ci_low, first.ci_high) == (second.ci_low, second.ci_high)


def test_a_run_without_a_seed_records_the_seed_it_drew(run, member):
    stored = estimate_run(linkage=run, method="sparse", user=member)
    assert stored.seed is not None
    assert estimate_run(linkage=run, method="sparse", seed=stored.seed, user=member).result == stored.result


def test_a_stratified_estimate_holds_each_stratum_and_their_total(run, member):
    stored = estimate_run(linkage=run, method="loglinear", seed=2, strata="sex", user=member)
    assert stored.strata == "sex"
    names = [s["stratum"] for s in stored.result["strata"]]
    assert set(names) <= {"m", "f", "(not recorded)"} and names
    assert set(stored.provenance["tables"]) == set(names)
    assert stored.result["unstratified"]["observed"] == stored.observed == run.people
    again = estimate_run(linkage=run, method="loglinear", seed=2, strata="sex", user=member)
    assert again.result == stored.result


def test_only_members_who_write_may_run_estimates(run, three_lists, outsider):
    reader = make_user("reader", three_lists[0].team, role="readonly")
    for user in (reader, outsider):
        with pytest.raises(PermissionDenied):
            estimate_run(linkage=run, method="loglinear", seed=1, user=user)
    assert not EstimateRun.objects.exists()


def test_an_estimate_is_drawn_over_the_pairs_still_to_review_and_says_so(three_lists, member, client):
    # a wide review band, so that the lists' namesakes and transliterations leave pairs to review
    run = linkage_run(lists=three_lists, user=member, seed=1, config={"review_band": (0.02, 0.999)})
    pending = ReviewPair.objects.filter(run=run, state=ReviewPair.State.PENDING).count()
    assert pending > 0
    certain = estimate_run(linkage=run, method="loglinear", seed=2, user=member, linkage_draws=0)
    drawn = estimate_run(linkage=run, method="loglinear", seed=2, user=member)  # the default: 20 clusterings
    spread = drawn.result["linkage_uncertainty"]
    assert spread["draws"] == 20 and spread["uncertain_pairs"] == pending and spread["used"] >= 10
    assert spread["fixed_estimate"] == certain.estimate
    assert "linkage_uncertainty" not in certain.result
    assert estimate_run(linkage=run, method="loglinear", seed=2, user=member).result == drawn.result  # repeatable
    client.force_login(member)
    page = client.get(reverse("estimate_detail", args=[drawn.pk])).content.decode()
    assert "still to review" in page and f"{certain.estimate:,.0f}" in page
    with pytest.raises(LinkageRunError, match="not yet combined with strata"):
        estimate_run(linkage=run, method="loglinear", seed=2, user=member, strata="sex", linkage_draws=5)
    assert "linkage_uncertainty" not in estimate_run(linkage=run, seed=2, user=member, strata="sex").result
