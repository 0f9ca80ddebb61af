"""Findings: what the rules engine found on a record, kept for human review."""

from __future__ import annotations

from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from habeas.core.fields import EncryptedJSONField, EncryptedTextField
from habeas.core.wording import english, render


class Finding(models.Model):
    """One rule's result on one record under one profile. A finding is a prompt for review: reviewers
    confirm or dismiss it with a reason, and the decision survives re-evaluation."""

    #: a finding belongs to the record it is about, not to the place or organisation it names: it is not moved
    #: as a record pointing to them (``habeas.accounts.records``) but with its own record (``findings_follow``)
    follows_its_record = True

    class Status(models.TextChoices):
        BREACH = "breach", _("breach")
        POSSIBLE = "possible", _("possible breach")
        ALLEGED = "alleged", _("alleged violation")
        GAP = "gap", _("gap: no source says")

    class Severity(models.IntegerChoices):
        INFO = 0, _("info")
        LOW = 1, _("low")
        MEDIUM = 2, _("medium")
        HIGH = 3, _("high")
        CRITICAL = 4, _("critical")

    class Review(models.TextChoices):
        PENDING = "", _("not reviewed")
        CONFIRMED = "confirmed", _("confirmed")
        DISMISSED = "dismissed", _("dismissed")

    profile = models.CharField(_("profile"), max_length=40)
    rule = models.CharField(_("rule"), max_length=80, db_index=True, help_text=_("the first standard it cites"))
    topic = models.CharField(
        _("failure judged"),
        max_length=80,
        default="",
        help_text=_("what failed; one finding per record and failure, citing every standard it breaches"),
    )
    rule_version = models.PositiveIntegerField(_("rule version"))
    content_type = models.ForeignKey(ContentType, on_delete=models.CASCADE)
    object_id = models.PositiveBigIntegerField()
    record = GenericForeignKey("content_type", "object_id")
    status = models.CharField(_("status"), max_length=10, choices=Status.choices)
    severity = models.IntegerField(_("severity"), choices=Severity.choices)
    subject = EncryptedTextField(_("concerning"), max_length=300)
    wording = EncryptedJSONField(
        _("summary"), default=dict, help_text=_("what the rule found, as words any language can render")
    )
    standard = models.TextField(_("standard"))
    standards = models.JSONField(
        _("standards cited"),
        default=list,
        blank=True,
        help_text=_("every rule and standard the failure breaches, the strictest first"),
    )
    facts = models.JSONField(_("facts used"), default=dict, blank=True)
    parameters = models.JSONField(_("parameters"), default=dict, blank=True)
    sources = EncryptedJSONField(_("sources"), default=list, blank=True)
    prevails = models.BooleanField(
        _("prevailing standard"),
        default=True,
        help_text=_("kept from before one finding cited every standard it breaches: now always true"),
    )
    fingerprint = models.CharField(max_length=64)
    active = models.BooleanField(_("current"), default=True, help_text=_("false once re-evaluation no longer finds it"))
    team = models.ForeignKey(
        "accounts.Team",
        verbose_name=_("team"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text=_("the team that holds the record: who may see the finding (none: superusers only)"),
    )
    place = models.ForeignKey(
        "registry.Place",
        verbose_name=_("place"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="findings",
    )
    organisation = models.ForeignKey(
        "registry.Organisation",
        verbose_name=_("organisation"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="findings",
    )
    first_found_at = models.DateTimeField(_("first found"))
    changed_at = models.DateTimeField(_("last changed"))
    review = models.CharField(_("review"), max_length=10, choices=Review.choices, blank=True)
    review_reason = EncryptedTextField(_("reason for the decision"), blank=True)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("reviewed by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
    )
    reviewed_at = models.DateTimeField(_("reviewed"), null=True, blank=True)

    class Meta:
        verbose_name = _("finding")
        verbose_name_plural = _("findings")
        indexes = [
            models.Index(fields=["content_type", "object_id"]),
            models.Index(fields=["profile", "active"]),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["profile", "topic", "content_type", "object_id"], name="standards_finding_topic_unique"
            ),
            models.CheckConstraint(
                condition=Q(review="") | ~Q(review_reason=""),
                name="standards_finding_review_has_reason",
                violation_error_message="a review decision needs a reason",
            ),
        ]

    def __str__(self) -> str:
        # not the subject, which names people: a finding is shown wherever its record is, by analysts too
        return f"{self.rule} ({self.get_status_display()})"

    @property
    def summary(self) -> str:
        """What the rule found, in English, as exports and reports give it."""
        return english(self.wording)

    def summary_shown(self) -> str:
        """What the rule found, in the reader's language."""
        return render(self.wording)

    summary_shown.short_description = _("summary")  # type: ignore[attr-defined]


class Follow(models.Model):
    """How current a record's facts are, beyond its sources: whether a team is actively monitoring it (its open
    situations — no investigation yet, a detention not ended — are then measured to the day of the check), and
    the date to which someone last reviewed its facts. A record with neither is known up to its latest
    source."""

    content_type = models.ForeignKey(ContentType, on_delete=models.CASCADE)
    object_id = models.PositiveBigIntegerField()
    record = GenericForeignKey("content_type", "object_id")
    active = models.BooleanField(
        _("under active monitoring"), default=False, help_text=_("open situations are measured to today")
    )
    reviewed_on = models.DateField(
        _("facts reviewed up to"), null=True, blank=True, help_text=_("the date to which the facts were last checked")
    )

    class Meta:
        verbose_name = _("follow-up of a record")
        verbose_name_plural = _("follow-ups of records")
        constraints = [models.UniqueConstraint(fields=["content_type", "object_id"], name="standards_follow_unique")]

    def __str__(self) -> str:
        return f"{self.content_type.model} #{self.object_id}"


from habeas.standards.treaties import Ratification  # noqa: E402,F401  (a model of this app, kept with its data)
