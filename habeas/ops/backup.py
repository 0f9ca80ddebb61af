"""Backup and restore: an encrypted, integrity-checked logical archive of the database and the stored documents.

The archive is a logical dump, not a copy of a database file, so that it restores into SQLite or PostgreSQL
alike. It holds every row of every table (through the ORM, in dependency order), protected fields as their
plain values, and the plain content of every stored document. A restore seals them again under the key file of
the restoring instance, so that a key rotation never makes an old backup unreadable — and so the archive must
be protected on its own: it is encrypted with a passphrase.

Sessions are not kept (they are log-ins to the old instance; everyone logs in again).

Layout of the archive file::

    header   magic "HABEASBK", format version, scrypt parameters (log2 N, r, p), salt, passphrase check
    chunks   AES-256-GCM, each of CHUNK bytes of plaintext (the last one shorter, possibly empty) and its tag;
             the nonce holds the chunk's index and whether it is the last one, and the header is the
             associated data of every chunk, so that a flipped byte, a reordered or dropped chunk and a cut-off
             end are all detected

The plaintext is a sequence of frames, each a kind byte (``T`` rows of a table, ``D`` a document, ``M`` the
manifest), a JSON header and a body: a table's rows come in frames of at most ``ROWS_PER_FRAME`` rows (a JSON
list of rows, each a list of field values), a document's body is its content, and the manifest comes last: the
format version, when and by which Habeas version the archive was made, the row count and SHA-256 of every table
and the SHA-256 and size of every document.
"""

from __future__ import annotations

import base64
import datetime as dt
import decimal
import functools
import getpass
import hashlib
import hmac
import importlib.metadata
import json
import os
import secrets
import sqlite3
import struct
import uuid
from collections import defaultdict
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from types import SimpleNamespace
from typing import IO, Any

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.scrypt import Scrypt
from django.apps import apps
from django.contrib.auth.models import Permission
from django.contrib.contenttypes.models import ContentType
from django.core.management.color import no_style
from django.db import DEFAULT_DB_ALIAS, connection, connections, models, transaction
from django.db.migrations.recorder import MigrationRecorder
from django.utils import timezone
from django.utils.duration import duration_iso_string

from habeas.accounts.checkpoint import Checkpoint, CheckpointError, checkpoint_read, checkpoint_write
from habeas.accounts.models import AuditEvent, AuditHead
from habeas.accounts.services import audit_record, audit_verify
from habeas.core.crypto import head_signature
from habeas.core.errors import CommandError
from habeas.core.fields import EncryptedJSONField, NameDigestsField
from habeas.evidence.models import Document
from habeas.evidence.services import DocumentError, document_content, document_path, document_store
from habeas.reports.search import search_reindex

FORMAT_VERSION = 1
MAGIC = b"HABEASBK"
CHUNK = 1024 * 1024  # plaintext bytes per encrypted chunk
TAG = 16
ROWS_PER_FRAME = 2000
MIN_PASSPHRASE = 12
# scrypt: 2**17 × 8 × 128 bytes = 128 MiB of memory, under a second; an archive may say less, never more than
# the limits, so that a damaged header cannot make a restore allocate gigabytes
SCRYPT_LOG2_N, SCRYPT_R, SCRYPT_P = 17, 8, 1
SCRYPT_LIMITS = (20, 16, 4)
_HEAD = struct.Struct(">8sBBBB16s")  # magic, version, log2 N, r, p, salt
HEADER_SIZE = _HEAD.size + 32  # and the passphrase check

#: tables left out of the archive, and why
SKIPPED = {
    "sessions.session": "log-ins to the old instance; everyone logs in again after a restore",
    "django_tasks_db.dbtaskresult": "the task queue: a restored instance starts with nothing queued (the jobs, "
    "with how each ended, are kept)",
    "reports.searchentry": "the search index: keyed hashes under the old key file; the restore rebuilds it",
}
#: tables the migrations fill in every new instance: content types and permissions are matched by their natural
#: keys (app label and model; content type and code name) rather than by id; the rest are replaced by the
#: archive's rows
MIGRATION_DATA = ("contenttypes.contenttype", "auth.permission", "cases.method", "standards.ratification")

Progress = Callable[[str], None]


