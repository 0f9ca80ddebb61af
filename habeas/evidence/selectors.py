"""Reads of evidence, through the access helper: a user sees the documents of the sources of their teams."""

from __future__ import annotations

from typing import Any

from django.http import Http404

from habeas.core import access
from habeas.evidence.models import Document, Source


def documents_visible(*, user: Any) -> Any:
    """The documents of the sources the user may see."""
    return Document.objects.filter(source__in=access.visible(Source, user)).select_related("source")


def document_get_for_user(*, user: Any, pk: Any) -> Document:
    """A document the user may see, else 404 (its existence is not revealed)."""
    try:
        return documents_visible(user=user).get(pk=pk)
    except (Document.DoesNotExist, ValueError, TypeError):
        raise Http404(f"no document {pk}") from None
