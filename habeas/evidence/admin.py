from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.db import models

from habeas.core.admin import AuditedAdmin, SuperuserOnly
from habeas.evidence.models import Citation, Source


@admin.register(Source)
class SourceAdmin(AuditedAdmin):
    list_display = ["title", "kind", "author", "published_on", "reliability"]
    list_filter = ["kind", "reliability"]
    search_fields = ["key", "reference"]
    prepopulated_fields = {"key": ["title"]}
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}


@admin.register(Citation)
class CitationAdmin(SuperuserOnly, AuditedAdmin):
    """All citations across teams: for superusers; others add citations on each record's page."""

    list_display = ["source", "content_type", "object_id", "field", "section"]
    list_filter = ["source", "content_type"]
    search_fields = ["source__key"]
    autocomplete_fields = ["source"]

    def get_queryset(self, request: Any) -> Any:
        return super().get_queryset(request).select_related("source", "content_type")
