"""The dashboard: what it counts for the demo data, what it hides from other teams, and its queries."""

from __future__ import annotations

import pytest
from django.urls import reverse

from habeas.accounts.models import Membership, Role
from habeas.accounts.viewer import viewer_for
from habeas.cases.models import Allegation, Investigation, Proceeding, Reparation, Verdict
from habeas.monitoring.models import Recommendation
from habeas.reports import dashboard
from habeas.standards.models import Finding
from habeas.standards.services import finding_review, findings_evaluate
from tests.pages import assert_queries_bounded

pytestmark = pytest.mark.django_db


def expected_funnel() -> dict[str, int]:
    """The stages counted one allegation at a time in Python, as a reader of the records would."""
    dependent = set(
        Finding.objects.filter(active=True, topic=dashboard.NOT_INDEPENDENT, content_type__model="investigation")
        .exclude(review=Finding.Review.DISMISSED)
        .values_list("object_id", flat=True)
    )
    counts = dict.fromkeys(
        ["alleged", "complaint", "investigation", "independent", "prosecution", "conviction", "reparation"], 0
    )
    for allegation in Allegation.objects.all():
        opened = [i for i in allegation.investigations.all() if i.outcome != Investigation.Outcome.NONE_OPENED]
        perpetrators = {p.person_id for p in allegation.perpetrators.all() if p.person_id}
        tried = Proceeding.objects.filter(defendants__in=perpetrators).exists()
        reached = {
            "alleged": True,
            "complaint": allegation.complaints.exists(),
            "investigation": bool(opened),
            "independent": any(i.pk not in dependent for i in opened),
            "prosecution": tried
            or any(i.outcome == Investigation.Outcome.CHARGES for i in allegation.investigations.all()),
            "conviction": Verdict.objects.filter(
                outcome=Verdict.Outcome.CONVICTED, defendant_id__in=perpetrators
            ).exists(),
            "reparation": allegation.reparations.filter(status=Reparation.Status.PAID).exists(),
        }
        for stage, yes in reached.items():
            counts[stage] += bool(yes)
    return counts


def test_the_dashboard_counts_what_the_records_say(client, world):
    findings_evaluate(profile_name="kz")
    funnel = {stage.key: stage.count for stage in dashboard.allegation_funnel(viewer_for(world["member"]))}
    assert funnel == expected_funnel()
    assert funnel["alleged"] == Allegation.objects.count() > 0
    assert funnel["alleged"] > funnel["reparation"]  # the briefing: damages ordered were not paid

    client.force_login(world["member"])
    page = client.get(reverse("dashboard")).content.decode()
    open_findings = Finding.objects.filter(active=True).exclude(review=Finding.Review.DISMISSED).exclude(status="gap")
    severe = open_findings.values_list("rule", flat=True)
    top_rule = max(set(severe), key=lambda rule: (list(severe).count(rule), rule))
    assert top_rule in page
    assert "From allegation to reparation" in page
    assert f">{Recommendation.objects.count()}<" in page  # all recommendations have a status bar in the chart


def test_the_dashboard_counts_breaches_not_citations_and_gaps_apart(client, world):
    findings_evaluate(profile_name="kz")
    member = world["member"]
    counted = sum(n for _value, _label, n in dashboard.findings_by_severity(viewer_for(member)))
    current = Finding.objects.filter(active=True)
    citations = sum(len(f.standards) for f in current.exclude(status="gap"))
    assert counted == current.exclude(status="gap").count() < citations  # one per failure, however many cite it
    gaps = current.filter(status="gap").count()
    assert dashboard.open_gaps(viewer_for(member)) == gaps > 0
    client.force_login(member)
    page = client.get(reverse("dashboard")).content.decode()
    assert f"{gaps} gaps: facts rules need that no source states" in page


def test_another_team_sees_nothing_of_it(client, world):
    findings_evaluate(profile_name="kz")
    outsider = world["outsider"]
    assert {stage.count for stage in dashboard.allegation_funnel(viewer_for(outsider))} == {0}
    assert dashboard.findings_by_severity(viewer_for(outsider)) == []
    assert dashboard.recommendations_by_status(viewer_for(outsider)) == []
    assert (
        dashboard.open_findings(viewer_for(world["member"])).count()
        == dashboard.open_findings(viewer_for(world["superuser"])).count()
    )


def test_a_dismissed_finding_is_not_open(world):
    findings_evaluate(profile_name="kz")
    finding = Finding.objects.filter(active=True).first()
    before = dashboard.open_findings(viewer_for(world["member"])).count()
    finding_review(finding=finding, decision=Finding.Review.DISMISSED, reason="a test", user=world["member"])
    assert dashboard.open_findings(viewer_for(world["member"])).count() == before - 1


def test_the_number_of_queries_does_not_grow_with_the_records(client, world):
    findings_evaluate(profile_name="kz")
    client.force_login(world["member"])
    team = Membership.objects.get(user=world["member"], role=Role.RESEARCHER).team

    def grow() -> None:
        for allegation in list(Allegation.objects.all()[:5]):
            allegation.pk = None
            allegation.team = team
            allegation.save()
        findings_evaluate(profile_name="kz")

    assert_queries_bounded(client, reverse("dashboard"), grow)


LOCMEM = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "dashboard-test"}}


def test_the_counts_are_kept_for_everyone_of_the_same_teams_for_a_minute(client, world, settings, monkeypatch):
    from django.core.cache import cache

    from tests.pages import queries

    settings.CACHES = LOCMEM
    cache.clear()
    url = reverse("dashboard")
    client.force_login(world["member"])
    first = queries(client, url)
    alleged = dashboard.dashboard_counts(viewer_for(world["member"])).funnel[0].count
    assert 'id="counted-at"' in client.get(url).content.decode()
    client.force_login(world["owner"])  # of the same team: the same counts, not made again
    assert queries(client, url) < first
    client.force_login(world["outsider"])  # of another team: counts of its own
    assert queries(client, url) == first
    assert dashboard.dashboard_counts(viewer_for(world["outsider"])).funnel[0].count == 0
    one = Allegation.objects.filter(victim__isnull=False).first()
    Allegation.objects.create(team=one.team, victim=one.victim, summary="one more")
    assert (
        dashboard.dashboard_counts(viewer_for(world["owner"])).funnel[0].count == alleged
    )  # counted under a minute ago
    monkeypatch.setattr(dashboard, "FRESH_SECONDS", 0)
    assert (
        dashboard.dashboard_counts(viewer_for(world["owner"])).funnel[0].count == alleged + 1
    )  # changed, and a minute old
    cache.clear()


def test_counts_made_on_an_earlier_day_say_which_day(client, world, monkeypatch):
    import dataclasses
    import datetime as dt

    from django.utils import timezone

    from habeas.reports import views

    made = dashboard.dashboard_counts
    earlier = timezone.now() - dt.timedelta(days=3)
    monkeypatch.setattr(
        views.dashboard_read, "dashboard_counts", lambda user: dataclasses.replace(made(user), counted_at=earlier)
    )
    client.force_login(world["member"])
    page = client.get(reverse("dashboard")).content.decode()
    day = timezone.localtime(earlier)
    assert f"as counted on {day.day} " in page and f"{day:%Y}, {day:%H:%M}" in page
