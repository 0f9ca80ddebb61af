"""Failed logins slow down the next attempts, by account and by source address, with waits that grow: an
ordinary account is in effect locked while the attempts go on, an administrator's is only slowed, and passwords
tried across many accounts from one address are slowed by the address's count."""

from __future__ import annotations

import datetime as dt
import itertools

import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse

from habeas.accounts.backends import ADMIN_MAX_WAIT, address_key, login_wait
from habeas.accounts.models import AuditEvent, LoginFailure
from tests import factories

pytestmark = pytest.mark.django_db
PASSWORD = "a-long-test-password"


def log_in(client, username: str, password: str, address: str = "192.0.2.7"):
    return client.post(reverse("admin:login"), {"username": username, "password": password}, REMOTE_ADDR=address)


def time_passes(delta: dt.timedelta) -> None:
    """As if the failures so far had happened ``delta`` earlier."""
    for failure in LoginFailure.objects.all():
        LoginFailure.objects.filter(pk=failure.pk).update(at=failure.at - delta)


def fail(client, times: int, username: str = "clerk") -> None:
    """Wrong passwords, each once the wait after the one before is over."""
    for _ in range(times):
        time_passes(login_wait(username))
        log_in(client, username, "guess")


def refusals(username: str | None = None) -> int:
    events = AuditEvent.objects.filter(action="login_failed")
    events = events.filter(target_id=username) if username else events
    return sum(event.summary.startswith("login refused") for event in events)  # summaries are encrypted


@pytest.fixture
def clerk():
    return get_user_model().objects.create_user("clerk", "", PASSWORD, is_staff=True)


def test_failures_make_an_ordinary_account_wait_longer_and_longer(client, clerk):
    waits = []
    for _ in range(8):  # a patient guesser, who tries again each time the wait is over
        assert log_in(client, "clerk", "guess").status_code == 200
        waits.append(login_wait("clerk").total_seconds())
        time_passes(login_wait("clerk"))
    assert LoginFailure.objects.filter(account="clerk").count() == 8  # none was refused
    assert waits[:2] == [0, 0] and 4 < waits[2] <= 5  # three failures cost nothing, the third 5 seconds
    assert all(later > 1.9 * earlier for earlier, later in itertools.pairwise(waits[2:]))
    assert waits[-1] > 150  # 5 s, then twice as long after each failure, up to fifteen minutes


def test_while_it_must_wait_even_the_right_password_is_refused_with_a_message(client, clerk):
    fail(client, 5)
    response = log_in(client, "clerk", PASSWORD)
    assert response.status_code == 200
    assert "Too many failed attempts to log in" in response.content.decode()
    assert "Wait" in response.content.decode()
    assert refusals("clerk") == 1
    assert LoginFailure.objects.filter(account="clerk").count() == 5  # a refused attempt is not one more failure


def test_once_the_wait_is_over_the_right_password_works(client, clerk):
    fail(client, 5)
    time_passes(login_wait("clerk"))
    assert log_in(client, "clerk", PASSWORD).status_code == 302


def test_a_superuser_is_only_slowed_by_anonymous_failures(client):
    factories.superuser("root")
    for attempt in range(30):  # an attacker who keeps trying, each time as soon as allowed
        log_in(client, "root", "guess", address=f"198.51.100.{attempt}")
        time_passes(login_wait("root"))
    assert LoginFailure.objects.filter(account="root").count() == 30
    log_in(client, "root", "guess", address="203.0.113.1")
    assert dt.timedelta(0) < login_wait("root") <= ADMIN_MAX_WAIT
    time_passes(ADMIN_MAX_WAIT)
    assert log_in(client, "root", PASSWORD, address="203.0.113.1").status_code == 302


def test_passwords_sprayed_over_many_accounts_from_one_address_are_slowed(client, clerk):
    for i in range(100):
        log_in(client, f"user{i}", "Summer2026!")
    failures = LoginFailure.objects.count()
    assert failures < 20  # the rest were refused without a password being tried (10 free, then 5 s, 10 s …)
    assert refusals() == 100 - failures
    assert "Too many failed attempts" in log_in(client, "clerk", PASSWORD).content.decode()
    assert log_in(client, "clerk", PASSWORD, address="203.0.113.9").status_code == 302  # elsewhere, it works


def test_failures_on_another_account_do_not_count(client, clerk):
    for _ in range(5):
        log_in(client, "someone-else", "guess")
    assert log_in(client, "clerk", PASSWORD, address="203.0.113.9").status_code == 302


def test_the_address_is_counted_only_as_a_keyed_hash(client, clerk):
    log_in(client, "clerk", "guess", address="192.0.2.77")
    (failure,) = LoginFailure.objects.all()
    assert failure.address == address_key(type("R", (), {"META": {"REMOTE_ADDR": "192.0.2.77"}})())
    assert "192.0.2.77" not in failure.address
