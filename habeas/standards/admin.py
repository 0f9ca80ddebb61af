from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.contrib.contenttypes.admin import GenericTabularInline
from django.http import HttpRequest

from habeas.accounts.recordadmin import AuditedAdmin, RolePermissions, SuperuserOnly, record_inline
from habeas.standards.models import Finding, Ratification
from habeas.standards.services import finding_review


@record_inline
class FindingInline(RolePermissions, GenericTabularInline):
    """The current findings of the rules engine on this record (reviewed on the finding's own page)."""

    model = Finding
    extra = 0
    fields = ("rule", "status", "severity", "summary_shown", "profile", "review")
    readonly_fields = fields
    can_delete = False
    show_change_link = True
    verbose_name_plural = "Findings against the standards"

    def has_add_permission(self, request: Any, obj: Any = None) -> bool:
        return False

    def get_queryset(self, request: Any) -> Any:
        return super().get_queryset(request).filter(active=True)

    def _shown(self, request: Any, names: Any, obj: Any) -> Any:
        # the summary in words names people: an analyst not granted identities sees the rule and its result
        shown = super()._shown(request, names, obj)
        return [name for name in shown if name != "summary_shown"] if self._hides(request, obj) else shown


@admin.register(Finding)
class FindingAdmin(SuperuserOnly, AuditedAdmin):
    """Findings name people across teams: only superusers open this list, which they can filter by the team
    that holds each finding's record (each record's own page shows its findings to its team)."""

    list_display = [
        "rule",
        "status",
        "severity",
        "subject",
        "summary_shown",
        "profile",
        "prevails",
        "review",
        "active",
        "team",
    ]
    list_filter = ["profile", "active", "status", "severity", "rule", "review", "team", "place", "organisation"]
    search_fields = ["rule"]
    fields = (
        "rule",
        "rule_version",
        "profile",
        "status",
        "severity",
        "subject",
        "summary_shown",
        "standard",
        "prevails",
        "facts",
        "parameters",
        "sources",
        "team",
        "place",
        "organisation",
        "active",
        "first_found_at",
        "changed_at",
        "review",
        "review_reason",
        "reviewed_by",
        "reviewed_at",
    )
    readonly_fields = tuple(f for f in fields if f not in ("review", "review_reason"))

    def has_add_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

    def save_model(self, request: HttpRequest, obj: Finding, form: Any, change: bool) -> None:
        # a decision, or one taken back, through the reviewers' service (audited)
        finding_review(finding=obj, decision=obj.review, reason=obj.review_reason, user=request.user)


@admin.register(Ratification)
class RatificationAdmin(SuperuserOnly, AuditedAdmin):
    """The table of ratifications decides where every treaty rule applies: superusers edit it."""

    list_display = ["state", "instrument", "in_force_on", "ceased_on", "source"]
    list_filter = ["instrument", "state"]
    search_fields = ["state"]
