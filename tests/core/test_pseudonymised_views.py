"""Analysts see their team's records pseudonymised unless granted identities: no name, no protected text, a
stable pseudonym in place of each person — and a name search cannot be used to unmask one."""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse

from habeas.accounts.models import Membership, Role, Team
from habeas.cases.models import Allegation
from habeas.core.crypto import pseudonym
from habeas.core.dataload import records_load
from habeas.demo import DATA_FILE
from habeas.registry.models import Person
from habeas.registry.selectors import persons_named
from habeas.registry.services import gazetteer_seed
from tests.protected import leaks, protected_texts

pytestmark = pytest.mark.django_db
PASSWORD = "a-long-test-password"


@pytest.fixture
def world():
    gazetteer_seed(country="KZ")
    team = Team.objects.create(name="A")
    records_load(path=DATA_FILE, team=team)
    users = {}
    for name, role, identities in [
        ("analyst", Role.ANALYST, False),
        ("trusted", Role.ANALYST, True),
        ("researcher", Role.RESEARCHER, False),
    ]:
        users[name] = get_user_model().objects.create_user(name, "", PASSWORD, is_staff=True)
        Membership.objects.create(user=users[name], team=team, role=role, identities=identities)
    return users


def pages() -> list[str]:
    tian = persons_named("Dmitri Tian", exact=True).get()
    allegation = Allegation.objects.filter(victim=tian).first()
    assert allegation is not None
    return [
        reverse("admin:registry_person_changelist"),
        reverse("admin:registry_person_change", args=[tian.pk]),
        reverse("admin:cases_allegation_changelist"),
        reverse("admin:cases_allegation_change", args=[allegation.pk]),
        reverse("admin:custody_custodyepisode_changelist"),
        reverse("admin:cases_investigation_changelist"),
        reverse("admin:cases_proceeding_changelist"),
        reverse("admin:registry_group_changelist"),
        reverse("admin:cases_statement_changelist"),
    ]


def test_an_analyst_sees_pseudonyms_and_no_protected_text(client, world):
    client.force_login(world["analyst"])
    tian = persons_named("Dmitri Tian", exact=True).get()
    texts = protected_texts()
    for url in pages():
        response = client.get(url)
        assert response.status_code == 200, url
        assert leaks(response.content, texts) == [], url
    page = client.get(reverse("admin:registry_person_change", args=[tian.pk])).content.decode()
    assert f"Person {pseudonym('registry.person', tian.pk)}" in page


def test_the_pseudonym_is_stable_and_differs_between_persons(world):
    tian = persons_named("Dmitri Tian", exact=True).get()
    evloev = persons_named("Oleg Evloev", exact=True).get()
    assert pseudonym("registry.person", tian.pk) == pseudonym("registry.person", tian.pk)
    assert pseudonym("registry.person", tian.pk) != pseudonym("registry.person", evloev.pk)


def test_a_name_search_does_not_unmask_a_pseudonym(client, world):
    client.force_login(world["analyst"])
    response = client.get(reverse("admin:registry_person_changelist"), {"q": "Tian"})
    assert response.status_code == 200
    assert "0 persons" in response.content.decode() or "0 results" in response.content.decode()


@pytest.mark.parametrize("who", ["trusted", "researcher"])
def test_members_granted_identities_see_names(client, world, who):
    client.force_login(world[who])
    tian = persons_named("Dmitri Tian", exact=True).get()
    page = client.get(reverse("admin:registry_person_change", args=[tian.pk])).content.decode()
    assert "Dmitri Tian" in page and "Дмитрий Тян" in page


def test_the_pseudonymised_view_is_for_the_request_only(client, world):
    client.force_login(world["analyst"])
    client.get(reverse("admin:registry_person_changelist"))
    tian = Person.objects.get(pk=persons_named("Dmitri Tian", exact=True).get().pk)
    assert str(tian) == "Dmitri Tian"  # outside the analyst's request, the name is the name
