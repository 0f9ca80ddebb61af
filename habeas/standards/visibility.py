"""Who sees which findings: the team that holds each record, the current findings a user may see, and the
views of findings (``finding_view``) filtered and pseudonymised for a reader."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import replace
from typing import Any

from django.apps import apps
from django.db.models import QuerySet

from habeas.accounts import access
from habeas.accounts.identity import pseudonymous_ref
from habeas.accounts.viewer import Viewer
from habeas.standards import facts as f
from habeas.standards.finding_view import FindingView
from habeas.standards.gather.common import chunked
from habeas.standards.models import Finding


def teams_of(refs: Iterable[f.Ref]) -> dict[f.Ref, int | None]:
    """The team that holds each record (none for a record of a kind no team holds)."""
    by_label: dict[str, set[int]] = defaultdict(set)
    for label, pk in refs:
        by_label[label].add(pk)
    out: dict[f.Ref, int | None] = {}
    for label, pks in by_label.items():
        model = apps.get_model(label)
        if not any(field.name == "team" for field in model._meta.fields):
            continue
        for chunk in chunked(pks):
            for pk, team in model._default_manager.filter(pk__in=chunk).values_list("pk", "team_id"):
                out[(label, pk)] = team
    return out


def findings_seen(viewer: Viewer) -> QuerySet[Any]:
    """The current findings about records the user may see (as ``habeas.accounts.access.visible`` says), through
    the team each finding keeps: one indexed column, where asking each kind of record took seconds at
    national scale."""
    current = Finding.objects.filter(active=True)
    if viewer.superuser:
        return current
    return current.filter(team_id__in=list(viewer.roles))


def findings_visible(rows: list[FindingView], viewer: Viewer) -> list[FindingView]:
    """The findings whose record the user may see (``habeas.accounts.access.visible``), in their order; for an
    analyst not granted identities, each concerning a pseudonymised record rather than a named one."""
    if viewer.superuser:
        return rows
    wanted: dict[str, set[int]] = {}
    for row in rows:
        wanted.setdefault(row.record.model, set()).add(row.record.pk)
    allowed: set[tuple[str, int]] = set()
    hidden_teams = viewer.hidden
    pseudonyms: dict[tuple[str, int], str] = {}
    for label, ids in wanted.items():
        model = apps.get_model(label)
        if not any(field.name == "team" for field in model._meta.fields):
            if viewer.superuser:  # a record no team holds: only superusers see it
                allowed |= {(label, pk) for pk in ids}
            continue
        for chunk in chunked(ids):
            for pk, team in access.visible(model, viewer).filter(pk__in=chunk).values_list("pk", "team_id"):
                allowed.add((label, pk))
                if team in hidden_teams:
                    pseudonyms[(label, pk)] = pseudonymous_ref(model, pk)
    out = []
    for row in rows:
        if row.ref in allowed:
            out.append(_pseudonymised(row, pseudonyms[row.ref]) if row.ref in pseudonyms else row)
    return out


def _pseudonymised(row: FindingView, pseudonym: str) -> FindingView:
    """A finding as an analyst without identities sees it: about a pseudonym, with its facts but without the
    summary in words (which names people), citing sources by key and page only (a section heading or a
    source's title can name a person)."""
    sources = tuple(replace(s, title="", section="") for s in row.sources)
    return replace(row, subject=pseudonym, summary="", sources=sources)
