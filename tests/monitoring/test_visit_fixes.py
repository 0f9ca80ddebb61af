"""A visit's page shows the findings about the visit; its monitoring body is chosen among bodies that monitor; a
body typed as text is recorded on the spot, so that it can issue the visit's recommendations."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse

from habeas.accounts.viewer import viewer_for
from habeas.monitoring import services
from habeas.monitoring.forms import RecommendationForm, VisitPlanForm
from habeas.monitoring.models import Visit
from habeas.registry.models import Organisation, Place
from habeas.standards.services import findings_evaluate

pytestmark = pytest.mark.django_db


def test_a_visits_page_shows_the_findings_about_it(client, world):
    member = world["member"]
    place = Place.objects.filter(team__name="A").first()
    body = Organisation.objects.create(team=place.team, name="The NPM", kind="monitor")
    visit = services.visit_plan(user=member, place=place, body=body, visited_on=dt.date(2013, 7, 2), announced=False)
    services.visit_record(
        visit=visit,
        user=member,
        visited_on=dt.date(2013, 7, 2),
        access_granted=True,
        private_interviews=False,
        today=dt.date(2013, 7, 10),
    )
    findings_evaluate(profile_name="kz", records={"visit": {visit.pk}})
    client.force_login(member)
    html = client.get(reverse("visit_detail", args=[visit.pk])).content.decode()
    section = html[html.index('id="visit-findings"') :]
    assert "OPCAT-20-PRIVATE-INTERVIEWS" in section


def test_the_monitoring_body_is_chosen_among_bodies_that_monitor(world):
    form = VisitPlanForm(viewer=viewer_for(world["member"]))
    kinds = set(form.fields["body"].queryset.values_list("kind", flat=True))
    assert kinds and kinds <= {"monitor", "un", "ngo"}
    assert not form.fields["body"].queryset.filter(kind__in=["court", "state"]).exists()


def test_a_body_described_as_text_is_recorded_and_can_issue_the_recommendations(world):
    member = world["member"]
    place = Place.objects.filter(team__name="A").first()
    visit = services.visit_plan(
        user=member,
        place=place,
        body=None,
        body_text="Coalition of NGOs against torture",
        visited_on=dt.date(2013, 7, 2),
        announced=False,
    )
    body = Visit.objects.get(pk=visit.pk).body
    assert body is not None and body.name == "Coalition of NGOs against torture" and body.team_id == place.team_id
    assert body.kind == "monitor"
    assert body in RecommendationForm(viewer=viewer_for(member)).fields["issuer"].queryset
