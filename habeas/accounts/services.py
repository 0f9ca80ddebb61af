"""Writes of the audit trail, and its verification."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from django.db import models, transaction
from django.utils import timezone

from habeas.accounts.models import AuditEvent, AuditHead

GENESIS = "0" * 64


def _digest(
    *,
    seq: int,
    at: dt.datetime,
    actor_label: str,
    action: str,
    target_type: str,
    target_id: str,
    summary: str,
    details: Any,
    prev_hash: str,
) -> str:
    content = [seq, at.isoformat(), actor_label, action, target_type, target_id, summary, details, prev_hash]
    canonical = json.dumps(content, sort_keys=True, ensure_ascii=False, separators=(",", ":"), default=str)
    return hashlib.sha256(canonical.encode()).hexdigest()


def audit_record(
    *,
    action: str,
    actor: Any = None,
    target: models.Model | None = None,
    target_type: str = "",
    target_id: str = "",
    summary: str = "",
    details: dict[str, Any] | None = None,
    now: dt.datetime | None = None,
) -> AuditEvent:
    """Append an event to the chain, inside the caller's transaction (so the event and the action it records
    are committed, or rolled back, together)."""
    if action not in AuditEvent.Action.values:
        raise ValueError(f"unknown audit action {action!r}")
    with transaction.atomic():
        head, _ = AuditHead.objects.select_for_update().get_or_create(pk=1)
        at = now or timezone.now()
        label = _actor_label(actor)
        if target is not None:
            target_type, target_id = target._meta.label_lower, str(target.pk)
        details = json.loads(json.dumps(details or {}, default=str))  # what the database will give back
        event = AuditEvent(
            seq=head.seq + 1,
            at=at,
            actor=actor if getattr(actor, "pk", None) else None,
            actor_label=label,
            action=action,
            target_type=target_type,
            target_id=target_id,
            summary=summary[:500],
            details=details,
            prev_hash=head.hash,
        )
        event.hash = _digest(
            seq=event.seq,
            at=at,
            actor_label=label,
            action=action,
            target_type=target_type,
            target_id=target_id,
            summary=event.summary,
            details=details,
            prev_hash=head.hash,
        )
        event.save()
        head.seq, head.hash = event.seq, event.hash
        head.save()
    return event


def _actor_label(actor: Any) -> str:
    if actor is None or not getattr(actor, "is_authenticated", False):
        return "system" if actor is None else "anonymous"
    return str(actor.get_username())


@dataclass(frozen=True)
class ChainReport:
    events: int
    broken: str | None  # the first broken link, in words; None when the chain is intact

    @property
    def intact(self) -> bool:
        return self.broken is None


def audit_verify() -> ChainReport:
    """Walk the chain in order and name the first event that was altered, removed or moved."""
    expected_prev, expected_seq, count = GENESIS, 1, 0
    for event in _events():
        count += 1
        if event.seq != expected_seq:
            return ChainReport(count, f"event #{expected_seq} is missing (the next one is #{event.seq})")
        if event.prev_hash != expected_prev:
            return ChainReport(
                count,
                f"event #{event.seq} does not follow event #{event.seq - 1}: "
                "an event before it was altered, removed or moved",
            )
        recomputed = _digest(
            seq=event.seq,
            at=event.at,
            actor_label=event.actor_label,
            action=event.action,
            target_type=event.target_type,
            target_id=event.target_id,
            summary=event.summary,
            details=event.details,
            prev_hash=event.prev_hash,
        )
        if recomputed != event.hash:
            return ChainReport(count, f"event #{event.seq} was altered after it was recorded")
        expected_prev, expected_seq = event.hash, event.seq + 1
    head = AuditHead.objects.filter(pk=1).first()
    if head is not None and (head.seq, head.hash) != (expected_seq - 1, expected_prev):
        return ChainReport(
            count,
            f"the chain ends at event #{expected_seq - 1} but #{head.seq} were recorded: the last events were removed",
        )
    return ChainReport(count, None)


def _events() -> Iterator[AuditEvent]:
    return AuditEvent.objects.order_by("seq", "pk").iterator(chunk_size=5000)
