"""Reads of evidence, through the access helper: a user sees the documents of the sources of their teams."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied
from django.http import Http404

from habeas.core import access
from habeas.core.access import identities_hidden_from
from habeas.evidence.models import Document, Source


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
