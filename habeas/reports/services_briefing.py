"""Writes of briefings: build one (the document stored with the hash of its records, and an audit event saying who
built what, in one transaction), and queue one as a job of the worker."""

from __future__ import annotations

import base64
import hashlib
from typing import Any

from django.db import transaction
from django.http import Http404
from django.utils.translation import gettext as _

from habeas.accounts.jobs import Progress
from habeas.accounts.services import audit_record
from habeas.reports.briefing import FORMATS, BriefingError, Scope, briefing_gather, briefing_html, briefing_pdf
from habeas.reports.models import Briefing


def briefing_build(*, user: Any, scope: Scope, format: str, progress: Progress | None = None) -> Briefing:
    """Build the briefing of ``scope`` from what ``user`` may see, as a PDF or HTML document; store it with the
    SHA-256 of the records it was built from and record who built what in the audit trail."""
    if format not in FORMATS:
        raise BriefingError(f"unknown format {format!r}; the formats are: {', '.join(FORMATS)}")
    tell = progress or (lambda done, total, what: None)
    briefing = briefing_gather(user=user, scope=scope, progress=progress)
    tell(3, 4, _("Writing the document"))
    html = briefing_html(briefing)
    document = briefing_pdf(html) if format == "pdf" else html.encode("utf-8")
    with transaction.atomic():
        stored = Briefing(
            created_by=user,
            scope=scope.as_json(),
            language=scope.language,
            redaction=scope.redaction,
            format=format,
            records_sha256=briefing.records_sha256,
            records=briefing.records,
            sha256=hashlib.sha256(document).hexdigest(),
            size=len(document),
            content=base64.b64encode(document).decode("ascii"),
        )
        stored.full_clean()
        stored.save()
        audit_record(
            action="export",
            actor=user,
            target=stored,
            summary=f"briefing ({scope.redaction}, {scope.language}, {format}) of {briefing.records} records",
            details={
                "scope": scope.as_json(),
                "format": format,
                "records_sha256": briefing.records_sha256,
                "records": briefing.records,
                "sha256": stored.sha256,
                "bytes": stored.size,
            },
        )
    tell(4, 4, _("Done"))
    return stored


def briefing_document(briefing: Briefing) -> bytes:
    """The stored document's bytes."""
    return base64.b64decode(briefing.content)


def briefing_get_for_user(*, user: Any, pk: Any) -> Briefing:
    """A briefing its builder (or a superuser) may download; anyone else's does not exist for them."""
    briefings = Briefing.objects.all() if user.is_superuser else Briefing.objects.filter(created_by=user)
    try:
        return briefings.get(pk=pk)
    except (Briefing.DoesNotExist, ValueError, TypeError):
        raise Http404(f"no briefing {pk}") from None