class BackupError(CommandError):
    """An archive that cannot be written or restored; the message says why. Nothing was changed."""


# ------------------------------------------------------------------------------------------------ the models


def _models() -> list[type[models.Model]]:
    """Every table of the instance, in an order where a row comes after the rows it refers to (as far as
    cycles allow): content types and permissions first."""
    found = [
        m
        for m in apps.get_models(include_auto_created=True)
        if m._meta.managed and not m._meta.proxy and not m._meta.swapped and m._meta.label_lower not in SKIPPED
    ]
    by_label = {m._meta.label_lower: m for m in found}
    depends: dict[str, set[str]] = {}
    for model in found:
        targets = set()
        for f in model._meta.concrete_fields:
            related: Any = f.remote_field.model if f.remote_field is not None else None
            if related is not None and not isinstance(related, str):
                target = related._meta.concrete_model._meta.label_lower
                if target in by_label and target != model._meta.label_lower:
                    targets.add(target)
        depends[model._meta.label_lower] = targets
    order: list[str] = list(MIGRATION_DATA[:2])
    remaining = sorted(set(by_label) - set(order))
    while remaining:
        ready = [label for label in remaining if depends[label] <= set(order)] or remaining[:1]  # a cycle
        order += ready
        remaining = [label for label in remaining if label not in ready]
    return [by_label[label] for label in order if label in by_label]


def _fields(model: type[models.Model]) -> list[models.Field[Any, Any]]:
    """The fields whose values the archive holds: the keyed hashes of names are left out (they depend on the
    key file, and a restore computes them again)."""
    return [
        f
        for f in model._meta.concrete_fields
        if not isinstance(f, NameDigestsField) and not getattr(f, "generated", False)
    ]


def _encode(value: Any) -> Any:
    """A field value as JSON (JSON fields' values are JSON already)."""
    if isinstance(value, dt.datetime | dt.date | dt.time):
        return value.isoformat()
    if isinstance(value, decimal.Decimal | uuid.UUID):
        return str(value)
    if isinstance(value, dt.timedelta):
        return duration_iso_string(value)
    if isinstance(value, bytes | memoryview):
        return base64.b64encode(bytes(value)).decode("ascii")
    return value


def _decode(f: models.Field[Any, Any], value: Any) -> Any:
    if value is None or isinstance(f, models.JSONField | EncryptedJSONField):
        return value
    return f.to_python(value)


# ------------------------------------------------------------------------------------------------ encryption


def _derive(passphrase: str, salt: bytes, log2_n: int, r: int, p: int) -> tuple[bytes, bytes]:
    material = Scrypt(salt=salt, length=64, n=2**log2_n, r=r, p=p).derive(passphrase.encode("utf-8"))
    return material[:32], material[32:]


def _nonce(index: int, final: bool) -> bytes:
    return index.to_bytes(11, "big") + (b"\x01" if final else b"\x00")


class _SealedWriter:
    """Encrypts what is written to it, a chunk at a time, into ``out``."""

    def __init__(self, out: IO[bytes], passphrase: str) -> None:
        salt = os.urandom(16)
        key, check_key = _derive(passphrase, salt, SCRYPT_LOG2_N, SCRYPT_R, SCRYPT_P)
        head = _HEAD.pack(MAGIC, FORMAT_VERSION, SCRYPT_LOG2_N, SCRYPT_R, SCRYPT_P, salt)
        self.header = head + hmac.new(check_key, head, hashlib.sha256).digest()
        self.aead = AESGCM(key)
        self.out = out
        self.buffer = bytearray()
        self.index = 0
        out.write(self.header)

    def write(self, data: bytes) -> None:
        self.buffer += data
        while len(self.buffer) > CHUNK:  # the last chunk is written by close(), even when it is full
            self._emit(bytes(self.buffer[:CHUNK]), final=False)
            del self.buffer[:CHUNK]

    def _emit(self, chunk: bytes, *, final: bool) -> None:
        self.out.write(self.aead.encrypt(_nonce(self.index, final), chunk, self.header))
        self.index += 1

    def close(self) -> None:
        self._emit(bytes(self.buffer), final=True)
        self.buffer.clear()


