"""Admin building blocks shared by every app: permissions from roles, audited writes through the write path, and
the page of every record, which shows its own parts and then the inlines the apps above add to every record
(``record_inline``: the citations of ``evidence``, the findings of ``standards``)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.contrib.admin.options import InlineModelAdmin
from django.contrib.admin.utils import get_fields_from_path
from django.core.exceptions import FieldDoesNotExist, PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Q
from django.http import Http404
from django.template.response import TemplateResponse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from habeas.accounts import access
from habeas.accounts.identity import name_of
from habeas.accounts.models import Role, Team
from habeas.accounts.reauth import ReauthBeforeDeletion, reauth_redirect, reauth_required
from habeas.accounts.records import after_write, record_create, record_delete, record_move, record_update
from habeas.accounts.services import audit_record, audit_search
from habeas.accounts.viewer import viewer_of
from habeas.core.fields import name_query, protected_fields

_owned = access.owned


def _same_team_errors(form: Any, team_id: int | None) -> None:
    """Put a field error on every choice of ``form`` (bound and cleaned) that is a record of another team than
    ``team_id``: a crafted form cannot link one team's person, place or source into another team's record."""
    for name, message in access.links_outside_team(form.instance, team_id).items():
        if name in form.fields:  # a link the user chose (others are checked by the services)
            form.add_error(name, message)
    for name, field in list(form.fields.items()):
        chosen = form.cleaned_data.get(name) if hasattr(form, "cleaned_data") else None
        if (
            isinstance(field, forms.ModelMultipleChoiceField)
            and chosen is not None
            and _owned(chosen.model)
            and chosen.exclude(team_id=team_id).exists()
        ):
            form.add_error(name, _("Choose records of the same team as this one."))


class SameTeamForm(forms.ModelForm):
    """A record's form: what it links to is of the record's team."""

    def _post_clean(self) -> None:
        super()._post_clean()  # type: ignore[misc]
        if _owned(type(self.instance)) and self.instance.team_id is not None:
            _same_team_errors(self, self.instance.team_id)
            if "team" not in self.fields:  # a team's uniqueness (a source's key) holds where the team is not shown
                try:
                    self.instance.validate_constraints(exclude=self._get_validation_exclusions() - {"team"})  # type: ignore[attr-defined]
                except ValidationError as error:
                    self._update_errors(error)  # type: ignore[attr-defined]


class SameTeamFormSet:
    """The rows of an inline (parts of a record): what they link to is of the record's team."""

    instance: Any
    forms: list[Any]

    def clean(self) -> None:
        super().clean()  # type: ignore[misc]
        team_id = getattr(self.instance, "team_id", None)
        for form in self.forms:
            if form.has_changed() and hasattr(form, "cleaned_data") and not form.cleaned_data.get("DELETE"):
                _same_team_errors(form, team_id)


def _named_choices(field: Any, request: Any) -> Any:
    """A choice of records labelled by the names the user may see (``habeas.accounts.identity.name_of``)."""
    if isinstance(field, forms.ModelChoiceField):
        viewer = viewer_of(request)
        field.label_from_instance = lambda obj: name_of(obj, viewer)  # type: ignore[method-assign]
    return field


def _name_column(model: Any, request: Any, column: str) -> Any:
    """A column of a list of records (the record itself for ``__str__``, else the record a link points to)
    showing the name the user may see."""
    viewer = viewer_of(request)
    if column == "__str__":
        return admin.display(description=model._meta.verbose_name)(lambda record: name_of(record, viewer))
    field = model._meta.get_field(column)
    return admin.display(description=field.verbose_name, ordering=column)(
        lambda record: name_of(getattr(record, column), viewer)
    )


def _names_a_record(model: Any, column: Any) -> bool:
    """Whether the column shows a record that may name people: itself, or the record a link points to."""
    if column == "__str__":
        return hasattr(model, "name_for")
    if not isinstance(column, str) or "__" in column:
        return False
    try:
        field = model._meta.get_field(column)
    except FieldDoesNotExist:
        return False
    return bool(field.many_to_one and hasattr(field.related_model, "name_for"))


