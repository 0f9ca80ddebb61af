"""Places and organisations are added and changed on pages of the workplace: in the user's team, audited, an
operating authority of another team refused, read-only members refused."""

from __future__ import annotations

import pytest
from django.urls import reverse

from habeas.accounts.models import AuditEvent, Team
from habeas.registry.models import Organisation, Place
from tests.factories import CITED

pytestmark = pytest.mark.django_db


def test_a_member_adds_an_organisation_on_the_spot_and_returns_to_the_page_they_came_from(client, world):
    client.force_login(world["member"])
    response = client.post(
        reverse("organisation_add") + "?next=/visits/new/",
        {"name": "Internal Security Service of the Ministry", "kind": "service", **CITED},
    )
    assert response.status_code == 302 and response["Location"] == "/visits/new/"
    organisation = Organisation.objects.get(name="Internal Security Service of the Ministry")
    assert organisation.team == Team.objects.get(name="A")
    assert AuditEvent.objects.filter(
        action="create", target_type="registry.organisation", target_id=str(organisation.pk)
    )


def test_a_place_is_added_then_changed_and_its_page_shown(client, world):
    client.force_login(world["member"])
    response = client.post(reverse("place_add"), {"name": "Police station no. 2", "kind": "police", **CITED})
    place = Place.objects.get(name="Police station no. 2")
    assert response["Location"] == reverse("place_detail", args=[place.pk])
    client.post(
        reverse("place_change", args=[place.pk]), {"name": "Police station no. 2", "kind": "police", "capacity": "40"}
    )
    place.refresh_from_db()
    assert place.capacity == 40
    assert AuditEvent.objects.filter(action="update", target_type="registry.place", target_id=str(place.pk))


def test_an_authority_of_another_team_is_refused(client, world):
    theirs = Organisation.objects.create(team=Team.objects.get(name="B"), name="Team B's ministry", kind="ministry")
    client.force_login(world["member"])
    response = client.post(
        reverse("place_add"), {"name": "Forged", "kind": "police", "authority": str(theirs.pk), **CITED}
    )
    assert "authority" in response.context["form"].errors
    assert not Place.objects.filter(name="Forged").exists()


def test_a_read_only_member_adds_nothing(client, world):
    client.force_login(world["readonly"])
    assert client.post(reverse("organisation_add"), {"name": "Nope", "kind": "ngo", **CITED}).status_code == 403
    assert not Organisation.objects.filter(name="Nope").exists()


def test_an_unsafe_next_address_is_not_followed(client, world):
    client.force_login(world["member"])
    response = client.post(
        reverse("organisation_add") + "?next=https://evil.example/", {"name": "Safe", "kind": "ngo", **CITED}
    )
    assert response["Location"] == reverse("dashboard")