def _open_header(data: bytes, passphrase: str) -> tuple[bytes, AESGCM]:
    if len(data) < HEADER_SIZE or not data.startswith(MAGIC):
        raise BackupError("this file is not a Habeas backup archive")
    _magic, version, log2_n, r, p, salt = _HEAD.unpack(data[: _HEAD.size])
    if version != FORMAT_VERSION:
        raise BackupError(
            f"the archive is in format version {version}, which this Habeas (format {FORMAT_VERSION}) cannot read"
        )
    if not (10 <= log2_n <= SCRYPT_LIMITS[0] and 1 <= r <= SCRYPT_LIMITS[1] and 1 <= p <= SCRYPT_LIMITS[2]):
        raise BackupError("the archive's header was altered or damaged (its key parameters are out of range)")
    key, check_key = _derive(passphrase, salt, log2_n, r, p)
    expected = hmac.new(check_key, data[: _HEAD.size], hashlib.sha256).digest()
    if not hmac.compare_digest(expected, data[_HEAD.size : HEADER_SIZE]):
        raise BackupError(
            "the passphrase does not open this archive (or the archive's header was altered); nothing was restored"
        )
    return data[:HEADER_SIZE], AESGCM(key)


def _plaintext(path: Path, passphrase: str) -> Iterator[bytes]:
    """The decrypted chunks of an archive, each checked before it is given out."""
    try:
        archive = path.open("rb")
    except OSError as exc:
        raise BackupError(f"cannot read the archive {path}: {exc.strerror}") from None
    with archive:
        header, aead = _open_header(archive.read(HEADER_SIZE), passphrase)
        index, block = 0, archive.read(CHUNK + TAG)
        while True:
            following = archive.read(CHUNK + TAG)
            final = not following
            start = HEADER_SIZE + index * (CHUNK + TAG)
            try:
                if len(block) < TAG:
                    raise InvalidTag
                yield aead.decrypt(_nonce(index, final), block, header)
            except InvalidTag:
                raise BackupError(
                    f"the archive was altered or damaged at chunk {index} (bytes {start:,} to "
                    f"{start + len(block):,}), or cut short there; nothing was restored"
                ) from None
            if final:
                return
            index, block = index + 1, following


class _Reader:
    """Reads exact numbers of bytes from the decrypted chunks."""

    def __init__(self, chunks: Iterator[bytes]) -> None:
        self.chunks = chunks
        self.buffer = bytearray()
        self.done = False

    def read(self, size: int) -> bytes:
        while len(self.buffer) < size and not self.done:
            try:
                self.buffer += next(self.chunks)
            except StopIteration:
                self.done = True
        if len(self.buffer) < size:
            raise BackupError("the archive ends in the middle of its content: it is incomplete")
        out = bytes(self.buffer[:size])
        del self.buffer[:size]
        return out

    def at_end(self) -> bool:
        while not self.buffer and not self.done:
            try:
                self.buffer += next(self.chunks)
            except StopIteration:
                self.done = True
        return not self.buffer


_FRAME = struct.Struct(">cIQ")  # kind, header length, body length


def _frame(kind: bytes, header: dict[str, Any], body: bytes) -> bytes:
    head = json.dumps(header, ensure_ascii=False).encode("utf-8")
    return _FRAME.pack(kind, len(head), len(body)) + head + body


def _frames(reader: _Reader) -> Iterator[tuple[bytes, dict[str, Any], bytes]]:
    while not reader.at_end():
        kind, head_size, body_size = _FRAME.unpack(reader.read(_FRAME.size))
        header = json.loads(reader.read(head_size))
        yield kind, header, reader.read(body_size)


# ---------------------------------------------------------------------------------------------------- backup


@dataclass
class BackupSummary:
    path: Path
    rows: dict[str, int]
    documents: int
    sha256: str  # of the archive file, as recorded in the audit trail

    @property
    def total_rows(self) -> int:
        return sum(self.rows.values())


def passphrase_check(passphrase: str) -> None:
    if len(passphrase or "") < MIN_PASSPHRASE:
        raise BackupError(
            f"the passphrase must be at least {MIN_PASSPHRASE} characters long (a few words are easier to keep "
            "than a short random one); no archive was written"
        )


