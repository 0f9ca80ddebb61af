"""Writes of evidence: the documents of sources, stored encrypted under a path derived from their content.

A document's file lives at ``MEDIA_ROOT/documents/<first two hex digits>/<sha256>``: the path comes from the
SHA-256 of the content alone, never from the name the file was uploaded under, so a name such as
``../../etc/passwd`` cannot place a file anywhere else. The name is kept only as (cleaned, encrypted) metadata.
The file holds the content sealed with AES-256-GCM under the current data key of the key file, with the SHA-256
as associated data, so that the file of one document cannot stand in for another's. Two sources may hold the
same file: they share the stored copy.
"""

from __future__ import annotations

import codecs
import hashlib
import io
import os
import re
import secrets
import unicodedata
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from habeas.accounts import access
from habeas.accounts.records import after_write
from habeas.accounts.services import audit_record
from habeas.accounts.viewer import viewer_for
from habeas.core import crypto
from habeas.evidence.models import Citation, Document, Source

MB = 1024 * 1024
_SHA256_RE = re.compile(r"[0-9a-f]{64}")
_CONTROL_BYTES = bytes(b for b in range(32) if b not in b"\t\n\r\f\v") + b"\x7f"
ALLOWED_TYPES = gettext_noop("a PDF, plain text, PNG or JPEG file")


class DocumentError(Exception):
    """A stored document that cannot be given back as it was uploaded: its file is missing, altered or damaged."""


def documents_dir() -> Path:
    return Path(settings.MEDIA_ROOT) / "documents"


def document_path(sha256: str) -> Path:
    """Where the file of the content with this SHA-256 is stored; nothing else goes into the path."""
    if not _SHA256_RE.fullmatch(sha256):
        raise ValueError(f"{sha256!r} is not a SHA-256 in lower-case hexadecimal")
    return documents_dir() / sha256[:2] / sha256


def _aad(sha256: str) -> bytes:
    return b"habeas document " + sha256.encode("ascii")


def clean_name(name: str) -> str:
    """The last part of an uploaded file's name, without folders (``/`` or ``\\``), NUL, control or direction
    characters, and at most 255 characters: metadata to show, never a path."""
    base = re.split(r"[\\/]", name.replace("\x00", ""))[-1]
    base = "".join(ch for ch in base if unicodedata.category(ch)[0] != "C").strip()
    if base in {".", ".."}:
        base = ""
    return base[:255]


def media_type_of(content: bytes) -> str | None:
    """The type of a file, from its first bytes (not its name): PDF, PNG, JPEG or plain text; None for others.

    Plain text may be in any encoding (UTF-8, UTF-16 with a byte-order mark, or a legacy 8-bit one such as
    Windows-1251), but holds no control characters other than white space."""
    if b"%PDF-" in content[:1024]:
        return Document.MediaType.PDF
    if content.startswith(b"\x89PNG\r\n\x1a\n"):
        return Document.MediaType.PNG
    if content.startswith(b"\xff\xd8\xff"):
        return Document.MediaType.JPEG
    if content.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        try:
            text = content.decode("utf-16")
        except UnicodeDecodeError:
            return None
        return Document.MediaType.TEXT if not any(ch in text for ch in _CONTROL_BYTES.decode("ascii")) else None
    if content and len(content.translate(None, _CONTROL_BYTES)) == len(content):
        return Document.MediaType.TEXT
    return None


@dataclass(frozen=True)
class CheckedUpload:
    content: bytes
    sha256: str
    media_type: str
    name: str
    text: str = ""  # extracted from a PDF (pages separated by form feeds) or a text file


def pdf_text(content: bytes) -> str:
    """The text of a PDF's pages, separated by form feeds; a PDF that cannot be parsed (damaged, truncated,
    protected with a password) is refused with the reason."""
    from pypdf import PdfReader

    def refused(reason: str) -> ValidationError:
        return ValidationError(
            _("the PDF cannot be read: %(reason)s. It was not stored.") % {"reason": reason}, code="pdf"
        )

    try:
        reader = PdfReader(io.BytesIO(content))
        if reader.is_encrypted and not reader.decrypt(""):
            raise refused(_("it is protected with a password; upload a copy without one"))
        pages = [page.extract_text() or "" for page in reader.pages]
    except ValidationError:
        raise
    except Exception as exc:  # pypdf raises many kinds of error on a damaged file
        raise refused(str(exc)[:200] or type(exc).__name__) from None
    return "\f".join(page.replace("\x00", "").replace("\f", " ") for page in pages)


