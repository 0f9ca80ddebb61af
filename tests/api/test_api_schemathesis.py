"""A client no one here wrote: Schemathesis reads the API's OpenAPI schema and generates calls of every operation
from it, sent in-process to the WSGI application over the demo data as an administrator of the team (who may
make every call). No answer is a server error, and every answer — status, content type and body — is one the
schema declares. A bounded number of examples per operation keeps it well under a minute."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from hypothesis import HealthCheck, Phase, given, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from tests.api.clients import bearer

pytestmark = pytest.mark.django_db
EXAMPLES = 3
CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance]


@pytest.fixture
def connection_kept() -> Iterator[None]:
    """The WSGI application, called directly, closes the database connection at the end of each request, as a
    server's must; the test's transaction lives on that connection, so it is kept open, as Django's test client
    keeps it."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    try:
        yield
    finally:
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)


def test_generated_calls_of_every_operation_get_answers_the_schema_declares(world, connection_kept):
    schema = schemathesis.openapi.from_wsgi("/api/schema", get_wsgi_application())
    headers = bearer(world["owner"])
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) > 200

    for operation in operations:

        @given(case=operation.as_strategy())
        @settings(
            max_examples=EXAMPLES,
            deadline=None,
            database=None,
            phases=[Phase.explicit, Phase.generate],
            suppress_health_check=list(HealthCheck),
        )
        def called(case: schemathesis.Case) -> None:
            case.call_and_validate(headers=headers, checks=CHECKS)

        called()
