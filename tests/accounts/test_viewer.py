"""The viewer: who is looking, read once per request, and the one way a name in clear reaches a page."""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model
from django.db import connection
from django.template import Context, Template
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from habeas.accounts.identity import name_of, pseudonymous
from habeas.accounts.models import Membership, Role, Team
from habeas.accounts.viewer import Viewer, viewer_for
from habeas.cases.forms import HearingForm
from habeas.cases.models import Hearing
from habeas.custody.models import Transfer
from tests import factories

pytestmark = pytest.mark.django_db

NAMED = Template("{% load names %}{{ person|name:viewer }}")
BARE = Template("{{ person }}")


def _member(name: str, *roles: tuple[Team, str, bool]) -> object:
    user = get_user_model().objects.create_user(name, "", "a-long-test-password")
    for team, role, identities in roles:
        Membership.objects.create(user=user, team=team, role=role, identities=identities)
    return user


def _shown(template: Template, person: object, user: object) -> str:
    return template.render(Context({"person": person, "viewer": viewer_for(user)}))


def test_the_viewer_is_built_once_per_request_with_one_query_of_the_memberships(client):
    team = Team.objects.create(name="A")
    person = factories.person("Dmitri Tian", team=team)
    user = _member("researcher", (team, Role.RESEARCHER, False))
    client.force_login(user)
    with CaptureQueriesContext(connection) as queries:
        response = client.get(reverse("person_detail", args=[person.pk]))
    assert response.status_code == 200
    reads = [q["sql"] for q in queries if 'FROM "accounts_membership"' in q["sql"]]
    assert len(reads) == 1, reads
    viewer = response.wsgi_request.viewer
    assert isinstance(viewer, Viewer) and viewer.user == user and viewer.roles == {team.pk: Role.RESEARCHER}
    assert "Dmitri Tian" in response.content.decode()  # the page names the person to a member, through the viewer


def test_an_analyst_sees_a_pseudonym_through_the_filter_and_a_member_the_name():
    team = Team.objects.create(name="A")
    person = factories.person("Dmitri Tian", team=team)
    analyst = _member("analyst", (team, Role.ANALYST, False))
    trusted = _member("trusted", (team, Role.ANALYST, True))
    researcher = _member("researcher", (team, Role.RESEARCHER, False))
    assert _shown(NAMED, person, analyst) == pseudonymous(person) != "Dmitri Tian"
    assert _shown(NAMED, person, trusted) == _shown(NAMED, person, researcher) == "Dmitri Tian"
    assert viewer_for(analyst).hidden == {team.pk} and not viewer_for(researcher).hidden


def test_a_member_of_two_teams_sees_names_only_in_the_team_that_allows_it():
    named_team, hidden_team = Team.objects.create(name="A"), Team.objects.create(name="B")
    here = factories.person("Dmitri Tian", team=named_team)
    there = factories.person("Oleg Evloev", team=hidden_team)
    user = _member("both", (named_team, Role.RESEARCHER, False), (hidden_team, Role.ANALYST, False))
    viewer = viewer_for(user)
    assert name_of(here, viewer) == "Dmitri Tian"
    assert name_of(there, viewer) == pseudonymous(there)
    assert _shown(NAMED, there, user) == pseudonymous(there)


def test_a_template_that_prints_a_person_without_the_filter_names_no_one():
    team = Team.objects.create(name="A")
    person = factories.person("Dmitri Tian", team=team)
    researcher = _member("researcher", (team, Role.RESEARCHER, False))
    for user in (researcher, factories.superuser()):
        assert _shown(BARE, person, user) == pseudonymous(person)
        assert "Dmitri Tian" not in str(person)


def test_a_forms_choices_name_people_as_the_viewer_may_see_them():
    team = Team.objects.create(name="A")
    judge = factories.person("Aigul Bekova", team=team)
    researcher = _member("researcher", (team, Role.RESEARCHER, False))
    analyst = _member("analyst", (team, Role.ANALYST, False))

    def choices(user: object) -> list[str]:
        form = HearingForm(instance=Hearing(team=team), viewer=viewer_for(user), team_id=team.pk)
        return [str(label) for value, label in form.fields["judge"].choices if value]

    assert choices(researcher) == ["Aigul Bekova"]
    assert choices(analyst) == [pseudonymous(judge)]


def test_a_record_that_names_another_names_it_as_the_viewer_may_see_it():
    team = Team.objects.create(name="A")
    person = factories.person("Dmitri Tian", team=team)
    custody = factories.custody(person, team=team)
    transfer = Transfer.objects.create(team=team, custody=custody, to_place=factories.place("SIZO-1 (test)", team=team))
    researcher = _member("researcher", (team, Role.RESEARCHER, False))
    analyst = _member("analyst", (team, Role.ANALYST, False))
    for record in (custody, transfer):  # the person named directly, and through the custody
        assert "Dmitri Tian" in name_of(record, viewer_for(researcher))
        shown = name_of(record, viewer_for(analyst))
        assert pseudonymous(person) in shown and "Dmitri Tian" not in shown
