"""Admin building blocks shared by every app: citations can be added wherever a record is edited."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.contrib.admin.utils import get_fields_from_path
from django.contrib.contenttypes.admin import GenericTabularInline
from django.db import transaction
from django.db.models import Q
from django.http import Http404

from habeas.accounts.reauth import ReauthBeforeDeletion, reauth_redirect, reauth_required
from habeas.accounts.services import audit_record, audit_search
from habeas.core import access
from habeas.core.fields import name_query, protected_fields
from habeas.core.identity import hidden_teams
from habeas.evidence.models import Citation
from habeas.reports.search import search_index, search_index_remove
from habeas.standards.models import Finding
from habeas.standards.services import findings_recheck


def _owned(model: Any) -> bool:
    return any(f.name == "team" for f in model._meta.fields)


class RolePermissions:
    """Admin permissions from the user's roles in their teams (see ``habeas.core.access``), for model admins
    and inlines alike. Records of other teams do not exist for the user."""

    model: Any

    def has_module_permission(self, request: Any) -> bool:
        return bool(request.user.is_active and (request.user.is_superuser or access.roles_of(request.user)))

    def has_view_permission(self, request: Any, obj: Any = None) -> bool:
        if not self.has_module_permission(request):
            return False
        return (
            obj is None or not _owned(self.model) or access.visible(self.model, request.user).filter(pk=obj.pk).exists()
        )

    def has_add_permission(self, request: Any, obj: Any = None) -> bool:
        return access.can_write(request.user)

    def has_change_permission(self, request: Any, obj: Any = None) -> bool:
        return access.can_write(request.user, obj if obj is not None and _owned(self.model) else None)

    def has_delete_permission(self, request: Any, obj: Any = None) -> bool:
        return access.can_delete(request.user, obj if obj is not None and _owned(self.model) else None)

    # Pseudonymised views (``habeas.core.identity``): an analyst not granted identities sees no protected field
    # of their team's records — on a record's page (``obj``; for an inline, the record it belongs to) or, when
    # there is none, on lists and forms of a kind of record.

    def _hides(self, obj: Any) -> bool:
        hidden = hidden_teams()
        return bool(hidden) and (obj is None or getattr(obj, "team_id", None) in hidden)

    def _shown(self, names: Any, obj: Any) -> Any:
        if not self._hides(obj):
            return names
        protected = {f.name for f in protected_fields(self.model)[0]}
        return [name for name in names if name not in protected]

    def get_fields(self, request: Any, obj: Any = None) -> Any:
        return self._shown(super().get_fields(request, obj), obj)  # type: ignore[misc]

    # A choice of another record (a person, a place, …) offers only those the user may see: neither the
    # widget nor a crafted form can name or point to another team's record.

    def formfield_for_foreignkey(self, db_field: Any, request: Any, **kwargs: Any) -> Any:
        if _owned(db_field.related_model):
            kwargs["queryset"] = access.visible(db_field.related_model, request.user)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)  # type: ignore[misc]

    def formfield_for_manytomany(self, db_field: Any, request: Any, **kwargs: Any) -> Any:
        if _owned(db_field.related_model):
            kwargs["queryset"] = access.visible(db_field.related_model, request.user)
        return super().formfield_for_manytomany(db_field, request, **kwargs)  # type: ignore[misc]

    def get_readonly_fields(self, request: Any, obj: Any = None) -> Any:
        return self._shown(super().get_readonly_fields(request, obj), obj)  # type: ignore[misc]


class CitationInline(RolePermissions, GenericTabularInline):
    model = Citation
    extra = 0
    fields = ["source", "field", "section", "page", "paragraph", "note"]
    autocomplete_fields = ["source"]
    verbose_name_plural = "Sources for this record"


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


class SuperuserOnly:
    """For pages that list records across teams: only superusers may open them."""

    def _superuser(self, request: Any) -> bool:
        return bool(request.user.is_active and request.user.is_superuser)

    def has_module_permission(self, request: Any) -> bool:
        return self._superuser(request)

    def has_view_permission(self, request: Any, obj: Any = None) -> bool:
        return self._superuser(request)

    def has_add_permission(self, request: Any, obj: Any = None) -> bool:
        return self._superuser(request)

    def has_change_permission(self, request: Any, obj: Any = None) -> bool:
        return self._superuser(request)

    def has_delete_permission(self, request: Any, obj: Any = None) -> bool:
        return self._superuser(request)


def _changes(form: Any) -> dict[str, dict[str, str]]:
    """The old and new value of every changed field of a bound form."""
    return {
        name: {"old": str(form.initial.get(name, "")), "new": str(form.cleaned_data.get(name, ""))}
        for name in form.changed_data
    }


class AuditedAdmin(RolePermissions, ReauthBeforeDeletion):
    """Every read of a record's page, and every write, including those of inline rows, is an audit event in
    the same transaction as the action. Users see only their teams' records; a new record goes to the
    user's team. Deleting needs a recently confirmed password (``ReauthBeforeDeletion``)."""

    def get_queryset(self, request: Any) -> Any:
        queryset = super().get_queryset(request)
        if _owned(self.model) and not request.user.is_superuser:
            queryset = queryset.filter(team_id__in=list(access.roles_of(request.user)))
        return queryset

    #: paths to the persons or groups whose names the search box also finds ("" for the record itself): names
    #: are encrypted, so they are found through their keyed hashes, in any script or transliteration
    name_search: list[str] = []

    def get_list_filter(self, request: Any) -> Any:
        """A filter by a related record lists only the records used by rows the user may see (Django's own
        would list every team's places, events, courts …)."""
        filters = []
        for spec in super().get_list_filter(request):
            field = self.model._meta.get_field(spec) if isinstance(spec, str) and "__" not in spec else None
            related = field is not None and field.is_relation and _owned(field.related_model)
            filters.append((spec, admin.RelatedOnlyFieldListFilter) if related else spec)
        return filters

    def get_list_display(self, request: Any) -> Any:
        columns = super().get_list_display(request)
        shown = self._shown(columns, None)
        return shown if len(shown) == len(columns) else ["__str__", *(c for c in shown if c != "__str__")]

    def log_addition(self, request: Any, obj: Any, message: Any) -> Any:
        """Django's own change log would store each record's name in clear: the audit trail replaces it."""

    def log_change(self, request: Any, obj: Any, message: Any) -> Any:
        """See ``log_addition``."""

    def log_deletion(self, request: Any, obj: Any, object_repr: str) -> Any:
        """See ``log_addition``."""

    def log_deletions(self, request: Any, queryset: Any) -> Any:
        """See ``log_addition``."""

    def get_search_results(self, request: Any, queryset: Any, search_term: str) -> tuple[Any, bool]:
        found, duplicates = super().get_search_results(request, queryset, search_term)
        condition = Q()
        # a name search would tell an analyst who stands behind a pseudonym
        for path in self.name_search if not self._hides(None) else []:
            target = get_fields_from_path(self.model, path)[-1].related_model if path else self.model
            prefix = f"{path}__" if path else ""
            names = ["name_digests", *(["names__name_digests"] if hasattr(target, "names") else [])]
            for field in names:
                if (query := name_query(prefix + field, search_term)) is not None:
                    condition |= query
        if self.name_search and search_term.strip():  # a look-up that may match names (search box, autocomplete)
            where = "admin autocomplete" if request.path.endswith("/autocomplete/") else "admin search"
            audit_search(
                actor=request.user, where=where, query=search_term.strip()[:200], model=self.model._meta.label_lower
            )
        if not condition:
            return found, duplicates
        return found | queryset.filter(condition), True

    def get_object(self, request: Any, object_id: str, from_field: str | None = None) -> Any:
        obj = super().get_object(request, object_id, from_field)
        if obj is None:
            raise Http404("no such record, or not one of your team's")
        return obj

    def change_view(self, request: Any, object_id: str, form_url: str = "", extra_context: Any = None) -> Any:
        deletes_rows = request.method == "POST" and any(
            key.endswith("-DELETE") and value for key, value in request.POST.items()
        )
        if deletes_rows and reauth_required(request):
            return reauth_redirect(request, request.get_full_path())  # nothing is saved
        if request.method == "GET":
            audit_record(
                action="read", actor=request.user, target_type=self.model._meta.label_lower, target_id=str(object_id)
            )
        return super().change_view(request, object_id, form_url, extra_context)

    def save_model(self, request: Any, obj: Any, form: Any, change: bool) -> None:
        if not change and _owned(self.model) and obj.team_id is None:
            obj.team_id = access.default_team(request.user)
        super().save_model(request, obj, form, change)
        audit_record(
            action="update" if change else "create",
            actor=request.user,
            target=obj,
            summary=str(obj)[:200],
            details={"changes": _changes(form)},
        )

    def save_formset(self, request: Any, form: Any, formset: Any, change: bool) -> None:
        super().save_formset(request, form, formset, change)
        for obj in formset.new_objects:
            audit_record(action="create", actor=request.user, target=obj, summary=str(obj)[:200])
        for obj, fields in formset.changed_objects:
            audit_record(
                action="update",
                actor=request.user,
                target=obj,
                summary=str(obj)[:200],
                details={"fields": list(fields)},
            )
        for obj in formset.deleted_objects:
            audit_record(
                action="delete",
                actor=request.user,
                target_type=obj._meta.label_lower,
                target_id=str(obj.pk),
                summary=str(obj)[:200],
            )

    def save_related(self, request: Any, form: Any, formsets: Any, change: bool) -> None:
        super().save_related(request, form, formsets, change)
        # indexed once its many-to-many fields (an allegation's methods) and inlines (a person's names) are saved
        search_index([form.instance, *(obj for formset in formsets for obj in formset.new_objects)])

    def delete_model(self, request: Any, obj: Any) -> None:
        audit_record(action="delete", actor=request.user, target=obj, summary=str(obj)[:200])
        search_index_remove(obj)
        super().delete_model(request, obj)

    @transaction.atomic
    def delete_queryset(self, request: Any, queryset: Any) -> None:
        for obj in queryset:
            audit_record(action="delete", actor=request.user, target=obj, summary=str(obj)[:200])
            search_index_remove(obj)
        super().delete_queryset(request, queryset)


class RecordAdmin(AuditedAdmin):
    """Every documented record: its citations and findings inline, and its timestamps read-only. Saving a
    record re-checks it against the standards once the change is committed."""

    inlines = [CitationInline, FindingInline]
    readonly_fields = ["created_at", "updated_at"]
    list_per_page = 50

    def save_model(self, request: Any, obj: Any, form: Any, change: bool) -> None:
        super().save_model(request, obj, form, change)
        transaction.on_commit(lambda: findings_recheck(record=obj))
