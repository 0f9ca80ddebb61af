"""Sources of information and the citations that tie any record, or one of its fields, to them."""

from __future__ import annotations

from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from habeas.accounts.identity import name_of, pseudonymous
from habeas.accounts.viewer import Viewer
from habeas.core.fields import EncryptedTextField
from habeas.core.models import fuzzy_date


class Source(models.Model):
    class Kind(models.TextChoices):
        DOCUMENT = "document", _("document or report")
        INTERVIEW = "interview", _("interview or testimony")
        MEDIA = "media", _("media report")
        OFFICIAL = "official", _("official statement")
        COURT = "court", _("court record")
        VIDEO = "video", _("photo or video")

    class Reliability(models.TextChoices):
        HIGH = "high", _("high: first-hand or verified")
        MEDIUM = "medium", _("medium: credible, not independently verified")
        LOW = "low", _("low: hearsay or contested")
        UNKNOWN = "unknown", _("not assessed")

    key = models.SlugField(
        _("key"),
        max_length=80,
        help_text=_("a short stable name, never a person's name: it is stored and shown in clear"),
    )
    team = models.ForeignKey(
        "accounts.Team", verbose_name=_("team"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    title = EncryptedTextField(_("title"), max_length=500)
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    author = models.ForeignKey(
        "registry.Organisation",
        verbose_name=_("author or publisher"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="sources",
    )
    reference = models.CharField(_("reference number"), max_length=200, blank=True)
    published_on, published_on_precision = fuzzy_date(_("published"))
    reliability = models.CharField(
        _("reliability"), max_length=10, choices=Reliability.choices, default=Reliability.UNKNOWN
    )
    language = models.CharField(_("language"), max_length=20, blank=True)
    url = models.URLField(_("address"), blank=True)
    description = EncryptedTextField(_("description"), blank=True)

    class Meta:
        verbose_name = _("source")
        verbose_name_plural = _("sources")
        ordering = ["key"]
        # unique within a team: a key used by another team is not refused, which would tell that it exists
        constraints = [
            models.UniqueConstraint(
                fields=["team", "key"],
                name="evidence_source_key_per_team",
                violation_error_message=_("Your team has a source with this key already."),
            ),
            models.UniqueConstraint(
                fields=["key"],
                condition=Q(team__isnull=True),
                name="evidence_source_key_without_team",
                violation_error_message=_("A source without a team has this key already."),
            ),
        ]

    def __str__(self) -> str:
        return pseudonymous(self)

    def name_for(self, viewer: Viewer) -> str:
        """Its name, for a viewer who sees its team's identities (``habeas.accounts.identity.name_of``)."""
        return self.title if viewer.sees_identity(self.team_id) else str(self)


class Citation(models.Model):
    """A source for a record, or for a single field of it, with where in the source to look."""

    source = models.ForeignKey(Source, verbose_name=_("source"), on_delete=models.PROTECT, related_name="citations")
    content_type = models.ForeignKey(ContentType, on_delete=models.CASCADE)
    object_id = models.PositiveBigIntegerField()
    record = GenericForeignKey("content_type", "object_id")
    field = models.CharField(
        _("field"),
        max_length=100,
        blank=True,
        help_text=_("leave empty when the source supports the whole record"),
    )
    section = EncryptedTextField(_("section"), max_length=300, blank=True)
    page = models.CharField(_("page"), max_length=30, blank=True)
    paragraph = models.CharField(_("paragraph"), max_length=30, blank=True)
    note = EncryptedTextField(_("note"), blank=True)

    class Meta:
        verbose_name = _("citation")
        verbose_name_plural = _("citations")
        indexes = [models.Index(fields=["content_type", "object_id"])]
        constraints = [
            models.CheckConstraint(
                condition=~Q(section="") | ~Q(page="") | ~Q(paragraph=""),
                name="evidence_citation_has_locator",
                violation_error_message="a citation needs a locator: a section, page or paragraph",
            )
        ]

    def __str__(self) -> str:
        return pseudonymous(self)  # the section of a source can name a person

    def name_for(self, viewer: Viewer) -> str:
        """The source and where in it, for a viewer who sees the source's team's identities."""
        if not viewer.sees_identity(self.source.team_id):
            return str(self)
        where = ", ".join(part for part in (self.section, self.page and f"p. {self.page}", self.paragraph) if part)
        return f"{name_of(self.source, viewer)} — {where}"

    def clean(self) -> None:
        super().clean()
        if self.field and self.content_type_id:
            model = self.content_type.model_class()
            names = {f.name for f in model._meta.get_fields()} if model else set()
            if self.field not in names:
                raise ValidationError({"field": f"{self.content_type} has no field named {self.field!r}"})


class Document(models.Model):
    """A file of a source (a report, a scan of a court decision, a photograph of injuries), stored encrypted.

    The stored file's path comes from the content's SHA-256 alone (``documents/ab/abcd…`` under ``MEDIA_ROOT``),
    never from the name it was uploaded under; that name is kept only as encrypted metadata, since a file name
    can name a victim."""

    class MediaType(models.TextChoices):
        PDF = "application/pdf", _("PDF document")
        TEXT = "text/plain", _("plain text")
        PNG = "image/png", _("PNG image")
        JPEG = "image/jpeg", _("JPEG image")

    source = models.ForeignKey(Source, verbose_name=_("source"), on_delete=models.PROTECT, related_name="documents")
    sha256 = models.CharField(_("SHA-256"), max_length=64, editable=False)
    size = models.PositiveBigIntegerField(_("size in bytes"), editable=False)
    media_type = models.CharField(_("type"), max_length=40, choices=MediaType.choices, editable=False)
    original_name = EncryptedTextField(_("original file name"), max_length=255, blank=True)
    text = EncryptedTextField(
        _("text"),
        blank=True,
        editable=False,
        help_text=_("the text extracted from the file (a PDF's pages separated by form feeds), for search"),
    )
    uploaded_at = models.DateTimeField(_("uploaded"), editable=False)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("uploaded by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        editable=False,
    )

    class Meta:
        verbose_name = _("document")
        verbose_name_plural = _("documents")
        ordering = ["source", "uploaded_at", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["source", "sha256"],
                name="evidence_document_unique_per_source",
                violation_error_message="this file is already attached to this source",
            ),
        ]

    def __str__(self) -> str:
        # not the original name, which can name a victim
        return f"document {self.sha256[:12]} ({self.get_media_type_display()}, {self.size:,} bytes)"
