"""Small builders of valid records for tests; each saves after full_clean, as services do."""

from __future__ import annotations

from typing import Any, TypeVar

from django.db import models

from habeas.cases.models import Proceeding, Verdict
from habeas.custody.models import CustodyEpisode
from habeas.registry.models import Locality, Organisation, Person, Place

M = TypeVar("M", bound=models.Model)


def saved(instance: M) -> M:
    instance.full_clean()
    instance.save()
    return instance


def person(label: str = "Test Person", **fields: Any) -> Person:
    return saved(Person(label=label, **fields))


def locality(name: str = "Testtown", **fields: Any) -> Locality:
    return saved(Locality(name=name, **fields))


def organisation(name: str = "Ministry of Tests", kind: str = "ministry", **fields: Any) -> Organisation:
    return saved(Organisation(name=name, kind=kind, **fields))


def place(name: str = "Test prison", kind: str = "prison", **fields: Any) -> Place:
    return saved(Place(name=name, kind=kind, **fields))


def custody(who: Person | None = None, **fields: Any) -> CustodyEpisode:
    return saved(CustodyEpisode(person=who or person(), **fields))


def verdict(**fields: Any) -> Verdict:
    proceeding = saved(Proceeding(kind="criminal", title="Test trial"))
    fields.setdefault("defendant", person("Defendant"))
    return saved(Verdict(proceeding=proceeding, outcome="convicted", **fields))


def superuser(username: str = "admin") -> Any:
    from django.contrib.auth import get_user_model

    return get_user_model().objects.create_superuser(username, "", "a-long-test-password")


def demo_loaded(team: Any = None) -> Any:
    """The demo's records loaded into ``team`` (a new team "Demo" if none) as an instance administrator, who
    alone may add the locality the file holds (an existing superuser, or a new one named "loader")."""
    from django.contrib.auth import get_user_model

    from habeas.accounts.models import Team
    from habeas.demo import DATA_FILE
    from habeas.ops.dataload import records_load

    user = get_user_model().objects.filter(is_superuser=True, is_active=True).first() or superuser("loader")
    return records_load(path=DATA_FILE, user=user, team=team or Team.objects.create(name="Demo"))


#: what every record's page asks for besides the record: its source (here a new one, typed on the spot) and where
#: in it
CITED = {"source_title": "Report of a monitoring visit", "source_kind": "document", "locator": "p. 3"}
