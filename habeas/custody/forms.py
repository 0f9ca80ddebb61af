"""The workplace's forms of a custody: what each shows (see ``habeas.accounts.forms.RecordForm``)."""

from __future__ import annotations

from habeas.accounts.forms import RecordForm
from habeas.custody.models import (
    CustodyEpisode,
    CustodyStage,
    Death,
    Extension,
    FamilyContact,
    Notification,
    Placement,
    RestrictiveMeasure,
    Transfer,
)


class CustodyEpisodeForm(RecordForm):
    class Meta:
        model = CustodyEpisode
        fields = [
            "status",
            "apprehended_at",
            "apprehended_in",
            "apprehended_by",
            "registered",
            "registered_at",
            "reasons_told",
            "reasons_told_at",
            "lawyer_requested",
            "lawyer_requested_at",
            "lawyer_granted",
            "lawyer_granted_at",
            "doctor_requested",
            "doctor_examined",
            "doctor_examined_at",
            "incommunicado",
            "first_judge_at",
            "released_at",
            "release_reason",
            "notes",
        ]


class CustodyStageForm(RecordForm):
    class Meta:
        model = CustodyStage
        fields = ["basis", "legal_provision", "ordered_by", "started_at", "ended_at", "notes"]


class PlacementForm(RecordForm):
    class Meta:
        model = Placement
        fields = ["place", "started_on", "ended_on", "reason", "stated_distance_km", "notes"]


class TransferForm(RecordForm):
    class Meta:
        model = Transfer
        fields = ["from_place", "to_place", "departed_on", "arrived_on", "reason", "stated_distance_km", "notes"]


class RestrictiveMeasureForm(RecordForm):
    class Meta:
        model = RestrictiveMeasure
        fields = [
            "kind",
            "name_used",
            "place",
            "disciplinary",
            "imposed_by",
            "imposed_on",
            "started_on",
            "planned_days",
            "open_ended",
            "ended_on",
            "min_days",
            "duration_as_stated",
            "hours_confined_per_day",
            "meaningful_contact",
            "family_contact_banned",
            "independent_review",
            "daily_health_visits",
            "legal_basis",
            "reasons",
            "conditions",
            "notes",
        ]


class ExtensionForm(RecordForm):
    class Meta:
        model = Extension
        fields = ["extended_on", "added_days", "approved_by", "prosecutor_approved", "notes"]


class NotificationForm(RecordForm):
    class Meta:
        model = Notification
        fields = ["about", "party", "occurred_on", "informed_on", "by_authorities", "notes"]


class FamilyContactForm(RecordForm):
    class Meta:
        model = FamilyContact
        fields = [
            "kind",
            "relative",
            "allowed",
            "times",
            "every",
            "every_unit",
            "minutes",
            "supervised",
            "conditions",
            "started_on",
            "ended_on",
            "notes",
        ]


class DeathForm(RecordForm):
    class Meta:
        model = Death
        fields = ["died_at", "place", "locality", "circumstances", "investigated", "autopsy", "autopsy_independent"]
