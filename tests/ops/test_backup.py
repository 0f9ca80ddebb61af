"""Backup and restore: an archive restored into a new instance (with a key file of its own) gives back every
row of every table, every document and the audit trail; a damaged, altered or wrongly-keyed archive is refused
before anything is written; a restore only goes into an empty instance. Runs on SQLite and PostgreSQL alike."""

from __future__ import annotations

import hashlib
import json
import os
import shutil
from pathlib import Path
from typing import Any

import pytest
from django.apps import apps
from django.contrib.auth import get_user_model
from django.contrib.auth.management import create_permissions
from django.contrib.auth.models import Group, Permission
from django.contrib.contenttypes.management import create_contenttypes
from django.contrib.contenttypes.models import ContentType
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.db import models
from django_otp.plugins.otp_totp.models import TOTPDevice

from habeas.accounts.models import AuditEvent, Membership, Role, Team
from habeas.accounts.services import audit_record, audit_verify
from habeas.core import crypto
from habeas.core.fields import NameDigestsField
from habeas.evidence.models import Citation, Document, Source
from habeas.evidence.services import document_add, document_content, document_path, documents_dir
from habeas.ops import backup
from habeas.ops.backup import BackupError, backup_restore, backup_write, instance_nonempty_table
from habeas.ops.keys import keys_usage
from habeas.registry.models import Person
from habeas.registry.selectors import persons_named
from habeas.registry.services import gazetteer_seed
from habeas.standards.models import Finding
from habeas.standards.services import findings_evaluate
from tests.cli.conftest import cli_env, run_habeas
from tests.conftest import seed_migration_data
from tests.evidence.pdfs import make_pdf
from tests.factories import demo_loaded
from tests.protected import leaks, protected_texts

pytestmark = pytest.mark.django_db(transaction=True)  # a restore needs an empty database, so tests flush it

PASSPHRASE = "seven words are easier to keep"
PDF = make_pdf("the statement of Roza Tuletaeva, 2012")  # a real PDF: uploads are parsed
TEXT = "Дмитрий Тян: held in solitary confinement in Kostanai.\n".encode()


@pytest.fixture(autouse=True)
def quick_key_derivation(monkeypatch):
    """scrypt at 2**12 rather than 2**17, so that the many restores of these tests take no time; the
    archive's header says which was used."""
    monkeypatch.setattr(backup, "SCRYPT_LOG2_N", 12)


@pytest.fixture(autouse=True)
def media(settings, tmp_path) -> Path:
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


@pytest.fixture
def key_file(settings, tmp_path) -> Path:
    settings.HABEAS_KEY_FILE = tmp_path / "keys.json"
    crypto.keys_init(settings.HABEAS_KEY_FILE)
    return settings.HABEAS_KEY_FILE


def new_instance(settings, tmp_path: Path) -> Path:
    """Make this database and media folder what a newly migrated instance has, with a key file of its own: no
    documents, no rows but those the migrations make (content types and permissions, numbered differently from
    the archive's, and the methods of torture). Returns the new key file."""
    call_command("flush", interactive=False, verbosity=0)
    shutil.rmtree(documents_dir(), ignore_errors=True)
    ContentType.objects.clear_cache()
    ContentType.objects.all().delete()
    ContentType.objects.clear_cache()
    for config in reversed(list(apps.get_app_configs())):  # another order, so other ids
        create_contenttypes(config, verbosity=0)
        create_permissions(config, verbosity=0)
    seed_migration_data()
    settings.HABEAS_KEY_FILE = tmp_path / "new-instance-keys.json"
    crypto.keys_init(settings.HABEAS_KEY_FILE)
    assert instance_nonempty_table() is None
    return settings.HABEAS_KEY_FILE


def natural(model: type[models.Model], pk: Any) -> Any:
    """A content type or permission by what it names rather than its id, which differs between instances."""
    if pk is None:
        return None
    if model is ContentType:
        return ContentType.objects.filter(pk=pk).values_list("app_label", "model").get()
    permission = Permission.objects.select_related("content_type").get(pk=pk)
    return (permission.content_type.app_label, permission.content_type.model, permission.codename)


def everything() -> dict[str, list[tuple[Any, ...]]]:
    """Every row of every table (but those the archive leaves out: sessions, the task queue, the search index), as
    its field values read through the fields (protected ones in clear), with references to content types and
    permissions by what they name. Keyed hashes of names are left out: they depend on the key file."""
    out: dict[str, list[tuple[Any, ...]]] = {}
    for model in apps.get_models(include_auto_created=True):
        label = model._meta.label_lower
        if label in backup.SKIPPED or not model._meta.managed or model._meta.proxy:
            continue
        fields = [f for f in model._meta.concrete_fields if not isinstance(f, NameDigestsField)]
        rows = []
        for row in model._base_manager.order_by("pk").values_list(*[f.attname for f in fields]):
            values = []
            for f, value in zip(fields, row, strict=True):
                target = f.related_model if f.is_relation else None
                values.append(natural(target, value) if target in (ContentType, Permission) else value)
            if model in (ContentType, Permission):
                values = values[1:]  # without the id
            rows.append(tuple(values))
        out[label] = sorted(rows, key=repr) if model in (ContentType, Permission) else rows
    return out


