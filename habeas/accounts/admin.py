from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin
from django.contrib.auth import get_user_model
from django.contrib.auth.admin import UserAdmin
from django.http import HttpRequest
from django_otp.plugins.otp_totp.admin import TOTPDeviceAdmin
from django_otp.plugins.otp_totp.models import TOTPDevice

from habeas.accounts.models import AuditEvent, Membership, Team
from habeas.accounts.reauth import ReauthBeforeChanges, reauth_redirect, reauth_required
from habeas.accounts.recordadmin import AuditedAdmin, SuperuserOnly
from habeas.accounts.services import (
    ACCOUNT_FLAGS,
    audit_record,
    membership_change,
    membership_grant,
    membership_revoke,
    user_access_change,
)


@admin.register(AuditEvent)
class AuditEventAdmin(admin.ModelAdmin[AuditEvent]):
    """Who did what, and who read what: for administrators, read-only."""

    list_display = ["seq", "at", "actor_label", "action", "target_type", "target_id", "summary"]
    list_filter = ["action", "target_type"]
    search_fields = ["actor_label", "target_type", "target_id"]
    date_hierarchy = "at"

    def has_add_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False


class MembershipForm(forms.ModelForm[Membership]):
    """A row of a team's (or a user's) members: an existing membership changes only its role; to move a user
    to another team, remove the row and add one."""

    class Meta:
        model = Membership
        fields = ["user", "team", "role", "identities"]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            for name in ("user", "team"):
                if name in self.fields:
                    self.fields[name].disabled = True


class MembershipInline(SuperuserOnly, admin.TabularInline[Membership, Any]):
    model = Membership
    form = MembershipForm
    extra = 0
    verbose_name_plural = "Members and their roles"


class MembershipsThroughServices:
    """Memberships added, changed or removed on a page are saved by ``membership_grant``,
    ``membership_change`` and ``membership_revoke``: one permission event each, and no other event."""

    def save_formset(self, request: HttpRequest, form: Any, formset: Any, change: bool) -> None:
        if formset.model is not Membership:
            super().save_formset(request, form, formset, change)  # type: ignore[misc]
            return
        formset.save(commit=False)
        for membership in formset.deleted_objects:
            membership_revoke(membership=membership, actor=request.user)
        for membership, _ in formset.changed_objects:
            membership_change(
                membership=membership, role=membership.role, identities=membership.identities, actor=request.user
            )
        for membership in formset.new_objects:
            membership_grant(
                team=membership.team,
                user=membership.user,
                role=membership.role,
                identities=membership.identities,
                actor=request.user,
            )


@admin.register(Team)
class TeamAdmin(MembershipsThroughServices, SuperuserOnly, ReauthBeforeChanges, AuditedAdmin):
    """Teams and their members, for superusers."""

    list_display = ["name", "organisation"]
    search_fields = ["name", "organisation"]
    inlines = [MembershipInline]

    def delete_model(self, request: HttpRequest, obj: Team) -> None:
        for membership in obj.memberships.select_related("user"):
            membership_revoke(membership=membership, actor=request.user)
        super().delete_model(request, obj)

    def delete_queryset(self, request: HttpRequest, queryset: Any) -> None:
        for membership in Membership.objects.filter(team__in=queryset).select_related("user", "team"):
            membership_revoke(membership=membership, actor=request.user)
        super().delete_queryset(request, queryset)


User = get_user_model()
admin.site.unregister(User)


@admin.register(User)
class HabeasUserAdmin(MembershipsThroughServices, SuperuserOnly, ReauthBeforeChanges, UserAdmin):
    """Django's user admin, for superusers only, where a change of what the account may do (superuser,
    staff and active flags, groups, permissions, team memberships) is a permission event, through
    ``user_access_change`` and the membership services; deleting an account needs a confirmed password."""

    inlines = [MembershipInline]

    def change_view(self, request: HttpRequest, object_id: str, form_url: str = "", extra_context: Any = None) -> Any:
        if request.method == "GET":
            audit_record(action="read", actor=request.user, target_type=User._meta.label_lower, target_id=object_id)
        return super().change_view(request, object_id, form_url, extra_context)

    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        # the flags are set by user_access_change in save_related: keep their old values until then
        pending = {name: getattr(obj, name) for name in ACCOUNT_FLAGS if change and name in form.changed_data}
        for name in pending:
            setattr(obj, name, form.initial[name])
        form.habeas_flags = pending
        super().save_model(request, obj, form, change)
        audit_record(
            action="update" if change else "create",
            actor=request.user,
            target=obj,
            summary=obj.get_username(),
            details={"fields": [name for name in form.changed_data if name not in pending and name != "password"]},
        )

    def save_related(self, request: HttpRequest, form: Any, formsets: Any, change: bool) -> None:
        wanted: dict[str, Any] = {}
        for name in ("groups", "user_permissions"):
            if name in form.changed_data:
                wanted[name] = form.cleaned_data.pop(name)  # saved by the service, not by the form
        super().save_related(request, form, formsets, change)
        user_access_change(
            user=form.instance,
            actor=request.user,
            flags=getattr(form, "habeas_flags", {}),
            groups=wanted.get("groups"),
            permissions=wanted.get("user_permissions"),
        )

    def user_change_password(self, request: HttpRequest, id: str, form_url: str = "") -> Any:
        if reauth_required(request):  # setting another user's password is a key operation
            return reauth_redirect(request, request.path)
        return super().user_change_password(request, id, form_url)

    def delete_model(self, request: HttpRequest, obj: Any) -> None:
        self._revoke_and_record(request, [obj])
        super().delete_model(request, obj)

    def delete_queryset(self, request: HttpRequest, queryset: Any) -> None:
        self._revoke_and_record(request, list(queryset))
        super().delete_queryset(request, queryset)

    def _revoke_and_record(self, request: HttpRequest, users: list[Any]) -> None:
        for user in users:
            for membership in Membership.objects.filter(user=user).select_related("user", "team"):
                membership_revoke(membership=membership, actor=request.user)
            audit_record(action="delete", actor=request.user, target=user, summary=user.get_username())


admin.site.unregister(TOTPDevice)


@admin.register(TOTPDevice)
class HabeasTOTPDeviceAdmin(ReauthBeforeChanges, TOTPDeviceAdmin):
    """django-otp's authenticators, where adding, changing or deleting one, or showing its secret (the set-up
    page and its QR code), needs a recently confirmed password."""

    def config_view(self, request: HttpRequest, pk: Any) -> Any:
        if reauth_required(request):
            return reauth_redirect(request, request.path)
        return super().config_view(request, pk)

    def qrcode_view(self, request: HttpRequest, pk: Any) -> Any:
        if reauth_required(request):
            return reauth_redirect(request, request.path)
        return super().qrcode_view(request, pk)
