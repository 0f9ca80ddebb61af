"""The pages that record a case's complaints, investigations, trials and reparations without the admin: each adds
a record (belonging to the record it is added to) and changes it, audited; a choice of another team's record is
refused; read-only members are refused."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest
from django.apps import apps
from django.urls import reverse

from habeas.accounts.models import AuditEvent, Team
from habeas.registry.models import Organisation, Person
from habeas.registry.selectors import persons_named
from tests.factories import CITED

pytestmark = pytest.mark.django_db


@dataclass(frozen=True)
class Kind:
    name: str
    model: str
    parent: str | None
    data: Callable[[], dict[str, str]]
    #: a field choosing a team's record, and the kind of record it chooses
    forged: tuple[str, type] | None


def _tian() -> str:
    return str(persons_named("Dmitri Tian", exact=True).get().pk)


KINDS = [
    Kind(
        "complaint",
        "cases.Complaint",
        "cases.Allegation",
        lambda: {"lodged_on": "12.03.2012", "outcome": "pending"},
        ("lodged_with", Organisation),
    ),
    Kind(
        "investigation",
        "cases.Investigation",
        "cases.Allegation",
        lambda: {"kind": "check", "subject": "the beating on arrest", "opened_on": "March 2012", "outcome": "open"},
        ("body", Organisation),
    ),
    Kind(
        "investigation_step",
        "cases.InvestigationStep",
        "cases.Investigation",
        lambda: {"kind": "forensic", "taken_on": "2012"},
        None,
    ),
    Kind(
        "proceeding",
        "cases.Proceeding",
        None,
        lambda: {"kind": "criminal", "title": "The case of the strikers"},
        ("court", Organisation),
    ),
    Kind(
        "charge",
        "cases.Charge",
        "cases.Proceeding",
        lambda: {"defendant": _tian(), "offence": "mass riots", "qualification": "torture"},
        ("defendant", Person),
    ),
    Kind(
        "hearing",
        "cases.Hearing",
        "cases.Proceeding",
        lambda: {"kind": "trial", "held_at": "16.04.2012 10:00", "detainee_present": "true", "outcome": "adjourned"},
        ("judge", Person),
    ),
    Kind(
        "verdict",
        "cases.Verdict",
        "cases.Proceeding",
        lambda: {"defendant": _tian(), "outcome": "convicted", "decided_on": "about 2012"},
        ("defendant", Person),
    ),
    Kind("sentence", "cases.Sentence", "cases.Verdict", lambda: {"kind": "prison", "months": "60"}, None),
    Kind(
        "reparation",
        "cases.Reparation",
        "cases.Allegation",
        lambda: {"kind": "moral", "status": "unpaid", "beneficiary": _tian(), "ordered_on": "05.2013"},
        ("beneficiary", Person),
    ),
]
IDS = [kind.name for kind in KINDS]


def _add_url(kind: Kind) -> str:
    if kind.parent is None:
        return reverse(f"{kind.name}_add")
    parent = apps.get_model(kind.parent).objects.filter(team__name="A").order_by("pk").first()
    return reverse(f"{kind.name}_add", args=[parent.pk])


def _new(kind: Kind, before: set[Any]) -> Any:
    return apps.get_model(kind.model).objects.exclude(pk__in=before).get()


@pytest.mark.parametrize("kind", KINDS, ids=IDS)
def test_a_member_adds_the_record_and_it_is_audited(client, world, kind):
    client.force_login(world["member"])
    model = apps.get_model(kind.model)
    before = set(model.objects.values_list("pk", flat=True))
    response = client.post(_add_url(kind), {**kind.data(), **CITED})
    assert response.status_code == 302, response.context["form"].errors
    record = _new(kind, before)
    assert record.team == Team.objects.get(name="A")
    assert AuditEvent.objects.filter(
        action="create", target_type=model._meta.label_lower, target_id=str(record.pk), actor=world["member"]
    ).exists()


@pytest.mark.parametrize("kind", KINDS, ids=IDS)
def test_a_member_changes_the_record_and_the_change_is_audited(client, world, kind):
    client.force_login(world["member"])
    model = apps.get_model(kind.model)
    before = set(model.objects.values_list("pk", flat=True))
    client.post(_add_url(kind), {**kind.data(), **CITED})
    record = _new(kind, before)
    response = client.post(reverse(f"{kind.name}_change", args=[record.pk]), {**kind.data(), "notes": "seen again"})
    assert response.status_code == 302, response.context["form"].errors
    record.refresh_from_db()
    assert record.notes == "seen again"
    assert AuditEvent.objects.filter(action="update", target_id=str(record.pk), target_type=model._meta.label_lower)


@pytest.mark.parametrize("kind", [k for k in KINDS if k.forged], ids=[k.name for k in KINDS if k.forged])
def test_a_choice_of_another_teams_record_is_refused(client, world, kind):
    field, chosen = kind.forged
    team_b = Team.objects.get(name="B")
    other = (
        Person.objects.create(team=team_b, label="Team B's person")
        if chosen is Person
        else Organisation.objects.create(team=team_b, name="Team B's court", kind="court")
    )
    client.force_login(world["member"])
    model = apps.get_model(kind.model)
    count = model.objects.count()
    response = client.post(_add_url(kind), {**kind.data(), field: str(other.pk), **CITED})
    assert response.status_code == 200
    assert field in response.context["form"].errors
    assert model.objects.count() == count


@pytest.mark.parametrize("kind", KINDS, ids=IDS)
def test_a_read_only_member_is_refused(client, world, kind):
    client.force_login(world["readonly"])
    model = apps.get_model(kind.model)
    count = model.objects.count()
    assert client.get(_add_url(kind)).status_code == 403
    assert client.post(_add_url(kind), {**kind.data(), **CITED}).status_code == 403
    existing = model.objects.filter(team__name="A").first()
    assert client.get(reverse(f"{kind.name}_change", args=[existing.pk])).status_code == 403
    assert model.objects.count() == count


def test_an_investigation_by_the_accused_agency_is_recorded_with_its_body_and_the_complaint(client, world):
    client.force_login(world["member"])
    allegation = apps.get_model("cases.Allegation").objects.filter(team__name="A", victim__isnull=False).first()
    body = (
        Organisation.objects.filter(team__name="A", kind="service").first()
        or Organisation.objects.filter(team__name="A").first()
    )
    before = set(apps.get_model("cases.Investigation").objects.values_list("pk", flat=True))
    response = client.post(
        reverse("investigation_add", args=[allegation.pk]),
        {
            "kind": "check",
            "subject": "the beating",
            "body": str(body.pk),
            "opened_on": "16.03.2012",
            "outcome": "open",
            **CITED,
        },
    )
    assert response.status_code == 302
    investigation = apps.get_model("cases.Investigation").objects.exclude(pk__in=before).get()
    assert investigation.allegation == allegation and investigation.body == body
    assert response["Location"] == reverse("person_detail", args=[allegation.victim_id])
