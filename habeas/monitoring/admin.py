from __future__ import annotations

from django.contrib import admin

from habeas.accounts.recordadmin import RecordAdmin, RolePermissions
from habeas.monitoring.models import InformationRequest, Recommendation, RecommendationStatus, Visit


@admin.register(Visit)
class VisitAdmin(RecordAdmin):
    list_display = ["__str__", "announced", "access_granted", "private_interviews"]
    list_filter = ["announced", "access_granted", "private_interviews", "body"]
    search_fields = ["body__name", "body_text", "place__name"]
    autocomplete_fields = ["body", "place"]


class StatusInline(RolePermissions, admin.TabularInline[RecommendationStatus, Recommendation]):
    model = RecommendationStatus
    extra = 0
    show_change_link = True
    fields = ["status", "recorded_on", "recorded_on_precision", "response"]


@admin.register(Recommendation)
class RecommendationAdmin(RecordAdmin):
    list_display = ["text", "issuer", "addressee", "issued_on"]
    list_filter = ["issuer", "addressee", "history__status"]
    search_fields = ["=id"]
    autocomplete_fields = ["issuer", "addressee", "visit", "event"]
    inlines = [StatusInline]


@admin.register(RecommendationStatus)
class RecommendationStatusAdmin(RecordAdmin):
    list_display = ["recommendation", "status", "recorded_on"]
    list_filter = ["status"]
    search_fields = ["=id"]
    autocomplete_fields = ["recommendation"]


@admin.register(InformationRequest)
class InformationRequestAdmin(RecordAdmin):
    list_display = ["body", "addressee", "requested_on", "answered_on"]
    search_fields = ["=id"]
    list_filter = ["body"]
    autocomplete_fields = ["body", "addressee"]
