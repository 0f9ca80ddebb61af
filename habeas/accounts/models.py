"""Teams and their members' roles, and the audit trail: every login, read of a protected record, write and
export, as a hash chain."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from habeas.core.fields import EncryptedJSONField, EncryptedTextField


class Role(models.TextChoices):
    """What a member may do with the records of their team."""

    ADMINISTRATOR = "administrator", _("administrator")
    RESEARCHER = "researcher", _("researcher")
    MONITOR = "monitor", _("monitor")
    LAWYER = "lawyer", _("lawyer")
    ANALYST = "analyst", _("analyst")
    READ_ONLY = "readonly", _("read-only")


#: roles that may add and change records (administrators may also delete them)
WRITING_ROLES = {Role.ADMINISTRATOR, Role.RESEARCHER, Role.MONITOR, Role.LAWYER}


class Team(models.Model):
    """A team of an organisation using Habeas (an NGO's project, an NPM's visiting team, a law firm's case
    team). Every record belongs to one team, and a user sees only what their teams hold."""

    name = models.CharField(_("name"), max_length=200, unique=True)
    organisation = models.CharField(_("organisation"), max_length=200, blank=True)
    description = models.TextField(_("description"), blank=True)

    class Meta:
        verbose_name = _("team")
        verbose_name_plural = _("teams")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Membership(models.Model):
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("user"), on_delete=models.CASCADE, related_name="memberships"
    )
    team = models.ForeignKey(Team, verbose_name=_("team"), on_delete=models.CASCADE, related_name="memberships")
    role = models.CharField(_("role"), max_length=14, choices=Role.choices)
    identities = models.BooleanField(
        _("sees identities"),
        default=False,
        help_text=_("for analysts: see the names of victims and witnesses rather than pseudonyms"),
    )
    notify_clock = models.BooleanField(
        _("e-mail me what needs attention"),
        default=False,
        help_text=_("an e-mail, once, for each deadline of this team's records that is running out or has run out"),
    )

    class Meta:
        verbose_name = _("membership")
        verbose_name_plural = _("memberships")
        constraints = [models.UniqueConstraint(fields=["user", "team"], name="accounts_membership_unique")]

    def __str__(self) -> str:
        return f"{self.user} — {self.get_role_display()} in {self.team}"


class AuditEvent(models.Model):
    """One event. ``hash`` covers the event's content and the previous event's hash, so that altering,
    deleting or reordering any event breaks the chain from there on."""

    class Action(models.TextChoices):
        LOGIN = "login", _("login")
        LOGIN_FAILED = "login_failed", _("failed login")
        LOGOUT = "logout", _("logout")
        READ = "read", _("read")
        CREATE = "create", _("create")
        UPDATE = "update", _("update")
        DELETE = "delete", _("delete")
        IMPORT = "import", _("import")
        EXPORT = "export", _("export")
        CHECK = "check", _("standards check")
        PERMISSION = "permission", _("permission change")
        KEYS = "keys", _("key operation")

    seq = models.PositiveBigIntegerField(_("number"), unique=True)
    at = models.DateTimeField(_("when"))
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("who"), null=True, blank=True, on_delete=models.SET_NULL
    )
    actor_label = models.CharField(_("who (as recorded)"), max_length=200)
    action = models.CharField(_("action"), max_length=20, choices=Action.choices)
    target_type = models.CharField(_("record type"), max_length=100, blank=True)
    target_id = models.CharField(_("record"), max_length=64, blank=True)
    summary = EncryptedTextField(_("summary"), max_length=500, blank=True)
    details = EncryptedJSONField(_("details"), default=dict, blank=True)
    prev_hash = models.CharField(max_length=64)
    hash = models.CharField(max_length=64, unique=True)

    class Meta:
        verbose_name = _("audit event")
        verbose_name_plural = _("audit events")
        ordering = ["seq"]
        indexes = [models.Index(fields=["target_type", "target_id"]), models.Index(fields=["actor", "at"])]

    def __str__(self) -> str:
        return (
            f"#{self.seq} {self.at:%Y-%m-%d %H:%M} {self.actor_label} {self.action} {self.target_type} {self.target_id}"
        )


class AuditHead(models.Model):
    """The latest link of the chain, locked while an event is appended so that events are numbered one by one
    even with many writers; it also shows when events were cut off the end."""

    seq = models.PositiveBigIntegerField(default=0)
    hash = models.CharField(max_length=64, default="0" * 64)
    signature = models.CharField(max_length=64, default="", help_text="keyed signature of seq and hash")

    class Meta:
        verbose_name = _("head of the audit chain")
        verbose_name_plural = _("heads of the audit chain")

    def __str__(self) -> str:
        return f"audit trail head: event #{self.seq}"


class LoginFailure(models.Model):
    """A failed login (a wrong password or code), kept for a while so that the lock-out can count failures by
    account and by source address (the audit trail records each one as an event too)."""

    at = models.DateTimeField(_("when"), db_index=True)
    account = models.CharField(_("account"), max_length=150, db_index=True)  # the name as typed
    address = models.CharField(_("source address (keyed hash)"), max_length=32, blank=True, db_index=True)

    class Meta:
        verbose_name = _("failed login")
        verbose_name_plural = _("failed logins")

    def __str__(self) -> str:
        return f"failed login of {self.account} at {self.at:%Y-%m-%d %H:%M}"
