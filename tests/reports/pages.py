"""The reports app's workplace pages in the access matrix (tests/accounts/test_authorisation_matrix.py): the
status each persona gets on each page, and the URL arguments of the pages that take some."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from tests.conftest import PERSONAS
from tests.pages import MEMBER_PAGE

PAGES: dict[str, dict[str, int]] = {
    "dashboard": MEMBER_PAGE,
    # the redacted export: each exports what they may see (the outsider's is empty)
    "export": MEMBER_PAGE,
    # search: each finds what they may see (the outsider finds nothing of team A)
    "search": MEMBER_PAGE,
    # turning the live clock's e-mails on or off is a POST; a GET is refused as a method not allowed
    "clock_subscription": {**MEMBER_PAGE, **dict.fromkeys(PERSONAS[1:], 405)},
    # ordering a briefing: each builds one of what they may see (the outsider's is empty)
    "briefings": MEMBER_PAGE,
    # a briefing is downloaded by its builder (the owner here) and superusers; it does not exist for anyone else
    "briefing_download": {**dict.fromkeys(PERSONAS, 404), "anonymous": 302, "superuser": 200, "owner": 200},
}


def owners_briefing() -> dict[str, Any]:
    """A briefing the owner built (stored as built; its content is not what these tests look at)."""
    from django.contrib.auth import get_user_model

    from habeas.reports.models import Briefing

    owner = get_user_model().objects.get(username="owner")
    briefing = Briefing.objects.filter(created_by=owner).first() or Briefing.objects.create(
        created_by=owner,
        language="en",
        redaction="public",
        format="html",
        records_sha256="0" * 64,
        records=0,
        sha256="0" * 64,
        size=0,
        content="",
    )
    return {"pk": briefing.pk}


URL_ARGUMENTS: dict[str, Callable[[], dict[str, Any]]] = {"briefing_download": owners_briefing}