def plain_text(content: bytes) -> str:
    """The text of a plain-text file: UTF-16 with a byte-order mark, UTF-8, else Windows-1251."""
    if content.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return content.decode("utf-16")
    try:
        return content.decode("utf-8-sig")
    except UnicodeDecodeError:
        return content.decode("cp1251", errors="replace")


def text_of(content: bytes, media_type: str) -> str:
    if media_type == Document.MediaType.PDF:
        return pdf_text(content)
    if media_type == Document.MediaType.TEXT:
        return plain_text(content)
    return ""


def document_check(upload: Any) -> CheckedUpload:
    """Read an upload (a Django ``UploadedFile`` or any file object with a ``name``) and refuse, with the reason,
    one that is empty, too large (``HABEAS_MAX_UPLOAD_MB``) or not of an allowed type."""
    limit_mb = int(settings.HABEAS_MAX_UPLOAD_MB)
    limit = limit_mb * MB

    def too_large(size: int) -> ValidationError:
        return ValidationError(
            _(
                "“%(name)s” is %(size)s MB; the largest allowed is %(limit)s MB (HABEAS_MAX_UPLOAD_MB). "
                "It was not stored."
            )
            % {"name": Path(getattr(upload, "name", None) or "?").name, "size": f"{size / MB:,.1f}", "limit": limit_mb},
            code="too_large",
        )

    size = getattr(upload, "size", None)
    if isinstance(size, int) and size > limit:
        raise too_large(size)
    if hasattr(upload, "seek"):
        upload.seek(0)
    content = upload.read(limit + 1)
    if len(content) > limit:
        raise too_large(len(content))
    if not content:
        raise ValidationError(_("the file is empty; it was not stored."), code="empty")
    media_type = media_type_of(content)
    if media_type is None:
        raise ValidationError(
            _("the file is not %(types)s (judged by its content, not its name); it was not stored.")
            % {"types": _(ALLOWED_TYPES)},
            code="type",
        )
    return CheckedUpload(
        content=content,
        sha256=hashlib.sha256(content).hexdigest(),
        media_type=media_type,
        name=clean_name(str(getattr(upload, "name", "") or "")),
        text=text_of(content, media_type),
    )


def file_write(path: Path, data: bytes, *, replace: bool) -> bool:
    """Write a file completely or not at all (a temporary file beside it, moved into place). Without
    ``replace``, an existing file is kept. Returns whether ``path`` was written."""
    path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    temporary = path.with_name(f".{path.name}.{secrets.token_hex(4)}.tmp")
    fd = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        with os.fdopen(fd, "wb") as out:
            out.write(data)
            out.flush()
            os.fsync(out.fileno())
        if replace:
            temporary.replace(path)
            return True
        try:
            os.link(temporary, path)  # fails if the file exists: two uploads of one content keep one copy
        except FileExistsError:
            return False
        return True
    finally:
        temporary.unlink(missing_ok=True)


def document_store(*, content: bytes, sha256: str, replace: bool = False, ring: crypto.Keyring | None = None) -> bool:
    """Seal ``content`` and write it to its path. Returns whether a file was written (False when the same
    content was stored already and ``replace`` is off)."""
    token = crypto.seal_bytes(content, aad=_aad(sha256), ring=ring)
    return file_write(document_path(sha256), token.encode("ascii"), replace=replace)


def document_add(*, source: Source, user: Any, upload: Any = None, checked: CheckedUpload | None = None) -> Document:
    """Store an uploaded file (or one ``document_check`` has read) as a document of ``source``, with its text,
    and index it for search: the file and its record, or neither."""
    if checked is None:
        checked = document_check(upload)
    document = Document(
        source=source,
        sha256=checked.sha256,
        size=len(checked.content),
        media_type=checked.media_type,
        original_name=checked.name,
        text=checked.text,
        uploaded_at=timezone.now(),
        uploaded_by=user if getattr(user, "pk", None) else None,
    )
    document.full_clean()
    path = document_path(checked.sha256)
    written = document_store(content=checked.content, sha256=checked.sha256)
    try:
        with transaction.atomic():
            document.save()
            audit_record(
                action="create",
                actor=user,
                target=document,
                summary=f"document {checked.sha256[:12]} ({checked.media_type}) of source {source.key}",
                details={"source": source.pk, "sha256": checked.sha256, "size": document.size},
            )
            after_write("create", [document])
    except BaseException:
        if written:
            path.unlink(missing_ok=True)
        raise
    return document


