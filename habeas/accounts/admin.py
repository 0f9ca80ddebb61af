from __future__ import annotations

from django.contrib import admin
from django.http import HttpRequest

from habeas.accounts.models import AuditEvent


@admin.register(AuditEvent)
class AuditEventAdmin(admin.ModelAdmin[AuditEvent]):
    """Who did what, and who read what: for administrators, read-only."""

    list_display = ["seq", "at", "actor_label", "action", "target_type", "target_id", "summary"]
    list_filter = ["action", "target_type"]
    search_fields = ["actor_label", "target_id", "summary"]
    date_hierarchy = "at"

    def has_add_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False
