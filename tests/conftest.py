"""Fixtures shared by the tests of the pages and of the access rules: the demo records and one user per
persona."""

from __future__ import annotations

import importlib

import pytest
from django.apps import apps
from django.contrib.auth import get_user_model
from django.utils import translation

from habeas.accounts.models import Membership, Role, Team
from habeas.core.dataload import records_load
from habeas.demo import DATA_FILE
from habeas.registry.services import gazetteer_seed

PASSWORD = "a-long-test-password"
PERSONAS = [
    "anonymous",
    "superuser",
    "owner",
    "member",
    "monitor",
    "lawyer",
    "analyst",
    "analyst_named",
    "readonly",
    "outsider",
]
#: personas of team A who may only read its case records
READERS = ("analyst", "analyst_named", "readonly")


def run_worker() -> None:
    """Run what the pages queued, as ``habeas worker`` does, in the test's own transaction. Between tasks the
    worker closes "old" database connections, which inside a test's transaction would close the test's own
    connection (on PostgreSQL: SQLite's in-memory test database is never closed); only that call is left out.
    The browser tests, which commit, run the worker as it is."""
    from unittest import mock

    from django.core.management import call_command

    with mock.patch("django_tasks_db.management.commands.db_worker.close_old_connections"):
        call_command("db_worker", batch=True, interval=0, startup_delay=False, reload=False, verbosity=0)


def seed_methods() -> None:
    """What the data migration of the methods of torture puts in every new database."""
    importlib.import_module("habeas.cases.migrations.0003_methods").add_methods(apps, None)


@pytest.fixture(autouse=True)
def _language_of_the_settings():
    """Each test starts in the settings' language: a page asked for in Russian through the test client leaves
    Russian active in the thread, as a server's next request would not."""
    translation.deactivate()
    yield
    translation.deactivate()


@pytest.fixture(autouse=True)
def _audit_checkpoint_of_the_test(settings, tmp_path_factory):
    """Each test has its own checkpoint file of the audit trail, as each has its own database: a checkpoint
    left by an earlier test would name events this test's trail never had."""
    settings.HABEAS_AUDIT_CHECKPOINT = tmp_path_factory.mktemp("audit") / "audit-checkpoint.json"


@pytest.fixture(autouse=True)
def _data_of_the_migrations(request):
    """A transactional test (browser tests, restores…) flushes the database after it runs, which removes what
    data migrations put there: put it back before each such test, whichever ran before."""
    marker = request.node.get_closest_marker("django_db")
    transactional = marker is not None and (marker.kwargs.get("transaction") or (marker.args and marker.args[0]))
    if transactional or {"transactional_db", "live_server"} & set(request.fixturenames):
        request.getfixturevalue("transactional_db")
        seed_methods()


@pytest.fixture
def world(db):
    """The demo records in team A; a superuser, an owner (administrator), a member (researcher), a monitor, a
    lawyer, an analyst who sees pseudonyms, an analyst granted identities, a read-only member of A, and an
    outsider (a researcher of team B)."""
    gazetteer_seed(country="KZ")
    team_a, team_b = Team.objects.create(name="A"), Team.objects.create(name="B")
    model = get_user_model()
    users = {"superuser": model.objects.create_superuser("superuser", "", PASSWORD)}
    records_load(path=DATA_FILE, user=users["superuser"], team=team_a)  # the file adds a shared locality
    for name, team, role in [
        ("owner", team_a, Role.ADMINISTRATOR),
        ("member", team_a, Role.RESEARCHER),
        ("monitor", team_a, Role.MONITOR),
        ("lawyer", team_a, Role.LAWYER),
        ("analyst", team_a, Role.ANALYST),
        ("analyst_named", team_a, Role.ANALYST),
        ("readonly", team_a, Role.READ_ONLY),
        ("outsider", team_b, Role.RESEARCHER),
    ]:
        users[name] = model.objects.create_user(name, "", PASSWORD, is_staff=True)
        Membership.objects.create(user=users[name], team=team, role=role, identities=name == "analyst_named")
    return users
