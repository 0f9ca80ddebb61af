"""Loading records from data files: all or nothing, with errors that name file, line and field."""

from __future__ import annotations

import textwrap
from pathlib import Path
from typing import Any

import pytest
from django.contrib.auth import get_user_model

from habeas.accounts.models import Membership, Role, Team
from habeas.core.errors import LoadError
from habeas.custody.models import CustodyEpisode
from habeas.evidence.models import Citation, Source
from habeas.ops import dataload
from habeas.ops.dataload import records_load
from habeas.registry.models import Person
from habeas.registry.selectors import persons_named

pytestmark = pytest.mark.django_db

HEAD = """\
default_source: briefing
records:
  - model: evidence.source
    key: briefing
    fields: {title: A briefing, kind: document}
    cite: {section: Cover}
"""


@pytest.fixture(autouse=True)
def researcher() -> Any:
    """The user the tests load as: a researcher of the team "Research", the one team they write in."""
    user = get_user_model().objects.create_user("researcher", "", "a-long-test-password")
    Membership.objects.create(user=user, team=Team.objects.create(name="Research"), role=Role.RESEARCHER)
    return user


def load(*, path: Path, team: Team | None = None) -> dataload.LoadSummary:
    return records_load(path=path, user=get_user_model().objects.get(username="researcher"), team=team)


def write(tmp_path: Path, body: str, name: str = "data.yaml") -> Path:
    path = tmp_path / name
    path.write_text(HEAD + textwrap.indent(textwrap.dedent(body), "  "), encoding="utf-8")
    return path


def test_it_loads_records_with_their_citations_and_date_precision(tmp_path):
    path = write(
        tmp_path,
        """\
          - model: registry.person
            key: someone
            fields: {label: Someone, born_on: "~1961"}
            cite: [{section: A case}, {section: Another case, field: born_on}]
          - model: custody.custodyepisode
            fields: {person: someone, apprehended_at: "2011-12", released_at: "2011-12-19"}
            cite: {section: A case}
        """,
    )
    summary = load(path=path)
    assert summary.counts == {"evidence.source": 1, "registry.person": 1, "custody.custodyepisode": 1}
    person = persons_named("Someone").get()
    assert person.date_text("born_on") == "about 1961"
    assert {c.field for c in person.citations.all()} == {"", "born_on"}
    episode = CustodyEpisode.objects.get()
    assert (episode.apprehended_at_precision, episode.released_at_precision) == ("month", "day")
    assert summary.citations == Citation.objects.count() == 4


def test_a_failure_anywhere_leaves_nothing_loaded(tmp_path):
    path = write(
        tmp_path,
        """\
          - model: registry.person
            fields: {label: First}
            cite: {section: A}
          - model: registry.group
            fields: {label: Defendants, size: -37}
            cite: {section: A}
        """,
    )
    with pytest.raises(LoadError, match=r"line 10: record 3 \(registry.group\): field 'size'"):
        load(path=path)
    assert not Person.objects.exists()
    assert not Source.objects.exists()


def test_an_unknown_field_is_named_with_its_line(tmp_path):
    path = write(
        tmp_path,
        """\
          - model: registry.person
            fields: {lable: Misspelt}
            cite: {section: A}
        """,
    )
    with pytest.raises(LoadError, match=r"data.yaml, line 7: .*unknown field 'lable' for registry.person"):
        load(path=path)


def test_a_missing_file_is_named(tmp_path):
    with pytest.raises(LoadError, match=r"nothing.yaml: no such file"):
        load(path=tmp_path / "nothing.yaml")


def test_malformed_json_is_reported_with_line_and_column(tmp_path):
    path = tmp_path / "data.json"
    path.write_text('{"records": [\n  {"model": "registry.person",}\n]}', encoding="utf-8")
    with pytest.raises(LoadError, match=r"data.json, line 2, column 31: malformed JSON"):
        load(path=path)


def test_malformed_yaml_is_reported_with_line_and_column(tmp_path):
    path = tmp_path / "data.yaml"
    path.write_text("records:\n  - model: [unclosed\n", encoding="utf-8")
    with pytest.raises(LoadError, match=r"data.yaml, line 3, column 1: malformed YAML"):
        load(path=path)


def test_a_record_without_a_citation_is_refused(tmp_path):
    path = write(tmp_path, "  - model: registry.person\n    fields: {label: Uncited}\n")
    with pytest.raises(LoadError, match="every record needs at least one citation"):
        load(path=path)


def test_a_citation_needs_a_locator(tmp_path):
    path = write(tmp_path, "  - model: registry.person\n    fields: {label: X}\n    cite: {note: somewhere}\n")
    with pytest.raises(LoadError, match="a citation needs a locator"):
        load(path=path)


def test_a_citation_of_a_field_the_record_lacks_is_refused(tmp_path):
    path = write(tmp_path, "  - model: registry.person\n    fields: {label: X}\n    cite: {section: A, field: shoe}\n")
    with pytest.raises(LoadError, match="has no field named 'shoe'"):
        load(path=path)


def test_a_reference_to_an_unknown_key_is_refused(tmp_path):
    path = write(tmp_path, "  - model: custody.custodyepisode\n    fields: {person: nobody}\n    cite: {section: A}\n")
    with pytest.raises(LoadError, match="'nobody' does not name an earlier record"):
        load(path=path)


def test_a_reference_to_a_record_of_the_wrong_kind_is_refused(tmp_path):
    path = write(
        tmp_path,
        "  - model: custody.custodyepisode\n    fields: {person: briefing}\n    cite: {section: A}\n",
    )
    with pytest.raises(LoadError, match="'briefing' is a source, not a person"):
        load(path=path)


