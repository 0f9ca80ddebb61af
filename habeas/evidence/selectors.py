"""Reads of evidence, through the access helper: a user sees the documents of the sources of their teams."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied
from django.db.models import Count
from django.http import Http404

from habeas.core import access
from habeas.core.access import identities_hidden_from
from habeas.evidence.models import Citation, Document, Source


def documents_visible(*, user: Any) -> Any:
    """The documents of the sources the user may see."""
    return Document.objects.filter(source__in=access.visible(Source, user)).select_related("source")


def document_get_for_user(*, user: Any, pk: Any) -> Document:
    """A document the user may see, else 404 (its existence is not revealed); an analyst who sees the team's
    records pseudonymised may not open its documents (403): a testimony names people."""
    try:
        document = documents_visible(user=user).get(pk=pk)
    except (Document.DoesNotExist, ValueError, TypeError):
        raise Http404(f"no document {pk}") from None
    if document.source.team_id in identities_hidden_from(user):
        raise PermissionDenied("documents of this team are not shown to analysts without identities")
    return document


def sources_listed(*, user: Any) -> Any:
    """The sources of the user's teams, with how many documents and citations each has (one query)."""
    return (
        access.visible(Source, user)
        .select_related("author")
        .annotate(
            document_count=Count("documents", distinct=True),
            citation_count=Count("citations", distinct=True),
        )
        .order_by("key")
    )


def documents_of(*, source: Source) -> Any:
    """A source's documents, without their (long, encrypted) text."""
    return source.documents.defer("text").select_related("uploaded_by")


def citations_of_source(*, source: Source) -> list[Citation]:
    """What a source is cited for: each citation with its record (one query per kind of record)."""
    return list(
        Citation.objects.filter(source=source)
        .select_related("content_type")
        .prefetch_related("record")
        .order_by("content_type_id", "object_id", "pk")
    )
