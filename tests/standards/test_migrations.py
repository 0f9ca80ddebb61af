"""Migrating a database that holds findings: a summary stored in English before findings kept their wording is
kept, word for word, and is shown as it is until the next check words it anew; going back words each summary
in English."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

BEFORE = [("standards", "0002_protected_fields")]
AFTER = [("standards", "0003_finding_wording")]


@pytest.mark.django_db(transaction=True)
def test_a_summary_stored_before_wording_is_kept():
    executor = MigrationExecutor(connection)
    executor.migrate(BEFORE)
    old = executor.loader.project_state(BEFORE).apps
    content_type = old.get_model("contenttypes", "ContentType").objects.get(app_label="custody", model="notification")
    now = dt.datetime(2013, 1, 1, tzinfo=dt.UTC)
    summary = "Irina Khan learned of the transfer 32 to 91 days after it (November 2010 → January 2011); 100%"
    old.get_model("standards", "Finding").objects.create(
        profile="kz",
        rule="MANDELA-68-NOTIFY-FAMILY",
        rule_version=1,
        content_type=content_type,
        object_id=1,
        status="breach",
        severity=3,
        subject="Dmitri Tian",
        summary=summary,
        standard="Nelson Mandela Rules, rules 68 and 69",
        fingerprint="0" * 64,
        first_found_at=now,
        changed_at=now,
    )
    executor = MigrationExecutor(connection)
    executor.migrate(AFTER)
    with connection.cursor() as cursor:
        cursor.execute("SELECT wording FROM standards_finding")
        (stored,) = cursor.fetchone()
    assert summary not in stored  # still sealed
    executor.loader.build_graph()
    executor.migrate(executor.loader.graph.leaf_nodes())

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
    executor.loader.build_graph()
    executor.migrate(executor.loader.graph.leaf_nodes())


@pytest.mark.django_db(transaction=True)
def test_a_finding_stored_before_keeps_the_team_of_its_record():
    from habeas.accounts.models import Team
    from tests import factories

    team = Team.objects.create(name="Monitors")
    place = factories.place("Arqalyk prison", team=team)
    before = [("standards", "0004_model_names")]
    executor = MigrationExecutor(connection)
    executor.migrate(before)
    old = executor.loader.project_state(before).apps
    content_type = old.get_model("contenttypes", "ContentType").objects.get(app_label="registry", model="place")
    now = dt.datetime(2013, 1, 1, tzinfo=dt.UTC)
    old.get_model("standards", "Finding").objects.create(
        profile="kz",
        rule="MANDELA-83-TWOFOLD-INSPECTION",
        rule_version=1,
        content_type=content_type,
        object_id=place.pk,
        status="breach",
        severity=2,
        subject="Arqalyk prison",
        wording={"m": "no external inspection recorded"},
        standard="Nelson Mandela Rules, rule 83",
        fingerprint="0" * 64,
        first_found_at=now,
        changed_at=now,
    )
    executor.loader.build_graph()
    executor.migrate(executor.loader.graph.leaf_nodes())

    from habeas.standards.models import Finding

    assert Finding.objects.get().team_id == team.pk


@pytest.mark.django_db(transaction=True)
def test_what_was_said_of_a_disability_leaves_the_facts_stored_in_clear():
    before = [("standards", "0005_finding_team")]
    executor = MigrationExecutor(connection)
    executor.migrate(before)
    old = executor.loader.project_state(before).apps
    content_type = old.get_model("contenttypes", "ContentType").objects.get(
        app_label="custody", model="restrictivemeasure"
    )
    now = dt.datetime(2013, 1, 1, tzinfo=dt.UTC)
    old.get_model("standards", "Finding").objects.create(
        profile="kz",
        rule="MANDELA-45-SOLITARY-DISABILITY",
        rule_version=1,
        content_type=content_type,
        object_id=1,
        status="breach",
        severity=4,
        subject="Zhasulan Suleimenov",
        wording={"m": "solitary confinement of a person with a disability"},
        standard="Nelson Mandela Rules, rule 45(2)",
        facts={"disabilities": ["paraplegic; uses a wheelchair"], "exacerbation_risk": None},
        fingerprint="0" * 64,
        first_found_at=now,
        changed_at=now,
    )
    executor.loader.build_graph()
    executor.migrate(executor.loader.graph.leaf_nodes())

    from habeas.standards.models import Finding

    assert Finding.objects.get().facts == {"exacerbation_risk": None}
