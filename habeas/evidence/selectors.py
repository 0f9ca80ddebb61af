"""Reads of evidence, through the access helper: a user sees the documents of the sources of their teams."""

from __future__ import annotations

from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.contrib.contenttypes.prefetch import GenericPrefetch
from django.core.exceptions import PermissionDenied
from django.db.models import Count, Model
from django.http import Http404

from habeas.accounts import access
from habeas.accounts.viewer import Viewer
from habeas.evidence.models import Citation, Document, Source


def documents_visible(*, viewer: Viewer) -> Any:
    """The documents of the sources the user may see."""
    return Document.objects.filter(source__in=access.visible(Source, viewer)).select_related("source")


def document_get_for_user(*, viewer: Viewer, pk: Any) -> Document:
    """A document the user may see, else 404 (its existence is not revealed); an analyst who sees the team's
    records pseudonymised may not open its documents (403): a testimony names people."""
    try:
        document = documents_visible(viewer=viewer).get(pk=pk)
    except (Document.DoesNotExist, ValueError, TypeError):
        raise Http404(f"no document {pk}") from None
    if document.source.team_id in viewer.hidden:
        raise PermissionDenied("documents of this team are not shown to analysts without identities")
    return document


def sources_listed(*, viewer: Viewer) -> Any:
    """The sources of the user's teams, with how many documents and citations each has (one query)."""
    return (
        access.visible(Source, viewer)
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


def citation_shown(citation: Citation) -> dict[str, str]:
    """A citation as pages and findings show it: its source and where in it."""
    return {
        "source": citation.source.title,
        "key": citation.source.key,
        "section": citation.section,
        "page": citation.page,
        "paragraph": citation.paragraph,
        "field": citation.field,
    }


def sources_cited(record: Model) -> list[dict[str, str]]:
    """The sources cited for one record, with their locators, in the order they were cited."""
    citations = Citation.objects.filter(
        content_type=ContentType.objects.get_for_model(record), object_id=record.pk
    ).select_related("source")
    return [citation_shown(citation) for citation in citations.order_by("pk")]


def citations_of_source(*, source: Source) -> list[Citation]:
    """What a source is cited for: each citation with its record (one query per kind of record, with the
    records its name is made from: a placement names its person, an allegation its victim)."""
    citations = Citation.objects.filter(source=source)
    kinds = ContentType.objects.filter(pk__in=citations.values("content_type_id").distinct().order_by())
    records = []
    for kind in kinds:
        model = kind.model_class()
        if model is not None:
            records.append(model._base_manager.select_related(*_names_from(model)))
    return list(
        citations.select_related("content_type")
        .prefetch_related(GenericPrefetch("record", records))
        .order_by("content_type_id", "object_id", "pk")
    )


def _names_from(model: type[Model], depth: int = 2) -> list[str]:
    """The paths of the foreign keys of ``model`` (and of theirs, to ``depth``), which its name may read."""
    paths = []
    for field in model._meta.concrete_fields:
        target = field.related_model
        if field.many_to_one and isinstance(target, type) and field.name != "team":
            paths.append(field.name)
            if depth > 1:
                paths += [f"{field.name}__{inner}" for inner in _names_from(target, depth - 1)]
    return paths
