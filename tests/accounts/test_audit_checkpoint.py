"""The audit trail's end is anchored outside the database: a signed checkpoint file, written when events are
committed, catches a trail emptied, a trail cut short with an older head put back, and a forged checkpoint."""

from __future__ import annotations

import json

import pytest
from django.db import transaction

from habeas.accounts.checkpoint import Checkpoint, checkpoint_path, checkpoint_read, checkpoint_write
from habeas.accounts.models import AuditEvent, AuditHead
from habeas.accounts.services import audit_record, audit_verify

pytestmark = pytest.mark.django_db


@pytest.fixture
def chain(django_capture_on_commit_callbacks):
    """Five events, each committed; the head row as it stood after the third."""
    heads = []
    for i in range(5):
        with django_capture_on_commit_callbacks(execute=True):
            audit_record(action="read", target_type="registry.person", target_id=str(i), summary=f"read {i}")
        heads.append(AuditHead.objects.values("seq", "hash", "signature").get(pk=1))
    return heads


def test_committed_events_verify_against_the_checkpoint(chain):
    report = audit_verify()
    assert report.intact and report.events == 5 and report.checkpoint == 5
    assert checkpoint_read() == Checkpoint(5, AuditEvent.objects.get(seq=5).hash)


def test_deleting_every_event_and_the_head_is_caught(chain):
    AuditEvent.objects.all().delete()
    AuditHead.objects.all().delete()
    report = audit_verify()
    assert report.broken == (
        "the trail was emptied: the checkpoint records 5 events, and none is left "
        "(the events and the head of the chain were deleted)"
    )


def test_cutting_the_last_events_and_putting_back_an_older_head_is_caught(chain):
    AuditEvent.objects.filter(seq__gt=3).delete()
    AuditHead.objects.filter(pk=1).update(**chain[2])  # the head row as it was after event #3, signature and all
    assert audit_verify().broken == (
        "the trail was truncated and an older head of the chain put back (replayed): the last events were removed "
        "(the checkpoint records event #5, the trail and its head end at #3)"
    )


def test_a_forged_checkpoint_is_caught(chain):
    path = checkpoint_path()
    data = json.loads(path.read_text())
    data.update(seq=3, hash=AuditEvent.objects.get(seq=3).hash)  # moved back, without the key to sign it
    path.write_text(json.dumps(data))
    report = audit_verify()
    assert report.broken is not None and report.broken.startswith(f"the checkpoint file {path} is forged")


def test_a_deleted_checkpoint_is_caught_when_events_exist(chain):
    checkpoint_path().unlink()
    assert "is missing, but the trail holds 5 events" in audit_verify().broken


def test_a_new_instance_without_events_or_checkpoint_is_intact():
    assert audit_verify().intact


def test_the_checkpoint_never_goes_back(chain):
    fourth = AuditEvent.objects.get(seq=4)
    assert not checkpoint_write(Checkpoint(4, fourth.hash))  # a slower process committing an earlier event
    assert checkpoint_read().seq == 5  # type: ignore[union-attr]


def test_events_rolled_back_leave_the_checkpoint_alone(chain, django_capture_on_commit_callbacks):
    with (
        django_capture_on_commit_callbacks(execute=True) as callbacks,
        pytest.raises(RuntimeError),
        transaction.atomic(),
    ):
        audit_record(action="read", summary="never committed")
        raise RuntimeError
    assert callbacks == [] and checkpoint_read().seq == 5  # type: ignore[union-attr]
    assert audit_verify().intact


def test_one_transaction_of_many_events_checkpoints_its_last(chain, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True), transaction.atomic():
        for i in range(3):
            audit_record(action="read", summary=f"batch {i}")
    assert checkpoint_read() == Checkpoint(8, AuditEvent.objects.get(seq=8).hash)
