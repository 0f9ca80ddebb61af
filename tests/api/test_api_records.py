"""Reading and writing records through the API: pages of a list, the records changed since a moment, writes
through the write path (validated, audited, a part in its record's team), pseudonyms for an analyst without
identities, and every call of a token audited."""

from __future__ import annotations

import datetime as dt

import pytest

from habeas.accounts.identity import pseudonymous_ref
from habeas.accounts.models import AuditEvent
from habeas.registry.models import Person, PersonName
from tests.api.clients import ApiClient

pytestmark = pytest.mark.django_db


def _tian() -> Person:
    from habeas.registry.selectors import persons_named

    return persons_named("Dmitri Tian", exact=True).get()


def test_a_list_comes_in_pages_that_together_hold_every_visible_record(world):
    client = ApiClient(world["member"])
    first = client.call("GET", "/api/persons/?limit=2").json()
    assert first["count"] == Person.objects.filter(team__name="A").count() > 2
    ids = []
    for offset in range(0, first["count"], 2):
        ids += [item["id"] for item in client.call("GET", f"/api/persons/?limit=2&offset={offset}").json()["items"]]
    assert ids == sorted(Person.objects.filter(team__name="A").values_list("pk", flat=True))


def test_a_list_is_walked_page_after_page_by_the_next_each_page_gives_without_counting(world):
    client = ApiClient(world["member"])
    ids, after, pages = [], 0, 0
    while after is not None:
        body = client.call("GET", f"/api/persons/?limit=2&after={after}").json()
        assert body["count"] is None
        ids += [item["id"] for item in body["items"]]
        after, pages = body["next"], pages + 1
    assert ids == sorted(Person.objects.filter(team__name="A").values_list("pk", flat=True))
    assert pages == len(ids) // 2 + 1


def test_a_list_gives_the_records_changed_since_a_moment(world):
    client = ApiClient(world["member"])
    person = _tian()
    Person.objects.filter(pk=person.pk).update(updated_at=dt.datetime(2030, 1, 1, tzinfo=dt.UTC))
    body = client.call("GET", "/api/persons/?changed_since=2029-12-31T00:00:00Z").json()
    assert [item["id"] for item in body["items"]] == [person.pk]
    assert client.call("GET", "/api/persons/?changed_since=2031-01-01T00:00:00Z").json()["count"] == 0


def test_a_record_created_and_changed_through_the_api_is_validated_and_audited(world):
    client = ApiClient(world["member"])
    refused = client.call("POST", "/api/places-of-detention/", {"name": "", "kind": "prison"})
    assert refused.status_code == 422
    assert "name" in refused.json()["detail"]
    created = client.call("POST", "/api/places-of-detention/", {"name": "Colony 161/2", "kind": "prison"})
    assert created.status_code == 201, created.content
    pk = created.json()["id"]
    assert AuditEvent.objects.filter(action="create", target_id=str(pk), actor=world["member"]).exists()
    changed = client.call("PATCH", f"/api/places-of-detention/{pk}", {"name": "Colony 161/3"})
    assert (changed.status_code, changed.json()["name"]) == (200, "Colony 161/3")
    event = AuditEvent.objects.filter(action="update", target_id=str(pk)).get()
    assert event.details["changes"] == {"name": ["Colony 161/2", "Colony 161/3"]}
    assert changed.json()["team"] == world["member"].memberships.get().team_id


def test_a_part_of_a_record_goes_to_its_records_team_and_only_a_writer_of_it_adds_one(world):
    person = _tian()
    body = {"person": person.pk, "full_name": "Tian Dmitri", "script": "Latn", "kind": "translit"}
    assert ApiClient(world["outsider"]).call("POST", "/api/person-names/", body).status_code == 404
    assert ApiClient(world["readonly"]).call("POST", "/api/person-names/", body).status_code == 403
    created = ApiClient(world["member"]).call("POST", "/api/person-names/", body)
    assert created.status_code == 201, created.content
    assert PersonName.objects.get(pk=created.json()["id"]).person_id == person.pk


def test_an_analyst_without_identities_reads_pseudonyms_and_never_names(world):
    person = _tian()
    analyst = ApiClient(world["analyst"]).call("GET", f"/api/persons/{person.pk}").json()
    assert analyst["display"] == pseudonymous_ref(Person, person.pk)
    assert analyst["label"] is None
    names = ApiClient(world["analyst"]).call("GET", "/api/person-names/?limit=500").json()["items"]
    assert names and all(item["full_name"] is None for item in names)
    listed = ApiClient(world["analyst"]).call("GET", "/api/persons/?limit=500").content.decode()
    assert "Tian" not in listed
    named = ApiClient(world["analyst_named"]).call("GET", f"/api/persons/{person.pk}").json()
    assert "Tian" in named["display"]


def test_every_read_of_a_token_is_an_audit_event_of_its_user(world):
    person = _tian()
    client = ApiClient(world["lawyer"])
    client.call("GET", f"/api/persons/{person.pk}")
    client.call("GET", "/api/persons/?limit=3")
    reads = AuditEvent.objects.filter(action="read", actor=world["lawyer"], target_type="registry.person")
    assert [event.target_id for event in reads.order_by("seq")] == [str(person.pk), ""]
    assert len(reads.order_by("seq").last().details["ids"]) == 3


def test_the_schema_is_openapi_3_1_and_its_documentation_is_served_from_our_own_files(client, world):
    schema = client.get("/api/schema").json()
    assert schema["openapi"] == "3.1.0"
    page = client.get("/api/docs")
    assert page.status_code == 200
    html = page.content.decode()
    assert "/static/ninja/swagger-ui-bundle.js" in html
    assert "cdn" not in html.lower() and "https://" not in html


def test_a_groups_members_are_read_and_written_as_ids_and_only_of_its_own_team(world):
    from habeas.accounts.models import Team
    from habeas.registry.models import Group

    ours = sorted(Person.objects.filter(team__name="A").values_list("pk", flat=True))[:2]
    theirs = Person.objects.create(team=Team.objects.get(name="B"), label="Someone of team B").pk
    member = ApiClient(world["member"])
    created = member.call("POST", "/api/groups/", {"label": "Hunger strikers", "size": 2, "members": [*ours, ours[0]]})
    assert created.status_code == 201, created.content
    assert created.json()["members"] == ours
    pk = created.json()["id"]
    refused = member.call("PATCH", f"/api/groups/{pk}", {"members": [ours[0], theirs]})
    assert refused.status_code == 422
    assert "members" in refused.json()["detail"]
    assert sorted(Group.objects.get(pk=pk).members.values_list("pk", flat=True)) == ours
    assert ApiClient(world["readonly"]).call("PATCH", f"/api/groups/{pk}", {"members": []}).status_code == 403
    changed = member.call("PATCH", f"/api/groups/{pk}", {"members": [ours[1]]})
    assert (changed.status_code, changed.json()["members"]) == (200, [ours[1]])
    event = AuditEvent.objects.filter(action="update", target_id=str(pk)).get()
    assert event.details["changes"] == {"members": [str(ours), str([ours[1]])]}
    listed = member.call("GET", "/api/groups/?limit=1000").json()["items"]
    assert [item["members"] for item in listed if item["id"] == pk] == [[ours[1]]]
