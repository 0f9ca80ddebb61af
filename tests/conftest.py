"""Fixtures shared by the tests of the pages and of the access rules: the demo records and one user per
persona."""

from __future__ import annotations

import importlib

import pytest
from django.apps import apps
from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import translation

from habeas.accounts.models import Membership, Role, Team
from habeas.demo import DATA_FILE, DEMO_PASSWORD, DEMO_USER
from habeas.ops.dataload import records_load
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


def seed_migration_data() -> None:
    """What the data migrations put in every new database: the methods of torture, and which states are party to
    which treaty (without it no treaty rule applies anywhere)."""
    importlib.import_module("habeas.cases.migrations.0003_methods").add_methods(apps, None)
    importlib.import_module("habeas.standards.migrations.0008_ratification").seed(apps, None)


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
        seed_migration_data()


def world_build() -> None:
    """Put the world in the database: the gazetteer, the demo records of team A, and the personas."""
    gazetteer_seed(country="KZ")
    team_a, team_b = Team.objects.create(name="A"), Team.objects.create(name="B")
    model = get_user_model()
    superuser = model.objects.create_superuser("superuser", "", PASSWORD)
    records_load(path=DATA_FILE, user=superuser, team=team_a)  # the file adds a shared locality
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
        user = model.objects.create_user(name, "", PASSWORD, is_staff=True)
        Membership.objects.create(user=user, team=team, role=role, identities=name == "analyst_named")


def shares_the_world(item: pytest.Item) -> bool:
    """Whether a test reads the world kept open for the tests that share it: it asks for this ``world`` (not a
    module's own fixture of that name) and runs in a transaction that is rolled back (a transactional test
    commits, so builds the world of its own)."""
    info = getattr(item, "_fixtureinfo", None)
    definitions = info.name2fixturedefs.get("world") if info is not None else None
    if not definitions or (definitions[-1].func.__module__, definitions[-1].func.__name__) != (__name__, "world"):
        return False  # no world, or a module's own
    marker = item.get_closest_marker("django_db")
    transactional = marker is not None and bool(
        marker.kwargs.get("transaction") or marker.kwargs.get("reset_sequences") or (marker.args and marker.args[0])
    )
    return not (transactional or {"transactional_db", "live_server"} & set(item.fixturenames))


class SharedWorld:
    """The world, built once in a transaction that stays open while the tests that share it run one after
    another; each test runs in a savepoint inside it, rolled back after the test, as pytest-django does.
    Before any other test the transaction is rolled back, so that test finds the database empty."""

    def __init__(self) -> None:
        self.blocker: object | None = None
        self.atomic: transaction.Atomic | None = None
        self.wanted = False  # whether the test being set up shares the world

    def open(self) -> None:
        if self.atomic is not None or self.blocker is None:
            return
        with self.blocker.unblock():  # type: ignore[attr-defined]
            self.atomic = transaction.atomic()
            self.atomic.__enter__()
            world_build()

    def close(self) -> None:
        if self.atomic is None or self.blocker is None:
            return
        with self.blocker.unblock():  # type: ignore[attr-defined]
            transaction.set_rollback(True)
            self.atomic.__exit__(None, None, None)
        self.atomic = None


SHARED = SharedWorld()


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """The tests that share the world run first, one after another (after pytest-django's own order, which
    runs the tests that roll back before those that commit), so that the world is built once."""
    items.sort(key=lambda item: not shares_the_world(item))


@pytest.hookimpl(tryfirst=True)
def pytest_runtest_setup(item: pytest.Item) -> None:
    SHARED.wanted = shares_the_world(item)
    if not SHARED.wanted:
        SHARED.close()


@pytest.fixture(scope="session")
def _world_database(django_db_setup, django_db_blocker):
    SHARED.blocker = django_db_blocker
    yield
    SHARED.close()


@pytest.fixture(scope="module")
def _world_kept_open(_world_database):
    """Opens the shared world before the test's own transaction begins (a fixture of a wider scope is set up
    before pytest-django's ``db``)."""
    if SHARED.wanted:
        SHARED.open()


@pytest.fixture
def world(_world_kept_open, db):
    """The demo records in team A; a superuser, an owner (administrator), a member (researcher), a monitor, a
    lawyer, an analyst who sees pseudonyms, an analyst granted identities, a read-only member of A, and an
    outsider (a researcher of team B). Built once for the tests that share it (see ``SharedWorld``); a test
    that commits, or one run after the shared world was closed, builds its own. The users are read afresh for
    each test."""
    if SHARED.atomic is None or not SHARED.wanted:
        world_build()
    model = get_user_model()
    users = {user.username: user for user in model.objects.filter(username__in=PERSONAS)}
    return {name: users[name] for name in PERSONAS if name in users}


@pytest.fixture
def demo_user(world):
    """The world with the account that ``habeas demo`` makes: a superuser who administers the records' team
    (for the command line's tests, run in the test's process on the test database)."""
    user = get_user_model().objects.create_superuser(DEMO_USER, "", DEMO_PASSWORD)
    Membership.objects.create(user=user, team=Team.objects.get(name="A"), role=Role.ADMINISTRATOR)
    return user
