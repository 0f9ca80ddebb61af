"""The download of a stored document (wired into the admin by ``SourceAdmin.get_urls``)."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.utils.http import content_disposition_header

from habeas.evidence.selectors import document_get_for_user
from habeas.evidence.services import DocumentError, document_read


def document_download(request: HttpRequest, pk: int) -> HttpResponse:
    """The document's content as uploaded, if the user may see its source (else 404); an altered file is
    refused. The read is an audit event."""
    document = document_get_for_user(user=request.user, pk=pk)
    try:
        content = document_read(document=document, user=request.user)
    except DocumentError as exc:
        return HttpResponse(f"{exc}\n", status=500, content_type="text/plain; charset=utf-8")
    response = HttpResponse(content, content_type=document.media_type)
    name = document.original_name or f"{document.sha256[:16]}"
    response["Content-Disposition"] = content_disposition_header(True, name) or "attachment"
    response["Cache-Control"] = "no-store, private"
    return response
