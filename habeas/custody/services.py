"""Writes to custody records (episodes, placements, transfers, measures, contacts, notifications, the safeguards
at apprehension, the stages of one custody under their legal bases, a custody that ends in death with each source's
account of the cause): each
through the shared checks of ``habeas.accounts.records`` — the writer's team, links within the team, validation,
the audit event — and re-checked against the standards once committed, as every custody record feeds rules."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import transaction

from habeas.accounts.records import record_change, record_create, record_update
from habeas.core.dates import Precision
from habeas.custody.models import (
    CustodyEpisode,
    CustodyStage,
    Death,
    DeathCause,
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


#: the safeguards at apprehension a source may state
SAFEGUARDS = (
    "registered",
    "reasons_told",
    "reasons_told_at",
    "reasons_told_at_precision",
    "lawyer_requested",
    "lawyer_requested_at",
    "lawyer_requested_at_precision",
    "lawyer_granted",
    "lawyer_granted_at",
    "lawyer_granted_at_precision",
    "doctor_requested",
    "doctor_examined",
    "doctor_examined_at",
    "doctor_examined_at_precision",
)


def safeguards_record(*, user: Any, custody: CustodyEpisode, **values: Any) -> CustodyEpisode:
    """Record what a source states of the safeguards at apprehension (``SAFEGUARDS``)."""
    unknown = sorted(set(values) - set(SAFEGUARDS))
    if unknown:
        raise TypeError(f"not a safeguard: {unknown[0]}")
    return record_change(user=user, record=custody, **values)


def custody_stage_add(
    *,
    user: Any,
    custody: CustodyEpisode,
    basis: str,
    started_at: dt.datetime | None,
    started_at_precision: str = Precision.EXACT,
    ended_at: dt.datetime | None = None,
    ended_at_precision: str = Precision.EXACT,
    legal_provision: str = "",
    ordered_by: Any = None,
) -> CustodyStage:
    stage = CustodyStage(
        custody=custody,
        basis=basis,
        started_at=started_at,
        started_at_precision=started_at_precision,
        ended_at=ended_at,
        ended_at_precision=ended_at_precision,
        legal_provision=legal_provision.strip(),
        ordered_by=ordered_by,
    )
    return record_create(record=stage, user=user, parent=custody, recheck=True)


def death_record(
    *,
    user: Any,
    custody: CustodyEpisode,
    died_at: dt.datetime | None,
    died_at_precision: str = Precision.EXACT,
    place: Any = None,
    locality: Any = None,
    circumstances: str = "",
    investigated: bool | None = None,
    investigation: Any = None,
    autopsy: bool | None = None,
    autopsy_independent: bool | None = None,
) -> Death:
    """Record that a custody ended in death. A death before the apprehension (every moment the dates allow) is
    refused, naming the field; a death dated by day on the day of a timed apprehension is not before it."""
    death = Death(
        custody=custody,
        died_at=died_at,
        died_at_precision=died_at_precision,
        place=place,
        locality=locality,
        circumstances=circumstances.strip(),
        investigated=investigated,
        investigation=investigation,
        autopsy=autopsy,
        autopsy_independent=autopsy_independent,
    )
    return record_create(record=death, user=user, parent=custody, recheck=True)


def death_cause_add(
    *,
    user: Any,
    death: Death,
    source: Any,
    stated_by: str,
    kind: str,
    cause_as_stated: str = "",
    by_authorities: bool = False,
) -> DeathCause:
    """Add one source's account of the cause of a death; accounts are kept side by side, never merged."""
    cause = DeathCause(
        death=death,
        source=source,
        stated_by=stated_by.strip(),
        kind=kind,
        cause_as_stated=cause_as_stated.strip(),
        by_authorities=by_authorities,
    )
    return record_create(record=cause, user=user, parent=death, recheck=True)
