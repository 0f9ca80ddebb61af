"""Logs without names: an unexpected error answers a page with the request's id, and is logged with that id,
the method and the path, but without the query string, the request's body or the error's message; the
development server's access log drops query strings. (``habeas serve``'s access log: tests/cli/test_worker.py.)"""

from __future__ import annotations

import io
import logging
from collections.abc import Iterator

import pytest
from django.http import HttpRequest, HttpResponse
from django.test import Client
from django.urls import path

from habeas.config.urls import handler500
from habeas.config.urls import urlpatterns as real_urlpatterns

pytestmark = pytest.mark.django_db


def failing(request: HttpRequest) -> HttpResponse:
    """A view with a bug whose error quotes what the user typed, as a database's or a parser's error does."""
    raise ValueError(f"no person is named {request.POST['name']} in {request.GET['q']}")


urlpatterns = [path("failing/", failing), *real_urlpatterns]
handler500 = handler500  # the application's own error page


def captured(logger: str) -> Iterator[io.StringIO]:
    """What the configured handler of ``logger`` writes."""
    handler = logging.getLogger(logger).handlers[0]
    stream = io.StringIO()
    previous = handler.setStream(stream)
    try:
        yield stream
    finally:
        handler.setStream(previous)


@pytest.fixture
def error_log() -> Iterator[io.StringIO]:
    yield from captured("django.request")


@pytest.fixture
def server_log() -> Iterator[io.StringIO]:
    yield from captured("django.server")


@pytest.mark.urls(__name__)
def test_an_unexpected_error_is_logged_with_the_id_its_page_shows_and_without_what_was_typed(error_log):
    client = Client(raise_request_exception=False)
    response = client.post("/failing/?q=Kostanai+colony", {"name": "Roza Tuletaeva"})
    assert response.status_code == 500
    request_id = response["X-Request-ID"]
    assert len(request_id) == 12
    page = response.content.decode()
    assert f'<strong id="request-id">{request_id}</strong>' in page
    assert "Roza" not in page and "Kostanai" not in page
    log = error_log.getvalue()
    assert f"[request {request_id}] Internal Server Error: /failing/" in log
    assert "ValueError" in log and "in failing" in log  # where it failed
    for typed in ("Roza", "Tuletaeva", "Kostanai", "q="):
        assert typed not in log


def test_every_answer_carries_a_request_id(client):
    first, second = client.get("/admin/login/"), client.get("/admin/login/")
    assert first["X-Request-ID"] != second["X-Request-ID"]


def test_the_development_servers_access_log_drops_query_strings(server_log):
    # as django.core.servers.basehttp logs a request
    logging.getLogger("django.server").info('"%s" %s %s', "GET /search/?q=Roza+Tuletaeva HTTP/1.1", "200", "5120")
    line = server_log.getvalue()
    assert '"GET /search/ HTTP/1.1" 200 5120' in line and "Roza" not in line
