"""Writes of the audit trail, and its verification."""

from __future__ import annotations

import datetime as dt
import functools
import hashlib
import hmac
import json
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from django.db import models, transaction
from django.db.models.functions import Cast
from django.utils import timezone

from habeas.accounts.backends import WINDOW
from habeas.accounts.checkpoint import (
    Checkpoint,
    CheckpointError,
    checkpoint_after_commit,
    checkpoint_path,
    checkpoint_read,
)
from habeas.accounts.models import AuditEvent, AuditHead, LoginFailure, Membership, Role, Team
from habeas.core.crypto import KeyringError, head_signature, unseal

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
        head.signature = head_signature(head.seq, head.hash)
        head.save()
        # the checkpoint outside the database, once the event is committed (nothing if it is rolled back)
        transaction.on_commit(functools.partial(checkpoint_after_commit, event.seq), robust=True)
    return event


def audit_search(*, actor: Any, where: str, query: str, **details: Any) -> AuditEvent:
    """A look-up by name (a search box, a filter, an autocomplete): a read event saying where, with the words
    looked for only in the event's encrypted details (as the search page records them), never in clear."""
    return audit_record(
        action="read",
        actor=actor,
        target_type="search",
        summary="search",
        details={"query": query, "where": where, **details},
    )


def login_failure_record(
    *,
    username: str,
    address: str,
    reason: str,
    actor: Any = None,
    refused: bool = False,
    summary: str = "",
    details: dict[str, Any] | None = None,
) -> AuditEvent:
    """A failed login (``reason``: a wrong password, a wrong code) or one refused because it came too soon
    after failures (``refused``): an audit event against the account, and, unless refused, one more failure
    for the lock-out to count by account and by (keyed) source address."""

    with transaction.atomic():
        now = timezone.now()
        if not refused:
            LoginFailure.objects.filter(at__lt=now - WINDOW).delete()  # counted no more
            LoginFailure.objects.create(at=now, account=username[:150], address=address)
        return audit_record(
            action="login_failed",
            actor=actor,
            target_type="auth.user",  # the account, in clear, as the lock-out counts it
            target_id=username[:64],
            summary=summary or (f"login refused: {reason}" if refused else f"failed login: {reason}"),
            details={"username": username, "reason": reason, "refused": refused, "address": address, **(details or {})},
            now=now,
        )


def _actor_label(actor: Any) -> str:
    if actor is None or not getattr(actor, "is_authenticated", False):
        return "system" if actor is None else "anonymous"
    return str(actor.get_username())


@dataclass(frozen=True)
class ChainReport:
    events: int
    broken: str | None  # the first broken link, in words; None when the chain is intact
    checkpoint: int | None = None  # the event the checkpoint file records, when intact

    @property
    def intact(self) -> bool:
        return self.broken is None


def audit_verify(*, checkpoint: Checkpoint | None = None) -> ChainReport:
    """Walk the chain in order and name the first event that was altered, removed or moved; then check that
    the head row and the checkpoint file agree with where the chain ends (events cut off the end, the whole
    trail deleted, an older head put back, a checkpoint forged or deleted). ``checkpoint``: compare with this
    one rather than the file's (a restore, before its own checkpoint is written)."""
    expected_prev, expected_seq, count = GENESIS, 1, 0
    hashes: dict[int, str] = {}  # the hash of the event the checkpoint names
    try:  # read before the walk: a checkpoint never names an event the walk does not reach
        kept: Checkpoint | CheckpointError | None = checkpoint or checkpoint_read()
    except CheckpointError as exc:
        kept = exc
    wanted = kept.seq if isinstance(kept, Checkpoint) else None
    for event in _events():
        count += 1
        sealed_summary, sealed_details = event.sealed_summary, event.sealed_details  # type: ignore[attr-defined]
        try:
            summary = unseal(sealed_summary, what=f"the summary of audit event #{event.seq}")
            details = json.loads(unseal(sealed_details, what=f"the details of audit event #{event.seq}"))
        except KeyringError as exc:
            return ChainReport(count, f"event #{event.seq} cannot be read: {exc}")
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
            summary=summary,
            details=details,
            prev_hash=event.prev_hash,
        )
        if recomputed != event.hash:
            return ChainReport(count, f"event #{event.seq} was altered after it was recorded")
        expected_prev, expected_seq = event.hash, event.seq + 1
        if event.seq == wanted:
            hashes[event.seq] = event.hash
    end = expected_seq - 1
    head = AuditHead.objects.filter(pk=1).first()
    if head is None:
        if count:
            return ChainReport(count, "the head of the chain is missing")
    elif not hmac.compare_digest(head.signature, head_signature(head.seq, head.hash)):
        return ChainReport(
            count,
            "the head of the chain was altered (its signature does not match): the last events may have been removed",
        )
    elif (head.seq, head.hash) != (end, expected_prev):
        return ChainReport(
            count, f"the chain ends at event #{end} but #{head.seq} were recorded: the last events were removed"
        )
    return _checkpoint_compare(count, kept, end=end, hashes=hashes)


