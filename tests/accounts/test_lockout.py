"""After five failed logins in fifteen minutes an account is locked, even with the right password."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from habeas.accounts.backends import locked_out
from habeas.accounts.models import AuditEvent
from tests import factories

pytestmark = pytest.mark.django_db
PASSWORD = "a-long-test-password"


def test_five_failures_lock_the_account(client):
    factories.superuser("lawyer1")
    for _ in range(5):
        assert not client.login(username="lawyer1", password="guess")
    assert locked_out("lawyer1")
    assert not client.login(username="lawyer1", password=PASSWORD)


def test_four_failures_do_not(client):
    factories.superuser("lawyer1")
    for _ in range(4):
        client.login(username="lawyer1", password="guess")
    assert client.login(username="lawyer1", password=PASSWORD)


def test_the_lock_lifts_after_fifteen_minutes(client):
    factories.superuser("lawyer1")
    for _ in range(5):
        client.login(username="lawyer1", password="guess")
    later = timezone.now() + dt.timedelta(minutes=16)
    assert not locked_out("lawyer1", now=later)
    assert AuditEvent.objects.filter(action="login_failed", target_id="lawyer1").count() == 5


def test_failures_on_another_account_do_not_count(client):
    factories.superuser("lawyer1")
    for _ in range(5):
        client.login(username="someone-else", password="guess")
    assert client.login(username="lawyer1", password=PASSWORD)
