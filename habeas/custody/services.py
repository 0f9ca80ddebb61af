"""Writes to custody records (episodes, placements, transfers, measures, contacts, notifications…): each
through the shared checks of ``habeas.core.services`` — the writer's team, links within the team, validation,
the audit event — and re-checked against the standards once committed, as every custody record feeds rules."""

from __future__ import annotations

from typing import Any

from django.db import transaction

from habeas.core.services import record_create, record_update
from habeas.custody.models import (
    CustodyEpisode,
    Extension,
    FamilyContact,
    FamilyNews,
    MedicalExamination,
    Notification,
    Placement,
    RestrictiveMeasure,
    Transfer,
)

CustodyRecord = (
    CustodyEpisode
    | Placement
    | Transfer
    | RestrictiveMeasure
    | Extension
    | FamilyContact
    | FamilyNews
    | Notification
    | MedicalExamination
)


@transaction.atomic
def custody_record_create(*, record: CustodyRecord, user: Any, parent: Any = None) -> CustodyRecord:
    """Store a new custody record (``parent``: the record on whose page it was added, whose team it joins)."""
    record_create(record=record, user=user, parent=parent, recheck=True)
    return record


@transaction.atomic
def custody_record_update(
    *, record: CustodyRecord, user: Any, parent: Any = None, changes: dict[str, Any] | None = None
) -> CustodyRecord:
    """Store a change of a custody record; ``changes`` (old and new values) go into its audit event."""
    record_update(record=record, user=user, parent=parent, changes=changes, recheck=True)
    return record
