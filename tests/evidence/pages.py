"""The evidence app's workplace pages in the access matrix (tests/accounts/test_authorisation_matrix.py): the
status each persona gets on each page, and the URL arguments of the pages that take some."""

from __future__ import annotations

import io
from collections.abc import Callable
from typing import Any

from tests.pages import MEMBER_PAGE, RECORD_PAGE, RECORD_WRITE_PAGE, WRITE_PAGE

PAGES: dict[str, dict[str, int]] = {
    "source_list": MEMBER_PAGE,
    "source_add": WRITE_PAGE,
    "source_detail": RECORD_PAGE,
    "source_upload": RECORD_WRITE_PAGE,
    # a document of a source of team A (and its download): read by any member, not found by the outsider; an
    # analyst who sees pseudonyms may not open documents, which name people
    "document_detail": {**RECORD_PAGE, "analyst": 403},
    "document_download": {**RECORD_PAGE, "analyst": 403},
}


def briefing() -> Any:
    """The demo's main source: the 2013 briefing, a source of team A."""
    from habeas.evidence.models import Source

    return Source.objects.filter(team__name="A").order_by("pk").first()


def briefing_document() -> Any:
    """A text document of the briefing, uploaded the first time it is asked for."""
    from habeas.evidence.models import Document
    from habeas.evidence.services import document_add

    source = briefing()
    found = Document.objects.filter(source=source).order_by("pk").first()
    if found is not None:
        return found
    upload = io.BytesIO(b"Dmitri Tian was transferred to a prison in Kostanai province.")
    upload.name = "extract.txt"
    return document_add(source=source, upload=upload, user=None)


URL_ARGUMENTS: dict[str, Callable[[], dict[str, Any]]] = {
    "source_detail": lambda: {"pk": briefing().pk},
    "source_upload": lambda: {"pk": briefing().pk},
    "document_detail": lambda: {"pk": briefing_document().pk},
    "document_download": lambda: {"pk": briefing_document().pk},
}
