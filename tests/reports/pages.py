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
}
URL_ARGUMENTS: dict[str, Callable[[], dict[str, Any]]] = {}
