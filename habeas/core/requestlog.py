"""What the server logs about requests, without what users typed: every request gets an id (in the response's
``X-Request-ID`` header, and on the error page so that a user can quote it); an unexpected error (500) is logged
with that id, the method, the path without its query string, and where in the code it failed, but not the
error's message, the query string or the request's body, which may hold a name. Django's development server's
access log drops query strings too (gunicorn's is set up by ``habeas serve``)."""

from __future__ import annotations

import logging
import re
import secrets
import traceback
from collections.abc import Callable
from types import TracebackType

from django.http import HttpRequest, HttpResponse

#: gunicorn's access log (``habeas serve``): its default, with the path instead of the request line (so no query
#: string, where searches and filters put names) and without the referrer (the previous page, query included)
GUNICORN_ACCESS_LOG_FORMAT = '%(h)s %(l)s %(u)s %(t)s "%(m)s %(U)s %(H)s" %(s)s %(b)s "%(a)s"'

_QUERY = re.compile(r"\?\S*")


def request_id_of(request: HttpRequest | None) -> str:
    return str(getattr(request, "request_id", "") or "-")


class RequestIdMiddleware:
    """Give each request an id (first in ``MIDDLEWARE``, so that every error of the layers below has one)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        request.request_id = secrets.token_hex(6)  # type: ignore[attr-defined]
        response = self.get_response(request)
        response["X-Request-ID"] = request.request_id  # type: ignore[attr-defined]
        return response


class RequestFilter(logging.Filter):
    """Adds ``request_id`` to every record, and drops the query string of a request line (the development
    server's access log)."""

    def filter(self, record: logging.LogRecord) -> bool:
        request = getattr(record, "request", None)
        record.request_id = request_id_of(request if isinstance(request, HttpRequest) else None)
        if record.name == "django.server" and record.args and isinstance(record.args, tuple):
            record.args = (_QUERY.sub("", str(record.args[0])), *record.args[1:])
        return True


class NoDataFormatter(logging.Formatter):
    """Formats an error's traceback as the places in the code it went through and the error's type, without its
    message (a database error quotes the values it refused; a failed parse, the text it read)."""

    def formatException(self, ei: tuple[type[BaseException], BaseException, TracebackType | None]) -> str:  # type: ignore[override]
        kind, _, tb = ei
        frames = "".join(traceback.format_list(traceback.extract_tb(tb))).rstrip()
        return f"Traceback (its message left out: it may quote what a user typed):\n{frames}\n{kind.__qualname__}"