def documents_by_hash() -> dict[str, bytes]:
    return {d.sha256: document_content(d) for d in Document.objects.all()}


@pytest.fixture
def briefing(key_file, admin_user):
    """The demo's records, their findings under the Kazakh profile, two documents, a user with an
    authenticator, a group and permissions, and a few audit events."""
    gazetteer_seed(country="KZ")
    team = Team.objects.create(name="Kazakhstan 2013")
    demo_loaded(team)
    findings_evaluate(profile_name="kz")
    source = Source.objects.filter(team=team).first() or Source.objects.first()
    assert source is not None
    document_add(source=source, upload=SimpleUploadedFile("Tuletaeva statement.pdf", PDF), user=admin_user)
    document = document_add(source=source, upload=SimpleUploadedFile("Тян.txt", TEXT), user=admin_user)
    researcher = get_user_model().objects.create_user("researcher", password="a-long-test-password")
    Membership.objects.create(user=researcher, team=team, role=Role.RESEARCHER)
    TOTPDevice.objects.create(user=researcher, name="phone", confirmed=True)
    group = Group.objects.create(name="editors")
    group.permissions.set(Permission.objects.filter(codename__in=["change_person", "view_finding"]))
    researcher.groups.add(group)
    researcher.user_permissions.add(Permission.objects.get(codename="add_citation"))
    tian = persons_named("Dmitri Tian", exact=True).get()
    audit_record(action="read", actor=researcher, target=tian, summary=tian.label)
    audit_record(
        action="update", actor=admin_user, target=tian, details={"changes": {"label": {"old": "Tian", "new": "Тян"}}}
    )
    from habeas.evidence.services import document_read

    document_read(document=document, user=researcher)
    assert Citation.objects.exists() and Finding.objects.exists()
    return team


def test_a_restored_archive_gives_back_every_row_every_document_and_the_audit_trail(
    briefing, settings, tmp_path, media
):
    before = everything()
    files_before = documents_by_hash()
    archive = tmp_path / "habeas.backup"
    messages: list[str] = []
    written = backup_write(path=archive, passphrase=PASSPHRASE, progress=messages.append)
    assert written.documents == 2 and written.rows["registry.person"] == len(before["registry.person"])
    assert any(m.startswith("persons: ") for m in messages) and "documents: 2 files" in messages
    export = AuditEvent.objects.order_by("seq").last()
    assert export is not None and export.action == "export" and export.details["archive_sha256"] == written.sha256

    new_key = new_instance(settings, tmp_path)
    restored = backup_restore(path=archive, passphrase=PASSPHRASE, progress=messages.append)

    after = everything()
    assert restored.total_rows == sum(len(rows) for rows in before.values())
    chain_before, chain_after = before.pop("accounts.auditevent"), after.pop("accounts.auditevent")
    before.pop("accounts.audithead"), after.pop("accounts.audithead")
    for label in before:
        assert after[label] == before[label], label
    assert chain_after[: len(chain_before)] == chain_before  # the export came after the snapshot
    assert AuditEvent.objects.order_by("seq").last().action == "import"  # type: ignore[union-attr]
    assert audit_verify().intact and audit_verify().events == len(chain_before) + 1

    assert documents_by_hash() == files_before
    new_kid = crypto.keyring(fresh=True).current
    assert new_key.exists() and set(keys_usage()) == {new_kid}  # sealed again under the new instance's key
    for sha in files_before:
        assert crypto.key_id_of(document_path(sha).read_text()) == new_kid
    assert persons_named("Дмитрий Тян").filter(pk=persons_named("Dmitri Tian", exact=True).get().pk).exists()
    assert Team.objects.create(name="after the restore").pk > briefing.pk  # the sequences follow the restored keys
    highest = max(Person.objects.values_list("pk", flat=True))
    assert Person.objects.create(label="New person").pk > highest


def test_the_archive_holds_no_protected_text_in_clear(briefing, tmp_path):
    archive = tmp_path / "habeas.backup"
    backup_write(path=archive, passphrase=PASSPHRASE)
    blob = archive.read_bytes()
    assert blob.startswith(b"HABEASBK")
    assert leaks(blob, protected_texts() | {TEXT.decode().strip(), "Roza Tuletaeva"}) == []


