from __future__ import annotations

from typing import Any

from django.contrib import admin

from habeas.accounts.recordadmin import RecordAdmin, RolePermissions
from habeas.custody.models import (
    CustodyEpisode,
    CustodyStage,
    Death,
    DeathCause,
    Extension,
    FamilyContact,
    FamilyNews,
    MedicalExamination,
    Notification,
    Placement,
    RestrictiveMeasure,
    Transfer,
)
from habeas.custody.services import custody_record_create, custody_record_update


class CustodyAdmin(RecordAdmin):
    """A custody record's page, written through the custody services."""

    def write(self, request: Any, obj: Any, *, created: bool, parent: Any = None, changes: Any = None) -> None:
        if created:
            custody_record_create(record=obj, user=request.user, parent=parent)
        else:
            custody_record_update(record=obj, user=request.user, parent=parent, changes=changes)


class PlacementInline(RolePermissions, admin.TabularInline[Placement, CustodyEpisode]):
    model = Placement
    extra = 0
    fields = ["place", "started_on", "started_on_precision", "ended_on", "ended_on_precision", "reason"]
    autocomplete_fields = ["place"]


class TransferInline(RolePermissions, admin.TabularInline[Transfer, CustodyEpisode]):
    model = Transfer
    extra = 0
    fields = ["from_place", "to_place", "departed_on", "departed_on_precision", "arrived_on", "reason"]
    autocomplete_fields = ["from_place", "to_place"]


@admin.register(CustodyEpisode)
class CustodyEpisodeAdmin(CustodyAdmin):
    list_display = ["person", "status", "apprehended_at", "released_at", "event"]
    list_filter = ["status", "event", "incommunicado"]
    search_fields = ["=id"]
    name_search = ["person"]
    autocomplete_fields = ["person", "event", "apprehended_in", "apprehended_by"]
    inlines = [PlacementInline, TransferInline]


@admin.register(Placement)
class PlacementAdmin(CustodyAdmin):
    list_display = ["custody", "place", "started_on", "ended_on"]
    list_filter = ["place__kind"]
    search_fields = ["place__name"]
    name_search = ["custody__person"]
    autocomplete_fields = ["custody", "place"]


@admin.register(Transfer)
class TransferAdmin(CustodyAdmin):
    list_display = ["custody", "from_place", "to_place", "departed_on"]
    search_fields = ["to_place__name", "from_place__name"]
    name_search = ["custody__person"]
    autocomplete_fields = ["custody", "from_place", "to_place"]


class ExtensionInline(RolePermissions, admin.TabularInline[Extension, RestrictiveMeasure]):
    model = Extension
    extra = 0
    show_change_link = True
    autocomplete_fields = ["approved_by"]


@admin.register(RestrictiveMeasure)
class RestrictiveMeasureAdmin(CustodyAdmin):
    list_display = ["custody", "kind", "place", "started_on", "ended_on", "disciplinary"]
    list_filter = ["kind", "disciplinary", "place"]
    search_fields = ["name_used"]
    name_search = ["custody__person"]
    autocomplete_fields = ["custody", "place", "imposed_by"]
    inlines = [ExtensionInline]


@admin.register(FamilyContact)
class FamilyContactAdmin(CustodyAdmin):
    list_display = ["custody", "relative", "kind", "frequency_text", "minutes", "supervised"]
    list_filter = ["kind", "supervised", "allowed"]
    search_fields = ["=id"]
    name_search = ["custody__person", "relative"]
    autocomplete_fields = ["custody", "relative"]


@admin.register(Notification)
class NotificationAdmin(CustodyAdmin):
    list_display = ["custody", "about", "party", "occurred_on", "informed_on"]
    list_filter = ["about", "by_authorities"]
    search_fields = ["=id"]
    name_search = ["custody__person", "party"]
    autocomplete_fields = ["custody", "party", "transfer"]


@admin.register(MedicalExamination)
class MedicalExaminationAdmin(CustodyAdmin):
    list_display = ["custody", "kind", "performed", "performed_on", "examiner_independent"]
    list_filter = ["kind", "performed", "examiner_independent"]
    search_fields = ["examiner"]
    name_search = ["custody__person"]
    autocomplete_fields = ["custody"]


@admin.register(Extension)
class ExtensionAdmin(CustodyAdmin):
    list_display = ["measure", "extended_on", "added_days", "approved_by", "prosecutor_approved"]
    list_filter = ["prosecutor_approved"]
    search_fields = ["=id"]
    name_search = ["measure__custody__person"]
    autocomplete_fields = ["measure", "approved_by"]


@admin.register(FamilyNews)
class FamilyNewsAdmin(CustodyAdmin):
    list_display = ["custody", "kind", "relative", "known_on", "told_on", "leave_granted"]
    list_filter = ["kind", "leave_granted"]
    search_fields = ["=id"]
    name_search = ["custody__person", "relative"]
    autocomplete_fields = ["custody", "relative"]


@admin.register(CustodyStage)
class CustodyStageAdmin(RecordAdmin):
    list_display = ["custody", "basis", "started_at", "ended_at"]
    list_filter = ["basis"]
    search_fields = ["=id"]
    autocomplete_fields = ["custody", "ordered_by"]


@admin.register(Death)
class DeathAdmin(RecordAdmin):
    list_display = ["custody", "died_at", "place", "investigated"]
    list_filter = ["investigated", "autopsy"]
    search_fields = ["=id"]
    autocomplete_fields = ["custody", "place", "locality", "investigation"]


@admin.register(DeathCause)
class DeathCauseAdmin(RecordAdmin):
    list_display = ["death", "kind", "stated_by", "by_authorities", "source"]
    list_filter = ["kind", "by_authorities"]
    search_fields = ["=id"]
    autocomplete_fields = ["death", "source"]
