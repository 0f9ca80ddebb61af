"""Persons, places and events in HURIDOCS Uwazi's entity CSV, both ways (``habeas uwazi export|import``)."""

from __future__ import annotations

import codecs
import csv
import datetime as dt
import io
from pathlib import Path

import pytest

from habeas.accounts.models import AuditEvent, Team
from habeas.cases.models import Event
from habeas.evidence.models import Citation, Source
from habeas.ops import uwazi
from habeas.ops.uwazi import parse_date
from habeas.registry.models import Person, PersonName, Place
from habeas.reports.selectors import person_pseudonym
from tests.cli.conftest import habeas
from tests.protected import leaks, protected_texts


def export(tmp_path: Path, kind: str, redact: str, user: str) -> Path:
    out = tmp_path / f"{kind}-{redact}-{user}.csv"
    result = habeas("uwazi", "export", "--kind", kind, "--redact", redact, "--out", str(out), "--user", user)
    assert result.returncode == 0, result.stderr
    return out


def rows(path: Path) -> list[dict[str, str]]:
    content = path.read_bytes()
    assert content.startswith(codecs.BOM_UTF8)
    return list(csv.DictReader(io.StringIO(content[len(codecs.BOM_UTF8) :].decode("utf-8"), newline="")))


def import_(path: Path, kind: str, user: str = "outsider", *extra: str):
    return habeas(
        "uwazi", "import", str(path), "--kind", kind, "--source-title", f"Uwazi {kind}", "--user", user, *extra
    )


def persons(team: Team) -> list[tuple]:
    return sorted(
        (
            p.label,
            frozenset(PersonName.objects.filter(person=p).values_list("full_name", flat=True)),
            p.sex,
            p.born_on,
            p.born_on_precision,
            p.died_on,
            p.died_on_precision,
            p.death_circumstances,
            p.home_locality_id,
            p.nationality,
            p.occupation,
            p.organisation and p.organisation.name,
            p.position,
        )
        for p in Person.objects.filter(team=team)
    )


def places(team: Team) -> list[tuple]:
    return sorted(
        (p.name, p.kind, p.authority and p.authority.name, p.locality_id, p.capacity, p.address)
        for p in Place.objects.filter(team=team)
    )


def events(team: Team) -> list[tuple]:
    return sorted(
        (
            e.name,
            e.kind,
            e.started_on,
            e.started_on_precision,
            e.ended_on,
            e.ended_on_precision,
            e.locality_id,
            e.parent and e.parent.name,
            e.description,
        )
        for e in Event.objects.filter(team=team)
    )


def test_a_round_trip_into_another_team_keeps_every_person_place_and_event_and_its_fields(world, tmp_path):
    """Exported by an administrator of team A (internal), imported by a researcher of team B: every record of
    the three kinds arrives with every field of the mapping, each cited to the file's source, and a person whose
    name a spreadsheet would take for a formula is written neutralised and read back as it was."""
    team_a, team_b = Team.objects.get(name="A"), Team.objects.get(name="B")
    first = PersonName.objects.filter(person__team=team_a).order_by("pk").values_list("pk", flat=True)[:1]
    PersonName.objects.filter(pk__in=list(first)).update(full_name="=HYPERLINK(1)")
    for kind, read in [("places", places), ("events", events), ("persons", persons)]:
        path = export(tmp_path, kind, "internal", "owner")
        if kind == "persons":
            assert "'=HYPERLINK(1)" in path.read_text(encoding="utf-8-sig")
        result = import_(path, kind)
        assert result.returncode == 0, result.stderr
        assert read(team_b) == read(team_a), kind
    sources = Source.objects.filter(team=team_b, key__startswith="uwazi-")
    assert sources.count() == 3
    cited = Citation.objects.filter(source__in=sources)
    assert cited.filter(content_type__model="person").count() == Person.objects.filter(team=team_a).count()
    assert cited.filter(content_type__model="event").count() == Event.objects.filter(team=team_a).count()
    assert AuditEvent.objects.filter(action="import", actor__username="outsider").count() == 3

    again = import_(tmp_path / "persons-internal-owner.csv", "persons")  # the same file twice is refused
    assert again.returncode == 1 and "imported into B already" in again.stderr


