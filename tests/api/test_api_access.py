"""Every endpoint of the API as every persona, with their own token: what the pages allow them. A record of
another team does not exist for the outsider (404); read-only members and analysts may not write (403); only
an administrator of the record's team deletes. The endpoints are read from the OpenAPI schema, so a new one
is covered without touching this test."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from habeas.api.main import api
from habeas.api.resources import resources
from tests.api.clients import ApiClient
from tests.conftest import PERSONAS, READERS

pytestmark = pytest.mark.django_db
ADMINISTRATORS = ("superuser", "owner")
AS_OF = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)


def endpoints() -> list[tuple[str, str]]:
    """(method, path) of every operation in the schema."""
    paths = api.get_openapi_schema()["paths"]
    return sorted((method.upper(), path) for path, operations in paths.items() for method in operations)


def _a_record_of_team_a() -> dict[str, Any]:
    """For each resource's path, the first of its records that belongs to team A (none for a kind the demo
    data has no record of)."""
    from habeas.accounts.models import Team

    team_a = Team.objects.get(name="A")
    found = {}
    for resource in resources():
        manager = resource.model._default_manager
        records = manager.filter(**{f"{resource.team}_id": team_a.pk}) if resource.team else manager.none()
        first = records.order_by("pk").first()
        if first is not None:
            found[f"/api/{resource.name}/{{pk}}"] = first.pk
    return found


def _exists(path: str, pk: int) -> bool:
    resource = next(r for r in resources() if path == f"/api/{r.name}/{{pk}}")
    return resource.model._default_manager.filter(pk=pk).exists()


def expected(persona: str, method: str, writable: bool) -> set[int]:
    """The statuses the persona may get for a call on a record of team A. A write has an empty body: a new record
    of a writer (the outsider's goes to team B) is refused for its missing fields (422), or stored when the
    kind of record needs none (a visit: 201); a superuser, who writes in both teams, is asked which (422)."""
    if persona == "anonymous":
        return {401}
    if method == "GET":
        return {200}
    if not writable:
        return {405}
    if method == "POST":
        return {403} if persona in READERS else {422} if persona == "superuser" else {201, 422}
    if persona == "outsider":
        return {404}
    if method == "PATCH":
        return {403} if persona in READERS else {200}
    # DELETE: the administrators delete (or are told which records still point to it)
    return {204, 409} if persona in ADMINISTRATORS else {403}


def decisions() -> dict[str, str]:
    """The path of each decision on a record (a finding's review, a review pair's decision) and its name."""
    return {f"/api/{r.name}/{{pk}}/{r.action.name}": r.action.name for r in resources() if r.action}


def expected_of_decision(persona: str, action: str) -> set[int]:
    """The statuses of an empty decision on a record of team A: for a finding, taking its review back (its
    team's writers); for a review pair, no decision, refused as invalid to those who may decide (the writers
    and the analyst granted identities: the others may not see whether two named rows are one person)."""
    if persona == "anonymous":
        return {401}
    if persona == "outsider":
        return {404}
    if persona in ("readonly", "analyst") or (persona, action) == ("analyst_named", "review"):
        return {403}
    return {200} if action == "review" else {422}


def test_the_api_has_an_endpoint_for_every_operation_of_every_resource():
    writable = sum(resource.writable for resource in resources())
    assert len(endpoints()) == 2 * len(resources()) + 3 * writable + len(decisions())
    assert {"/api/persons/", "/api/citations/{pk}", "/api/findings/", "/api/jobs/{pk}"} <= {p for _, p in endpoints()}


@pytest.mark.parametrize("persona", PERSONAS)
def test_every_endpoint_as_every_persona(world, persona):
    client = ApiClient(None if persona == "anonymous" else world[persona])
    records = _a_record_of_team_a()
    writable = {f"/api/{r.name}/": r.writable for r in resources()} | {
        f"/api/{r.name}/{{pk}}": r.writable for r in resources()
    }
    failures, called = [], 0
    calls = [call for call in endpoints() if call[0] != "DELETE"] + [
        call for call in endpoints() if call[0] == "DELETE"
    ]
    for method, path in calls:  # deletions last: they take other records with them
        if "{pk}" in path and path not in records:
            continue  # no record of this kind in the demo data: the read of a missing one is below
        if method == "DELETE" and not _exists(path, records[path]):
            continue  # deleted with a record deleted before it
        url = path.replace("{pk}", str(records.get(path, "")))
        response = client.call(method, url)
        status = response.status_code
        called += 1
        want = expected(persona, method, writable[path])
        if method == "GET" and "{pk}" in path and persona == "outsider":
            want = {404}
        if status not in want:
            failures.append(f"{method} {url}: {status}, expected {sorted(want)}: {response.content[:300]!r}")
    assert failures == []
    assert called > 150


@pytest.mark.parametrize("persona", ["superuser", "owner", "outsider"])
def test_a_record_that_does_not_exist_answers_404_as_another_teams_would(world, persona):
    client = ApiClient(world[persona])
    for resource in resources():
        assert client.call("GET", f"/api/{resource.name}/987654321").status_code == 404, resource.name


def test_the_outsider_lists_none_of_team_as_records(world):
    client = ApiClient(world["outsider"])
    for resource in resources():
        body = client.call("GET", f"/api/{resource.name}/").json()
        assert (body["count"], body["items"]) == (0, []), resource.name


def test_a_reader_changes_nothing_and_an_administrator_deletes(world):
    from habeas.registry.models import Place

    place = Place.objects.filter(team__name="A").order_by("pk").first()
    readonly = ApiClient(world["readonly"])
    assert readonly.call("PATCH", f"/api/places-of-detention/{place.pk}", {"name": "renamed"}).status_code == 403
    place.refresh_from_db()
    assert place.name != "renamed"
    member = ApiClient(world["member"])
    assert member.call("DELETE", f"/api/places-of-detention/{place.pk}").status_code == 403
    assert Place.objects.filter(pk=place.pk).exists()


def test_every_decision_as_every_persona(world):
    from habeas.accounts.models import Team
    from habeas.standards.services import findings_evaluate
    from tests.counting.pages import build_run

    build_run(Team.objects.get(name="A"), estimate=False)
    findings_evaluate(profile_name="international", codes=["MANDELA-44-PROLONGED-SOLITARY"], now=AS_OF)
    records = _a_record_of_team_a()
    failures = []
    for persona in PERSONAS:
        client = ApiClient(None if persona == "anonymous" else world[persona])
        for path, action in decisions().items():
            record = path.removesuffix(f"/{action}")
            url = path.replace("{pk}", str(records[record]))
            status = client.call("POST", url).status_code
            if status not in expected_of_decision(persona, action):
                failures.append(f"{persona} POST {url}: {status}")
    assert failures == []