def _habeas_version() -> str:
    try:
        return importlib.metadata.version("habeas")
    except importlib.metadata.PackageNotFoundError:
        return "unknown"


def _snapshot_begin() -> None:
    """Make the current transaction one consistent, read-only view of the whole database."""
    if connection.vendor == "postgresql" and connection.in_atomic_block and not connection.savepoint_ids:
        with connection.cursor() as cursor:
            cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")


#: SQLite's online backup copies the database this many pages at a time; between two steps writers go on (one
#: waiting stops the next step from starting, which then waits ``SNAPSHOT_PAUSE`` seconds and tries again)
SNAPSHOT_PAGES = 1024
SNAPSHOT_PAUSE = 0.05
#: a write by another connection makes the copy start again; after this many, the rest is copied in one step
#: (writers wait for it, a few seconds, within SQLite's busy timeout)
SNAPSHOT_RESTARTS = 3


class _Restarted(Exception):
    pass


@contextmanager
def _snapshot() -> Iterator[str]:
    """One consistent, read-only view of the whole database while the archive is written: the alias of the
    connection to read it through.

    PostgreSQL: a repeatable-read transaction, which neither readers nor writers wait for. SQLite: a transaction
    would hold the database's lock for the whole dump (more than a minute for a national database, during
    which every write waits, then fails with "database is locked"); instead SQLite's online backup API copies
    the database in steps to a snapshot beside it (the same encrypted fields, readable by the same user only),
    the archive is read from the snapshot, and the snapshot is deleted."""
    if connection.vendor != "sqlite":
        with transaction.atomic():
            _snapshot_begin()
            yield DEFAULT_DB_ALIAS
        return
    token = secrets.token_hex(8)
    name = str(connection.settings_dict["NAME"])
    snapshot: Path | None = None
    if name == ":memory:" or "mode=memory" in name:  # the test suite's database
        target_name = f"file:habeas-snapshot-{token}?mode=memory&cache=shared"
    else:
        snapshot = Path(name).with_name(f".{Path(name).name}.snapshot-{token}")
        os.close(os.open(snapshot, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))
        target_name = str(snapshot)
    alias = f"backup_snapshot_{token}"
    target = sqlite3.connect(target_name, uri=True)  # kept open: an in-memory snapshot lives while it is
    reader = None
    try:
        connection.ensure_connection()
        _copy(connection.connection, target)
        source = connections[DEFAULT_DB_ALIAS]
        reader = type(source)({**source.settings_dict, "NAME": target_name}, alias)
        connections[alias] = reader
        yield alias
    finally:
        if reader is not None:
            reader.close()
            del connections[alias]
        target.close()
        if snapshot is not None:
            for leftover in (snapshot, snapshot.with_name(snapshot.name + "-journal")):
                leftover.unlink(missing_ok=True)


def _copy(source: sqlite3.Connection, target: sqlite3.Connection) -> None:
    """Copy the SQLite database in steps of ``SNAPSHOT_PAGES`` pages (see ``_snapshot``)."""
    restarts, last = 0, -1

    def progress(status: int, remaining: int, total: int) -> None:
        nonlocal restarts, last
        if remaining > last >= 0:  # another connection wrote: the copy starts again
            restarts += 1
            if restarts > SNAPSHOT_RESTARTS:
                raise _Restarted
        last = remaining

    try:
        source.backup(target, pages=SNAPSHOT_PAGES, progress=progress, sleep=SNAPSHOT_PAUSE)
    except _Restarted:
        source.backup(target, sleep=SNAPSHOT_PAUSE)


def _dump_table(writer: _SealedWriter, model: type[models.Model], using: str) -> tuple[int, str]:
    """Write a table's rows in frames of at most ``ROWS_PER_FRAME`` rows (one empty frame for an empty table).
    Returns the number of rows and the SHA-256 of the frames' bodies."""
    names = [f.attname for f in _fields(model)]
    header = {"model": model._meta.label_lower, "fields": names}
    digest = hashlib.sha256()
    count = 0
    batch: list[list[Any]] = []

    def flush() -> None:
        body = json.dumps(batch, ensure_ascii=False).encode("utf-8")
        digest.update(body)
        writer.write(_frame(b"T", header, body))
        batch.clear()

    for row in model._base_manager.using(using).order_by("pk").values_list(*names).iterator(chunk_size=ROWS_PER_FRAME):
        batch.append([_encode(value) for value in row])
        count += 1
        if len(batch) >= ROWS_PER_FRAME:
            flush()
    if batch or not count:
        flush()
    return count, digest.hexdigest()