@pytest.fixture
def small(key_file, admin_user, media):
    """A little data and a document larger than a chunk, so that the archive has several chunks."""
    team = Team.objects.create(name="A")
    Person.objects.create(team=team, label="Dmitri Tian")
    source = Source.objects.create(key="s", title="Statement", kind="document", team=team)
    big = b"\x89PNG\r\n\x1a\n" + os.urandom(backup.CHUNK + backup.CHUNK // 2)
    document_add(source=source, upload=SimpleUploadedFile("big.png", big), user=admin_user)
    return team


def assert_nothing_restored() -> None:
    assert instance_nonempty_table() is None
    assert not documents_dir().exists() or not [p for p in documents_dir().rglob("*") if p.is_file()]


def damaged_copies(archive: bytes) -> dict[str, bytes]:
    """The archive with one byte flipped in each part of it, cut short, with a chunk dropped, and with bytes
    added."""
    size = backup.CHUNK + backup.TAG
    head = backup.HEADER_SIZE
    assert len(archive) > head + size  # more than one chunk
    flips = {
        "magic": 0,
        "version": 8,
        "scrypt N": 9,
        "scrypt r": 10,
        "salt": 20,
        "passphrase check": head - 1,
        "first chunk": head,
        "first chunk's tag": head + size - 1,
        "second chunk": head + size + 5,
        "middle": len(archive) // 2,
        "last byte": len(archive) - 1,
    }
    out = {}
    for name, at in flips.items():
        copy = bytearray(archive)
        copy[at] ^= 0x01
        out[f"a flipped byte in the {name}"] = bytes(copy)
    out["cut by one byte"] = archive[:-1]
    out["cut after the first chunk"] = archive[: head + size]
    out["cut to the header"] = archive[:head]
    out["the first chunk dropped"] = archive[:head] + archive[head + size :]
    out["the chunks swapped"] = archive[:head] + archive[head + size :] + archive[head : head + size]
    out["bytes added"] = archive + b"\x00" * 32
    return out


def test_a_damaged_or_altered_archive_is_refused_and_nothing_is_written(small, settings, tmp_path):
    archive = tmp_path / "habeas.backup"
    backup_write(path=archive, passphrase=PASSPHRASE)
    good = archive.read_bytes()
    new_instance(settings, tmp_path)
    damaged = tmp_path / "damaged.backup"
    for what, content in damaged_copies(good).items():
        damaged.write_bytes(content)
        with pytest.raises(BackupError) as refused:
            backup_restore(path=damaged, passphrase=PASSPHRASE)
        message = str(refused.value)
        assert any(
            reason in message
            for reason in (
                "altered or damaged at chunk",
                "the passphrase does not open this archive (or the archive's header was altered)",
                "not a Habeas backup",
                "format version",
                "header was altered or damaged",
            )
        ), (what, message)
        assert_nothing_restored()
    # and the undamaged archive restores
    backup_restore(path=archive, passphrase=PASSPHRASE)
    assert Person.objects.get().label == "Dmitri Tian"


def test_a_flipped_byte_in_a_chunk_is_located(small, settings, tmp_path):
    archive = tmp_path / "habeas.backup"
    backup_write(path=archive, passphrase=PASSPHRASE)
    content = bytearray(archive.read_bytes())
    content[backup.HEADER_SIZE + backup.CHUNK + backup.TAG + 100] ^= 0x80
    archive.write_bytes(bytes(content))
    new_instance(settings, tmp_path)
    with pytest.raises(BackupError, match=r"the archive was altered or damaged at chunk 1 \(bytes"):
        backup_restore(path=archive, passphrase=PASSPHRASE)


def test_a_wrong_passphrase_is_refused_and_nothing_is_written(small, settings, tmp_path):
    archive = tmp_path / "habeas.backup"
    backup_write(path=archive, passphrase=PASSPHRASE)
    new_instance(settings, tmp_path)
    with pytest.raises(BackupError, match="the passphrase does not open this archive"):
        backup_restore(path=archive, passphrase="seven words are easier to keeP")
    assert_nothing_restored()


def test_a_restore_into_an_instance_with_records_is_refused_naming_a_table(small, tmp_path):
    archive = tmp_path / "habeas.backup"
    backup_write(path=archive, passphrase=PASSPHRASE)
    people = Person.objects.count()
    with pytest.raises(BackupError, match=r"this instance is not empty: the table \w+ .* holds rows"):
        backup_restore(path=archive, passphrase=PASSPHRASE)
    assert Person.objects.count() == people


def test_a_failure_during_the_restore_leaves_nothing_behind(small, settings, tmp_path, monkeypatch):
    archive = tmp_path / "habeas.backup"
    backup_write(path=archive, passphrase=PASSPHRASE)
    new_instance(settings, tmp_path)

    def broken() -> None:
        raise RuntimeError("the disk is full")

    monkeypatch.setattr(backup, "_reset_sequences", broken)
    with pytest.raises(RuntimeError, match="disk is full"):
        backup_restore(path=archive, passphrase=PASSPHRASE)
    assert_nothing_restored()


def test_a_short_passphrase_is_refused_and_no_archive_is_written(small, tmp_path):
    archive = tmp_path / "habeas.backup"
    with pytest.raises(BackupError, match="at least 12 characters"):
        backup_write(path=archive, passphrase="short")
    assert list(tmp_path.glob("*.backup")) == [] and list(tmp_path.glob(".*partial")) == []


def test_an_existing_file_is_never_replaced(small, tmp_path):
    archive = tmp_path / "habeas.backup"
    archive.write_text("an older backup")
    with pytest.raises(BackupError, match="exists already"):
        backup_write(path=archive, passphrase=PASSPHRASE)
    assert archive.read_text() == "an older backup"


def test_an_archive_made_before_a_key_rotation_still_restores(small, settings, tmp_path):
    """The archive holds plain values under its own passphrase, so the keys of the old instance do not matter."""
    from habeas.ops.keys import keys_rotate

    archive = tmp_path / "habeas.backup"
    backup_write(path=archive, passphrase=PASSPHRASE)
    assert keys_rotate(pause=0).retired
    new_instance(settings, tmp_path)
    backup_restore(path=archive, passphrase=PASSPHRASE)
    assert Person.objects.get().label == "Dmitri Tian"


# ------------------------------------------------------------------------------------------ the command line

SUMMARY = """
import hashlib, json
from django.apps import apps
from habeas.evidence.models import Document
from habeas.evidence.services import document_content
counts = {m._meta.label_lower: m._base_manager.count() for m in apps.get_models(include_auto_created=True)}
files = {d.sha256: hashlib.sha256(document_content(d)).hexdigest() for d in Document.objects.all()}
print(json.dumps({"counts": counts, "files": files}))
"""

ADD_DOCUMENT = """
from django.core.files.uploadedfile import SimpleUploadedFile
from habeas.evidence.models import Source
from habeas.evidence.services import document_add
document_add(source=Source.objects.first(), upload=SimpleUploadedFile("Тян.txt", "Дмитрий Тян".encode()), user=None)
"""


def summary(env: dict[str, str], before: str = "") -> dict[str, Any]:
    """The number of rows of every table and the SHA-256 of every document's content (after running ``before``)."""
    result = run_habeas("manage", "shell", "-c", before + SUMMARY, env=env)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1])


