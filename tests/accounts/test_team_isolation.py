"""Another team's records stay out of reach in the admin's forms and filters: a choice of a person, a place or
an event offers only the user's own, a crafted form cannot point at another team's record, and a filter lists
only what the user's rows use. Rows deleted from a record's page need a recent password like any deletion."""

from __future__ import annotations

import datetime as dt

import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse
from django.utils import timezone

from habeas.accounts.models import Membership, Role, Team
from habeas.accounts.reauth import SESSION_KEY
from habeas.cases.models import Event
from habeas.custody.models import CustodyEpisode
from habeas.registry.models import PersonName
from habeas.registry.selectors import persons_named
from habeas.registry.services import gazetteer_seed
from tests.factories import demo_loaded

pytestmark = pytest.mark.django_db


@pytest.fixture
def world():
    gazetteer_seed(country="KZ")
    team_a, team_b = Team.objects.create(name="A"), Team.objects.create(name="B")
    demo_loaded(team_a)
    users = {}
    for name, team, role in [("owner", team_a, Role.ADMINISTRATOR), ("outsider", team_b, Role.ADMINISTRATOR)]:
        users[name] = get_user_model().objects.create_user(name, "", "a-long-test-password", is_staff=True)
        Membership.objects.create(user=users[name], team=team, role=role)
    return users


def test_an_add_form_does_not_show_another_teams_person_named_in_the_address(client, world):
    tian = persons_named("Dmitri Tian", exact=True).get()
    client.force_login(world["outsider"])
    page = client.get(reverse("admin:custody_custodyepisode_add"), {"person": tian.pk}).content.decode()
    assert "Dmitri Tian" not in page and "Тян" not in page


def test_a_crafted_form_cannot_point_at_another_teams_person(client, world):
    tian = persons_named("Dmitri Tian", exact=True).get()
    client.force_login(world["outsider"])
    before = CustodyEpisode.objects.count()
    response = client.post(
        reverse("admin:custody_custodyepisode_add"),
        {"person": tian.pk, "status": "detained", "apprehended_at_precision": "day"},
    )
    assert response.status_code == 200  # the form again, with its error
    assert "Select a valid choice" in response.content.decode()
    assert CustodyEpisode.objects.count() == before


def test_a_list_filter_offers_only_what_the_users_rows_use(client, world):
    client.force_login(world["outsider"])
    page = client.get(reverse("admin:cases_allegation_changelist")).content.decode()
    for event in Event.objects.all():
        assert event.name not in page
    client.force_login(world["owner"])
    page = client.get(reverse("admin:cases_allegation_changelist")).content.decode()
    assert any(event.name in page for event in Event.objects.all())


def test_rows_deleted_from_a_records_page_need_a_recent_password(client, world):
    tian = persons_named("Dmitri Tian", exact=True).get()
    client.force_login(world["owner"])
    session = client.session
    session[SESSION_KEY] = (timezone.now() - dt.timedelta(hours=1)).timestamp()
    session.save()
    names = list(tian.names.all())
    data = {
        "names-TOTAL_FORMS": str(len(names)),
        "names-INITIAL_FORMS": str(len(names)),
        **{f"names-{i}-id": str(n.pk) for i, n in enumerate(names)},
        **{f"names-{i}-person": str(tian.pk) for i, n in enumerate(names)},
        **{f"names-{i}-DELETE": "on" for i, n in enumerate(names)},
    }
    response = client.post(reverse("admin:registry_person_change", args=[tian.pk]), data)
    assert response.status_code == 302 and response["Location"].startswith(reverse("reauth"))
    assert PersonName.objects.filter(person=tian).count() == len(names)
