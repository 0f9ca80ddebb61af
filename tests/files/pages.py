"""The pages of persons, groups and places (the files app) in the access matrix
(tests/accounts/test_authorisation_matrix.py): the status each persona gets on each page, and the URL arguments of
the pages that take some."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from tests.pages import MEMBER_PAGE, RECORD_PAGE, RECORD_WRITE_PAGE, WRITE_PAGE, first_of

PAGES: dict[str, dict[str, int]] = {
    "person_list": MEMBER_PAGE,
    "person_detail": RECORD_PAGE,
    "group_list": MEMBER_PAGE,
    "group_detail": RECORD_PAGE,
    "place_list": MEMBER_PAGE,
    "place_map": MEMBER_PAGE,
    "place_detail": RECORD_PAGE,
    "place_add": WRITE_PAGE,
    "place_change": RECORD_WRITE_PAGE,
    "organisation_add": WRITE_PAGE,
    "organisation_change": RECORD_WRITE_PAGE,
}


def _tian() -> dict[str, Any]:
    from habeas.registry.selectors import persons_named

    return {"pk": persons_named("Dmitri Tian", exact=True).get().pk}


def _defendants() -> dict[str, Any]:
    from habeas.registry.models import Group

    return {"pk": Group.objects.get(size=37).pk}


def _arqalyk() -> dict[str, Any]:
    from habeas.registry.models import Place

    return {"pk": Place.objects.get(name="High-security prison in Arqalyk").pk}


URL_ARGUMENTS: dict[str, Callable[[], dict[str, Any]]] = {
    "person_detail": _tian,
    "group_detail": _defendants,
    "place_detail": _arqalyk,
}
URL_ARGUMENTS["place_change"] = _arqalyk
URL_ARGUMENTS["organisation_change"] = first_of("registry.Organisation")
