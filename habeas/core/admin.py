"""Admin building blocks shared by every app: citations can be added wherever a record is edited."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.contrib.contenttypes.admin import GenericTabularInline
from django.db import transaction

from habeas.evidence.models import Citation
from habeas.standards.models import Finding
from habeas.standards.services import findings_recheck


class CitationInline(GenericTabularInline):
    model = Citation
    extra = 0
    fields = ["source", "field", "section", "page", "paragraph", "note"]
    autocomplete_fields = ["source"]
    verbose_name_plural = "Sources for this record"


class FindingInline(GenericTabularInline):
    """The current findings of the rules engine on this record (reviewed on the finding's own page)."""

    model = Finding
    extra = 0
    fields = ("rule", "status", "severity", "summary", "profile", "review")
    readonly_fields = fields
    can_delete = False
    show_change_link = True
    verbose_name_plural = "Findings against the standards"

    def has_add_permission(self, request: Any, obj: Any = None) -> bool:
        return False

    def get_queryset(self, request: Any) -> Any:
        return super().get_queryset(request).filter(active=True)


class RecordAdmin(admin.ModelAdmin[Any]):
    """Every documented record: its citations and findings inline, and its timestamps read-only. Saving a
    record re-checks it against the standards once the change is committed."""

    inlines = [CitationInline, FindingInline]
    readonly_fields = ["created_at", "updated_at"]
    list_per_page = 50

    def save_model(self, request: Any, obj: Any, form: Any, change: bool) -> None:
        super().save_model(request, obj, form, change)
        transaction.on_commit(lambda: findings_recheck(record=obj))
