"""Hostile data files for ``habeas load``, made here: each is refused with one line naming the file and the
line, quickly, nothing of it is stored, and the server still answers afterwards."""

from __future__ import annotations

import json
import time
from typing import Any

import pytest
from django.contrib.auth import get_user_model

from habeas.accounts.models import AuditEvent, Membership, Role, Team
from habeas.core.errors import LoadError
from habeas.evidence.models import Citation, Source
from habeas.ops import dataload
from habeas.ops.dataload import records_load
from habeas.registry.models import Person

pytestmark = pytest.mark.django_db

HEAD = "default_source: s\nrecords:\n  - model: evidence.source\n    key: s\n    fields: {title: T, kind: document}\n"
HEAD += "    cite: {page: 1}\n"
PERSON = "  - model: registry.person\n    fields: {label: Someone}\n    cite: {page: 1}\n"


def billion_laughs() -> str:
    """The 600-byte YAML file whose aliases expand to a billion strings (it took 21 s and 929 MB to fail)."""
    lines = ['a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
    for this, last in zip("bcdefghi", "abcdefgh", strict=True):
        lines.append(f"{this}: &{this} [{','.join(['*' + last] * 9)}]")
    return "\n".join(lines) + "\nrecords: *i\n"


def nested_json(depth: int) -> str:
    inner = json.dumps({"model": "registry.person", "fields": {"label": "X"}, "cite": {"page": 1}})
    return '{"records": [' + inner[:-1] + ', "x": ' + "[" * depth + "]" * depth + "}]}"


#: name → (content, what the one line says after the file's name)
FILES: dict[str, tuple[str | bytes, str]] = {
    "laughs.yaml": (billion_laughs(), "line 2: a YAML alias (*name): write the value out in full"),
    "merge.yaml": (
        HEAD + "  - model: registry.person\n    fields: &f {label: A}\n    cite: {page: 1}\n"
        "  - model: registry.person\n    fields: {<<: *f}\n    cite: {page: 1}\n",
        "line 11: a YAML alias (*name)",
    ),
    "deep.yaml": (
        HEAD + "  - model: registry.person\n    fields: {label: " + "[" * 100 + "]" * 100 + "}\n",
        "line 8: nested deeper than 20",
    ),
    "deep.json": (nested_json(100), "line 1: nested deeper than 20"),
    "very_deep.json": (nested_json(100_000), "line 1: nested deeper than 20"),
    "very_deep.yaml": ("records: " + "[" * 100_000 + "]" * 100_000 + "\n", "line 1: nested deeper than 20"),
    "twice.yaml": (
        HEAD + "  - model: registry.person\n    fields:\n      label: A\n      label: B\n    cite: {page: 1}\n",
        "line 10: the key 'label' is given twice in this mapping",
    ),
    "twice_top.yaml": (HEAD + PERSON + "records: []\n", "line 10: the key 'records' is given twice"),
    "twice.json": (
        '{"records": [\n {"model": "registry.person",\n  "fields": {"label": "A",\n   "label": "B"},'
        ' "cite": {"page": 1}}]}',
        "line 3: the key 'label' is given twice in this mapping",
    ),
    "nul.yaml": (HEAD + PERSON.replace("Someone", "Some\x00one"), "line 8: a control character (U+0000)"),
    "bell.json": (
        '{"records": [\n{"model": "registry.person", "fields": {"label": "A\x07"}}]}',
        "line 2: a control character (U+0007)",
    ),
    "escaped_nul.yaml": (HEAD + PERSON.replace("Someone", '"Some\\0one"'), "line 8: a control character (U+0000)"),
    "escaped_nul.json": (
        '{"default_source": "s",\n "records": [{"model": "registry.person", "fields": {"label": "A\\u0000"}}]}',
        "line 2: a control character (U+0000)",
    ),
    "latin1.yaml": ((HEAD + PERSON.replace("Someone", "Jos\u00e9")).encode("latin-1"), "line 8: not UTF-8 text"),
    "noncharacter.yaml": (HEAD + PERSON.replace("Someone", "\ufffe"), "line 8: malformed YAML: character U+FFFE"),
    "digits.yaml": (HEAD + PERSON.replace("Someone", "1" * 5000), "malformed YAML: Exceeds the limit"),
    "python.yaml": (HEAD + "  - !!python/object/apply:os.system [echo hacked]\n", "line 7, column 5: malformed YAML"),
    "user.yaml": (
        HEAD + "  - model: auth.user\n    fields: {username: backdoor, is_superuser: true}\n    cite: {page: 1}\n",
        "line 7: record 2 (auth.user): 'auth.user' cannot be loaded from a data file",
    ),
    "audit.json": (
        '{"records": [\n {"model": "accounts.auditevent", "fields": {"seq": 1, "action": "login"},'
        ' "cite": {"page": 1}}]}',
        "line 2: record 1 (accounts.auditevent): 'accounts.auditevent' cannot be loaded from a data file",
    ),
}


@pytest.fixture
def writer() -> Any:
    user = get_user_model().objects.create_user("writer", "", "a-long-test-password", is_staff=True)
    Membership.objects.create(user=user, team=Team.objects.create(name="A"), role=Role.ADMINISTRATOR)
    return user


def stored() -> tuple[int, ...]:
    counts = (Person.objects.count(), Source.objects.count(), Citation.objects.count(), AuditEvent.objects.count())
    return (*counts, get_user_model().objects.count())


@pytest.mark.parametrize("name", sorted(FILES))
def test_a_hostile_data_file_is_refused_in_one_line_quickly_and_nothing_is_stored(tmp_path, client, writer, name):
    content, expected = FILES[name]
    path = tmp_path / name
    path.write_bytes(content if isinstance(content, bytes) else content.encode("utf-8"))
    before = stored()
    start = time.perf_counter()
    with pytest.raises(LoadError) as refused:
        records_load(path=path, user=writer)
    assert time.perf_counter() - start < 5
    message = str(refused.value)
    assert message.startswith(f"{path}"), message
    assert expected in message, message
    assert "\n" not in message
    assert stored() == before
    client.force_login(writer)
    assert client.get("/").status_code == 200  # the server still answers


def test_a_file_larger_than_the_limit_is_refused_before_it_is_read(tmp_path, writer, monkeypatch):
    monkeypatch.setattr(dataload, "MAX_BYTES", 1024 * 1024)  # the real limit, 64 MB, scaled down for the test
    path = tmp_path / "large.yaml"
    path.write_text(HEAD + PERSON * (1024 * 1024 // len(PERSON) + 1), encoding="utf-8")
    with pytest.raises(LoadError, match=r"large\.yaml: larger than 1 MB, the largest data file read"):
        records_load(path=path, user=writer)
    assert Person.objects.count() == 0


@pytest.mark.parametrize("extra", [0, 1])
def test_a_file_nested_to_the_limit_is_read_and_one_level_more_is_refused(tmp_path, writer, extra):
    depth = dataload.MAX_DEPTH - 4 + extra  # the document, records, the entry and its fields hold the lists
    path = tmp_path / "deep.yaml"
    path.write_text(HEAD + "  - model: registry.person\n    fields: {label: " + "[" * depth + "]" * depth + "}\n")
    expected = "line 8: nested deeper than 20" if extra else r"line 7: record 2 \(registry\.person\): every record"
    with pytest.raises(LoadError, match=expected):
        records_load(path=path, user=writer)
