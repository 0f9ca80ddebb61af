"""The one write path (``habeas.accounts.records``): every write of a record runs ``after_write``, whose followers
the apps above register at start-up — the search index of ``reports``, the findings of ``standards`` — so that
the write path imports nothing above ``accounts``."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from habeas.accounts import records
from habeas.accounts.models import Team
from habeas.accounts.records import Write, record_change, record_create, record_delete, record_move
from habeas.accounts.viewer import viewer_for
from habeas.registry.models import Organisation, Person
from habeas.reports.models import SearchEntry
from habeas.reports.search import search

pytestmark = pytest.mark.django_db


@pytest.fixture
def writes() -> Iterator[list[tuple[str, list[str], bool]]]:
    """What the followers are told, as a follower registered like those of the apps sees it."""
    seen: list[tuple[str, list[str], bool]] = []

    def follower(write: Write) -> None:
        seen.append((write.action, [record._meta.label_lower for record in write.records], write.recheck))

    records.follow_writes(follower)
    yield seen
    records._followers.remove(follower)


def persons_found(user: Any, text: str) -> list[str]:
    return [row.label for row in search(viewer_for(user), text, "person").hits["person"].rows]


def test_each_write_runs_the_followers_once_with_what_was_written(world, writes):
    ministry = record_create(record=Organisation(name="Ministry of Tests", kind="ministry"), user=world["owner"])
    record_change(user=world["owner"], record=ministry, name="Ministry of Trials")
    record_move(records=[ministry], team=Team.objects.get(name="B"), user=world["superuser"])
    record_delete(record=ministry, user=world["superuser"])
    label = "registry.organisation"
    assert writes == [
        ("create", [label], False),
        ("update", [label], True),  # a change is re-checked against the standards once committed
        ("move", [label], False),
        ("delete", [label], False),
    ]


def test_the_apps_above_follow_every_write_from_their_start(world):
    assert [follower.__name__ for follower in records._followers] == ["findings_follow", "search_follow"]


def test_a_person_written_through_the_write_path_is_found_by_search_and_gone_once_deleted(world):
    person = record_create(record=Person(label="Zhanar Kairatkyzy"), user=world["owner"])
    pk = person.pk
    assert persons_found(world["member"], "Kairatkyzy") == ["Zhanar Kairatkyzy"]
    record_delete(record=person, user=world["owner"])
    assert persons_found(world["member"], "Kairatkyzy") == []
    assert not SearchEntry.objects.filter(kind=SearchEntry.Kind.PERSON, object_id=pk).exists()