def _checkpoint_compare(
    count: int, checkpoint: Checkpoint | CheckpointError | None, *, end: int, hashes: dict[int, str]
) -> ChainReport:
    """Compare the intact chain, which ends at event ``end``, with the checkpoint kept outside the database."""
    if isinstance(checkpoint, CheckpointError):
        return ChainReport(count, str(checkpoint))
    if checkpoint is None:
        if count:
            return ChainReport(
                count,
                f"the checkpoint file {checkpoint_path()} is missing, but the trail holds {count:,} events: it was "
                "deleted or moved (an instance upgraded from a version without checkpoints writes it with its next "
                "event)",
            )
        return ChainReport(0, None)
    if checkpoint.seq > end:
        if end == 0:
            return ChainReport(
                count,
                f"the trail was emptied: the checkpoint records {checkpoint.seq:,} events, and none is left "
                "(the events and the head of the chain were deleted)",
            )
        # the head row agrees with the chain (checked above): an older head was put back with the events cut
        return ChainReport(
            count,
            "the trail was truncated and an older head of the chain put back (replayed): the last events were "
            f"removed (the checkpoint records event #{checkpoint.seq}, the trail and its head end at #{end})",
        )
    if checkpoint.seq and hashes.get(checkpoint.seq) != checkpoint.hash:
        return ChainReport(
            count,
            f"event #{checkpoint.seq} is not the one the checkpoint records: the trail was rewritten up to it",
        )
    return ChainReport(count, None, checkpoint.seq)


def _events() -> Iterator[AuditEvent]:
    """The events in order, with their summary and details as stored (sealed), so that one that cannot be
    opened is named rather than stopping the walk."""
    return (
        AuditEvent.objects.order_by("seq", "pk")
        .defer("summary", "details")
        .annotate(
            sealed_summary=Cast("summary", output_field=models.TextField()),
            sealed_details=Cast("details", output_field=models.TextField()),
        )
        .iterator(chunk_size=5000)
    )


# Permissions: who is in which team with which role, and who may use the admin at all. Every change is one
# audit event of action "permission" naming the user, the team and the old and new role (or flags).


def _permission_details(membership: Membership, *, old_role: str | None, new_role: str | None) -> dict[str, Any]:
    return {
        "user": membership.user.get_username(),
        "user_id": membership.user_id,
        "team": membership.team.name,
        "team_id": membership.team_id,
        "old_role": old_role,
        "new_role": new_role,
    }


def _role_label(role: str | None) -> str:
    return str(Role(role).label) if role else "no role"


def membership_grant(*, team: Team, user: Any, role: str, actor: Any, identities: bool = False) -> Membership:
    """Make ``user`` a member of ``team`` with ``role`` (an analyst sees identities only when granted them)."""
    with transaction.atomic():
        membership = Membership(team=team, user=user, role=role, identities=identities)
        membership.full_clean()
        membership.save()
        details = _permission_details(membership, old_role=None, new_role=role)
        audit_record(
            action="permission",
            actor=actor,
            target=membership,
            summary=f"{user.get_username()} made {_role_label(role)} in {team.name}",
            details={**details, "identities": {"old": None, "new": identities}},
        )
    return membership


