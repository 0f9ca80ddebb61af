"""The search index: for each searchable record, the keyed hashes of the keys of its words.

Names, testimony and the text of documents are encrypted at rest, so the database cannot search them; and a
full-text index of their words would hold them in clear. The index holds instead, per word, the keyed hash
(``crypto.digest``) of the word's phonetic key — the key that makes "Тян", "Tyan" and "Tian" one — as
space-separated tokens, searched by the database's own full-text index: an FTS5 table on SQLite, a GIN index
on a ``tsvector`` on PostgreSQL (both made by the migration; see ``habeas.reports.search``).

The model lives here rather than in ``core``: it is a cross-domain read model of persons, places, allegations
and documents (like the dashboard), and ``core`` holds no domain.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from habeas.core.fields import EncryptedTextField


class SearchEntry(models.Model):
    """One part of the words of one record, for one audience.

    ``protected`` entries hold every indexed word of the record, including those of encrypted fields; they are
    searched for users who see the record's identities. Entries with ``protected`` False hold only the words of
    fields stored in clear (a place's name, an allegation's circumstances): what an analyst without identities
    may search. A record with very many distinct words (a long document) has several parts, so that no
    ``tsvector`` outgrows PostgreSQL's limit."""

    class Kind(models.TextChoices):
        PERSON = "person", _("person")
        PLACE = "place", _("place")
        ALLEGATION = "allegation", _("allegation")
        DOCUMENT = "document", _("document")

    kind = models.CharField(max_length=12, choices=Kind.choices)
    object_id = models.PositiveBigIntegerField()
    protected = models.BooleanField()
    part = models.PositiveSmallIntegerField(default=0)
    team = models.ForeignKey(
        "accounts.Team", verbose_name=_("team"), null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    tokens = models.TextField(blank=True)

    class Meta:
        verbose_name = _("search index entry")
        verbose_name_plural = _("search index entries")
        constraints = [
            models.UniqueConstraint(
                fields=["kind", "object_id", "protected", "part"], name="reports_searchentry_unique_part"
            )
        ]

    def __str__(self) -> str:
        return f"{self.kind} #{self.object_id} ({'protected' if self.protected else 'clear'}, part {self.part})"


class ClockNotice(models.Model):
    """An e-mail of the live clock sent to a member (``habeas.reports.services.clock_notify``): one per item and
    deadline, so that the next run does not send it again. It names the item by its kind and record only."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("user"), on_delete=models.CASCADE, related_name="clock_notices"
    )
    kind = models.CharField(_("kind"), max_length=20)
    record_id = models.PositiveBigIntegerField(_("record"))
    due = models.DateTimeField(_("due"))
    sent_at = models.DateTimeField(_("sent"))

    class Meta:
        verbose_name = _("e-mail of the live clock")
        verbose_name_plural = _("e-mails of the live clock")
        constraints = [
            models.UniqueConstraint(fields=["user", "kind", "record_id", "due"], name="reports_clock_notice_once")
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.record_id} due {self.due:%Y-%m-%d %H:%M} told to user {self.user_id}"


class Briefing(models.Model):
    """A briefing as it was built (``habeas.reports.services_briefing.briefing_build``): its scope, the SHA-256 of
    the records it was built from and of the document, and the document itself, encrypted at rest (an internal
    briefing names people). Its builder downloads it again; a superuser may too."""

    class Format(models.TextChoices):
        PDF = "pdf", "PDF"
        HTML = "html", "HTML"

    class Redaction(models.TextChoices):
        INTERNAL = "internal", _("internal")
        PARTNER = "partner", _("for partners")
        PUBLIC = "public", _("public")

    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("built by"), null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(_("built"), auto_now_add=True)
    scope = models.JSONField(_("scope"), default=dict)
    language = models.CharField(_("language"), max_length=10)
    redaction = models.CharField(_("redaction"), max_length=10, choices=Redaction.choices)
    format = models.CharField(_("format"), max_length=4, choices=Format.choices)
    records_sha256 = models.CharField(_("SHA-256 of the records"), max_length=64)
    records = models.PositiveIntegerField(_("records"))
    sha256 = models.CharField(_("SHA-256 of the document"), max_length=64)
    size = models.PositiveIntegerField(_("bytes"))
    content = EncryptedTextField(_("document"))

    class Meta:
        verbose_name = _("briefing")
        verbose_name_plural = _("briefings")

    def __str__(self) -> str:
        return f"briefing {self.pk} ({self.redaction}, {self.language}, {self.format})"

    @property
    def filename(self) -> str:
        return f"habeas-briefing-{self.pk}-{self.redaction}-{self.language}.{self.format}"


class ExchangeRecord(models.Model):
    """A record imported from a partner's signed export (``habeas.ops.exchange``): which sender's record it
    is, by the stable reference the sender's export gives it, so that a newer export of the same sender updates
    the record instead of adding it again."""

    team = models.ForeignKey("accounts.Team", verbose_name=_("team"), on_delete=models.CASCADE, related_name="+")
    sender = models.CharField(_("sender's key fingerprint"), max_length=64)
    kind = models.CharField(_("kind"), max_length=100)
    reference = models.CharField(_("the sender's reference"), max_length=300)
    content_type = models.ForeignKey("contenttypes.ContentType", on_delete=models.CASCADE, related_name="+")
    object_id = models.PositiveBigIntegerField()

    class Meta:
        verbose_name = _("imported record")
        verbose_name_plural = _("imported records")
        constraints = [
            models.UniqueConstraint(
                fields=["team", "sender", "kind", "reference"], name="reports_exchange_record_once_per_sender"
            )
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.reference} of sender {self.sender}"
