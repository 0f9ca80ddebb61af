"""Migrating a database that holds findings: a summary stored in English before findings kept their wording is
kept, word for word, and is shown as it is until the next check words it anew (going back words each summary
in English); each finding gets the team of its record; what was said of a disability leaves the facts, which
are stored in clear; the findings of a record deleted before findings were retired with it are retired."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

BEFORE = [("standards", "0002_protected_fields")]
AFTER = [("standards", "0003_finding_wording")]


def stored_before(migration: str, model: str, **fields):
    """The database migrated back to just after ``migration``, holding one finding as it was then stored,
    about a record of ``model`` ("app.model")."""
    state = [("standards", migration)]
    executor = MigrationExecutor(connection)
    executor.migrate(state)
    old = executor.loader.project_state(state).apps
    app_label, name = model.split(".")
    now = dt.datetime(2013, 1, 1, tzinfo=dt.UTC)
    content_type = old.get_model("contenttypes", "ContentType").objects.get(app_label=app_label, model=name)
    defaults = dict(profile="kz", rule_version=1, object_id=1, status="breach", severity=3, fingerprint="0" * 64)
    old.get_model("standards", "Finding").objects.create(
        content_type=content_type, first_found_at=now, changed_at=now, **{**defaults, **fields}
    )


def migrate_to_latest():
    executor = MigrationExecutor(connection)
    executor.migrate(executor.loader.graph.leaf_nodes())


@pytest.mark.django_db(transaction=True)
def test_a_summary_stored_before_wording_is_kept():
    summary = "Irina Khan learned of the transfer 32 to 91 days after it (November 2010 → January 2011); 100%"
    stored_before(
        "0002_protected_fields",
        "custody.notification",
        rule="MANDELA-68-NOTIFY-FAMILY",
        subject="Dmitri Tian",
        summary=summary,
        standard="Nelson Mandela Rules, rules 68 and 69",
    )
    executor = MigrationExecutor(connection)
    executor.migrate(AFTER)
    with connection.cursor() as cursor:
        cursor.execute("SELECT wording FROM standards_finding")
        (stored,) = cursor.fetchone()
    assert summary not in stored  # still sealed
    migrate_to_latest()

    from django.utils import translation

    from habeas.standards.models import Finding

    finding = Finding.objects.get()
    assert finding.wording == {"m": summary}
    assert finding.summary == summary
    with translation.override("ru"):
        assert finding.summary_shown() == summary
    finding.wording = {"m": "%(n)s day", "pl": "%(n)s days", "n": 3, "p": {"n": 3}}
    finding.save()

    executor = MigrationExecutor(connection)  # and back: the summary in English, as the wording says it
    executor.migrate(BEFORE)
    old = executor.loader.project_state(BEFORE).apps
    assert old.get_model("standards", "Finding").objects.get().summary == "3 days"
    migrate_to_latest()


@pytest.mark.django_db(transaction=True)
def test_a_finding_stored_before_keeps_the_team_of_its_record():
    from habeas.accounts.models import Team
    from tests import factories

    team = Team.objects.create(name="Monitors")
    place = factories.place("Arqalyk prison", team=team)
    stored_before(
        "0004_model_names",
        "registry.place",
        rule="MANDELA-83-TWOFOLD-INSPECTION",
        object_id=place.pk,
        subject="Arqalyk prison",
        wording={"m": "no external inspection recorded"},
        standard="Nelson Mandela Rules, rule 83",
    )
    migrate_to_latest()

    from habeas.standards.models import Finding

    assert Finding.objects.get().team_id == team.pk


@pytest.mark.django_db(transaction=True)
def test_what_was_said_of_a_disability_leaves_the_facts_stored_in_clear():
    stored_before(
        "0005_finding_team",
        "custody.restrictivemeasure",
        rule="MANDELA-45-SOLITARY-DISABILITY",
        subject="Zhasulan Suleimenov",
        wording={"m": "solitary confinement of a person with a disability"},
        standard="Nelson Mandela Rules, rule 45(2)",
        facts={"disabilities": ["paraplegic; uses a wheelchair"], "exacerbation_risk": None},
    )
    migrate_to_latest()

    from habeas.standards.models import Finding

    assert Finding.objects.get().facts == {"exacerbation_risk": None}


@pytest.mark.django_db(transaction=True)
def test_the_findings_of_a_record_already_deleted_are_retired():
    from habeas.accounts.models import Team
    from tests import factories

    team = Team.objects.create(name="Monitors")
    kept, deleted = factories.place("Arqalyk prison", team=team), factories.place("Zhaugashty colony", team=team)
    for place in (kept, deleted):
        stored_before(
            "0006_findings_facts_without_disability_descriptions",
            "registry.place",
            rule="MANDELA-83-TWOFOLD-INSPECTION",
            object_id=place.pk,
            subject=place.name,
            wording={"m": "no external inspection recorded"},
            standard="Nelson Mandela Rules, rule 83",
            team_id=team.pk,
        )
    with connection.cursor() as cursor:  # deleted as it could be before: its findings left current
        cursor.execute("DELETE FROM registry_place WHERE id = %s", [deleted.pk])
    migrate_to_latest()

    from habeas.standards.models import Finding

    assert dict(Finding.objects.values_list("object_id", "active")) == {kept.pk: True, deleted.pk: False}


@pytest.mark.django_db(transaction=True)
def test_findings_stored_before_one_finding_per_failure_keep_their_rule_as_their_topic_until_the_next_check():
    from tests import factories

    place = factories.place("Arqalyk prison")
    for rule in ("CAT-14-REDRESS", "IMP-05-REPARATION-UNPAID"):  # two findings on one failure, as stored before
        stored_before(
            "0007_retire_findings_of_deleted_records",
            "registry.place",
            rule=rule,
            object_id=place.pk,
            subject="Arqalyk prison",
            wording={"m": "reparation unpaid"},
            standard=rule,
        )
    migrate_to_latest()

    from habeas.standards.models import Finding

    assert sorted(Finding.objects.values_list("rule", "topic", "standards")) == [
        ("CAT-14-REDRESS", "CAT-14-REDRESS", []),
        ("IMP-05-REPARATION-UNPAID", "IMP-05-REPARATION-UNPAID", []),
    ]
