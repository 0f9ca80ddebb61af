"""The monitoring app's workplace pages in the access matrix (tests/accounts/test_authorisation_matrix.py): the
status each persona gets on each page, and the URL arguments of the pages that take some."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from tests.pages import MEMBER_PAGE, RECORD_PAGE, RECORD_WRITE_PAGE, WRITE_PAGE


def _visit() -> dict[str, Any]:
    """The UN High Commissioner's visit of July 2012 (the demo, team A)."""
    from habeas.monitoring.models import Visit

    return {"pk": Visit.objects.get(team__name="A", body__name="UN High Commissioner for Human Rights").pk}


def _recommendation() -> dict[str, Any]:
    """The UN High Commissioner's recommendation of an international investigation (the demo, team A)."""
    from habeas.monitoring.models import Recommendation

    return {"pk": Recommendation.objects.get(team__name="A", issuer__name="UN High Commissioner for Human Rights").pk}


PAGES: dict[str, dict[str, int]] = {
    "visit_list": MEMBER_PAGE,
    "visit_plan": WRITE_PAGE,
    "visit_detail": RECORD_PAGE,
    "visit_record": RECORD_WRITE_PAGE,
    "recommendation_list": MEMBER_PAGE,
    "recommendation_detail": RECORD_PAGE,
}
URL_ARGUMENTS: dict[str, Callable[[], dict[str, Any]]] = {
    "visit_detail": _visit,
    "visit_record": _visit,
    "recommendation_detail": _recommendation,
}
