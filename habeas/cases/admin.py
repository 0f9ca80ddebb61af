from __future__ import annotations

from django.contrib import admin

from habeas.accounts.recordadmin import RecordAdmin, RolePermissions, SharedDataAdmin
from habeas.cases.models import (
    AggregateFigure,
    Allegation,
    Charge,
    Claim,
    Complaint,
    Disclosure,
    Event,
    Hearing,
    Intimidation,
    Investigation,
    InvestigationStep,
    Method,
    Perpetrator,
    Proceeding,
    Reparation,
    Sentence,
    Statement,
    TortureClaimRuling,
    Verdict,
)


class ClaimInline(RolePermissions, admin.TabularInline[Claim, Event]):
    model = Claim
    extra = 0
    fields = ["measure", "qualifier", "value", "value_text", "claimed_by", "claimed_by_text", "claimed_on"]
    autocomplete_fields = ["claimed_by"]


@admin.register(Event)
class EventAdmin(RecordAdmin):
    list_display = ["name", "kind", "started_on", "locality"]
    list_filter = ["kind"]
    search_fields = ["name"]
    autocomplete_fields = ["locality", "parent"]
    inlines = [ClaimInline]


@admin.register(Claim)
class ClaimAdmin(RecordAdmin):
    list_display = ["event", "measure", "qualifier", "value", "value_text", "claimed_by"]
    list_filter = ["measure", "event"]
    search_fields = ["value_text", "claimed_by_text", "event__name"]
    autocomplete_fields = ["event", "claimed_by"]


@admin.register(Method)
class MethodAdmin(SharedDataAdmin):
    list_display = ["name", "category", "code"]
    list_filter = ["category"]
    search_fields = ["name", "code"]


class PerpetratorInline(RolePermissions, admin.TabularInline[Perpetrator, Allegation]):
    model = Perpetrator
    extra = 0
    autocomplete_fields = ["person", "organisation"]


class DisclosureInline(RolePermissions, admin.TabularInline[Disclosure, Allegation]):
    model = Disclosure
    extra = 0
    fields = ["audience", "recipient", "disclosed_on", "disclosed_on_precision", "proceeding", "under_oath"]
    autocomplete_fields = ["recipient", "proceeding"]


@admin.register(Allegation)
class AllegationAdmin(RecordAdmin):
    list_display = ["__str__", "kind", "happened_on", "place", "event"]
    list_filter = ["kind", "event", "methods", "place"]
    search_fields = ["circumstances"]
    name_search = ["victim"]
    autocomplete_fields = ["victim", "victim_group", "event", "custody", "place", "locality", "methods"]
    inlines = [PerpetratorInline, DisclosureInline]


@admin.register(Disclosure)
class DisclosureAdmin(RecordAdmin):
    list_display = ["allegation", "audience", "recipient", "disclosed_on"]
    list_filter = ["audience"]
    search_fields = ["=id"]
    autocomplete_fields = ["allegation", "recipient", "proceeding"]


@admin.register(Statement)
class StatementAdmin(RecordAdmin):
    list_display = ["__str__", "kind", "retracted", "retracted_on", "used_in"]
    list_filter = ["kind", "retracted"]
    search_fields = ["=id"]
    name_search = ["person"]
    autocomplete_fields = ["person", "group", "obtained_by", "used_in", "coercion_alleged"]


@admin.register(Complaint)
class ComplaintAdmin(RecordAdmin):
    list_display = ["__str__", "lodged_with", "lodged_on", "outcome", "decided_on"]
    list_filter = ["outcome", "lodged_with"]
    search_fields = ["=id"]
    autocomplete_fields = [
        "allegation",
        "complainant",
        "complainant_group",
        "lodged_with",
        "in_proceeding",
        "decided_by",
    ]


class InvestigationStepInline(RolePermissions, admin.TabularInline[InvestigationStep, Investigation]):
    model = InvestigationStep
    extra = 0
    show_change_link = True
    fields = ["kind", "taken_on", "taken_on_precision", "done", "description"]


@admin.register(Investigation)
class InvestigationAdmin(RecordAdmin):
    list_display = ["subject", "kind", "body", "opened_on", "closed_on", "outcome"]
    list_filter = ["kind", "outcome", "body"]
    search_fields = ["=id"]
    autocomplete_fields = ["allegation", "event", "complaint", "body", "assigned_by", "ordered_by"]
    inlines = [InvestigationStepInline]


