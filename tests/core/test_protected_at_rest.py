"""A dump of the PostgreSQL database, taken as a thief with the database password would, shows no protected
name or testimony; neither do the values a query reads without the key file. (The SQLite file: see
tests/cli/test_protected_at_rest.py.)"""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest
from django.db import connection

from habeas.accounts.models import Team
from habeas.accounts.services import audit_record
from habeas.registry.models import Person
from habeas.registry.selectors import persons_named
from habeas.registry.services import gazetteer_seed
from habeas.standards.services import findings_evaluate
from tests.factories import demo_loaded
from tests.protected import leaks, protected_texts

pytestmark = pytest.mark.django_db(transaction=True)  # committed, so that pg_dump's own connection sees it


def pg_dump() -> str:
    found = Path(os.environ.get("HABEAS_PG_BINDIR", "/nonexistent")) / "pg_dump"
    return str(found) if found.exists() else (shutil.which("pg_dump") or pytest.fail("pg_dump not found"))


def test_a_dump_of_the_database_holds_no_protected_name_or_testimony_in_clear():
    if connection.vendor != "postgresql":
        pytest.skip("pg_dump is for PostgreSQL; the SQLite file is checked by tests/cli/test_protected_at_rest.py")
    gazetteer_seed(country="KZ")
    demo_loaded(Team.objects.create(name="A"))
    findings_evaluate(profile_name="kz")
    tian = persons_named("Dmitri Tian", exact=True).get()
    audit_record(  # what the admin records when a protected field changes: its old and new values
        action="update",
        target=tian,
        summary=tian.label,
        details={"changes": {"label": {"old": "Dmitri Tian", "new": "Дмитрий Тян"}}},
    )
    db = connection.settings_dict
    result = subprocess.run(
        [pg_dump(), "-h", db["HOST"], "-p", str(db["PORT"]), "-U", db["USER"], "-d", db["NAME"], "--no-owner"],
        capture_output=True,
        check=True,
        env={**os.environ, "PGPASSWORD": db["PASSWORD"] or ""},
    )
    dump = result.stdout
    assert b"COPY public.registry_person" in dump and b"hb1:" in dump  # the rows are there, sealed
    texts = protected_texts()
    assert {"Dmitri Tian", "Дмитрий Тян", "Roza Tuletaeva"} <= texts
    assert leaks(dump, texts) == []


def test_the_database_cannot_compare_or_sort_a_protected_field():
    """A query that would need the clear text is refused, rather than silently finding nothing."""
    with pytest.raises(Exception, match="cannot be compared in the database"):
        Person.objects.filter(label="Dmitri Tian").exists()
