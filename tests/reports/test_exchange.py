"""Exchange between organisations: a partner export of team A, signed, imported into team B (``habeas import``)."""

from __future__ import annotations

import io
import json
from pathlib import Path
from typing import Any

import pytest
from django.apps import apps
from django.contrib.contenttypes.models import ContentType

from habeas.accounts.models import AuditEvent, Team
from habeas.core.errors import LoadError
from habeas.evidence.models import Citation, Source
from habeas.ops.exchange import ExchangeError, export_import
from habeas.registry.models import Person, PersonName, Place
from habeas.reports.models import ExchangeRecord
from habeas.reports.selectors import PERSON, person_pseudonym, record_reference
from habeas.reports.services import export_write
from habeas.reports.signing import export_sign, public_key_text, signing_key_make
from tests.cli.conftest import habeas


def signed_partner_export(user: Any, path: Path) -> tuple[dict[str, list[dict[str, Any]]], str]:
    """A partner export of what ``user`` sees, written to ``path`` and signed; its records and the public key."""
    out = io.BytesIO()
    export_write(user=user, profile="partner", format="json", out=out)
    path.write_bytes(out.getvalue())
    export_sign(path)
    key, _ = signing_key_make()
    return json.loads(out.getvalue())["records"], public_key_text(key.public_key())


def imported(team: Team) -> dict[str, int]:
    """How many records of each kind the team holds from imports, each one that exists counted once."""
    counts: dict[str, int] = {}
    for row in ExchangeRecord.objects.filter(team=team):
        if apps.get_model(row.kind)._default_manager.filter(pk=row.object_id).exists():
            counts[row.kind] = counts.get(row.kind, 0) + 1
    return counts