def document_content(document: Document) -> bytes:
    """The content of a stored document, checked against its SHA-256; no audit event (for services that record
    their own, such as a backup)."""
    path = document_path(document.sha256)
    what = f"the stored file of document #{document.pk}"
    try:
        token = path.read_bytes().decode("ascii")
    except FileNotFoundError:
        raise DocumentError(f"{what} is missing ({path}); it cannot be read") from None
    except UnicodeDecodeError:
        raise DocumentError(f"{what} was altered or damaged (it is not a sealed file); it was not read") from None
    try:
        content = crypto.open_bytes(token, aad=_aad(document.sha256), what=what)
    except crypto.KeyringError as exc:
        raise DocumentError(f"{what} cannot be opened, so it was not read: {exc}") from None
    if hashlib.sha256(content).hexdigest() != document.sha256:
        raise DocumentError(f"{what} does not match its SHA-256: it was altered; it was not read")
    return content


def document_read(*, document: Document, user: Any) -> bytes:
    """The content of a document, checked against its SHA-256 (an altered file is refused); the read is an
    audit event."""
    content = document_content(document)
    with transaction.atomic():
        audit_record(
            action="read",
            actor=user,
            target=document,
            summary=f"document {document.sha256[:12]} of source #{document.source_id}",
        )
    return content


def document_delete(*, document: Document, user: Any) -> None:
    """Remove a document; its stored file goes once the removal is committed and no other source holds it."""
    sha256 = document.sha256
    with transaction.atomic():
        audit_record(
            action="delete",
            actor=user,
            target=document,
            summary=f"document {sha256[:12]} of source #{document.source_id}",
            details={"sha256": sha256},
        )
        after_write("delete", [document])
        document.delete()

        def remove() -> None:
            if not Document.objects.filter(sha256=sha256).exists():
                document_path(sha256).unlink(missing_ok=True)

        transaction.on_commit(remove)


def source_create(*, user: Any, team_id: int | None, **fields: Any) -> Source:
    """A new source of a team the user may write in (of no team: an administrator of the instance's)."""
    if not access.can_write_in(viewer_for(user), team_id):
        raise PermissionDenied("you may not add sources to this team")
    source = Source(team_id=team_id, **fields)
    source.full_clean()
    with transaction.atomic():
        source.save()
        audit_record(action="create", actor=user, target=source, summary=f"source {source.key}")
    return source


def citation_add(
    *,
    source: Source,
    record: Any,
    user: Any,
    page: str = "",
    section: str = "",
    paragraph: str = "",
    note: str = "",
    field: str = "",
) -> Citation:
    """Cite ``source`` (at a page, section or paragraph, with the quoted passage as its note) for ``record``,
    which the user must be allowed to change."""
    if not access.can_write(viewer_for(user), record):
        raise PermissionDenied("you may not change this record")
    if access.owned(type(record)) and record.team_id != source.team_id:
        raise ValidationError(
            _("This record belongs to another team than the source: cite a source of the record's own team.")
        )
    citation = Citation(
        source=source, record=record, page=page, section=section, paragraph=paragraph, note=note, field=field
    )
    citation.full_clean()
    with transaction.atomic():
        citation.save()
        audit_record(
            action="create",
            actor=user,
            target=citation,
            summary=f"citation of source {source.key} for {record._meta.label_lower} #{record.pk}",
            details={"source": source.pk, "record": f"{record._meta.label_lower}#{record.pk}", "page": page},
        )
    return citation


def documents_reseal(progress: Callable[[str], None] | None = None) -> Counter[str]:
    """Re-encrypt every stored document under the current key (during a key rotation). Returns how many files
    each key seals afterwards; a file that cannot be opened is counted under the key it names, so that the key
    is not retired while it is needed (a missing file is reported and not counted)."""
    say = progress or (lambda text: None)
    ring = crypto.keyring(fresh=True)
    usage: Counter[str] = Counter()
    changed = 0
    hashes = Document.objects.order_by("sha256").values_list("sha256", flat=True).distinct()
    for sha256 in hashes.iterator(chunk_size=2000):
        path = document_path(sha256)
        try:
            token = path.read_bytes().decode("ascii")
        except FileNotFoundError:
            say(f"documents: the file {path} is missing")
            continue
        kid = crypto.key_id_of(token) or "unencrypted"
        if kid == ring.current:
            usage[kid] += 1
            continue
        try:
            content = crypto.open_bytes(token, aad=_aad(sha256), what=f"the stored file {path}", ring=ring)
        except crypto.KeyringError as exc:
            say(f"documents: {exc}")
            usage[kid] += 1
            continue
        if hashlib.sha256(content).hexdigest() != sha256:
            say(f"documents: the file {path} does not match its SHA-256; it was left as it is")
            usage[kid] += 1
            continue
        document_store(content=content, sha256=sha256, replace=True, ring=ring)
        usage[ring.current] += 1
        changed += 1
    say(f"documents: {changed:,} files re-encrypted")
    return usage
