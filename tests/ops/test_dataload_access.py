"""Who a data file is loaded as, into which team, what it may hold, and the version of its format."""

from __future__ import annotations

import textwrap
from pathlib import Path
from typing import Any

import pytest
from django.apps import apps
from django.contrib.auth import get_user_model

from habeas.accounts.models import AuditEvent, Membership, Role, Team
from habeas.core.errors import LoadError
from habeas.evidence.models import Citation, Source
from habeas.ops import dataload
from habeas.ops.dataload import SHARED, loadable, records_load
from habeas.registry.models import Locality, Person

pytestmark = pytest.mark.django_db

SOURCE = """\
default_source: briefing
records:
  - model: evidence.source
    key: briefing
    fields: {title: A briefing, kind: document}
    cite: {section: Cover}
"""
PERSON = "  - model: registry.person\n    fields: {label: Someone}\n    cite: {section: A}\n"


def write(tmp_path: Path, text: str, name: str = "data.yaml") -> Path:
    path = tmp_path / name
    path.write_text(textwrap.dedent(text), encoding="utf-8")
    return path


def member(name: str, *teams_and_roles: tuple[Team, str]) -> Any:
    user = get_user_model().objects.create_user(name, "", "a-long-test-password")
    for team, role in teams_and_roles:
        Membership.objects.create(user=user, team=team, role=role)
    return user


@pytest.fixture
def teams() -> tuple[Team, Team]:
    return Team.objects.create(name="A"), Team.objects.create(name="B")


def stored() -> tuple[int, int, int]:
    return Person.objects.count(), Source.objects.count(), Citation.objects.count()


def test_the_records_go_to_the_one_team_the_user_writes_in_and_the_load_is_their_audit_event(tmp_path, teams):
    user = member("writer", (teams[0], Role.RESEARCHER), (teams[1], Role.READ_ONLY))
    records_load(path=write(tmp_path, SOURCE + PERSON), user=user)
    assert Person.objects.get().team == teams[0]
    assert Source.objects.get().team == teams[0]
    event = AuditEvent.objects.get(action="import")
    assert event.actor == user
    assert event.details["team"] == teams[0].pk


def test_a_user_of_two_teams_says_which(tmp_path, teams):
    user = member("both", (teams[0], Role.RESEARCHER), (teams[1], Role.MONITOR))
    path = write(tmp_path, SOURCE + PERSON)
    with pytest.raises(LoadError, match="both writes in several teams: say which one with --team NAME"):
        records_load(path=path, user=user)
    records_load(path=path, user=user, team=teams[1])
    assert Person.objects.get().team == teams[1]


@pytest.mark.parametrize("role", [Role.READ_ONLY, Role.ANALYST, None])
def test_a_user_who_may_not_write_in_the_team_is_refused_and_nothing_is_stored(tmp_path, teams, role):
    user = member("reader", *([(teams[0], role)] if role else []), (teams[1], Role.RESEARCHER))
    with pytest.raises(LoadError, match="reader may not add records to the team 'A'"):
        records_load(path=write(tmp_path, SOURCE + PERSON), user=user, team=teams[0])
    assert stored() == (0, 0, 0)


def test_an_inactive_user_is_refused(tmp_path, teams):
    user = member("gone", (teams[0], Role.RESEARCHER))
    user.is_active = False
    user.save()
    with pytest.raises(LoadError, match="the account gone is inactive"):
        records_load(path=write(tmp_path, SOURCE + PERSON), user=user)


FORBIDDEN = {
    "auth.user": "{username: backdoor, is_superuser: true, is_staff: true}",
    "auth.group": "{name: admins}",
    "auth.permission": "{name: all, codename: all, content_type: 1}",
    "accounts.team": "{name: Mine}",
    "accounts.membership": "{role: administrator}",
    "accounts.auditevent": "{seq: 1, action: login}",
    "accounts.audithead": "{seq: 0}",
    "core.job": "{kind: import, title: x}",
    "standards.finding": "{rule: x}",
    "counting.sourcelist": "{title: x}",
    "evidence.citation": "{section: x}",
    "evidence.document": "{sha256: x}",
    "cases.method": "{code: x, name: x}",
}


@pytest.mark.parametrize("label", sorted(FORBIDDEN))
def test_a_model_that_is_not_a_documented_record_is_refused_by_name(tmp_path, teams, label):
    user = get_user_model().objects.create_superuser("root", "", "a-long-test-password")  # even for a superuser
    path = write(
        tmp_path, SOURCE + PERSON + f"  - model: {label}\n    fields: {FORBIDDEN[label]}\n    cite: {{page: 1}}\n"
    )
    users, events = get_user_model().objects.count(), AuditEvent.objects.count()
    with pytest.raises(
        LoadError,
        match=rf"data.yaml, line 10: record 3 \({label}\): '{label}' cannot be loaded from a data file: users, "
        "teams, audit events, keys and jobs are managed by administrators",
    ):
        records_load(path=path, user=user, team=teams[0])
    assert stored() == (0, 0, 0)
    assert (get_user_model().objects.count(), AuditEvent.objects.count()) == (users, events)