#: A CSV as Uwazi's export writes it: the common columns (Title, Date added, Template … Documents, Attachments,
#: Published), the template's properties by label, dates in the collection's date format, several values of a
#: relationship joined by "|", a geolocation as "lat|lon" (app/api/csv/csvExporter.ts, typeFormatters.ts and
#: specs/exportCsvFixtures.ts of huridocs/uwazi).
UWAZI_PERSONS = (
    "Title,Date added,Template,Sex,Date of birth,Home locality,Works for,Position,Documents,Attachments,Published\r\n"
    "Galym Bakytov,2023-04-02,Person,Male,1971/03/05,Zhanaozen,Ministry of Interior|Police,,,"
    "https://x.uwazi.io/api/files/a.pdf,Published\r\n"
    "Айгуль Серикова,2023-04-02,Person,женский,1985,,,,/files/b.pdf,,Unpublished\r\n"
)
UWAZI_PLACES = (
    "Title,Date added,Template,Kind,Locality,Geolocation,Official capacity,Documents,Attachments,Published\r\n"
    'Women\'s colony,2023-04-02,Place of detention,Prison or penal colony,,"51.17|71.45",1500,,,Published\r\n'
)
#: A CSV as Uwazi's importer reads it: headers by property name, a title in two languages (``title__en``,
#: ``title__ru``: app/api/csv/entityRow.ts, csvDefinitions.ts), a multi-line cell, semicolons between cells
#: (csv.ts reads "," or ";"), dates in the dd/MM/yyyy setting (typeParsers.ts).
UWAZI_EVENTS = (
    "title__en;title__ru;kind;start_date;part_of;description\n"
    'Strike;Забастовка;Protest or strike;01/05/2011;;"Oil workers,\nfor months"\n'
    "Shooting;Стрельба;use of force;16/12/2011;Strike;\n"
)


def test_a_csv_written_the_way_uwazi_writes_it_is_read_with_its_dates_at_their_precision(world, tmp_path):
    """The fixtures are built from the format as huridocs/uwazi's code writes and reads it (commit 849f7d97d):
    app/api/csv/csvExporter.ts (the common columns, headers by label), typeFormatters.ts (``|`` between values,
    a geolocation as ``lat|lon``, dates in the collection's format), csvDefinitions.ts (``__`` before a
    language), entityRow.ts and validateColumns.ts (language columns), csv.ts ("," or ";" between cells),
    typeParsers.ts (the date forms read) and specs/exportCsvFixtures.ts (an export as Uwazi writes it)."""
    team_b = Team.objects.get(name="B")
    path = tmp_path / "uwazi-persons.csv"
    path.write_bytes(codecs.BOM_UTF8 + UWAZI_PERSONS.encode())
    result = import_(path, "persons")
    assert result.returncode == 0, result.stderr
    imported = {person.label: person for person in Person.objects.filter(team=team_b)}
    galym = imported["Galym Bakytov"]
    assert (galym.sex, galym.born_on, galym.born_on_precision) == ("m", dt.date(1971, 3, 5), "day")
    assert galym.home_locality.name == "Zhanaozen" and galym.organisation.name == "Ministry of Interior"
    aigul = imported["Айгуль Серикова"]
    assert (aigul.sex, aigul.born_on, aigul.born_on_precision) == ("f", dt.date(1985, 1, 1), "year")
    assert [(n.full_name, n.script) for n in aigul.names.all()] == [("Айгуль Серикова", "Cyrl")]

    path = tmp_path / "uwazi-places.csv"
    path.write_text(UWAZI_PLACES, encoding="utf-8")
    result = import_(path, "places")
    assert result.returncode == 0, result.stderr
    colony = Place.objects.get(team=team_b, name="Women's colony")
    assert (colony.kind, colony.capacity, colony.locality) == ("prison", 1500, None)

    path = tmp_path / "uwazi-events.csv"
    path.write_text(UWAZI_EVENTS, encoding="utf-8")
    result = import_(path, "events", "outsider", "--lang", "ru", "--date-format", "dd/MM/yyyy")
    assert result.returncode == 0, result.stderr
    strike, shooting = Event.objects.get(team=team_b, name="Забастовка"), Event.objects.get(name="Стрельба")
    assert (strike.kind, strike.started_on, strike.started_on_precision) == ("protest", dt.date(2011, 5, 1), "day")
    assert strike.description == "Oil workers,\nfor months"
    assert (shooting.kind, shooting.started_on, shooting.parent) == ("force", dt.date(2011, 12, 16), strike)