class ChargeInline(RolePermissions, admin.TabularInline[Charge, Proceeding]):
    model = Charge
    extra = 0
    fields = ["defendant", "defendant_group", "offence", "article", "charged_on"]
    autocomplete_fields = ["defendant", "defendant_group"]


class VerdictInline(RolePermissions, admin.TabularInline[Verdict, Proceeding]):
    model = Verdict
    extra = 0
    fields = ["defendant", "defendant_group", "outcome", "decided_on", "decided_on_precision"]
    autocomplete_fields = ["defendant", "defendant_group"]
    show_change_link = True


class HearingInline(RolePermissions, admin.TabularInline[Hearing, Proceeding]):
    model = Hearing
    extra = 0
    fields = ["kind", "held_at", "held_at_precision", "court", "judge", "detainee_present", "lawyer_present"]
    autocomplete_fields = ["court", "judge"]
    show_change_link = True


@admin.register(Proceeding)
class ProceedingAdmin(RecordAdmin):
    list_display = ["title", "kind", "court", "started_on", "ended_on"]
    list_filter = ["kind", "court", "event"]
    search_fields = ["=id"]
    name_search = ["defendants"]
    autocomplete_fields = ["court", "locality", "appeal_of", "event", "defendants", "defendant_group"]
    inlines = [ChargeInline, HearingInline, VerdictInline]


class SentenceInline(RolePermissions, admin.TabularInline[Sentence, Verdict]):
    model = Sentence
    extra = 0
    fields = ["kind", "months", "months_max", "regime", "release_due_on", "release_due_on_precision"]


@admin.register(Verdict)
class VerdictAdmin(RecordAdmin):
    list_display = ["__str__", "proceeding", "decided_on"]
    list_filter = ["outcome"]
    search_fields = ["=id"]
    name_search = ["defendant"]
    autocomplete_fields = ["proceeding", "defendant", "defendant_group"]
    inlines = [SentenceInline]


@admin.register(Hearing)
class HearingAdmin(RecordAdmin):
    list_display = ["__str__", "proceeding", "court"]
    list_filter = ["kind"]
    search_fields = ["=id"]
    name_search = ["judge"]
    autocomplete_fields = ["proceeding", "court", "judge", "custody"]


@admin.register(Charge)
class ChargeAdmin(RecordAdmin):
    list_display = ["offence", "defendant", "defendant_group", "proceeding"]
    search_fields = ["offence", "article"]
    name_search = ["defendant"]
    autocomplete_fields = ["proceeding", "defendant", "defendant_group"]


@admin.register(Sentence)
class SentenceAdmin(RecordAdmin):
    list_display = ["__str__", "verdict"]
    list_filter = ["kind"]
    search_fields = ["=id"]
    name_search = ["verdict__defendant"]
    autocomplete_fields = ["verdict"]


@admin.register(Reparation)
class ReparationAdmin(RecordAdmin):
    list_display = ["__str__", "beneficiary", "beneficiary_text", "ordered_by", "ordered_on", "status"]
    list_filter = ["status", "kind", "currency"]
    search_fields = ["=id"]
    name_search = ["beneficiary", "payer"]
    autocomplete_fields = [
        "allegation",
        "verdict",
        "beneficiary",
        "payer",
        "payer_organisation",
        "ordered_by",
    ]


@admin.register(InvestigationStep)
class InvestigationStepAdmin(RecordAdmin):
    list_display = ["investigation", "kind", "taken_on", "done"]
    list_filter = ["kind", "done"]
    search_fields = ["=id"]
    autocomplete_fields = ["investigation"]


@admin.register(Intimidation)
class IntimidationAdmin(RecordAdmin):
    list_display = ["target", "role", "kind", "forum", "happened_on", "established"]
    list_filter = ["role", "kind", "forum", "established"]
    search_fields = ["=id"]
    autocomplete_fields = ["target", "by_organisation", "by_person", "complaint", "allegation", "visit"]


@admin.register(TortureClaimRuling)
class TortureClaimRulingAdmin(RecordAdmin):
    list_display = ["proceeding", "raised_on", "examined", "evidence_excluded", "evidence_relied_on"]
    list_filter = ["examined", "evidence_excluded", "evidence_relied_on"]
    search_fields = ["=id"]
    autocomplete_fields = ["proceeding", "allegation", "statement", "raised_by"]


@admin.register(AggregateFigure)
class AggregateFigureAdmin(RecordAdmin):
    list_display = ["measure", "value", "period_from", "period_until", "authority", "source"]
    list_filter = ["measure"]
    search_fields = ["measure_as_stated"]
    autocomplete_fields = ["authority", "locality", "source"]