def backup_write(*, path: Path, passphrase: str, progress: Progress | None = None, actor: Any = None) -> BackupSummary:
    """Write an archive of every table and every stored document to ``path`` (which must not exist), from one
    consistent snapshot of the database. The backup is an ``export`` event in the audit trail (recorded after
    the snapshot, so not in the archive itself)."""

    say = progress or (lambda text: None)
    passphrase_check(passphrase)
    path = Path(path)
    if path.exists():
        raise BackupError(f"{path} exists already; give the archive a new name (an old backup is never replaced)")
    if not path.parent.is_dir():
        raise BackupError(f"there is no folder {path.parent} to write the archive in")
    temporary = path.with_name(f".{path.name}.{secrets.token_hex(4)}.partial")
    rows: dict[str, int] = {}
    tables: dict[str, dict[str, Any]] = {}
    documents: dict[str, int] = {}
    try:
        checkpoint = checkpoint_read()  # before the snapshot, so that the snapshot holds the event it names
    except CheckpointError as exc:
        raise BackupError(f"{exc}. Run `habeas audit verify`; no archive was written") from None
    try:
        fd = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "wb") as out:
            writer = _SealedWriter(out, passphrase)
            with _snapshot() as using:
                for model in _models():
                    label = model._meta.label_lower
                    count, digest = _dump_table(writer, model, using)
                    rows[label] = count
                    tables[label] = {"table": model._meta.db_table, "rows": count, "sha256": digest}
                    if count:
                        say(f"{model._meta.verbose_name_plural}: {count:,} rows")
                hashes = Document.objects.using(using).order_by("sha256").values_list("sha256", flat=True).distinct()
                for number, sha256 in enumerate(hashes.iterator(), start=1):
                    document = Document.objects.using(using).filter(sha256=sha256).order_by("pk").first()
                    assert document is not None
                    try:
                        content = document_content(document)
                    except DocumentError as exc:
                        raise BackupError(f"{exc}; no archive was written") from None
                    writer.write(_frame(b"D", {"sha256": sha256}, content))
                    documents[sha256] = len(content)
                    if number % 100 == 0:
                        say(f"documents: {number:,}")
                say(f"documents: {len(documents):,} files")
                migrations = defaultdict(list)
                recorded = MigrationRecorder.Migration.objects.using(using).values_list("app", "name")
                for app, name in recorded.order_by("app", "id"):
                    migrations[app].append(name)
            manifest = {
                "format": "habeas-backup",
                "version": FORMAT_VERSION,
                "created_at": timezone.now().isoformat(),
                "habeas_version": _habeas_version(),
                "database": connection.vendor,
                "tables": tables,
                "documents": documents,
                "skipped": SKIPPED,
                "migrations": dict(migrations),
                "audit_checkpoint": {"seq": checkpoint.seq, "hash": checkpoint.hash} if checkpoint else None,
            }
            writer.write(_frame(b"M", {}, json.dumps(manifest, ensure_ascii=False).encode("utf-8")))
            writer.close()
            out.flush()
            os.fsync(out.fileno())
        archive_sha = _file_sha256(temporary)
        with transaction.atomic():
            audit_record(
                action="export",
                actor=actor,
                target_type="backup",
                target_id=archive_sha[:16],
                summary=f"backup of {sum(rows.values()):,} rows and {len(documents):,} documents to {path.name}",
                details={
                    "archive": str(path),
                    "archive_sha256": archive_sha,
                    "rows": rows,
                    "documents": len(documents),
                    "os_user": _os_user(),
                },
            )
            temporary.replace(path)
    finally:
        temporary.unlink(missing_ok=True)
    say(f"Wrote {path}: {sum(rows.values()):,} rows and {len(documents):,} documents.")
    return BackupSummary(path=path, rows=rows, documents=len(documents), sha256=archive_sha)


def _file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as file:
        while block := file.read(CHUNK):
            digest.update(block)
    return digest.hexdigest()


