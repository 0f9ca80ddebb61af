"""The audit trail's checkpoint: the number and hash of its last committed event, signed with a key of the key
file, in a file of the data folder (``HABEAS_AUDIT_CHECKPOINT``) — outside the database it protects.

The head row in the database says where the chain ends, but whoever can write to the database can delete the
last events (or all of them) together with the head, or put back an older head row with its valid signature.
The checkpoint, written after each transaction that added events commits, keeps the end they cannot reach:
``audit_verify`` requires the chain to reach the checkpoint's event with the checkpoint's hash.

The file only moves forward: a writer holds a lock beside it, and replaces it (a temporary file renamed over
it) only with a later event, so that two processes committing at once never leave the older end in it. A file
whose signature does not match is never overwritten: it stays as the evidence ``audit verify`` reports.
"""

from __future__ import annotations

import fcntl
import hmac
import json
import logging
import os
import secrets
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings

from habeas.accounts.models import AuditHead
from habeas.core.crypto import checkpoint_signature, head_signature

FORMAT = "habeas-audit-checkpoint-1"
logger = logging.getLogger(__name__)

#: per checkpoint file, the latest event this process wrote to it (so that the events of one transaction cost
#: one write, not one each)
_written: dict[str, int] = {}


class CheckpointError(Exception):
    """The checkpoint file cannot be read, or its signature does not match the key file."""


@dataclass(frozen=True)
class Checkpoint:
    seq: int
    hash: str


def checkpoint_path() -> Path:
    return Path(settings.HABEAS_AUDIT_CHECKPOINT)


def checkpoint_read(path: Path | None = None) -> Checkpoint | None:
    """The checkpoint in the file, None when there is no file; ``CheckpointError`` when it is damaged or
    its signature does not match the key file (it was forged, or made with another key file)."""
    path = path or checkpoint_path()
    try:
        raw = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return None
    except OSError as exc:
        raise CheckpointError(f"the checkpoint file {path} cannot be read: {exc.strerror}") from None
    try:
        data = json.loads(raw)
        seq, head_hash, signature = int(data["seq"]), str(data["hash"]), str(data["signature"])
        if data.get("format") != FORMAT:
            raise ValueError
    except (ValueError, KeyError, TypeError, AttributeError):
        raise CheckpointError(f"the checkpoint file {path} is damaged: it is not a Habeas audit checkpoint") from None
    if not hmac.compare_digest(signature, checkpoint_signature(seq, head_hash)):
        raise CheckpointError(
            f"the checkpoint file {path} is forged: its signature does not match the key file "
            "(it was written by someone without the key file, or with another key file)"
        )
    return Checkpoint(seq, head_hash)


def checkpoint_write(checkpoint: Checkpoint, *, path: Path | None = None, replace: bool = False) -> bool:
    """Write the checkpoint unless the file already holds this event or a later one (or is forged, which
    stays as evidence). ``replace``: write it whatever the file holds (a restore into a new instance, whose
    trail starts again). Whether it was written."""
    path = path or checkpoint_path()
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.with_name(f".{path.name}.lock").open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        try:
            if not replace:
                try:
                    current = checkpoint_read(path)
                except CheckpointError as exc:
                    logger.error("the audit checkpoint was not updated: %s", exc)
                    return False
                if current is not None and current.seq >= checkpoint.seq:
                    return False
            data = {
                "format": FORMAT,
                "seq": checkpoint.seq,
                "hash": checkpoint.hash,
                "signature": checkpoint_signature(checkpoint.seq, checkpoint.hash),
            }
            temporary = path.with_name(f".{path.name}.{secrets.token_hex(4)}")
            fd = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            with os.fdopen(fd, "w", encoding="utf-8") as out:
                json.dump(data, out)
                out.flush()
                os.fsync(out.fileno())
            temporary.replace(path)
            _written[str(path)] = checkpoint.seq
            return True
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)


def checkpoint_after_commit(seq: int) -> None:
    """Run when a transaction that appended event ``seq`` has committed: checkpoint the committed head (the
    latest event of the transaction, or of a later one). A transaction of many events writes the file once."""

    path = checkpoint_path()
    if _written.get(str(path), 0) >= seq:
        return
    head = AuditHead.objects.filter(pk=1).first()
    if head is None or not hmac.compare_digest(head.signature, head_signature(head.seq, head.hash)):
        logger.error("the audit checkpoint was not updated: the head of the chain is missing or altered")
        return
    checkpoint_write(Checkpoint(head.seq, head.hash), path=path)
