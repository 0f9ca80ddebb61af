"""One write path: what follows a write is done by the write itself, not by signal receivers. A record's findings
move with it to another team and are retired when it is deleted, with those of the records deleted with it;
each write made from a workplace form is in the audit trail."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.db.models.signals import post_delete, post_save
from django.urls import reverse

from habeas.accounts.models import AuditEvent, Membership, Role, Team
from habeas.custody.models import RestrictiveMeasure
from habeas.evidence.models import Citation, Source
from habeas.monitoring.models import Recommendation, RecommendationStatus, Visit
from habeas.registry.models import Organisation, Person, Place
from habeas.standards.models import Finding
from habeas.standards.services import findings_evaluate
from tests import factories

pytestmark = pytest.mark.django_db
RULE = "MANDELA-44-PROLONGED-SOLITARY"


@pytest.fixture
def held(world):
    """A person of team A held in solitary confinement for two years, with the finding it breeds, and an
    administrator of both teams."""
    a = Team.objects.get(name="A")
    person = factories.person("Aron Atabek", team=a)
    episode = factories.custody(person, team=a)
    measure = factories.saved(
        RestrictiveMeasure(
            custody=episode, kind="solitary", started_on=dt.date(2012, 11, 1), ended_on=dt.date(2014, 11, 1), team=a
        )
    )
    findings_evaluate(profile_name="international", codes=[RULE], now=dt.datetime(2015, 1, 1, tzinfo=dt.UTC))
    Membership.objects.create(user=world["owner"], team=Team.objects.get(name="B"), role=Role.ADMINISTRATOR)
    return person, measure


def finding_of(measure: RestrictiveMeasure) -> Finding:
    return Finding.objects.get(object_id=measure.pk, rule=RULE)


def test_no_receiver_acts_on_the_records_that_have_findings():
    from habeas.standards.gather import SUBJECTS

    for _, models in SUBJECTS.values():
        for model in models:
            assert not post_save.has_listeners(model) and not post_delete.has_listeners(model), model


def test_a_moved_records_findings_move_with_it(world, held):
    from habeas.accounts.records import record_move

    person, measure = held
    assert finding_of(measure).team.name == "A"
    record_move(records=[person], team=Team.objects.get(name="B"), user=world["owner"])
    assert finding_of(measure).team.name == "B"


def test_a_record_deleted_from_the_admin_has_its_findings_retired(client, world, held):
    _, measure = held
    client.force_login(world["owner"])
    response = client.post(reverse("admin:custody_restrictivemeasure_delete", args=[measure.pk]), {"post": "yes"})
    assert response.status_code == 302
    assert not RestrictiveMeasure.objects.filter(pk=measure.pk).exists()
    assert not finding_of(measure).active  # kept, with any review, as a check would keep it


def test_deleting_a_custody_episode_retires_the_findings_of_the_records_deleted_with_it(world, held):
    from habeas.accounts.records import record_delete

    _, measure = held
    record_delete(record=measure.custody, user=world["owner"])
    assert not RestrictiveMeasure.objects.filter(pk=measure.pk).exists()
    assert not finding_of(measure).active


def created_by(user: Any, model: Any, pk: int) -> bool:
    return AuditEvent.objects.filter(
        action="create", actor=user, target_type=model._meta.label_lower, target_id=str(pk)
    ).exists()


def test_a_source_added_from_its_form_is_in_the_audit_trail(client, world):
    client.force_login(world["member"])
    team = Team.objects.get(name="A")
    data = {"key": "hrw-2012", "title": "A report", "kind": "media", "reliability": "medium", "team": team.pk}
    assert client.post(reverse("source_add"), data).status_code == 302
    assert created_by(world["member"], Source, Source.objects.get(key="hrw-2012", team=team).pk)


def test_a_visit_planned_from_its_form_is_in_the_audit_trail(client, world):
    client.force_login(world["member"])
    place = Place.objects.get(team__name="A", name="High-security prison in Arqalyk")
    body = Organisation.objects.get(team__name="A", name="Independent public monitors")
    data = {"place": place.pk, "body": body.pk, "visited_on": "2030-03-01", "announced": "no", "visitors": "Ann"}
    assert client.post(reverse("visit_plan"), data).status_code == 302
    assert created_by(world["member"], Visit, Visit.objects.latest("pk").pk)


def test_a_recommendations_status_recorded_from_its_form_is_in_the_audit_trail(client, world):
    client.force_login(world["member"])
    recommendation = Recommendation.objects.filter(team__name="A").first()
    data = {"status": "accepted", "recorded_on": "2013-06", "response": "We agree"}
    assert client.post(reverse("recommendation_detail", args=[recommendation.pk]), data).status_code == 302
    assert created_by(world["member"], RecommendationStatus, RecommendationStatus.objects.latest("pk").pk)


def test_a_citation_added_from_a_documents_page_is_in_the_audit_trail(client, world, settings, tmp_path):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from habeas.evidence.services import document_add

    settings.MEDIA_ROOT = tmp_path / "media"
    source = Source.objects.filter(team__name="A").first()
    upload = SimpleUploadedFile("b.txt", b"He was moved to Kostanai.")
    document = document_add(source=source, upload=upload, user=world["member"])
    person = Person.objects.filter(team__name="A").first()
    client.force_login(world["member"])
    data = {"page": "4", "record_type": "registry.person", "record_id": person.pk}
    assert client.post(reverse("document_detail", args=[document.pk]), data).status_code == 302
    assert created_by(world["member"], Citation, Citation.objects.latest("pk").pk)