def membership_change(*, membership: Membership, role: str, actor: Any, identities: bool | None = None) -> Membership:
    """Give a member another role in their team, or grant or withdraw identities (``None``: as they are).
    Nothing happens (and nothing is recorded) when nothing changes."""
    with transaction.atomic():
        old_role, old_identities = (
            Membership.objects.select_for_update().values_list("role", "identities").get(pk=membership.pk)
        )
        new_identities = old_identities if identities is None else identities
        membership.role, membership.identities = role, new_identities
        if (old_role, old_identities) == (role, new_identities):
            return membership
        membership.full_clean()
        membership.save(update_fields=["role", "identities"])
        changed = [f"from {_role_label(old_role)} to {_role_label(role)}"] if old_role != role else []
        if old_identities != new_identities:
            changed.append("granted identities" if new_identities else "identities withdrawn")
        audit_record(
            action="permission",
            actor=actor,
            target=membership,
            summary=f"{membership.user.get_username()} {', '.join(changed)} in {membership.team.name}",
            details={
                **_permission_details(membership, old_role=old_role, new_role=role),
                "identities": {"old": old_identities, "new": new_identities},
            },
        )
    return membership


def membership_revoke(*, membership: Membership, actor: Any) -> None:
    """Take a user out of a team."""
    with transaction.atomic():
        old_role = Membership.objects.select_for_update().values_list("role", flat=True).get(pk=membership.pk)
        target_id = str(membership.pk)
        details = _permission_details(membership, old_role=old_role, new_role=None)
        membership.delete()
        audit_record(
            action="permission",
            actor=actor,
            target_type=Membership._meta.label_lower,
            target_id=target_id,
            summary=f"{details['user']} removed from {details['team']} (was {_role_label(old_role)})",
            details=details,
        )


#: the flags of a user account that decide what it may do: superuser (everything), staff (may use the
#: admin), active (may log in at all)
ACCOUNT_FLAGS = ("is_superuser", "is_staff", "is_active")


def user_access_change(
    *,
    user: Any,
    actor: Any,
    flags: Mapping[str, bool] | None = None,
    groups: Iterable[Any] | None = None,
    permissions: Iterable[Any] | None = None,
) -> AuditEvent | None:
    """Change what an account may do: its flags (``ACCOUNT_FLAGS``), and Django's groups and permissions,
    in one permission event with the old and new value of each change. None when nothing changed."""
    unknown = set(flags or {}) - set(ACCOUNT_FLAGS)
    if unknown:
        raise ValueError(f"not an account flag: {', '.join(sorted(unknown))}")
    with transaction.atomic():
        model = type(user)
        current = model._default_manager.select_for_update().get(pk=user.pk)
        changes: dict[str, dict[str, Any]] = {}
        for name, value in (flags or {}).items():
            if getattr(current, name) != bool(value):
                changes[name] = {"old": getattr(current, name), "new": bool(value)}
            setattr(user, name, bool(value))
        if changes:
            model._default_manager.filter(pk=user.pk).update(**{name: c["new"] for name, c in changes.items()})
        for name, wanted in (("groups", groups), ("user_permissions", permissions)):
            if wanted is None:
                continue
            wanted = list(wanted)
            manager = getattr(user, name)
            old = sorted(str(item) for item in manager.all())
            new = sorted(str(item) for item in wanted)
            if old != new:
                manager.set(wanted)
                changes[name] = {"old": old, "new": new}
        if not changes:
            return None
        words = ", ".join(f"{name} {c['old']} → {c['new']}" for name, c in changes.items())
        return audit_record(
            action="permission",
            actor=actor,
            target=user,
            summary=f"{user.get_username()}: {words}"[:500],
            details={"user": user.get_username(), "user_id": user.pk, "changes": changes},
        )
