"""The audit trail is a hash chain: `habeas audit verify` names the first event altered, removed or moved."""

from __future__ import annotations

import pytest
from django.urls import reverse

from habeas.accounts.models import AuditEvent
from habeas.accounts.services import audit_record, audit_verify
from habeas.registry.models import Person
from tests import factories

pytestmark = pytest.mark.django_db


@pytest.fixture
def chain(django_capture_on_commit_callbacks):
    for i in range(5):
        with django_capture_on_commit_callbacks(execute=True):  # as if each event were committed
            audit_record(action="read", target_type="registry.person", target_id=str(i), summary=f"read {i}")
    return list(AuditEvent.objects.order_by("seq"))


def test_an_untouched_chain_is_intact(chain):
    report = audit_verify()
    assert report.intact and report.events == 5


def test_an_altered_event_is_named(chain):
    AuditEvent.objects.filter(seq=3).update(actor_label="someone else")
    assert audit_verify().broken == "event #3 was altered after it was recorded"


def test_a_deleted_event_is_named(chain):
    AuditEvent.objects.filter(seq=2).delete()
    assert audit_verify().broken == "event #2 is missing (the next one is #3)"


def test_reordered_events_are_named(chain):
    second, third = chain[1], chain[2]
    AuditEvent.objects.filter(pk=second.pk).update(seq=1000)
    AuditEvent.objects.filter(pk=third.pk).update(seq=2)
    AuditEvent.objects.filter(pk=second.pk).update(seq=3)
    assert audit_verify().broken == (
        "event #2 does not follow event #1: an event before it was altered, removed or moved"
    )


def test_events_cut_off_the_end_are_noticed(chain):
    AuditEvent.objects.filter(seq=5).delete()
    assert "the last events were removed" in audit_verify().broken


def test_an_unknown_action_is_refused():
    with pytest.raises(ValueError, match="unknown audit action 'peek'"):
        audit_record(action="peek")


def test_logins_and_failed_logins_are_recorded(client):
    factories.superuser("monitor1")
    assert not client.login(username="monitor1", password="wrong")
    assert client.login(username="monitor1", password="a-long-test-password")
    actions = list(AuditEvent.objects.values_list("action", "actor_label"))
    assert ("login_failed", "system") in actions and ("login", "monitor1") in actions


def test_admin_reads_and_writes_are_recorded_with_old_and_new_values(client, django_capture_on_commit_callbacks):
    user = factories.superuser("editor")
    client.force_login(user)
    person = factories.person("Roza Tuletaeva")
    url = reverse("admin:registry_person_change", args=[person.pk])
    page = client.get(url).context
    assert AuditEvent.objects.filter(action="read", target_type="registry.person", target_id=str(person.pk)).exists()
    data = {name: page["adminform"].form[name].value() or "" for name in page["adminform"].form.fields}
    data["occupation"] = "labour rights activist"
    for inline in page["inline_admin_formsets"]:
        data.update({f"{inline.formset.prefix}-TOTAL_FORMS": "0", f"{inline.formset.prefix}-INITIAL_FORMS": "0"})
    with django_capture_on_commit_callbacks(execute=True):  # the checkpoint is written on commit
        assert client.post(url, data).status_code == 302
    update = AuditEvent.objects.get(action="update", target_id=str(person.pk))
    assert update.actor == user
    assert update.details["changes"]["occupation"] == {"old": "", "new": "labour rights activist"}
    assert Person.objects.get(pk=person.pk).occupation == "labour rights activist"
    assert audit_verify().intact


def test_events_cut_off_the_end_with_the_head_moved_back_are_noticed(chain):
    """Someone with the database but not the key file deletes the last event and sets the head to the one
    before: the head's keyed signature no longer matches."""
    from habeas.accounts.models import AuditHead

    AuditEvent.objects.filter(seq=5).delete()
    fourth = AuditEvent.objects.get(seq=4)
    AuditHead.objects.filter(pk=1).update(seq=4, hash=fourth.hash)
    assert "the head of the chain was altered" in audit_verify().broken


def test_a_missing_head_is_noticed(chain):
    from habeas.accounts.models import AuditHead

    AuditHead.objects.all().delete()
    assert audit_verify().broken == "the head of the chain is missing"
