"""The one write path for a record that belongs to another (a death to its custody, a stage to its custody, an
intimidation to the person targeted): the writer must be allowed to change the record it belongs to, the new record
joins that record's team, is validated with ``full_clean`` (one error per field), saved, and audited in the same
transaction."""

from __future__ import annotations

from typing import Any, TypeVar

from django.core.exceptions import PermissionDenied
from django.db import models, transaction

from habeas.accounts.services import audit_record
from habeas.core import access

M = TypeVar("M", bound=models.Model)


def record_add(*, user: Any, record: M, belongs_to: models.Model) -> M:
    """Validate and store ``record``, which belongs to ``belongs_to``; raises ``ValidationError`` naming the fields
    to fix (nothing stored) or ``PermissionDenied``."""
    if not access.can_write(user, belongs_to):
        raise PermissionDenied("the user may not add records here")
    if hasattr(record, "team_id") and record.team_id is None:
        record.team_id = getattr(belongs_to, "team_id", None)
    with transaction.atomic():
        record.full_clean()
        record.save()
        audit_record(action="create", actor=user, target=record, summary=str(record)[:200])
    return record


def record_change(*, user: Any, record: M, **values: Any) -> M:
    """Set some fields of a stored record, validate, save and audit which fields changed; nothing is changed when
    validation fails (the object is restored too)."""
    if not access.can_write(user, record):
        raise PermissionDenied("the user may not change this record")
    before = {name: getattr(record, name) for name in values}
    for name, value in values.items():
        setattr(record, name, value)
    try:
        with transaction.atomic():
            record.full_clean()
            record.save(update_fields=[*values, *(["updated_at"] if hasattr(record, "updated_at") else [])])
            changed = sorted(name for name in values if before[name] != values[name])
            audit_record(
                action="update", actor=user, target=record, summary=str(record)[:200], details={"changed": changed}
            )
    except Exception:
        for name, value in before.items():
            setattr(record, name, value)
        raise
    return record
