"""Helpers for the tests of the workplace's pages: the statuses of the access matrix, and a bound on the
number of SQL queries a page makes that must not grow with the number of records."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests.conftest import PERSONAS, READERS

#: a page for any member (an outsider sees an empty list)
MEMBER_PAGE = {"anonymous": 302, **dict.fromkeys(PERSONAS[1:], 200)}
#: a page of one record of team A, which does not exist for the outsider (team B)
RECORD_PAGE = {**MEMBER_PAGE, "outsider": 404}
#: a page that records something: read-only members and analysts may not
WRITE_PAGE = {**MEMBER_PAGE, **dict.fromkeys(READERS, 403)}
#: a page that changes one record of team A
RECORD_WRITE_PAGE = {**RECORD_PAGE, **dict.fromkeys(READERS, 403)}


def queries(client: Any, url: str) -> int:
    """The number of SQL queries a GET of ``url`` makes (it must answer 200)."""
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200, (url, response.status_code)
    return len(captured)


def assert_queries_bounded(client: Any, url: str, grow: Callable[[], object]) -> int:
    """GET ``url``, call ``grow`` (which adds records the page shows), GET it again: the number of queries
    must be the same. Returns it."""
    before = queries(client, url)
    grow()
    after = queries(client, url)
    assert after == before, f"{url}: {before} queries, then {after} after adding records"
    return after


def first_of(label: str, key: str = "pk") -> Callable[[], dict[str, Any]]:
    """The URL argument ``key``: the first record of team A of the model ``app.Model``."""

    def argument() -> dict[str, Any]:
        from django.apps import apps

        model = apps.get_model(label)
        return {key: model._default_manager.filter(team__name="A").order_by("pk").values_list("pk", flat=True)[0]}

    return argument
