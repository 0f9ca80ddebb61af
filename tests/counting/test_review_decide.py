"""Clerical review: a decision on a pair is stored with who, when and why, audited, and applied by every later
run over both rows — a pair decided "different" is never merged, one decided "same" is not asked again."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from habeas.accounts.models import AuditEvent
from habeas.counting.models import ClusterMember, ListRow, ReviewPair
from habeas.counting.selectors import review_queue
from habeas.counting.services import linkage_run, review_decide
from tests.counting.conftest import make_user

pytestmark = pytest.mark.django_db

WIDE = {"review_band": [0.3, 1.0]}  # every link goes to review, so that the tests find the pairs they need


def pair_of(run, left: str, right: str) -> ReviewPair:
    rows = sorted(ListRow.objects.filter(record_id__in=[left, right]).values_list("pk", flat=True))
    return ReviewPair.objects.get(run=run, row_a_id=rows[0], row_b_id=rows[1])


def cluster(run, record_id: str) -> int:
    return ClusterMember.objects.get(run=run, row__record_id=record_id).cluster


def test_a_decision_is_stored_with_who_when_and_why_and_audited(three_lists, member):
    run = linkage_run(lists=three_lists, user=member, seed=1, config=WIDE)
    pair = pair_of(run, "T-1", "t1")
    review_decide(pair=pair, decision="same", reason="same birth year and town; lawyer confirmed", user=member)
    pair.refresh_from_db()
    assert (pair.state, pair.decided_by, pair.reason) == ("same", member, "same birth year and town; lawyer confirmed")
    assert pair.decided_at is not None and pair not in review_queue(run=run)
    event = AuditEvent.objects.get(action="update", target_type="counting.reviewpair", target_id=str(pair.pk))
    assert event.details["new"] == "same" and event.details["old"] == "pending"


def test_a_pair_decided_different_is_never_merged_by_a_later_run(three_lists, member):
    first = linkage_run(lists=three_lists, user=member, seed=1, config=WIDE)
    assert cluster(first, "T-1") == cluster(first, "t1")
    review_decide(pair=pair_of(first, "T-1", "t1"), decision="different", reason="different fathers", user=member)
    later = linkage_run(lists=three_lists, user=member, seed=1)
    assert later.reviewed_applied == 1
    assert cluster(later, "T-1") != cluster(later, "t1")
    again = linkage_run(lists=three_lists, user=member, seed=2, config=WIDE)
    assert cluster(again, "T-1") != cluster(again, "t1")
    assert not ReviewPair.objects.filter(
        run=again, row_a=pair_of(first, "T-1", "t1").row_a, row_b=pair_of(first, "T-1", "t1").row_b
    ).exists()


def test_a_pair_decided_same_is_not_queued_again(three_lists, member):
    first = linkage_run(lists=three_lists, user=member, seed=1, config=WIDE)
    decided = pair_of(first, "K-1", "k1")
    review_decide(pair=decided, decision="same", reason="same national ID", user=member)
    later = linkage_run(lists=three_lists, user=member, seed=1, config=WIDE)
    assert later.pairs_to_review == first.pairs_to_review - 1
    assert not ReviewPair.objects.filter(run=later, row_a=decided.row_a, row_b=decided.row_b).exists()
    assert cluster(later, "K-1") == cluster(later, "k1")


def test_a_decision_needs_a_reason_and_a_known_answer(three_lists, member):
    run = linkage_run(lists=three_lists, user=member, seed=1, config=WIDE)
    pair = pair_of(run, "T-1", "t1")
    with pytest.raises(ValidationError, match="reason"):
        review_decide(pair=pair, decision="same", reason="  ", user=member)
    with pytest.raises(ValidationError, match="'same' or 'different'"):
        review_decide(pair=pair, decision="maybe", reason="unsure", user=member)
    pair.refresh_from_db()
    assert pair.state == "pending"


def test_only_members_who_write_may_decide(three_lists, member, outsider):
    run = linkage_run(lists=three_lists, user=member, seed=1, config=WIDE)
    reader = make_user("reader", three_lists[0].team, role="readonly")
    for user in (reader, outsider):
        with pytest.raises(PermissionDenied):
            review_decide(pair=pair_of(run, "T-1", "t1"), decision="same", reason="looks alike", user=user)
