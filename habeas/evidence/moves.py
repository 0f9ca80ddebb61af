"""A move of records between teams, as the sources they cite see it (registered with
``habeas.accounts.records.plan_moves``): a source cited only by moving records goes with them, and a move that
would leave a record citing another team's source, or a source cited by a record of another team, is refused
with the citations named."""

from __future__ import annotations

from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.utils.translation import gettext as _

from habeas.accounts.records import Moving, records_moving
from habeas.evidence.models import Citation, Source


def sources_planned(moving: Moving, left: set[int], team_id: int) -> tuple[Moving, list[str]]:
    """What moves once the sources go along, and the citations that would cross teams."""
    moving = _with_sources(moving, left)
    return moving, _citations_crossing(moving, team_id)


def _cited(moving: Moving) -> models.QuerySet[Citation]:
    """The citations of the moving records (those citing them, and those citing the moving sources)."""
    by_type: dict[Any, list[Any]] = {}
    for record in moving.values():
        by_type.setdefault(ContentType.objects.get_for_model(record).pk, []).append(record.pk)
    on_records = models.Q(pk__in=[])
    for content_type, pks in by_type.items():
        on_records |= models.Q(content_type_id=content_type, object_id__in=pks)
    sources = [record.pk for record in moving.values() if isinstance(record, Source)]
    return Citation.objects.filter(on_records | models.Q(source__in=sources)).select_related("content_type", "source")


def _citation_key(citation: Citation) -> tuple[str, Any]:
    return (f"{citation.content_type.app_label}.{citation.content_type.model}", citation.object_id)


def _with_sources(moving: Moving, teams: set[int]) -> Moving:
    """``moving`` with the sources of ``teams`` (those the records leave) its records cite and nothing else
    cites: a testimony goes with the case it is the testimony of. A source cited by records that stay too
    stays (``_citations_crossing`` says so)."""
    while True:
        citations = list(_cited(moving))
        cited_by: dict[Source, set[tuple[str, Any]]] = {}
        for citation in Citation.objects.filter(source__in={c.source_id for c in citations}).select_related(
            "content_type", "source"
        ):
            cited_by.setdefault(citation.source, set()).add(_citation_key(citation))
        along = [
            source
            for source, keys in cited_by.items()
            if source.team_id in teams and ("evidence.source", source.pk) not in moving and keys <= moving.keys()
        ]
        if not along:
            return moving
        moving = records_moving([*moving.values(), *along])


def _citations_crossing(moving: Moving, team_id: int) -> list[str]:
    """The citations that would join a record and a source of different teams after the move: a moving record
    citing a source that stays in another team, or a moving source cited by a record that stays (either team
    would then read the other's source or record)."""
    problems = []
    for citation in _cited(moving):
        record_moves = _citation_key(citation) in moving
        source_moves = ("evidence.source", citation.source_id) in moving
        source_team = team_id if source_moves else citation.source.team_id
        if record_moves and source_team != team_id:
            problems.append(
                _("%(kind)s %(record)s cites the source “%(source)s” of another team")
                % {"kind": citation.content_type.name, "record": citation.object_id, "source": citation.source.key}
            )
        elif source_moves and not record_moves:
            problems.append(
                _("the source “%(source)s” is cited by %(kind)s %(record)s, which stays")
                % {"kind": citation.content_type.name, "record": citation.object_id, "source": citation.source.key}
            )
    return problems
