"""The evidence pages: the sources of the user's teams, a source with its documents and citations, a new
source, an upload, a document with its text and the citation of a passage; and the download of a stored
document (also wired into the admin by ``SourceAdmin.get_urls``)."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import redirect
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _t
from django.utils.translation import gettext_lazy as _

from habeas.accounts import access
from habeas.accounts.identity import name_of
from habeas.accounts.services import audit_record
from habeas.accounts.viewer import viewer_of
from habeas.accounts.web import member_required, render_page
from habeas.evidence import selectors
from habeas.evidence.forms import CitationForm, SourceForm, UploadForm
from habeas.evidence.models import Document, Source
from habeas.evidence.selectors import document_get_for_user
from habeas.evidence.services import DocumentError, citation_add, document_add, document_read, source_create


def document_download(request: HttpRequest, pk: int) -> HttpResponse:
    """The document's content as uploaded, if the user may see its source (else 404); an altered file is
    refused. The read is an audit event."""
    document = document_get_for_user(viewer=viewer_of(request), pk=pk)
    try:
        content = document_read(document=document, user=request.user)
    except DocumentError as exc:
        return HttpResponse(f"{exc}\n", status=500, content_type="text/plain; charset=utf-8")
    response = HttpResponse(content, content_type=document.media_type)
    name = document.original_name or f"{document.sha256[:16]}"
    response["Content-Disposition"] = content_disposition_header(True, name) or "attachment"
    response["Cache-Control"] = "no-store, private"
    return response


document_download_page = member_required(document_download)


NO_TEXT = _("The document was stored, but no text could be read from it (a scan?): it cannot be found by its words.")


def _read(request: HttpRequest, obj: Any) -> None:
    audit_record(action="read", actor=request.user, target_type=obj._meta.label_lower, target_id=str(obj.pk))


@member_required
def source_list(request: HttpRequest) -> HttpResponse:
    """The sources of the user's teams: kind, date, and how many documents and citations each has."""
    sources = selectors.sources_listed(viewer=viewer_of(request))
    context = {
        "title": _("Sources"),
        "sources": sources,
        "can_add": access.can_write(viewer_of(request)),
    }
    return render_page(request, "evidence/source_list.html", context)


@member_required
def source_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """A source: its documents (SHA-256, size, type, download) and what it is cited for."""
    source = access.get_for_user(Source, viewer_of(request), pk)
    _read(request, source)
    hidden = source.team_id in viewer_of(request).hidden
    context = {
        "title": name_of(source, viewer_of(request)),
        "source": source,
        "hidden": hidden,
        "documents": [] if hidden else selectors.documents_of(source=source),
        "citations": selectors.citations_of_source(source=source),
        "can_write": access.can_write(viewer_of(request), source),
    }
    return render_page(request, "evidence/source_detail.html", context)


@member_required
def source_add(request: HttpRequest) -> HttpResponseBase:
    """A new source, in a team the user may write in."""
    if not access.can_write(viewer_of(request)):
        raise PermissionDenied(_t("read-only members may not add sources"))
    form = SourceForm(request.POST or None, viewer=viewer_of(request))
    if request.method == "POST" and form.is_valid():
        published, precision = form.cleaned_data["published"]
        fields = {name: form.cleaned_data[name] for name in SourceForm.Meta.fields}
        try:
            source = source_create(
                user=request.user,
                team_id=form.cleaned_data["team"],
                published_on=published,
                published_on_precision=precision,
                **fields,
            )
        except ValidationError as exc:
            _errors_to_form(form, exc)
        else:
            messages.success(request, _t("The source was added. Upload its documents here."))
            return redirect("source_detail", pk=source.pk)
    status = 400 if form.errors else 200
    return render_page(request, "evidence/source_form.html", {"title": _("New source"), "form": form}, status=status)


@member_required
def source_upload(request: HttpRequest, pk: int) -> HttpResponseBase:
    """Upload a document to a source: stored encrypted with its SHA-256, size and type (judged by content),
    its text extracted; refused with the reason, and nothing stored, when it is too large, of another type,
    or a PDF that cannot be parsed."""
    source = access.get_for_user(Source, viewer_of(request), pk, write=True)
    form = UploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        try:
            document = document_add(source=source, checked=form.cleaned_data["file"], user=request.user)
        except ValidationError as exc:
            form.add_error("file", exc.messages)
        else:
            if document.media_type in (Document.MediaType.PDF, Document.MediaType.TEXT) and not document.text.strip():
                messages.warning(
                    request,
                    NO_TEXT,
                )
            else:
                messages.success(request, _t("The document was stored and its text can be searched."))
            return redirect("document_detail", pk=document.pk)
    context = {"title": _("Upload a document"), "source": source, "form": form}
    return render_page(request, "evidence/source_upload.html", context, status=400 if form.errors else 200)


@member_required
def document_detail(request: HttpRequest, pk: int) -> HttpResponseBase:
    """A document: its hash, size and type, its text page by page, and a form to cite a passage of it for a
    record the user may change."""
    document = document_get_for_user(viewer=viewer_of(request), pk=pk)
    form = CitationForm(request.POST or None, viewer=viewer_of(request))
    if request.method == "POST":
        if not access.can_write(viewer_of(request)):
            raise PermissionDenied(_t("read-only members may not cite sources"))
        if form.is_valid() and form.record is not None:
            data = form.cleaned_data
            try:
                citation_add(
                    source=document.source,
                    record=form.record,
                    user=request.user,
                    page=data["page"],
                    section=data["section"],
                    note=data["passage"],
                )
            except ValidationError as exc:
                _errors_to_form(form, exc)
            else:
                messages.success(request, _t("The passage is cited for %(record)s.") % {"record": form.record})
                return redirect("document_detail", pk=document.pk)
    else:
        _read(request, document)
    context = {
        "title": str(document),
        "document": document,
        "source": document.source,
        "pages": document.text.split("\f") if document.text else [],
        "form": form,
        "can_write": access.can_write(viewer_of(request)),
    }
    return render_page(request, "evidence/document_detail.html", context, status=400 if form.errors else 200)


def _errors_to_form(form: Any, exc: ValidationError) -> None:
    if hasattr(exc, "error_dict"):
        for name, errors in exc.error_dict.items():
            form.add_error(name if name in form.fields else None, errors)
    else:
        form.add_error(None, exc.messages)
