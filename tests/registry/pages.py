"""The registry app's workplace pages in the access matrix (tests/accounts/test_authorisation_matrix.py): the
status each persona gets on each page, and the URL arguments of the pages that take some."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from tests.pages import MEMBER_PAGE, RECORD_PAGE

PAGES: dict[str, dict[str, int]] = {
    "place_list": MEMBER_PAGE,
    "place_map": MEMBER_PAGE,
    "place_detail": RECORD_PAGE,
}


def _arqalyk() -> dict[str, Any]:
    from habeas.registry.models import Place

    return {"pk": Place.objects.get(name="High-security prison in Arqalyk").pk}


URL_ARGUMENTS: dict[str, Callable[[], dict[str, Any]]] = {
    "place_detail": _arqalyk,
}