def test_an_unknown_model_is_refused(tmp_path):
    path = write(tmp_path, "  - model: registry.unicorn\n    fields: {}\n    cite: {section: A}\n")
    with pytest.raises(LoadError, match=r"unknown model 'registry\.unicorn'"):
        load(path=path)


def test_a_file_in_another_encoding_is_named(tmp_path):
    path = tmp_path / "data.yaml"
    path.write_bytes("records:\n  - model: registry.person\n    fields: {label: Кенжебаев}\n".encode("cp1251"))
    with pytest.raises(LoadError, match=r"data.yaml, line 3: not UTF-8 text \(byte \d+\)"):
        load(path=path)
    assert not Person.objects.exists()


# Check constraints are applied by the database as rows are written, and foreign keys to rows the load has
# already met are not looked up again; a refusal is still named with its file, line, record and field.


def test_a_check_constraint_only_the_database_applies_is_named(tmp_path):
    path = write(
        tmp_path,
        """\
          - model: registry.person
            fields: {label: First}
            cite: {section: A}
          - model: registry.group
            fields: {label: Defendants}
            cite: {section: A}
        """,
    )
    with pytest.raises(
        LoadError, match=r"data.yaml, line 10: record 3 \(registry.group\): give a size, or say the number is unknown$"
    ):
        load(path=path)
    assert not Person.objects.exists()


@pytest.mark.django_db(transaction=True)
def test_a_refused_citation_is_named_outside_any_transaction(tmp_path):
    path = write(tmp_path, "  - model: registry.person\n    fields: {label: X}\n    cite: {note: somewhere}\n")
    with pytest.raises(LoadError, match=r"line 7: record 2 \(registry.person\): a citation needs a locator"):
        load(path=path)
    assert not Person.objects.exists()
    assert not Source.objects.exists()


def test_the_first_bad_citation_is_named_across_batches(tmp_path, monkeypatch):
    monkeypatch.setattr(dataload, "BATCH", 2)
    records = "".join(
        f"  - model: registry.person\n    fields: {{label: P{i}}}\n    cite: {{section: S}}\n" for i in range(4)
    )
    records += "  - model: registry.person\n    fields: {label: Q}\n    cite: {page: ''}\n"  # record 6, line 19
    records += "  - model: registry.person\n    fields: {label: R}\n    cite: {section: S, field: shoe}\n"
    with pytest.raises(LoadError, match=r"line 19: record 6 \(registry.person\): a citation needs a locator"):
        load(path=write(tmp_path, records))


def test_records_written_in_several_batches_keep_their_citations(tmp_path, monkeypatch):
    monkeypatch.setattr(dataload, "BATCH", 2)
    names = ["Aigerim", "Bakyt", "Dauren", "Erlan", "Gulmira"]
    records = "".join(
        f"  - model: registry.person\n    fields: {{label: {n}}}\n    cite: {{section: {n}}}\n" for n in names
    )
    summary = load(path=write(tmp_path, records))
    assert summary.citations == Citation.objects.count() == 6
    assert [c.section for c in persons_named("Erlan").get().citations.all()] == ["Erlan"]


def test_a_team_that_does_not_exist_is_named(tmp_path):
    path = write(tmp_path, "  - model: registry.person\n    fields: {label: X}\n    cite: {section: A}\n")
    with pytest.raises(
        LoadError,
        match=r"line 3: record 1 \(evidence.source 'briefing'\): field 'team': "
        r"team instance with id 12345 is not a valid choice",
    ):
        records_load(path=path, user=get_user_model().objects.create_superuser("root"), team=Team(pk=12345))


JSON_RECORDS = """\
{
  "default_source": "briefing",
  "records": [
    {"model": "evidence.source", "key": "briefing", "fields": {"title": "A briefing", "kind": "document"},
     "cite": {"section": "Cover"}},
    {
      "model": "registry.person",
      "key": "someone",
      "fields": {"label": "Someone", "notes": "[not] {a} \\"record\\""},
      "cite": [{"section": "A"}]
    },
    %s
  ]
}
"""


@pytest.mark.parametrize(
    ("third", "expected"),
    [
        (
            '{"model": "custody.custodyepisode", "fields": {"person": "nobody"}, "cite": {"section": "A"}}',
            r"data.json, line 12: record 3 \(custody.custodyepisode\): field 'person': 'nobody' does not name",
        ),
        ('\n\n    "not a record"', r"data.json, line 14: record 3 is not a mapping"),
        (
            '{"model": "registry.group", "fields": {"label": "G", "size": -1}, "cite": {"section": "A"}}',
            r"data.json, line 12: record 3 \(registry.group\): field 'size': Ensure this value is greater",
        ),
    ],
)
def test_an_error_in_a_json_file_is_named_with_its_line(tmp_path, third, expected):
    path = tmp_path / "data.json"
    path.write_text(JSON_RECORDS % third, encoding="utf-8")
    with pytest.raises(LoadError, match=expected):
        load(path=path)


def test_a_json_file_is_loaded(tmp_path):
    path = tmp_path / "data.json"
    path.write_text(JSON_RECORDS % '{"model": "registry.person", "fields": {"label": "Other"}, "cite": {"page": 3}}')
    summary = load(path=path)
    assert summary.counts == {"evidence.source": 1, "registry.person": 2}
    assert persons_named("Someone").get().notes == '[not] {a} "record"'