def test_a_file_with_bad_rows_is_refused_whole_and_every_problem_named_by_row_and_column(world, tmp_path):
    path = tmp_path / "bad.csv"
    path.write_text(
        "Title,Kind,Locality,Official capacity\n"
        "Good prison,prison,Zhanaozen,100\n"
        "Bad prison,castle,Atlantis,many\n"
        ",prison,,\n",
        encoding="utf-8",
    )
    before = (Place.objects.count(), Source.objects.count(), AuditEvent.objects.count())
    result = import_(path, "places")
    assert result.returncode == 1
    assert "nothing was imported: 4 problems" in result.stderr
    assert "bad.csv, row 3, column kind: not one of:" in result.stderr
    assert "bad.csv, row 3, column locality: no locality 'Atlantis' in the gazetteer" in result.stderr
    assert "bad.csv, row 3, column official_capacity: not a whole number" in result.stderr
    assert "bad.csv, row 4, column title:" in result.stderr
    assert (Place.objects.count(), Source.objects.count(), AuditEvent.objects.count()) == before

    path.write_text("Title,Colour\nA,red\n", encoding="utf-8")
    result = import_(path, "places")
    assert "row 1, column Colour: no property of this name in the Place of detention template" in result.stderr


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"Title\n\xff\xfe name\n", "line 2: not UTF-8 text"),
        (b"Title\nA\x00B\n", "line 2: a control character (code 0)"),
        (b'Title\n"unclosed\n', "not a CSV row"),
        (("Title," * 201).encode() + b"\n", "more than 200 columns"),
        (b"Title\n" + b"x" * (uwazi.MAX_CELL + 1) + b"\n", "a cell longer than 20000 characters"),
        (b"Title,Title\nA,B\n", "the column is given twice"),
        (b"", "the file is empty"),
    ],
)
def test_a_malformed_file_is_refused_clearly_and_nothing_is_stored(world, tmp_path, content, message):
    path = tmp_path / "hostile.csv"
    path.write_bytes(content)
    result = import_(path, "persons")
    assert result.returncode == 1 and message in result.stderr, result.stderr
    assert not Source.objects.filter(key__startswith="uwazi-").exists()


def test_a_file_over_the_limits_of_size_or_rows_is_refused_before_its_rows_are_read(world, tmp_path, monkeypatch):
    """The limits are those of the other data files (64 MB) and 100,000 rows; lowered here so that the test
    writes a small file."""
    path = tmp_path / "huge.csv"
    path.write_text("Title\n" + "A person\n" * 20, encoding="utf-8")
    monkeypatch.setattr(uwazi, "MAX_BYTES", 100)
    result = import_(path, "persons")
    assert result.returncode == 1 and "huge.csv is larger than" in result.stderr and "split it into" in result.stderr
    monkeypatch.setattr(uwazi, "MAX_BYTES", 1000)
    monkeypatch.setattr(uwazi, "MAX_ROWS", 10)
    result = import_(path, "persons")
    assert result.returncode == 1 and "huge.csv, row 12: more than 10 rows: split the file" in result.stderr
    assert not Person.objects.filter(team__name="B").exists()


def test_partner_and_public_exports_give_pseudonyms_and_no_protected_text_and_follow_the_readers_access(
    world, tmp_path
):
    team_a = Team.objects.get(name="A")
    victim = next(name.person for name in PersonName.objects.all() if name.full_name == "Roza Tuletaeva")
    Event.objects.filter(team=team_a).order_by("pk").update(name="Arrest of Roza Tuletaeva")  # a name in text
    secret = protected_texts()
    for redact in ("partner", "public"):
        path = export(tmp_path, "persons", redact, "owner")
        content = path.read_bytes()
        assert leaks(content, secret) == []
        shown = rows(path)
        assert person_pseudonym(victim.pk) in {row["title"] for row in shown}
        assert "names" not in shown[0] and "occupation" not in shown[0]
        events_shown = rows(export(tmp_path, "events", redact, "owner"))
        assert f"Arrest of {person_pseudonym(victim.pk)}" in {row["title"] for row in events_shown}
        assert "description" not in events_shown[0]
    public = rows(export(tmp_path, "events", "public", "owner"))
    assert all(len(row["start_date"]) <= 7 for row in public)  # months at most
    internal = rows(export(tmp_path, "persons", "internal", "member"))
    assert "Roza Tuletaeva" in {name for row in internal for name in row["names"].split("|")}

    analyst = export(tmp_path, "persons", "internal", "analyst")  # not granted identities
    assert leaks(analyst.read_bytes(), secret) == []
    assert person_pseudonym(victim.pk) in {row["title"] for row in rows(analyst)}
    assert rows(export(tmp_path, "persons", "internal", "outsider")) == []  # team B's records only: none
    assert AuditEvent.objects.filter(action="export", target_type="ops.uwazi").count() == 8


def test_dates_are_read_at_their_precision_in_habeas_and_uwazi_forms():
    assert parse_date("2011-12-16", "yyyy/MM/dd") == (dt.date(2011, 12, 16), "day")
    assert parse_date("2011-12", "yyyy/MM/dd") == (dt.date(2011, 12, 1), "month")
    assert parse_date("1961~", "yyyy/MM/dd") == (dt.date(1961, 1, 1), "approx")
    assert parse_date("2011/12/16", "dd/MM/yyyy") == (dt.date(2011, 12, 16), "day")
    assert parse_date("03/01/2022", "dd/MM/yyyy") == (dt.date(2022, 1, 3), "day")
    assert parse_date("03/01/2022", "MM/dd/yyyy") == (dt.date(2022, 3, 1), "day")
    for text in ("31/02/2011", "soon", "2011-12~", "16.12.11", "2011-00", "00/12/2011"):
        with pytest.raises(ValueError):
            parse_date(text, "dd/MM/yyyy")