def _os_user() -> str:
    try:
        return getpass.getuser()
    except (KeyError, OSError):
        return "unknown"


# --------------------------------------------------------------------------------------------------- restore


@dataclass
class RestoreSummary:
    rows: dict[str, int]
    documents: int
    created_at: str
    habeas_version: str
    audit_events: int

    @property
    def total_rows(self) -> int:
        return sum(self.rows.values())


def _model_of(label: str, names: list[str], version: str) -> type[models.Model]:
    try:
        model = apps.get_model(label)
    except (LookupError, ValueError):
        raise BackupError(
            f"the archive holds the table {label}, which this instance does not have; restore it with the Habeas "
            f"version that made it ({version}), then upgrade"
        ) from None
    expected = [f.attname for f in _fields(model)]
    if names != expected:
        missing, extra = sorted(set(expected) - set(names)), sorted(set(names) - set(expected))
        raise BackupError(
            f"the table {label} in the archive has other columns than this instance's (missing: "
            f"{', '.join(missing) or 'none'}; unknown: {', '.join(extra) or 'none'}): restore with the Habeas version "
            f"that made it ({version}), then upgrade"
        )
    return model


def _check(path: Path, passphrase: str, say: Progress) -> dict[str, Any]:
    """Read the whole archive once, decrypting and checking every chunk, the tables' and documents' hashes and
    row counts against the manifest, before anything is written."""
    digests: dict[str, Any] = defaultdict(hashlib.sha256)
    counts: dict[str, int] = defaultdict(int)
    documents: dict[str, int] = {}
    columns: dict[str, list[str]] = {}
    manifest: dict[str, Any] | None = None
    for kind, header, body in _frames(_Reader(_plaintext(path, passphrase))):
        if manifest is not None:
            raise BackupError("the archive holds content after its manifest: it was altered")
        if kind == b"T":
            columns[header["model"]] = header["fields"]
            digests[header["model"]].update(body)
            counts[header["model"]] += len(json.loads(body))
        elif kind == b"D":
            if hashlib.sha256(body).hexdigest() != header["sha256"]:
                raise BackupError(f"document {header['sha256']} in the archive does not match its SHA-256")
            documents[header["sha256"]] = len(body)
        elif kind == b"M":
            manifest = json.loads(body)
        else:
            raise BackupError(f"the archive holds a part of unknown kind {kind!r}")
    if manifest is None:
        raise BackupError("the archive has no manifest: it is incomplete")
    if manifest.get("version") != FORMAT_VERSION:
        raise BackupError(f"the archive's manifest is of format version {manifest.get('version')}")
    applied = set(MigrationRecorder.Migration.objects.values_list("app", "name"))
    newer = sorted(
        f"{app}.{name}" for app, names in manifest["migrations"].items() for name in names if (app, name) not in applied
    )
    if newer:
        raise BackupError(
            f"the archive was made by a newer Habeas ({manifest['habeas_version']}): this instance lacks its "
            f"migrations {', '.join(newer[:5])}{' …' if len(newer) > 5 else ''}. Upgrade this instance and run "
            "`habeas manage migrate` first; nothing was restored"
        )
    for label, names in columns.items():
        _model_of(label, names, manifest["habeas_version"])
    tables = manifest["tables"]
    for label, entry in tables.items():
        if counts.get(label, 0) != entry["rows"] or digests[label].hexdigest() != entry["sha256"]:
            raise BackupError(f"the rows of {label} in the archive do not match its manifest")
    if set(counts) - set(tables) or documents != manifest["documents"]:
        raise BackupError("the archive's content does not match its manifest")
    say(
        f"The archive is intact: made {manifest['created_at']} by Habeas {manifest['habeas_version']}, "
        f"{sum(counts.values()):,} rows and {len(documents):,} documents."
    )
    return manifest


def instance_nonempty_table() -> str | None:
    """The first table that holds rows other than those the migrations put in every new instance."""
    for model in _models():
        if model._meta.label_lower not in MIGRATION_DATA and model._base_manager.exists():
            return f"{model._meta.db_table} ({model._meta.verbose_name_plural})"
    return None


