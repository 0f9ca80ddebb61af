"""Writes of the cases app for intimidation and reprisals, courts' handling of torture claims and figures in
aggregate. Each validates with ``full_clean`` (one error per field) and is audited in its transaction."""

from __future__ import annotations

from typing import Any

from habeas.accounts.records import record_create
from habeas.cases.models import AggregateFigure, Intimidation, Proceeding, TortureClaimRuling
from habeas.evidence.models import Source
from habeas.registry.models import Person


def intimidation_record(*, user: Any, target: Person, role: str, kind: str, forum: str, **fields: Any) -> Intimidation:
    """Record intimidation of, or a reprisal against, ``target`` (a complainant, witness, relative …) in connection
    with a complaint to ``forum``; ``fields`` are the model's other fields (who did it, when, the complaint …)."""
    record = Intimidation(target=target, role=role, kind=kind, forum=forum, **fields)
    return record_create(record=record, user=user, parent=target, recheck=True)


def torture_claim_ruling_record(*, user: Any, proceeding: Proceeding, **fields: Any) -> TortureClaimRuling:
    """Record how the court of ``proceeding`` handled a torture claim raised before it."""
    return record_create(
        record=TortureClaimRuling(proceeding=proceeding, **fields), user=user, parent=proceeding, recheck=True
    )


def aggregate_figure_record(*, user: Any, source: Source, measure: str, value: int, **fields: Any) -> AggregateFigure:
    """Record a figure in aggregate as ``source`` states it, for a period and an authority or region."""
    record = AggregateFigure(source=source, measure=measure, value=value, **fields)
    return record_create(record=record, user=user, parent=source, recheck=True)
