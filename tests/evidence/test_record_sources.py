"""Every record's page asks for the source of what it records and where in it: a source of the record's team, or
a new one typed on the spot; the citation is written with the record, and a record without it is refused."""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse

from habeas.accounts.models import AuditEvent, Membership, Role, Team
from habeas.evidence.models import Citation, Source
from habeas.registry.models import Organisation
from tests.conftest import PASSWORD

pytestmark = pytest.mark.django_db

COURT = {"name": "Zhanaozen city court", "kind": "court"}


@pytest.fixture
def member(client):
    team = Team.objects.create(name="A")
    user = get_user_model().objects.create_user("member", "", PASSWORD)
    Membership.objects.create(user=user, team=team, role=Role.RESEARCHER)
    client.force_login(user)
    return user


def test_a_record_without_its_source_and_locator_is_refused_on_those_fields_and_nothing_is_written(client, member):
    response = client.post(reverse("organisation_add"), COURT)
    assert response.status_code == 200
    [sources] = response.context["sources"]
    assert sources.errors == {
        "source": ["Choose the source of this record, or type the title of a new one."],
        "locator": ["Say where in the source: a page, paragraph, address or minute."],
    }
    assert 'value="Zhanaozen city court"' in response.content.decode()
    untitled = client.post(reverse("organisation_add"), {**COURT, "source_title": "Court records", "locator": "p. 2"})
    [sources] = untitled.context["sources"]
    assert sources.errors == {"source_kind": ["Say what kind of source the new one is."]}
    assert not Organisation.objects.exists() and not Source.objects.exists() and not Citation.objects.exists()


def test_a_source_of_the_team_is_cited_with_its_locator_and_shown_on_the_records_page(client, member):
    source = Source.objects.create(
        team=member.memberships.get().team, key="hrw-2013", title="Old Habits", kind="document"
    )
    response = client.post(
        reverse("organisation_add"), {**COURT, "source": str(source.pk), "locator": "p. 43, para. 2"}
    )
    assert response.status_code == 302
    court = Organisation.objects.get()
    [citation] = court.citations.all()
    assert (citation.source, citation.section) == (source, "p. 43, para. 2")
    assert AuditEvent.objects.filter(action="create", target_type="evidence.citation", target_id=str(citation.pk))
    page = client.get(reverse("organisation_change", args=[court.pk]))
    assert "Old Habits — p. 43, para. 2" in page.content.decode()
    # a change of a record that cites a source needs no other
    changed = client.post(reverse("organisation_change", args=[court.pk]), {**COURT, "short_name": "city court"})
    assert changed.status_code == 302 and court.citations.count() == 1


def test_a_new_source_typed_on_the_spot_is_created_in_the_team_and_cited(client, member):
    data = {**COURT, "source_title": "Interview with a lawyer", "source_kind": "interview", "locator": "minute 12"}
    assert client.post(reverse("organisation_add"), data).status_code == 302
    source = Source.objects.get()
    assert (source.title, source.kind, source.team) == (
        "Interview with a lawyer",
        "interview",
        member.memberships.get().team,
    )
    assert "lawyer" not in source.key  # the key, stored in clear, names nothing of the title
    assert Citation.objects.get().record == Organisation.objects.get()


def test_a_source_of_another_team_is_refused_as_a_forged_choice(client, member):
    theirs = Source.objects.create(team=Team.objects.create(name="B"), key="b", title="Team B's notes", kind="document")
    response = client.post(reverse("organisation_add"), {**COURT, "source": str(theirs.pk), "locator": "p. 1"})
    assert response.status_code == 200
    [sources] = response.context["sources"]
    assert list(sources.errors) == ["source"]
    assert "Team B's notes" not in response.content.decode()
    assert not Organisation.objects.exists() and not Citation.objects.exists()