class _Restorer:
    def __init__(self, say: Progress) -> None:
        self.say = say
        self.content_types: dict[int, int] = {}
        self.permissions: dict[int, int] = {}
        self.cleared: set[str] = set()
        self.rows: dict[str, int] = defaultdict(int)
        self.written: list[Path] = []

    def table(self, label: str, names: list[str], rows: list[list[Any]], version: str) -> None:
        model = _model_of(label, names, version)
        fields: list[Any] = [model._meta.get_field(name) for name in names]
        values = [[_decode(f, v) for f, v in zip(fields, row, strict=True)] for row in rows]
        self.rows[label] += len(values)
        if label == "contenttypes.contenttype":
            self._content_types(names, values)
            return
        if label == "auth.permission":
            self._permissions(names, values)
            return
        if label in MIGRATION_DATA and label not in self.cleared:
            model._base_manager.all().delete()  # the migrations' rows, replaced by the archive's
            self.cleared.add(label)
        self._insert(model, fields, values)

    def _content_types(self, names: list[str], values: list[list[Any]]) -> None:
        for row in values:
            data = dict(zip(names, row, strict=True))
            local, _ = ContentType.objects.get_or_create(app_label=data["app_label"], model=data["model"])
            self.content_types[data["id"]] = local.pk

    def _permissions(self, names: list[str], values: list[list[Any]]) -> None:
        for row in values:
            data = dict(zip(names, row, strict=True))
            content_type = self._mapped(self.content_types, data["content_type_id"], "content type")
            local, _ = Permission.objects.get_or_create(
                content_type_id=content_type, codename=data["codename"], defaults={"name": data["name"]}
            )
            self.permissions[data["id"]] = local.pk

    @staticmethod
    def _mapped(mapping: dict[int, int], value: Any, what: str) -> int | None:
        if value is None:
            return None
        if value not in mapping:
            raise BackupError(f"the archive refers to {what} #{value}, which it does not hold")
        return mapping[value]

    def _insert(self, model: type[models.Model], fields: list[Any], values: list[list[Any]]) -> None:
        if not values:
            return
        digests = [f for f in model._meta.concrete_fields if isinstance(f, NameDigestsField)]
        columns = [*fields, *digests]
        remaps = []
        for f in fields:
            target = f.remote_field.model if f.remote_field is not None else None
            remaps.append(
                (self.content_types, "content type")
                if target is ContentType
                else (self.permissions, "permission")
                if target is Permission
                else None
            )
        prepared = []
        for row in values:
            row = [
                v if remap is None else self._mapped(remap[0], v, remap[1])
                for v, remap in zip(row, remaps, strict=True)
            ]
            obj = SimpleNamespace(**{f.name: v for f, v in zip(fields, row, strict=True)})
            full = [*row, *(d.compute(obj) for d in digests)]
            prepared.append([f.get_db_prep_save(v, connection) for f, v in zip(columns, full, strict=True)])
        quote = connection.ops.quote_name
        names = ", ".join(quote(f.column) for f in columns)
        sql = f"INSERT INTO {quote(model._meta.db_table)} ({names}) VALUES ({', '.join(['%s'] * len(columns))})"
        with connection.cursor() as cursor:
            cursor.executemany(sql, prepared)

    def document(self, sha256: str, content: bytes) -> None:

        path = document_path(sha256)
        existed = path.exists()
        document_store(content=content, sha256=sha256, replace=True)
        if not existed:
            self.written.append(path)