def test_the_documented_records_and_their_parts_are_loadable_and_nothing_of_accounts_is():
    labels = {model._meta.label_lower for model in apps.get_models() if loadable(model)}
    assert {"registry.person", "registry.personname", "cases.perpetrator", "custody.custodyepisode"} <= labels
    assert {"evidence.source", "monitoring.visit", "cases.allegation", "registry.relationship"} <= labels
    # of the standards, only the ratifications, reference data an instance administrator may load (SHARED)
    assert not {label for label in labels if label.split(".")[0] in {"auth", "accounts", "core", "standards"}} - SHARED
    assert not {"evidence.citation", "evidence.document", "counting.listrow", "cases.intakedraft"} & labels


def test_the_team_cannot_be_named_in_a_record(tmp_path, teams):
    user = member("writer", (teams[0], Role.RESEARCHER))
    path = write(
        tmp_path, SOURCE + "  - model: registry.person\n    fields: {label: X, team: 2}\n    cite: {page: 1}\n"
    )
    with pytest.raises(LoadError, match="field 'team' cannot be set: the records go to the team the load is made"):
        records_load(path=path, user=user)
    assert stored() == (0, 0, 0)


def test_a_shared_locality_is_added_by_an_instance_administrator_only(tmp_path, teams):
    text = SOURCE + "  - model: registry.locality\n    fields: {name: Somewhere, kind: region}\n    cite: {page: 1}\n"
    path = write(tmp_path, text)
    with pytest.raises(LoadError, match=r"'registry\.locality' is shared by every team: only an instance administ"):
        records_load(path=path, user=member("writer", (teams[0], Role.ADMINISTRATOR)))
    assert not Locality.objects.filter(name="Somewhere").exists()
    records_load(path=path, user=get_user_model().objects.create_superuser("root"), team=teams[0])
    assert Locality.objects.filter(name="Somewhere").exists()


def test_a_record_cites_a_stored_source_of_its_own_team_only(tmp_path, teams):
    Source.objects.create(key="theirs", title="Another team's", kind="document", team=teams[1])
    user = member("writer", (teams[0], Role.RESEARCHER))
    cite_theirs = "records:\n" + PERSON.replace("{section: A}", "{section: A, source: theirs}")
    with pytest.raises(LoadError, match="citation: 'theirs' is not a source"):
        records_load(path=write(tmp_path, cite_theirs), user=user)
    Source.objects.create(key="ours", title="Ours", kind="document", team=teams[0])
    records_load(path=write(tmp_path, cite_theirs.replace("theirs", "ours")), user=user)
    assert Citation.objects.get().source.key == "ours"


def test_a_file_of_version_1_or_without_a_version_loads(tmp_path, teams):
    user = member("writer", (teams[0], Role.RESEARCHER))
    records_load(path=write(tmp_path, SOURCE + PERSON), user=user)
    records_load(path=write(tmp_path, "version: 1\n" + SOURCE.replace("briefing", "other") + PERSON), user=user)
    assert Person.objects.count() == 2


@pytest.mark.parametrize(
    ("version", "expected"),
    [
        ("2", "the file is of format version 2, but this Habeas reads versions up to 1: load it with a newer"),
        ("one", "the version of the format must be a whole number, such as 1"),
        ("0", "the version of the format must be a whole number, such as 1"),
    ],
)
def test_a_version_this_habeas_does_not_read_is_refused_by_name(tmp_path, teams, version, expected):
    user = member("writer", (teams[0], Role.RESEARCHER))
    with pytest.raises(LoadError, match=expected):
        records_load(path=write(tmp_path, f"version: {version}\n" + SOURCE + PERSON), user=user)
    assert stored() == (0, 0, 0)


def test_a_file_of_an_older_version_has_the_names_renamed_since_migrated(tmp_path, teams, monkeypatch):
    """A later version that renames a model and a field reads a version-1 file under the new names."""
    monkeypatch.setattr(dataload, "FORMAT_VERSION", 2)
    monkeypatch.setattr(
        dataload, "RENAMED", {2: {"registry.human": "registry.person", "registry.person.name": "label"}}
    )
    user = member("writer", (teams[0], Role.RESEARCHER))
    old = SOURCE + "  - model: registry.human\n    fields: {name: Someone}\n    cite: {section: A, field: name}\n"
    records_load(path=write(tmp_path, "version: 1\n" + old), user=user)
    person = Person.objects.get()
    assert person.label == "Someone"
    assert person.citations.get().field == "label"
    with pytest.raises(LoadError, match=r"unknown model 'registry\.human'"):  # a file of version 2 has the new names
        records_load(path=write(tmp_path, "version: 2\n" + old.replace("briefing", "other")), user=user)
