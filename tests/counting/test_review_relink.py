"""Review that takes effect at once: a decision links the lists again and estimates again; rows linked or split
by hand with a reason; decisions carried over to runs that add lists; the newest decision wins over older ones
it contradicts; the queue ordered by how much a decision could change the count."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from habeas.accounts.models import AuditEvent
from habeas.counting.models import ClusterMember, ListRow, ReviewPair
from habeas.counting.selectors import latest_run, review_queue
from habeas.counting.services import estimate_run, linkage_relink, linkage_run, review_by_hand, review_decide

pytestmark = pytest.mark.django_db

WIDE = {"review_band": [0.3, 1.0]}  # every link goes to review, so that the tests find the pairs they need


def row(record_id: str) -> int:
    return ListRow.objects.get(record_id=record_id).pk


def cluster(run, record_id: str) -> int:
    return ClusterMember.objects.get(run=run, row__record_id=record_id).cluster


def test_a_decision_links_again_at_once_and_estimates_again(three_lists, member):
    first = linkage_run(lists=three_lists, user=member, seed=1, config=WIDE)
    before = estimate_run(linkage=first, user=member, method="loglinear", seed=1)
    assert cluster(first, "T-1") == cluster(first, "t1")
    a, b = sorted((row("T-1"), row("t1")))
    pair = ReviewPair.objects.get(run=first, row_a_id=a, row_b_id=b)
    review_decide(pair=pair, decision="different", reason="different fathers", user=member)

    again = linkage_relink(run=first, user=member)
    assert again.follows == first and latest_run(first) == again
    assert (again.seed, again.config) == (first.seed, first.config)
    assert cluster(again, "T-1") != cluster(again, "t1")
    assert again.people == first.people + 1 and again.reviewed_applied == 1
    after = again.estimates.get()
    assert (after.method, after.seed, after.observed) == ("loglinear", 1, again.people)
    assert after.observed == before.observed + 1


def test_rows_linked_and_split_by_hand_with_a_reason_and_audited(three_lists, member):
    first = linkage_run(lists=three_lists[:2], user=member, seed=1)
    assert cluster(first, "K-1") == cluster(first, "k1") and cluster(first, "K-1") != cluster(first, "T-1")
    (linked,) = review_by_hand(
        run=first, rows=[row("K-1"), row("T-1")], decision="same", reason="the family says so", user=member
    )
    assert (linked.by_hand, linked.state, linked.match_probability, linked.decided_by) == (True, "same", None, member)
    event = AuditEvent.objects.get(target_type="counting.reviewpair", target_id=str(linked.pk))
    assert event.action == "create" and event.details["by_hand"] and "the family says so" in event.summary
    split = review_by_hand(
        run=first, rows=[row("K-1"), row("k1")], decision="different", reason="two brothers", user=member
    )
    assert [p.state for p in split] == ["different"]

    again = linkage_relink(run=first, user=member)
    assert cluster(again, "K-1") == cluster(again, "T-1") != cluster(again, "k1")
    # a later run that adds the families' list applies both decisions
    later = linkage_run(lists=three_lists, user=member, seed=2)
    assert later.reviewed_applied == 2
    assert cluster(later, "K-1") == cluster(later, "T-1") != cluster(later, "k1")


def test_a_decision_by_hand_needs_two_rows_of_the_run_a_reason_and_an_answer(three_lists, member):
    run = linkage_run(lists=three_lists[:2], user=member, seed=1)
    cases = [
        ([row("K-1")], "same", "why", "rows"),
        ([row("K-1"), row("f-k")], "same", "why", "rows"),  # the families' list is not in this run
        ([row("K-1"), row("k1")], "maybe", "why", "decision"),
        ([row("K-1"), row("k1")], "same", "  ", "reason"),
    ]
    for rows, decision, reason, field in cases:
        with pytest.raises(ValidationError) as error:
            review_by_hand(run=run, rows=rows, decision=decision, reason=reason, user=member)
        assert field in error.value.message_dict
    assert not ReviewPair.objects.filter(by_hand=True).exists()


def test_the_newest_decision_wins_over_older_ones_it_contradicts(three_lists, member):
    run = linkage_run(lists=three_lists, user=member, seed=1)
    start = timezone.now()
    for minutes, rows, decision in (
        (1, ["K-1", "k1"], "same"),
        (2, ["K-1", "T-1"], "same"),
        (3, ["k1", "T-1"], "different"),  # contradicts the two before it: k1 = K-1 = T-1
    ):
        review_by_hand(
            run=run,
            rows=[row(r) for r in rows],
            decision=decision,
            reason="checked",
            user=member,
            now=start + dt.timedelta(minutes=minutes),
        )
    again = linkage_relink(run=run, user=member)  # no contradiction refused: the oldest decision gave way
    assert again.reviewed_applied == 2
    assert cluster(again, "K-1") == cluster(again, "T-1") != cluster(again, "k1")


def test_the_queue_puts_first_the_pairs_whose_decision_could_change_the_count_most(three_lists, member):
    run = linkage_run(lists=three_lists, user=member, seed=1, config=WIDE)
    priorities = [pair.priority for pair in review_queue(run=run)]
    assert len(priorities) >= 3 and all(p >= 0 for p in priorities)
    assert priorities == sorted(priorities, reverse=True) and priorities[0] > priorities[-1]


def test_the_people_page_shows_each_person_and_lets_only_those_who_may_decide_link_by_hand(client, world):
    from django.urls import reverse

    from tests.counting.pages import counting_demo

    run = counting_demo()["run"]
    url = reverse("run_people", args=[run.pk])
    rows = [str(pk) for pk in ClusterMember.objects.filter(run=run).order_by("row_id").values_list("row_id", flat=True)]
    client.force_login(world["readonly"])
    html = client.get(url).content.decode()
    assert "Кенжебаев" in html and 'name="rows"' not in html and "may read this run" in html
    assert client.post(url, {"rows": rows[:2], "decision": "same", "reason": "x"}).status_code == 403

    client.force_login(world["member"])
    html = client.get(url).content.decode()
    first_page = ClusterMember.objects.filter(run=run, cluster__lt=50).count()  # 50 people a page
    assert html.count('name="rows"') == first_page < len(rows) and "page 1 of 2" in html
    assert "Kenzhebaev" in html and "Same person" in html
    response = client.post(url, {"rows": rows[:1], "decision": "same", "reason": "one row"})
    assert response.status_code == 400 and "Tick at least two rows." in response.content.decode()
    response = client.post(url, {"rows": rows[:2], "decision": "same", "reason": "  "})
    assert response.status_code == 400 and "Give the reason" in response.content.decode()
    assert not ReviewPair.objects.filter(by_hand=True).exists()