def test_the_command_line_backs_up_a_demo_and_restores_it_into_a_new_instance(tmp_path):
    old, new = tmp_path / "old", tmp_path / "new"
    old_env = cli_env(old)
    assert run_habeas("demo", "--no-serve", "--yes", env=old_env).returncode == 0
    old_env = {**old_env, "DATABASE_URL": f"sqlite:///{old / 'demo.sqlite3'}", "HABEAS_DEBUG": "1"}
    original = summary(old_env, ADD_DOCUMENT)
    archive = tmp_path / "habeas.backup"

    refused = run_habeas("backup", str(archive), env=old_env)
    assert refused.returncode == 1 and "HABEAS_BACKUP_PASSPHRASE" in refused.stderr  # no terminal to ask on
    made = run_habeas("backup", str(archive), env={**old_env, "HABEAS_BACKUP_PASSPHRASE": PASSPHRASE})
    assert made.returncode == 0, made.stderr
    assert "persons: " in made.stdout and "documents: 1 files" in made.stdout

    new_env = {**cli_env(new), "DATABASE_URL": f"sqlite:///{new / 'habeas.sqlite3'}", "HABEAS_DEBUG": "1"}
    assert run_habeas("manage", "migrate", "-v0", env=new_env).returncode == 0
    wrong = run_habeas("restore", str(archive), env={**new_env, "HABEAS_BACKUP_PASSPHRASE": "not the passphrase"})
    assert wrong.returncode == 1 and "the passphrase does not open this archive" in wrong.stderr
    restored = run_habeas("restore", str(archive), env={**new_env, "HABEAS_BACKUP_PASSPHRASE": PASSPHRASE})
    assert restored.returncode == 0, restored.stderr
    assert "The archive is intact" in restored.stdout and "is intact." in restored.stdout

    copy = summary(new_env)
    assert copy["files"] == original["files"] and len(copy["files"]) == 1
    for label in ("accounts.auditevent", "accounts.audithead", "contenttypes.contenttype", "auth.permission"):
        original["counts"].pop(label), copy["counts"].pop(label)
    assert copy["counts"] == original["counts"]
    assert "is intact" in run_habeas("audit", "verify", env=new_env).stdout
    assert hashlib.sha256((old / "keys.json").read_bytes()) != hashlib.sha256((new / "keys.json").read_bytes())
