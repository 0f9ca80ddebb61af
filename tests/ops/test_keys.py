"""The key file: rotation re-encrypts everything under a new key with nothing lost, even while records are
being written; a wrong or missing key gives a clear error, never garbage."""

from __future__ import annotations

import json

import pytest

from habeas.accounts.models import AuditEvent, Team
from habeas.accounts.services import audit_record, audit_verify
from habeas.cases.models import Statement
from habeas.core import crypto
from habeas.core.fields import protected_fields
from habeas.ops.keys import keys_rotate, keys_usage
from habeas.registry.models import Person, PersonName
from habeas.registry.selectors import persons_named

pytestmark = pytest.mark.django_db


@pytest.fixture
def key_file(settings, tmp_path):
    settings.HABEAS_KEY_FILE = tmp_path / "keys.json"
    crypto.keys_init(settings.HABEAS_KEY_FILE)
    return settings.HABEAS_KEY_FILE


@pytest.fixture
def records(key_file):
    team = Team.objects.create(name="A")
    tian = Person.objects.create(team=team, label="Dmitri Tian", notes="transferred to Kostanai", address="Almaty")
    PersonName.objects.create(person=tian, full_name="Дмитрий Тян", script="Cyrl")
    Statement.objects.create(team=team, person=tian, kind="testimony", text="They beat me at the station.")
    audit_record(action="update", target=tian, summary=tian.label, details={"changes": {"label": {"new": "Tian"}}})
    return tian


def protected_values() -> dict[str, list[object]]:
    """Every protected value of every record, read through the fields."""
    from django.apps import apps

    out = {}
    for model in apps.get_models():
        encrypted, _ = protected_fields(model)
        if encrypted:
            names = [f.name for f in encrypted]
            out[model._meta.label] = sorted(map(repr, model._base_manager.order_by("pk").values_list("pk", *names)))
    return out


def test_rotation_re_encrypts_everything_and_retires_the_old_key(records, key_file, django_capture_on_commit_callbacks):
    old = crypto.keyring(fresh=True).current
    before = protected_values()
    assert set(keys_usage()) == {old}
    with django_capture_on_commit_callbacks(execute=True):  # the audit checkpoint is written on commit
        rotation = keys_rotate(pause=0)
    assert rotation.retired and rotation.old_keys == [old] and rotation.values > 0
    ring = json.loads(key_file.read_text())
    assert list(ring["keys"]) == [rotation.new_key] and ring["current"] == rotation.new_key
    after = protected_values()
    after["accounts.AuditEvent"] = [e for e in after["accounts.AuditEvent"] if "key rotation" not in e]
    assert after == before  # nothing lost or changed
    assert set(keys_usage()) == {rotation.new_key}
    assert persons_named("Тян").get() == records  # the keyed hashes were recomputed under the new key
    assert audit_verify().intact
    assert AuditEvent.objects.filter(action="keys", target_id=rotation.new_key).exists()


def test_a_record_written_during_the_rotation_is_not_lost(records):
    written = []

    def meanwhile(text: str) -> None:
        # a user saves a record as each step is reported: first under the old key (before running processes
        # have seen the new one), then in the middle of the re-encryption
        person = Person.objects.get(pk=records.pk)
        person.notes = f"changed while rotating: {text[:20]}"
        person.save()
        written.append(person.notes)

    rotation = keys_rotate(pause=0, progress=meanwhile)
    assert rotation.retired
    assert Person.objects.get(pk=records.pk).notes == written[-1]
    assert set(keys_usage()) == {rotation.new_key}


def test_a_value_sealed_with_a_key_not_in_the_file_is_refused_with_its_key_id(records, key_file, tmp_path):
    old = crypto.keyring(fresh=True).current
    key_file.unlink()
    crypto.keys_init(key_file)
    crypto.keyring(fresh=True)  # as a running process does within a second
    with pytest.raises(crypto.KeyringError, match=f"encrypted with key {old}, which is not in the key file"):
        Person.objects.get(pk=records.pk)


def test_a_different_key_under_the_same_id_is_refused_not_read_as_garbage(records, key_file):
    data = json.loads(key_file.read_text())
    data["keys"][data["current"]] = crypto._b64(b"\x01" * 32)
    key_file.write_text(json.dumps(data))
    crypto.keyring(fresh=True)
    with pytest.raises(crypto.KeyringError, match=r"does not open .* the key file is not the one"):
        Person.objects.get(pk=records.pk)


def test_a_missing_key_file_says_how_to_make_one(records, key_file):
    key_file.unlink()
    crypto._cache.clear()
    with pytest.raises(crypto.KeyringError, match=r"there is no key file at .*`habeas keys init`"):
        Person.objects.get(pk=records.pk)


def test_an_existing_key_file_is_never_overwritten(key_file):
    before = key_file.read_bytes()
    with pytest.raises(crypto.KeyringError, match="already exists"):
        crypto.keys_init(key_file)
    assert key_file.read_bytes() == before
    assert key_file.stat().st_mode & 0o077 == 0  # readable by its owner only


def test_an_altered_value_is_refused(records):
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT label FROM registry_person WHERE id = %s", [records.pk])
        (sealed,) = cursor.fetchone()
        tampered = sealed[:-6] + ("A" if sealed[-6] != "A" else "B") + sealed[-5:]
        cursor.execute("UPDATE registry_person SET label = %s WHERE id = %s", [tampered, records.pk])
    with pytest.raises(crypto.KeyringError, match="the stored value was altered"):
        Person.objects.get(pk=records.pk)


def test_a_second_rotation_while_one_runs_is_refused(records, key_file):
    from habeas.ops.keys import _rotation_lock

    before = key_file.read_bytes()
    with _rotation_lock(key_file), pytest.raises(crypto.KeyringError, match="another key rotation"):
        keys_rotate(pause=0)
    assert key_file.read_bytes() == before
