from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin
from django.contrib.contenttypes.admin import GenericTabularInline
from django.core.exceptions import ValidationError
from django.db import models
from django.urls import URLPattern, path, reverse
from django.utils.html import format_html

from habeas.accounts import access
from habeas.accounts.recordadmin import AuditedAdmin, RolePermissions, SuperuserOnly, record_inline
from habeas.accounts.viewer import viewer_of
from habeas.evidence.models import Citation, Document, Source
from habeas.evidence.services import ALLOWED_TYPES, document_add, document_check, document_delete
from habeas.evidence.views import document_download


@record_inline
class CitationInline(RolePermissions, GenericTabularInline):
    model = Citation
    extra = 0
    fields = ["source", "field", "section", "page", "paragraph", "note"]
    autocomplete_fields = ["source"]
    verbose_name_plural = "Sources for this record"


class DocumentForm(forms.ModelForm):
    upload = forms.FileField(label="file", required=False, help_text=f"{ALLOWED_TYPES}")

    class Meta:
        model = Document
        fields: list[str] = []

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        upload = cleaned.get("upload")
        if upload and self.instance.pk:
            raise ValidationError({"upload": "a stored document cannot be replaced; add the new file as a new row"})
        if not upload and not self.instance.pk and self.has_changed():
            raise ValidationError({"upload": "choose a file"})
        if upload:
            try:
                document_check(upload)
            except ValidationError as exc:
                raise ValidationError({"upload": exc.messages}) from None
        return cleaned


class DocumentInline(RolePermissions, admin.TabularInline):
    """The files of a source: uploaded here, stored encrypted, downloaded through a link that checks access."""

    model = Document
    form = DocumentForm
    extra = 1
    fields = ["upload", "original_name", "media_type", "size", "sha256", "uploaded_at", "uploaded_by", "download"]
    readonly_fields = ["original_name", "media_type", "size", "sha256", "uploaded_at", "uploaded_by", "download"]
    verbose_name_plural = "Documents (files of this source, stored encrypted)"

    # ``obj`` is the source whose page this is: what the user may do with its documents follows their role in
    # the source's team.
    def has_add_permission(self, request: Any, obj: Any = None) -> bool:
        return access.can_write(viewer_of(request), obj)

    def has_change_permission(self, request: Any, obj: Any = None) -> bool:
        return access.can_write(viewer_of(request), obj)

    def has_delete_permission(self, request: Any, obj: Any = None) -> bool:
        return access.can_delete(viewer_of(request), obj)

    def _shown(self, request: Any, names: Any, obj: Any) -> Any:
        # an analyst not granted identities may not open a document: no link to download it
        shown = super()._shown(request, names, obj)
        return [name for name in shown if name != "download"] if self._hides(request, obj) else shown

    @admin.display(description="download")
    def download(self, obj: Document) -> str:
        if obj.pk is None:
            return ""
        return format_html('<a href="{}">download</a>', reverse("admin:evidence_document_download", args=[obj.pk]))


@admin.register(Source)
class SourceAdmin(AuditedAdmin):
    list_display = ["title", "kind", "author", "published_on", "reliability"]
    list_filter = ["kind", "reliability"]
    search_fields = ["key", "reference"]
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}
    inlines = [DocumentInline]

    def get_urls(self) -> list[URLPattern]:
        download = path(
            "document/<int:pk>/download/",
            self.admin_site.admin_view(document_download),
            name="evidence_document_download",
        )
        return [download, *super().get_urls()]

    def save_formset(self, request: Any, form: Any, formset: Any, change: bool) -> None:
        if formset.model is not Document:
            super().save_formset(request, form, formset, change)
            return
        formset.new_objects, formset.changed_objects, formset.deleted_objects = [], [], []
        for inline_form in formset.forms:
            data = getattr(inline_form, "cleaned_data", {})
            if inline_form in formset.deleted_forms:
                if inline_form.instance.pk:
                    document_delete(document=inline_form.instance, user=request.user)
                    formset.deleted_objects.append(inline_form.instance)
            elif data.get("upload") and not inline_form.instance.pk:
                document = document_add(source=form.instance, upload=data["upload"], user=request.user)
                formset.new_objects.append(document)


@admin.register(Citation)
class CitationAdmin(SuperuserOnly, AuditedAdmin):
    """All citations across teams: for superusers; others add citations on each record's page."""

    list_display = ["source", "content_type", "object_id", "field", "section"]
    list_filter = ["source", "content_type"]
    search_fields = ["source__key"]
    autocomplete_fields = ["source"]

    def get_queryset(self, request: Any) -> Any:
        return super().get_queryset(request).select_related("source", "content_type")