class RolePermissions:
    """Admin permissions from the user's roles in their teams (see ``habeas.accounts.access``), for model admins
    and inlines alike. Records of other teams do not exist for the user."""

    model: Any

    def has_module_permission(self, request: Any) -> bool:
        return bool(request.user.is_active and (request.user.is_superuser or viewer_of(request).roles))

    def has_view_permission(self, request: Any, obj: Any = None) -> bool:
        if not self.has_module_permission(request):
            return False
        if obj is None:
            return True
        model = type(obj)  # for an inline, the record it belongs to (not a row of the inline's own model)
        return not _owned(model) or access.visible(model, viewer_of(request)).filter(pk=obj.pk).exists()

    def has_add_permission(self, request: Any, obj: Any = None) -> bool:
        return access.can_write(viewer_of(request))

    def has_change_permission(self, request: Any, obj: Any = None) -> bool:
        return access.can_write(viewer_of(request), obj if obj is not None and _owned(self.model) else None)

    def has_delete_permission(self, request: Any, obj: Any = None) -> bool:
        return access.can_delete(viewer_of(request), obj if obj is not None and _owned(self.model) else None)

    # Pseudonymised views (``habeas.accounts.identity``): an analyst not granted identities sees no protected field
    # of their team's records — on a record's page (``obj``; for an inline, the record it belongs to) or, when
    # there is none, on lists and forms of a kind of record.

    def _hides(self, request: Any, obj: Any) -> bool:
        hidden = viewer_of(request).hidden
        return bool(hidden) and (obj is None or getattr(obj, "team_id", None) in hidden)

    def _shown(self, request: Any, names: Any, obj: Any) -> Any:
        if not self._hides(request, obj):
            return names
        protected = {f.name for f in protected_fields(self.model)[0]}
        return [name for name in names if name not in protected]

    def get_fields(self, request: Any, obj: Any = None) -> Any:
        fields = self._shown(request, super().get_fields(request, obj), obj)  # type: ignore[misc]
        if isinstance(self, admin.options.InlineModelAdmin):  # a part of a record is in the record's team
            fields = [name for name in fields if name != "team"]
        return fields

    # A choice of another record (a person, a place, …) offers only those the user may write: neither the
    # widget nor a crafted form can name or point to another team's record, or to one of a team in which the
    # user only reads. The form then checks that every choice is of the record's own team. A new record's team
    # is one of the teams the user writes in; an existing record's team is not changed here (see
    # ``habeas.accounts.records.record_move``).

    def formfield_for_foreignkey(self, db_field: Any, request: Any, **kwargs: Any) -> Any:
        if db_field.name == "team" and db_field.related_model is Team and _owned(self.model):
            teams = access.writable_teams(viewer_of(request))
            kwargs["queryset"] = teams
            kwargs["required"] = True
            if len(only := list(teams[:2])) == 1:  # the user's only team: chosen already (the service sets it)
                kwargs["empty_label"], kwargs["initial"], kwargs["required"] = None, only[0].pk, False
        elif _owned(db_field.related_model):
            kwargs["queryset"] = access.writable(db_field.related_model, viewer_of(request))
        return _named_choices(super().formfield_for_foreignkey(db_field, request, **kwargs), request)  # type: ignore[misc]

    def formfield_for_manytomany(self, db_field: Any, request: Any, **kwargs: Any) -> Any:
        if _owned(db_field.related_model):
            kwargs["queryset"] = access.writable(db_field.related_model, viewer_of(request))
        return _named_choices(super().formfield_for_manytomany(db_field, request, **kwargs), request)  # type: ignore[misc]

    def get_readonly_fields(self, request: Any, obj: Any = None) -> Any:
        fields = list(self._shown(request, super().get_readonly_fields(request, obj), obj))  # type: ignore[misc]
        if obj is not None and _owned(self.model) and not isinstance(self, admin.options.InlineModelAdmin):
            fields.append("team")
        return fields

    def get_form(self, request: Any, obj: Any = None, change: bool = False, **kwargs: Any) -> Any:
        base: Any = kwargs.get("form", self.form)  # type: ignore[attr-defined]
        kwargs["form"] = type(base.__name__, (SameTeamForm, base), {})
        return super().get_form(request, obj, change=change, **kwargs)  # type: ignore[misc]

    def get_formset(self, request: Any, obj: Any = None, **kwargs: Any) -> Any:
        base: Any = kwargs.get("formset", self.formset)  # type: ignore[attr-defined]
        kwargs["formset"] = type(base.__name__, (SameTeamFormSet, base), {})
        return super().get_formset(request, obj, **kwargs)  # type: ignore[misc]


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
            queryset = queryset.filter(team_id__in=list(viewer_of(request).roles))
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
        shown = self._shown(request, columns, None)
        if len(shown) != len(columns):
            shown = ["__str__", *(c for c in shown if c != "__str__")]
        return [_name_column(self.model, request, c) if _names_a_record(self.model, c) else c for c in shown]

    def get_list_select_related(self, request: Any) -> Any:
        """The linked records shown as name columns are joined, as Django joins a link shown as a column."""
        chosen = super().get_list_select_related(request)
        columns = super().get_list_display(request)
        if chosen is False and any(c != "__str__" and _names_a_record(self.model, c) for c in columns):
            return True
        return chosen

    def log_addition(self, request: Any, obj: Any, message: Any) -> Any:
        """Django's own change log would store each record's name in clear: the audit trail replaces it."""

    def log_change(self, request: Any, obj: Any, message: Any) -> Any:
        """See ``log_addition``."""

    def log_deletion(self, request: Any, obj: Any, object_repr: str) -> Any:
        """See ``log_addition``."""

    def log_deletions(self, request: Any, queryset: Any) -> Any:
        """See ``log_addition``."""

    def get_search_results(self, request: Any, queryset: Any, search_term: str) -> tuple[Any, bool]:
        writable = access.writable_team_ids(viewer_of(request))
        if (
            getattr(request.resolver_match, "url_name", None) == "autocomplete"
            and _owned(self.model)
            and writable is not None
        ):
            queryset = queryset.filter(team_id__in=writable)  # a choice to link: only records the user may write
        found, duplicates = super().get_search_results(request, queryset, search_term)
        condition = Q()
        # a name search would tell an analyst who stands behind a pseudonym
        for path in self.name_search if not self._hides(request, None) else []:
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

    #: whether a write re-checks the record against the standards once committed
    recheck = False

    def write(self, request: Any, obj: Any, *, created: bool, parent: Any = None, changes: Any = None) -> None:
        """Store a record (or a part of ``parent``) through its service: access, validation, audit."""
        if created:
            record_create(record=obj, user=request.user, parent=parent, recheck=self.recheck)
        else:
            record_update(record=obj, user=request.user, parent=parent, changes=changes, recheck=self.recheck)

    def save_model(self, request: Any, obj: Any, form: Any, change: bool) -> None:
        self.write(request, obj, created=not change, changes=_changes(form))

    def save_formset(self, request: Any, form: Any, formset: Any, change: bool) -> None:
        formset.save(commit=False)
        for obj in formset.deleted_objects:
            record_delete(record=obj, user=request.user, parent=form.instance)
        for obj, fields in formset.changed_objects:
            self.write(request, obj, created=False, parent=form.instance, changes={"fields": list(fields)})
        for obj in formset.new_objects:
            self.write(request, obj, created=True, parent=form.instance)
        formset.save_m2m()

    def save_related(self, request: Any, form: Any, formsets: Any, change: bool) -> None:
        super().save_related(request, form, formsets, change)
        # its many-to-many fields (an allegation's methods) are written once the record is saved: they follow too
        after_write("update", [form.instance])

    def delete_model(self, request: Any, obj: Any) -> None:
        record_delete(record=obj, user=request.user)

    @transaction.atomic
    def delete_queryset(self, request: Any, queryset: Any) -> None:
        for obj in queryset:
            record_delete(record=obj, user=request.user)

    # Moving records to another team: an administrator's operation of its own, for administrators of both
    # teams, after a recently confirmed password; each record takes its parts and findings along.

    def has_move_permission(self, request: Any) -> bool:
        user = request.user
        return _owned(self.model) and (
            user.is_superuser or list(viewer_of(request).roles.values()).count(Role.ADMINISTRATOR) >= 2
        )

    def get_actions(self, request: Any) -> Any:
        actions = super().get_actions(request)
        if self.has_move_permission(request):
            actions["move_to_team"] = (AuditedAdmin.move_to_team, "move_to_team", _MOVE)
        return actions

    def move_to_team(self, request: Any, queryset: Any) -> Any:
        if reauth_required(request):
            return reauth_redirect(request, request.get_full_path())  # nothing is moved
        user = request.user
        teams = Team.objects.order_by("name")
        if not user.is_superuser:
            teams = teams.filter(
                pk__in=[team for team, role in viewer_of(request).roles.items() if role == Role.ADMINISTRATOR]
            )
        form = MoveForm(request.POST if "team" in request.POST else None, teams=teams)
        if form.is_valid():
            try:
                moved = record_move(records=list(queryset), team=form.cleaned_data["team"], user=user)
            except (ValidationError, PermissionDenied) as refusal:
                self.message_user(request, " ".join(_messages(refusal)), messages.ERROR)
            else:
                self.message_user(request, _("%(count)d records moved.") % {"count": len(moved)}, messages.SUCCESS)
            return None
        context = {
            **self.admin_site.each_context(request),
            "title": _MOVE,
            "opts": self.model._meta,
            "form": form,
            "records": queryset,
            "selected": request.POST.getlist(ACTION_CHECKBOX_NAME),
        }
        return TemplateResponse(request, "admin/habeas_move_to_team.html", context)