def test_an_export_changed_by_one_byte_is_refused_and_nothing_is_stored(world, tmp_path):
    path = tmp_path / "partner.json"
    _, trust = signed_partner_export(world["owner"], path)
    content = bytearray(path.read_bytes())
    content[len(content) // 2] ^= 1
    path.write_bytes(bytes(content))
    sources, events = Source.objects.count(), AuditEvent.objects.count()
    result = habeas("import", str(path), "--trust", trust, "--user", "outsider")
    assert result.returncode != 0
    assert "refused — it was changed after it was signed, or it was not signed by the key you trust" in result.stderr
    assert Source.objects.count() == sources and AuditEvent.objects.count() == events
    assert not ExchangeRecord.objects.exists()


def test_a_round_trip_brings_every_record_of_the_exported_kinds_with_a_citation_and_no_name(world, tmp_path):
    team_a, team_b = Team.objects.get(name="A"), Team.objects.get(name="B")
    path = tmp_path / "partner.json"
    tables, trust = signed_partner_export(world["owner"], path)
    result = habeas("import", str(path), "--trust", trust, "--sender", "Partner NGO", "--user", "outsider")
    assert result.returncode == 0, result.stderr
    assert "is as the holder of the key you trust signed it" in result.stdout

    sent = {label: len(rows) for label, rows in tables.items() if rows and label != "standards.finding"}
    assert imported(team_b) == sent
    (source,) = Source.objects.filter(team=team_b)
    assert "Partner NGO" in source.title and source.key.startswith("partner-ngo-")
    assert "outsider" in source.description and source.reference in source.description
    assert len(source.reference) == 64  # the export's SHA-256
    citations = Citation.objects.filter(source=source)
    assert citations.count() == sum(sent.values())
    for row in ExchangeRecord.objects.filter(team=team_b):
        assert citations.filter(content_type=row.content_type, object_id=row.object_id).count() == 1

    persons_b = Person.objects.filter(team=team_b)
    assert sorted(p.label for p in persons_b) == sorted(row["id"] for row in tables["registry.person"])
    names_b = PersonName.objects.filter(person__in=persons_b)
    assert sorted(n.full_name for n in names_b) == sorted(p.label for p in persons_b)
    victims = {name.full_name for name in PersonName.objects.filter(person__team=team_a, person__position="")}
    assert victims and not victims & {p.label for p in persons_b}

    places_b = {p.name: (p.kind, p.capacity, p.locality and p.locality.name) for p in Place.objects.filter(team=team_b)}
    sent_places = {row["name"]: (row["kind"], row["capacity"], row["locality"]) for row in tables["registry.place"]}
    assert places_b == sent_places
    (event,) = AuditEvent.objects.filter(action="import", target_type="evidence.source")
    assert event.details["sha256"] == source.reference and event.details["created"] == sent


def test_what_the_importing_team_exports_again_is_what_it_was_sent(world, tmp_path):
    """Every record, field and reference arrives: the importing team's own partner export is the sender's, each
    reference translated to the record it became."""
    path = tmp_path / "partner.json"
    tables, trust = signed_partner_export(world["owner"], path)
    export_import(path=path, trust=trust, user=world["outsider"])
    out = io.BytesIO()
    export_write(user=world["outsider"], profile="partner", format="json", out=out)
    again = json.loads(out.getvalue())["records"]

    became = {}
    for row in ExchangeRecord.objects.filter(team__name="B"):
        if row.kind == PERSON:  # an official keeps the name sent (a pseudonym, maybe); others get pseudonyms
            person = Person.objects.get(pk=row.object_id)
            official = person.organisation_id or person.position
            became[row.reference] = row.reference if official else person_pseudonym(person.pk)
        else:
            became[row.reference] = record_reference(row.kind, row.object_id)

    def translated(value: Any) -> Any:
        if isinstance(value, list):
            return sorted(translated(item) for item in value)
        return became.get(value) or value if isinstance(value, str) else value

    for label, rows in tables.items():
        if label == "standards.finding":
            continue
        sent = sorted(json.dumps({k: translated(v) for k, v in row.items()}, sort_keys=True) for row in rows)
        received = sorted(json.dumps(row, sort_keys=True) for row in again[label])
        assert received == sent, label


def test_a_newer_export_of_the_same_sender_updates_the_records_it_brought(world, tmp_path):
    team_b = Team.objects.get(name="B")
    first, second = tmp_path / "first.json", tmp_path / "second.json"
    tables, trust = signed_partner_export(world["owner"], first)
    export_import(path=first, trust=trust, user=world["outsider"])
    place = Place.objects.filter(team__name="A").order_by("pk").first()
    place.capacity = 321
    place.save()
    signed_partner_export(world["owner"], second)

    summary = export_import(path=second, trust=trust, user=world["outsider"])
    sent = {label: len(rows) for label, rows in tables.items() if rows and label != "standards.finding"}
    assert summary.created == {} and summary.updated == sent
    assert imported(team_b) == sent
    assert ExchangeRecord.objects.filter(team=team_b).count() == sum(sent.values())
    assert Place.objects.get(team=team_b, name=place.name).capacity == 321
    assert Source.objects.filter(team=team_b).count() == 2
    person = Person.objects.filter(team=team_b).first()
    cited = Citation.objects.filter(content_type=ContentType.objects.get_for_model(Person), object_id=person.pk)
    assert cited.count() == 2

    with pytest.raises(ExchangeError, match="was imported into B already"):
        export_import(path=second, trust=trust, user=world["outsider"])


def test_a_user_who_may_not_write_in_the_team_is_refused_and_nothing_is_stored(world, tmp_path):
    path = tmp_path / "partner.json"
    _, trust = signed_partner_export(world["owner"], path)
    sources = Source.objects.count()
    with pytest.raises(LoadError, match="may not add records to the team 'B'"):
        export_import(path=path, trust=trust, user=world["readonly"], team=Team.objects.get(name="B"))
    with pytest.raises(LoadError, match="not a writing member of any team"):
        export_import(path=path, trust=trust, user=world["readonly"])
    assert Source.objects.count() == sources and not ExchangeRecord.objects.exists()


def test_a_reference_to_a_settlement_this_habeas_does_not_hold_is_left_empty_and_listed(world, tmp_path):
    path = tmp_path / "partner.json"
    tables, trust = signed_partner_export(world["owner"], path)
    place = next(row for row in tables["registry.place"] if row["locality"])
    place["locality"] = "Atlantis"
    path.write_text(json.dumps({"profile": "partner", "records": tables}), encoding="utf-8")
    export_sign(path)  # the sender signs what they send
    result = habeas("import", str(path), "--trust", trust, "--user", "outsider")
    assert result.returncode == 0, result.stderr
    assert "references name what this Habeas does not hold and were left empty:" in result.stdout
    assert "  registry.locality Atlantis" in result.stdout
    assert Place.objects.get(team__name="B", name=place["name"]).locality is None


def test_a_csv_export_is_refused_with_what_to_ask_the_sender_for(world, tmp_path):
    path = tmp_path / "partner.zip"
    out = io.BytesIO()
    export_write(user=world["owner"], profile="partner", format="csv", out=out)
    path.write_bytes(out.getvalue())
    export_sign(path)
    key, _ = signing_key_make()
    with pytest.raises(ExchangeError, match="is not a JSON export of Habeas: ask the sender for `habeas export"):
        export_import(path=path, trust=public_key_text(key.public_key()), user=world["outsider"])
    assert not Source.objects.filter(team__name="B").exists()
