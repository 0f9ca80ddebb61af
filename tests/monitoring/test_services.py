"""The monitoring services: planning a visit, recording it with the recommendations that follow, recording a
recommendation's status; what they refuse (with the field to fix, storing nothing), and which responses are
overdue on a given day."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from habeas.accounts.models import AuditEvent, Membership, Role, Team
from habeas.accounts.viewer import viewer_for
from habeas.monitoring import selectors, services
from habeas.monitoring.models import Recommendation, RecommendationStatus, Visit
from habeas.monitoring.services import RecommendationDraft
from habeas.registry.models import Organisation, Place
from tests import factories

pytestmark = pytest.mark.django_db
TODAY = dt.date(2013, 6, 15)


@pytest.fixture
def setting(django_user_model):
    team, other = Team.objects.create(name="NPM"), Team.objects.create(name="Other")
    user = django_user_model.objects.create_user("monitor", "", "a-long-test-password")
    Membership.objects.create(user=user, team=team, role=Role.RESEARCHER)
    reader = django_user_model.objects.create_user("reader", "", "a-long-test-password")
    Membership.objects.create(user=reader, team=team, role=Role.READ_ONLY)
    return {
        "user": user,
        "reader": reader,
        "team": team,
        "place": factories.place("Colony LA-155/14", team=team),
        "foreign_place": factories.place("Another team's prison", team=other),
        "npm": factories.organisation("National Preventive Mechanism", kind="monitor", team=team),
        "mia": factories.organisation("Ministry of Internal Affairs", team=team),
    }


def counts() -> tuple[int, ...]:
    return (
        Visit.objects.count(),
        Recommendation.objects.count(),
        RecommendationStatus.objects.count(),
        AuditEvent.objects.count(),
    )


def plan(setting, **overrides):
    values = {
        "user": setting["user"],
        "place": setting["place"],
        "body": setting["npm"],
        "visited_on": dt.date(2013, 7, 2),
        "announced": False,
        "visitors": "A. Monitor, B. Doctor",
    }
    return services.visit_plan(**{**values, **overrides})


def draft(setting, **overrides) -> RecommendationDraft:
    values = {"issuer": setting["npm"], "addressee": setting["mia"], "text": "Allow private interviews."}
    return RecommendationDraft(**{**values, **overrides})


def test_a_planned_visit_is_stored_in_the_place_team_with_its_audit_event(setting):
    visit = plan(setting)
    assert visit.team_id == setting["team"].pk and visit.announced is False
    assert visit.visitors == "A. Monitor, B. Doctor"
    event = AuditEvent.objects.get(action="create", target_type="monitoring.visit", target_id=str(visit.pk))
    assert event.actor == setting["user"]
    assert selectors.visit_is_planned(visit, TODAY)
    assert not selectors.visit_is_planned(visit, dt.date(2013, 7, 3))


def test_a_visit_to_an_unknown_place_or_without_a_date_is_refused_and_nothing_stored(setting):
    before = counts()
    with pytest.raises(ValidationError) as unknown:
        plan(setting, place=setting["foreign_place"])
    assert "Unknown place" in unknown.value.message_dict["place"][0]
    with pytest.raises(ValidationError) as missing:
        plan(setting, place=None, body=None, visited_on=None)
    assert set(missing.value.message_dict) == {"place", "body", "visited_on"}
    assert counts() == before


def test_a_read_only_member_may_not_plan_or_record(setting):
    with pytest.raises(PermissionDenied):
        plan(setting, user=setting["reader"])
    visit = plan(setting)
    with pytest.raises(PermissionDenied):
        services.visit_record(visit=visit, user=setting["reader"], visited_on=visit.visited_on, access_granted=True)


def test_recording_a_visit_stores_the_refusals_and_the_recommendations_that_follow(setting):
    visit = plan(setting)
    created = services.visit_record(
        visit=visit,
        user=setting["user"],
        visited_on=dt.date(2013, 7, 2),
        announced=False,
        access_granted=True,
        private_interviews=False,
        refused="A private interview with a detainee was refused.",
        findings="Cells without daylight.",
        recommendations=[draft(setting, response_due_on=dt.date(2013, 9, 1))],
        today=dt.date(2013, 7, 10),
    )
    visit.refresh_from_db()
    assert (visit.access_granted, visit.private_interviews) == (True, False)
    assert visit.refused == "A private interview with a detainee was refused."
    [recommendation] = created
    assert recommendation.visit == visit and recommendation.team_id == visit.team_id
    assert (recommendation.issued_on, recommendation.issued_on_precision) == (dt.date(2013, 7, 2), "day")
    assert [h.status for h in recommendation.history.all()] == ["issued"]
    update = AuditEvent.objects.get(action="update", target_type="monitoring.visit")
    assert "refused" in update.details["changed"] and update.details["recommendations"] == 1
    assert AuditEvent.objects.filter(action="create", target_type="monitoring.recommendation").count() == 1


@pytest.mark.parametrize(
    ("visit_fields", "recommendation_fields", "field"),
    [
        # recording, on 15 June, a visit dated July: it has not happened yet
        ({"visited_on": dt.date(2013, 7, 2)}, None, "visited_on"),
        ({"access_granted": None}, None, "access_granted"),
        # a recommendation following the visit issued before it
        ({}, {"issued_on": dt.date(2013, 5, 1)}, "recommendations-0-issued_on"),
        # a response due before the recommendation was issued
        (
            {},
            {"issued_on": dt.date(2013, 6, 1), "response_due_on": dt.date(2013, 5, 1)},
            "recommendations-0-response_due_on",
        ),
        ({}, {"text": "  "}, "recommendations-0-text"),
        ({}, {"addressee": None}, "recommendations-0-addressee"),
    ],
)
def test_a_record_in_an_impossible_order_or_incomplete_is_refused_and_nothing_stored(
    setting, visit_fields, recommendation_fields, field
):
    visit = plan(setting, visited_on=dt.date(2013, 6, 1))
    before = counts()
    values = {
        "visit": visit,
        "user": setting["user"],
        "visited_on": dt.date(2013, 6, 1),
        "access_granted": True,
        "refused": "the punishment cells",
        "recommendations": [draft(setting, text="Fine."), draft(setting, **(recommendation_fields or {}))],
        "today": TODAY,
    }
    if recommendation_fields is not None:
        values["recommendations"] = [draft(setting, **recommendation_fields)]
    with pytest.raises(ValidationError) as refused:
        services.visit_record(**{**values, **visit_fields})
    assert field in refused.value.message_dict, refused.value.message_dict
    assert counts() == before
    visit.refresh_from_db()
    assert visit.refused == "" and visit.access_granted is None


def test_a_recommendation_naming_another_team_organisation_is_refused(setting):
    visit = plan(setting, visited_on=dt.date(2013, 6, 1))
    foreign = factories.organisation("Hidden ministry", team=Team.objects.get(name="Other"))
    before = counts()
    with pytest.raises(ValidationError) as refused:
        services.visit_record(
            visit=visit,
            user=setting["user"],
            visited_on=visit.visited_on,
            access_granted=True,
            recommendations=[draft(setting, addressee=foreign)],
            today=TODAY,
        )
    assert "recommendations-0-addressee" in refused.value.message_dict
    assert counts() == before


def test_a_status_needs_a_date_not_before_the_recommendation_and_not_after_today(setting):
    visit = plan(setting, visited_on=dt.date(2013, 3, 1))
    [recommendation] = services.visit_record(
        visit=visit,
        user=setting["user"],
        visited_on=visit.visited_on,
        access_granted=False,
        recommendations=[draft(setting, issued_on=dt.date(2013, 3, 5))],
        today=TODAY,
    )
    before = counts()
    for recorded_on, precision in [(None, "day"), (dt.date(2013, 2, 1), "month"), (dt.date(2013, 8, 1), "day")]:
        with pytest.raises(ValidationError) as refused:
            services.recommendation_status_record(
                recommendation=recommendation,
                user=setting["user"],
                status="accepted",
                recorded_on=recorded_on,
                recorded_on_precision=precision,
                today=TODAY,
            )
        assert list(refused.value.message_dict) == ["recorded_on"]
    with pytest.raises(ValidationError) as unknown_status:
        services.recommendation_status_record(
            recommendation=recommendation, user=setting["user"], status="forgotten", recorded_on=TODAY, today=TODAY
        )
    assert "status" in unknown_status.value.message_dict
    assert counts() == before
    # a month that contains the issue date is not before it
    entry = services.recommendation_status_record(
        recommendation=recommendation,
        user=setting["user"],
        status="accepted",
        recorded_on=dt.date(2013, 3, 1),
        recorded_on_precision="month",
        response="The ministry accepts.",
        today=TODAY,
    )
    assert entry.response == "The ministry accepts." and entry.team_id == recommendation.team_id
    assert AuditEvent.objects.filter(target_type="monitoring.recommendationstatus", target_id=str(entry.pk)).exists()


def _overdue_pks(user, today):
    return set(
        selectors.recommendations_for_user(viewer_for(user), today=today, overdue_only=True).values_list(
            "pk", flat=True
        )
    )


def test_a_response_is_overdue_once_the_last_day_it_was_due_has_passed_without_one(setting):
    user = setting["user"]
    visit = plan(setting, visited_on=dt.date(2013, 1, 10))
    month, year, answered = services.visit_record(
        visit=visit,
        user=user,
        visited_on=visit.visited_on,
        access_granted=True,
        recommendations=[
            draft(setting, text="due March", response_due_on=dt.date(2013, 3, 1), response_due_on_precision="month"),
            draft(setting, text="due 2013", response_due_on=dt.date(2013, 1, 1), response_due_on_precision="year"),
            draft(setting, text="answered", response_due_on=dt.date(2013, 2, 1)),
        ],
        today=dt.date(2013, 1, 20),
    )
    services.recommendation_status_record(
        recommendation=answered, user=user, status="rejected", recorded_on=dt.date(2013, 2, 10), today=TODAY
    )
    # Python and SQL agree, day by day, on a month-precise due date (March 2013: overdue from 1 April)
    for today, expected in [
        (dt.date(2013, 3, 31), set()),
        (dt.date(2013, 4, 1), {month.pk}),
        (dt.date(2013, 12, 31), {month.pk}),
        (dt.date(2014, 1, 1), {month.pk, year.pk}),
    ]:
        assert _overdue_pks(user, today) == expected, today
        for recommendation in selectors.recommendations_for_user(viewer_for(user), today=today):
            assert selectors.recommendation_is_overdue(recommendation, today) == (recommendation.pk in expected)
            assert bool(recommendation.is_overdue) == (recommendation.pk in expected)
    # a later response "issued" (no answer yet) keeps it overdue; an answer ends it
    services.recommendation_status_record(
        recommendation=month, user=user, status="issued", recorded_on=dt.date(2013, 4, 2), today=TODAY
    )
    assert month.pk in _overdue_pks(user, dt.date(2013, 4, 3))
    services.recommendation_status_record(
        recommendation=month, user=user, status="partly", recorded_on=dt.date(2013, 4, 3), today=TODAY
    )
    assert month.pk not in _overdue_pks(user, dt.date(2013, 4, 4))
    by_status = dict(
        (key, n)
        for key, _, n in selectors.recommendations_by_status(selectors.with_status(Recommendation.objects.all()))
    )
    assert by_status == {"issued": 1, "partly": 1, "rejected": 1}


def test_planned_visits_come_first_soonest_first_then_the_latest_past(setting):
    user = setting["user"]
    past = plan(setting, visited_on=dt.date(2013, 1, 5))
    later = plan(setting, visited_on=dt.date(2013, 9, 1))
    sooner = plan(setting, visited_on=dt.date(2013, 6, 1), visited_on_precision="month")  # June: not passed yet
    undated = Visit.objects.create(team=setting["team"], body=setting["npm"])
    older = plan(setting, visited_on=dt.date(2012, 5, 5))
    order = list(selectors.visits_for_user(viewer_for(user), today=TODAY).values_list("pk", flat=True))
    assert order == [sooner.pk, later.pk, past.pk, older.pk, undated.pk]
    planned = selectors.visits_for_user(viewer_for(user), today=TODAY, state="planned")
    assert set(planned.values_list("pk", flat=True)) == {sooner.pk, later.pk}
    assert Place.objects.count() == 2 and Organisation.objects.count() == 2
