"""Decisions through the API that are not edits of a record's fields, each through its app's service (who may
take it, its audit event): a finding confirmed or dismissed by its team, and a review pair of a linkage decided
by someone who may see the rows' names."""

from __future__ import annotations

import datetime as dt

import pytest

from habeas.accounts.models import AuditEvent, Team
from habeas.counting.models import ReviewPair
from habeas.standards.models import Finding
from habeas.standards.services import findings_evaluate
from tests.api.clients import ApiClient
from tests.counting.pages import build_run

pytestmark = pytest.mark.django_db


def test_a_finding_is_confirmed_with_a_reason_by_its_teams_writer_and_the_review_is_audited(world):
    findings_evaluate(
        profile_name="international",
        codes=["MANDELA-44-PROLONGED-SOLITARY"],
        now=dt.datetime(2026, 1, 1, tzinfo=dt.UTC),
    )
    finding = Finding.objects.filter(team__name="A", active=True).order_by("pk").first()
    url = f"/api/findings/{finding.pk}/review"
    member = ApiClient(world["member"])
    unexplained = member.call("POST", url, {"review": "confirmed"})
    assert unexplained.status_code == 422
    analyst = ApiClient(world["analyst_named"])
    assert analyst.call("POST", url, {"review": "dismissed", "reason": "Not so."}).status_code == 403
    confirmed = member.call("POST", url, {"review": "confirmed", "reason": "The prison's own register shows it."})
    assert confirmed.status_code == 200, confirmed.content
    assert (confirmed.json()["review"], confirmed.json()["reviewed_by"]) == ("confirmed", world["member"].pk)
    finding.refresh_from_db()
    assert (finding.review, finding.review_reason) == ("confirmed", "The prison's own register shows it.")
    event = AuditEvent.objects.filter(action="update", target_id=str(finding.pk), actor=world["member"]).get()
    assert event.details == {"review": "confirmed"}


def test_a_review_pair_is_decided_only_by_who_sees_the_names_and_the_decision_is_audited(world):
    run = build_run(Team.objects.get(name="A"), estimate=False)
    pair = ReviewPair.objects.filter(run=run).order_by("pk").first()
    url = f"/api/review-pairs/{pair.pk}/decision"
    body = {"state": "different", "reason": "Different fathers' names in the register."}
    assert ApiClient(world["analyst"]).call("POST", url, body).status_code == 403
    named = ApiClient(world["analyst_named"])
    assert named.call("POST", url, {"state": "different"}).status_code == 422
    decided = named.call("POST", url, body)
    assert decided.status_code == 200, decided.content
    assert (decided.json()["state"], decided.json()["decided_by"]) == ("different", world["analyst_named"].pk)
    pair.refresh_from_db()
    assert (pair.state, pair.reason) == ("different", "Different fathers' names in the register.")
    event = AuditEvent.objects.filter(action="update", target_id=str(pair.pk)).get()
    assert (event.actor, event.details["new"]) == (world["analyst_named"], "different")
