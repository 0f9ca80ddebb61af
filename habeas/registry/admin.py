from __future__ import annotations

from django.contrib import admin

from habeas.accounts.recordadmin import RecordAdmin, RolePermissions, SharedDataAdmin
from habeas.registry.models import (
    Disability,
    Group,
    Locality,
    Organisation,
    Person,
    PersonName,
    Place,
    Relationship,
    StaffAssignment,
)


@admin.register(Locality)
class LocalityAdmin(SharedDataAdmin):
    list_display = ["name", "kind", "parent", "country", "latitude", "longitude"]
    list_filter = ["kind", "country"]
    search_fields = ["name", "local_names"]
    autocomplete_fields = ["parent"]


@admin.register(Organisation)
class OrganisationAdmin(RecordAdmin):
    list_display = ["name", "kind", "parent", "locality"]
    list_filter = ["kind"]
    search_fields = ["name", "short_name", "local_name"]
    autocomplete_fields = ["parent", "locality"]


class PersonNameInline(RolePermissions, admin.TabularInline[PersonName, Person]):
    model = PersonName
    extra = 0


class DisabilityInline(RolePermissions, admin.TabularInline[Disability, Person]):
    model = Disability
    extra = 0


class RelationshipInline(RolePermissions, admin.TabularInline[Relationship, Person]):
    model = Relationship
    fk_name = "person"
    extra = 0
    autocomplete_fields = ["relative"]


@admin.register(Person)
class PersonAdmin(RecordAdmin):
    list_display = ["label", "sex", "born_on", "home_locality", "organisation"]
    list_filter = ["sex", "disabilities__kind"]
    search_fields = ["=id"]
    name_search = [""]
    autocomplete_fields = ["home_locality", "organisation"]
    inlines = [PersonNameInline, DisabilityInline, RelationshipInline]


@admin.register(Group)
class GroupAdmin(RecordAdmin):
    list_display = ["label", "size_text", "event"]
    search_fields = ["=id"]
    name_search = [""]
    list_filter = ["event"]
    autocomplete_fields = ["members", "event"]


@admin.register(Place)
class PlaceAdmin(RecordAdmin):
    list_display = ["name", "kind", "authority", "locality", "capacity"]
    list_filter = ["kind", "authority"]
    search_fields = ["name", "address"]
    autocomplete_fields = ["authority", "locality"]


@admin.register(StaffAssignment)
class StaffAssignmentAdmin(RecordAdmin):
    list_display = ["person", "organisation", "place", "position", "started_on", "ended_on", "suspended_on"]
    search_fields = ["position", "place__name"]
    name_search = ["person"]
    list_filter = ["place", "organisation"]
    autocomplete_fields = ["person", "organisation", "place"]
