"""Linking lists into people: the same people spelt in Cyrillic and Latin letters on three lists are found,
the run is stored with its clusters, review queue and provenance, and the same seed gives the same result."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied

from habeas.accounts.models import AuditEvent, Membership
from habeas.counting.models import ClusterMember, LinkageRun, ListRow, ReviewPair
from habeas.counting.services import LinkageRunError, linkage_run, review_decide
from habeas.stats.linkage import LinkageError
from tests.counting.conftest import make_user

pytestmark = pytest.mark.django_db


def clusters_of(run: LinkageRun, *record_ids: str) -> dict[str, int]:
    members = ClusterMember.objects.filter(run=run, row__record_id__in=record_ids)
    return {m.row.record_id: m.cluster for m in members.select_related("row")}


def memberships(run: LinkageRun) -> list[tuple[int, int]]:
    return list(ClusterMember.objects.filter(run=run).order_by("row_id").values_list("row_id", "cluster"))


def test_the_same_people_in_cyrillic_and_latin_letters_are_one_person_each(three_lists, member):
    run = linkage_run(lists=three_lists, user=member, seed=1)
    kenzhebaev = clusters_of(run, "K-1", "k1", "f-k")
    tian = clusters_of(run, "T-1", "t1", "f-t")
    assert len(kenzhebaev) == len(tian) == 3
    assert len(set(kenzhebaev.values())) == 1 and len(set(tian.values())) == 1
    assert set(kenzhebaev.values()) != set(tian.values())


def test_a_run_is_stored_with_its_lists_settings_summary_and_versions(three_lists, member):
    run = linkage_run(lists=three_lists, user=member, seed=7, config={"review_band": [0.3, 1.0]})
    rows = ListRow.objects.filter(source_list__in=three_lists).count()
    assert run.status == "done" and run.team == three_lists[0].team and run.created_by == member
    assert set(run.lists.all()) == set(three_lists) and run.seed == 7
    assert run.config["review_band"] == [0.3, 1.0] and run.config["match_threshold"] == 0.5
    assert run.records == rows == ClusterMember.objects.filter(run=run).count()
    assert 0 < run.people < rows and run.summary["people"] == run.people
    assert {"splink", "duckdb", "python", "habeas"} <= set(run.versions)
    assert run.pairs_to_review == ReviewPair.objects.filter(run=run).count() > 0
    assert run.finished_at >= run.started_at


def test_the_same_seed_gives_the_same_clusters_and_review_queue(three_lists, member):
    first = linkage_run(lists=three_lists, user=member, seed=3, config={"review_band": [0.3, 1.0]})
    second = linkage_run(lists=three_lists, user=member, seed=3, config={"review_band": [0.3, 1.0]})
    assert memberships(first) == memberships(second)

    def queue(run):
        return list(
            ReviewPair.objects.filter(run=run).order_by("pk").values_list("row_a", "row_b", "match_probability")
        )

    assert queue(first) == queue(second)


def test_a_run_is_an_audit_event(three_lists, member):
    run = linkage_run(lists=three_lists, user=member, seed=1)
    event = AuditEvent.objects.get(action="create", target_type="counting.linkagerun", target_id=str(run.pk))
    assert event.actor == member and event.details["lists"] == [lst.pk for lst in three_lists]


def test_a_list_too_small_to_learn_from_is_linked_with_general_weights(three_lists, member):
    run = linkage_run(lists=three_lists[2:], user=member, seed=1)
    assert run.status == "done" and run.summary["m_from_em"] is False
    assert ClusterMember.objects.filter(run=run).count() == run.records


def test_a_run_that_fails_is_kept_with_the_reason(three_lists, member, monkeypatch):
    def failing(*args, **kwargs):
        raise LinkageError("too few filled fields to compare records")

    monkeypatch.setattr("habeas.stats.linkage.link", failing)  # the linkage itself is tested in tests/stats
    with pytest.raises(LinkageRunError, match="too few filled fields"):
        linkage_run(lists=three_lists, user=member, seed=1)
    failed = LinkageRun.objects.get()
    assert failed.status == "failed" and "too few filled fields" in failed.error
    assert not ClusterMember.objects.exists()


def test_read_only_members_and_outsiders_may_not_link(three_lists, outsider):
    reader = make_user("reader", three_lists[0].team, role="readonly")
    for user in (reader, outsider):
        with pytest.raises(PermissionDenied):
            linkage_run(lists=three_lists, user=user, seed=1)
    assert not LinkageRun.objects.exists()


def test_an_analyst_may_link_but_decides_pairs_only_when_granted_identities(three_lists):
    analyst = make_user("analyst", three_lists[0].team, role="analyst")
    run = linkage_run(lists=three_lists, user=analyst, seed=1, config={"review_band": [0.3, 1.0]})
    pair = ReviewPair.objects.filter(run=run).first()
    assert run.status == "done" and pair is not None
    with pytest.raises(PermissionDenied, match="pseudonymised"):
        review_decide(pair=pair, decision="same", reason="same birth date", user=analyst)
    Membership.objects.filter(user=analyst).update(identities=True)
    review_decide(pair=pair, decision="same", reason="same birth date", user=analyst)
    assert ReviewPair.objects.get(pk=pair.pk).state == "same"


def test_an_unknown_setting_is_named(three_lists, member):
    with pytest.raises(LinkageRunError, match="unknown linkage setting 'match_treshold'"):
        linkage_run(lists=three_lists, user=member, config={"match_treshold": 0.7})
