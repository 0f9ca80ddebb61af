"""Admin building blocks shared by every app: citations can be added wherever a record is edited."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.contrib.contenttypes.admin import GenericTabularInline

from habeas.evidence.models import Citation


class CitationInline(GenericTabularInline):
    model = Citation
    extra = 0
    fields = ["source", "field", "section", "page", "paragraph", "note"]
    autocomplete_fields = ["source"]
    verbose_name_plural = "Sources for this record"


class RecordAdmin(admin.ModelAdmin[Any]):
    """Every documented record: its citations inline, and its timestamps read-only."""

    inlines = [CitationInline]
    readonly_fields = ["created_at", "updated_at"]
    list_per_page = 50