def backup_restore(
    *, path: Path, passphrase: str, progress: Progress | None = None, actor: Any = None
) -> RestoreSummary:
    """Restore an archive into this instance, which must be empty (migrated, with no rows but those the
    migrations make): every row with its primary key, and every document, sealed again under this instance's
    key file. The archive is read and checked in full before anything is written; the rows go in in one
    transaction, after which the audit trail and the row counts are verified against the manifest. The restore
    is an ``import`` event appended to the restored trail."""

    say = progress or (lambda text: None)
    path = Path(path)
    if not passphrase:
        raise BackupError("give the archive's passphrase; nothing was restored")
    manifest = _check(path, passphrase, say)
    version = manifest["habeas_version"]
    nonempty = instance_nonempty_table()
    if nonempty is not None:
        raise BackupError(
            f"this instance is not empty: the table {nonempty} holds rows. Restore only into a new instance "
            "(migrated, with no records, users or audit events); nothing was restored"
        )
    restorer = _Restorer(say)
    try:
        with transaction.atomic():
            current = None
            for kind, header, body in _frames(_Reader(_plaintext(path, passphrase))):
                if kind == b"T":
                    label = header["model"]
                    if label != current and current is not None and restorer.rows[current]:
                        say(f"{apps.get_model(current)._meta.verbose_name_plural}: {restorer.rows[current]:,} rows")
                    current = label
                    restorer.table(label, header["fields"], json.loads(body), version)
                elif kind == b"D":
                    restorer.document(header["sha256"], body)
                    if len(restorer.written) % 100 == 0:
                        say(f"documents: {len(restorer.written):,}")
            if current is not None and restorer.rows[current]:
                say(f"{apps.get_model(current)._meta.verbose_name_plural}: {restorer.rows[current]:,} rows")
            say(f"documents: {len(manifest['documents']):,} files")
            _reset_sequences()
            for label, entry in manifest["tables"].items():
                if label in MIGRATION_DATA[:2]:
                    continue
                found = apps.get_model(label)._base_manager.count()
                if found != entry["rows"]:
                    raise BackupError(f"{label}: {found:,} rows restored, but the manifest says {entry['rows']:,}")
            search_reindex(progress=say)
            missing = set(Document.objects.values_list("sha256", flat=True)) - set(manifest["documents"])
            if missing:
                raise BackupError(f"the archive lacks the content of {len(missing)} documents, e.g. {min(missing)}")
            # the head was signed with the key file of the instance that made the backup: the archive is
            # authenticated by its passphrase, so this instance signs the head it received with its own key
            for head in AuditHead.objects.filter(pk=1):
                head.signature = head_signature(head.seq, head.hash)
                head.save(update_fields=["signature"])
            report = audit_verify(checkpoint=_checkpoint_restore(manifest.get("audit_checkpoint")))
            if not report.intact:
                raise BackupError(f"the restored audit trail is broken: {report.broken}; nothing was restored")
            audit_record(
                action="import",
                actor=actor,
                target_type="backup",
                target_id=_file_sha256(path)[:16],
                summary=f"restore of the backup made {manifest['created_at']} from {path.name}",
                details={
                    "archive": str(path),
                    "created_at": manifest["created_at"],
                    "habeas_version": version,
                    "rows": {label: entry["rows"] for label, entry in manifest["tables"].items()},
                    "documents": len(manifest["documents"]),
                    "os_user": _os_user(),
                },
            )
    except BaseException:
        for written in restorer.written:
            written.unlink(missing_ok=True)
        raise
    say(f"Restored {sum(restorer.rows.values()):,} rows and {len(manifest['documents']):,} documents.")
    return RestoreSummary(
        rows=dict(restorer.rows),
        documents=len(manifest["documents"]),
        created_at=manifest["created_at"],
        habeas_version=version,
        audit_events=report.events + 1,
    )


def _checkpoint_restore(saved: dict[str, Any] | None) -> Checkpoint:
    """Check the restored trail against the checkpoint the archive was made with, and (once the restore is
    committed) make the restored end this instance's checkpoint, signed with its own key file: the archive
    itself is authenticated by its passphrase, and a new instance's trail starts from the archive's."""
    if saved is not None:
        kept = AuditEvent.objects.filter(seq=saved["seq"]).values_list("hash", flat=True).first()
        if kept != saved["hash"]:
            raise BackupError(
                f"the archive's audit trail does not reach its checkpoint (event #{saved['seq']}): events were "
                "removed before the backup was made; nothing was restored"
            )
    head = AuditHead.objects.filter(pk=1).first()
    restored = Checkpoint(head.seq, head.hash) if head else Checkpoint(0, "0" * 64)
    transaction.on_commit(functools.partial(checkpoint_write, restored, replace=True))
    return restored


def _reset_sequences() -> None:
    """Make the next primary keys follow the restored ones (PostgreSQL; SQLite follows by itself)."""
    statements = connection.ops.sequence_reset_sql(no_style(), _models())
    if statements:
        with connection.cursor() as cursor:
            for sql in statements:
                cursor.execute(sql)
