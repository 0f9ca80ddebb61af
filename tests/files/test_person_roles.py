"""The people list tells victims, witnesses, officials and judges apart, and filters by role."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from tests import factories
from tests.pages import assert_queries_bounded

pytestmark = pytest.mark.django_db


def row_of(page: str, label: str) -> str:
    match = re.search(rf"<tr>\s*<td><a [^>]*>{re.escape(label)}</a></td>(.*?)</tr>", page, re.DOTALL)
    assert match, label
    return match.group(1)


def listed(client, **params) -> str:
    return client.get(reverse("person_list"), params).content.decode()


def test_each_person_is_listed_with_their_roles(client, world):
    client.force_login(world["member"])
    page = listed(client, name="Tuletaeva")
    assert "victim" in row_of(page, "Roza Tuletaeva")
    page = listed(client, role="judge")
    assert "judge" in row_of(page, "presiding judge in the trial of the 37 Zhanaozen defendants")
    assert "Roza Tuletaeva" not in page
    officials = listed(client, role="official")
    assert "official" in row_of(officials, "Nursultan Nazarbaev")
    assert "Nursultan Nazarbaev" not in listed(client, role="victim")


def test_the_role_filter_works_for_analysts_who_see_pseudonyms(client, world):
    client.force_login(world["analyst"])
    page = listed(client, role="victim")
    assert "Roza Tuletaeva" not in page  # pseudonyms only
    assert page.count("<tr>") > 5 and "victim" in page


def test_an_unknown_role_lists_everyone(client, world):
    client.force_login(world["member"])
    assert listed(client, role="nobody").count("<tr>") == listed(client).count("<tr>")


def test_the_list_with_roles_takes_a_bounded_number_of_queries(client, world):
    from habeas.accounts.models import Team
    from habeas.cases.models import Allegation

    client.force_login(world["member"])
    team = Team.objects.get(name="A")

    def grow():
        for n in range(3):
            victim = factories.person(f"Victim {n}", team=team)
            factories.saved(Allegation(team=team, victim=victim, kind="torture", summary="beaten"))

    assert_queries_bounded(client, reverse("person_list") + "?role=victim", grow)