_MOVE = gettext_lazy("Move the selected records to another team")


def _messages(refusal: Exception) -> list[str]:
    return getattr(refusal, "messages", None) or [str(refusal)]


class MoveForm(forms.Form):
    team = forms.ModelChoiceField(queryset=Team.objects.none(), label=gettext_lazy("team to move them to"))

    def __init__(self, *args: Any, teams: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["team"].queryset = teams  # type: ignore[attr-defined]


class SharedDataAdmin(AuditedAdmin):
    """Reference data every team uses (the gazetteer's localities, methods of torture): every member reads
    them; only instance administrators (superusers) add, change or delete them."""

    def _instance_administrator(self, request: Any) -> bool:
        return bool(request.user.is_active and request.user.is_superuser)

    def has_add_permission(self, request: Any, obj: Any = None) -> bool:
        return self._instance_administrator(request)

    def has_change_permission(self, request: Any, obj: Any = None) -> bool:
        return self._instance_administrator(request)

    def has_delete_permission(self, request: Any, obj: Any = None) -> bool:
        return self._instance_administrator(request)


#: the inlines every record's page shows after its own parts
_record_inlines: list[type[InlineModelAdmin[Any, Any]]] = []


def record_inline(inline: type[InlineModelAdmin[Any, Any]]) -> type[InlineModelAdmin[Any, Any]]:
    """Show ``inline`` on every record's page, after the record's own parts (a class decorator, used by the admin
    module of an app above this floor)."""
    if inline not in _record_inlines:
        _record_inlines.append(inline)
    return inline


class RecordAdmin(AuditedAdmin):
    """Every documented record: its own parts (``inlines``), then the inlines of every record (its citations and
    findings, see ``record_inline``), and its timestamps read-only. Saving a record re-checks it against the
    standards once the change is committed."""

    readonly_fields = ["created_at", "updated_at"]
    list_per_page = 50
    recheck = True

    def get_inlines(self, request: Any, obj: Any) -> Any:
        return [*super().get_inlines(request, obj), *_record_inlines]
