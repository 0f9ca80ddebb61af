"""Search: names in any script and transliteration, places, allegations and the text of uploaded documents,
only from what the user may see, through an index that holds no word in clear — on SQLite (FTS5) and on
PostgreSQL (tsvector and GIN): run this file with scripts/with-postgres as well."""

from __future__ import annotations

import io
import os
import shutil
import subprocess
from pathlib import Path

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from habeas.accounts.models import Membership, Role, Team
from habeas.accounts.viewer import viewer_for
from habeas.core import crypto
from habeas.evidence.models import Source
from habeas.evidence.services import document_add
from habeas.ops.keys import keys_rotate
from habeas.registry.models import Person, PersonName, Place
from habeas.registry.services import gazetteer_seed
from habeas.reports.models import SearchEntry
from habeas.reports.search import KINDS, search, search_index, search_reindex
from tests.conftest import PASSWORD
from tests.evidence.pdfs import make_pdf
from tests.factories import demo_loaded
from tests.pages import assert_queries_bounded
from tests.protected import leaks, protected_texts

pytestmark = pytest.mark.django_db


def labels(results, kind: str) -> list[str]:
    """The names of the records found (a person's label: ``str()`` gives only their pseudonym)."""
    return [getattr(obj, "label", None) or str(obj) for obj in results.hits[kind].rows] if kind in results.hits else []


def upload(source: Source, content: bytes, name: str, user) -> object:
    file = io.BytesIO(content)
    file.name = name
    return document_add(source=source, upload=file, user=user)


@pytest.fixture
def indexed(world):
    search_reindex()
    return world


def test_names_are_found_in_any_script_and_transliteration(indexed):
    member = indexed["member"]
    for query in ("Тян", "Tyan", "Tian", "dmitri tian", "Дмитрий Тян"):
        assert "Dmitri Tian" in labels(search(viewer_for(member), query, "person"), "person"), query
    assert any("Kenzhebaev" in label for label in labels(search(viewer_for(member), "Кенжебаев"), "person"))
    assert any("Kenzhebaev" in label for label in labels(search(viewer_for(member), "Kenjebayev"), "person"))
    assert labels(search(viewer_for(member), "Tian Kenzhebaev"), "person") == []  # every word must match


def test_a_name_is_found_by_the_start_of_any_of_its_words_in_either_script(indexed):
    member = indexed["member"]
    for query in ("Туле", "Tulet", "тулетаев", "Роза Туле", "Ros Tul"):
        assert "Roza Tuletaeva" in labels(search(viewer_for(member), query, "person"), "person"), query
    assert "Roza Tuletaeva" not in labels(search(viewer_for(member), "Tu", "person"), "person")  # two letters: no start
    assert (
        labels(search(viewer_for(member), "Tulex"), "person") == []
    )  # a start must be the start of a word of the name
    assert any("Zhanaozen" in label for label in labels(search(viewer_for(member), "Жанао", "place"), "place"))


def test_places_allegations_and_kind_filters(indexed):
    member = indexed["member"]
    for query in ("Kostanai", "Костанай"):
        places = labels(search(viewer_for(member), query, "place"), "place")
        assert "Prison A in Kostanai province (not named in the briefing)" in places, query
    found = search(viewer_for(member), "incommunicado")  # an allegation's circumstances
    assert found.hits["allegation"].rows and not found.hits["person"].rows
    only = search(viewer_for(member), "Kostanai", "place")
    assert set(only.hits) == {"place"}
    assert search(viewer_for(member), "x").keys == set()  # a single letter is no word


def test_a_word_of_an_uploaded_pdf_finds_the_document(indexed):
    member = indexed["member"]
    source = Source.objects.create(
        key="pdf-test", title="A report", kind="document", team_id=Person.objects.first().team_id
    )
    document = upload(
        source, make_pdf("Zhanaozen strikers\nquarantined", "The second page names Kostanai"), "r.pdf", member
    )
    assert "Kostanai" in document.text.split("\f")[1]
    hits = search(viewer_for(member), "quarantined strikers", "document").hits["document"].rows
    assert [d.pk for d in hits] == [document.pk]
    assert search(viewer_for(indexed["outsider"]), "quarantined", "document").hits["document"].rows == []


def test_another_teams_records_never_appear(indexed):
    outsider = indexed["outsider"]
    for query in ("Tian", "Kostanai", "incommunicado"):
        assert search(viewer_for(outsider), query).total == 0, query
    team_b = Team.objects.get(name="B")
    own = Person.objects.create(team=team_b, label="Dmitri Tyan")
    search_index([own])
    assert labels(search(viewer_for(outsider), "Тян"), "person") == ["Dmitri Tyan"]
    assert "Dmitri Tyan" not in labels(search(viewer_for(indexed["member"]), "Тян"), "person")


def test_an_analyst_without_identities_searches_no_names_and_no_protected_text(indexed, django_user_model):
    analyst = indexed["analyst"]  # sees pseudonyms
    assert search(viewer_for(analyst), "Tian").hits["person"].rows == []
    assert search(viewer_for(analyst), "Kostanai", "place").hits["place"].rows  # place names are in clear
    assert (
        search(viewer_for(analyst), "incommunicado", "allegation").hits["allegation"].rows
    )  # circumstances are in clear
    member = indexed["member"]
    summary_word = "wounds"  # in the injuries of an allegation: protected
    assert search(viewer_for(member), summary_word, "allegation").hits["allegation"].rows
    assert search(viewer_for(analyst), summary_word, "allegation").hits["allegation"].rows == []
    assert search(viewer_for(analyst), "Tian").names_hidden


def test_one_query_over_the_index_whatever_the_number_of_records(indexed):
    member = viewer_for(indexed["member"])  # its teams, and those whose identities it hides: read once

    def count() -> tuple[int, int]:
        with CaptureQueriesContext(connection) as captured:
            results = search(member, "Tian Dmitri")
        return len(captured), sum(1 for hits in results.hits.values() if hits.rows)

    before, kinds_found = count()
    team = Team.objects.get(name="A")
    for i in range(20):
        person = Person.objects.create(team=team, label=f"Dmitri Tian {i}")
        PersonName.objects.create(person=person, full_name="Дмитрий Тян", script="Cyrl")
        search_index([person])
    assert count() == (before, kinds_found)
    # the index; the records of each kind found
    assert kinds_found >= 1 and before == 1 + kinds_found
    with CaptureQueriesContext(connection) as captured:
        search(member, "Dmitri", limit=1)  # too many entries for one query: the records kind by kind
    assert len(captured) == 1 + len(KINDS)


def test_at_most_the_limit_of_each_kind_in_its_order_however_common_the_word(indexed):
    member = indexed["member"]
    team = Team.objects.get(name="A")
    added = []
    for i in range(5):
        person = Person.objects.create(team=team, label=f"Aigerim Nurlanova {i}")
        search_index([person])
        added.append(person.pk)

    def found(limit: int) -> tuple[list[int], bool]:
        hits = search(viewer_for(member), "Nurlanova", "person", limit=limit).hits["person"]
        return [p.pk for p in hits.rows], hits.more

    assert found(5) == (added, False)  # all five entries in the one query over the index
    assert found(4) == (added[:4], True)  # the same query (at most limit + 1 entries per kind)
    assert found(2) == (added[:2], True)  # more entries than that: the records are read kind by kind


def test_a_renamed_person_is_found_by_the_new_name_once_the_service_indexes_again(indexed):
    member = indexed["member"]
    tian = Person.objects.get(pk=search(viewer_for(member), "Tian", "person").hits["person"].rows[0].pk)
    PersonName.objects.create(person=tian, full_name="Дмитрий Тянов", script="Cyrl")
    assert not search(viewer_for(member), "Тянов").hits["person"].rows
    search_index([PersonName.objects.filter(person=tian).last()])
    assert search(viewer_for(member), "Tyanov").hits["person"].rows


def test_the_index_holds_no_name_or_testimony_in_clear(indexed):
    if connection.vendor != "sqlite":
        pytest.skip("PostgreSQL: see test_a_dump_of_the_postgresql_index_holds_no_name_in_clear")
    member = indexed["member"]
    source = Source.objects.create(key="names", title="names", kind="document", team_id=Person.objects.first().team_id)
    upload(source, "Дмитрий Тян and Roza Tuletaeva, the testimony".encode(), "names.txt", member)
    assert SearchEntry.objects.filter(kind="document").exists()
    raw = connection.connection.serialize()  # the database file as a thief would copy it
    assert b"reports_searchentry_fts" in raw
    texts = protected_texts()
    assert {"Dmitri Tian", "Дмитрий Тян"} <= texts
    assert leaks(raw, texts) == []


@pytest.mark.django_db(transaction=True)
def test_a_dump_of_the_postgresql_index_holds_no_name_in_clear(django_user_model):
    if connection.vendor != "postgresql":
        pytest.skip("pg_dump is for PostgreSQL; the SQLite file is checked in the test above")
    gazetteer_seed(country="KZ")
    team = Team.objects.create(name="A")
    demo_loaded(team)
    source = Source.objects.create(key="names", title="names", kind="document", team=team)
    user = django_user_model.objects.create_user("member", "", "a-long-test-password")
    upload(source, "Дмитрий Тян and Roza Tuletaeva".encode(), "names.txt", user)
    search_reindex()
    db = connection.settings_dict
    bindir = Path(os.environ.get("HABEAS_PG_BINDIR", "/nonexistent"))
    pg_dump = str(bindir / "pg_dump") if (bindir / "pg_dump").exists() else shutil.which("pg_dump")
    assert pg_dump, "pg_dump not found"
    dump = subprocess.run(
        [pg_dump, "-h", db["HOST"], "-p", str(db["PORT"]), "-U", db["USER"], "-d", db["NAME"], "--no-owner"],
        capture_output=True,
        check=True,
        env={**os.environ, "PGPASSWORD": db["PASSWORD"] or ""},
    ).stdout
    assert b"COPY public.reports_searchentry" in dump
    assert leaks(dump, protected_texts()) == []


@pytest.fixture
def key_file(settings, tmp_path):
    settings.HABEAS_KEY_FILE = tmp_path / "keys.json"
    crypto.keys_init(settings.HABEAS_KEY_FILE)
    return settings.HABEAS_KEY_FILE


def test_after_a_key_rotation_everything_is_still_found(key_file, django_user_model):
    team = Team.objects.create(name="A")
    user = django_user_model.objects.create_user("member", "", "a-long-test-password")
    Membership.objects.create(user=user, team=team, role=Role.RESEARCHER)
    tian = Person.objects.create(team=team, label="Dmitri Tian")
    PersonName.objects.create(person=tian, full_name="Дмитрий Тян", script="Cyrl")
    place = Place.objects.create(team=team, name="Kostanai prison", kind="prison")
    source = Source.objects.create(key="r", title="r", kind="document", team=team)
    document = upload(source, make_pdf("quarantined strikers"), "r.pdf", user)
    for obj in (tian, place):
        search_index([obj])
    before = set(SearchEntry.objects.values_list("tokens", flat=True))
    rotation = keys_rotate(pause=0)
    assert rotation.retired
    assert set(SearchEntry.objects.values_list("tokens", flat=True)).isdisjoint(before)  # recomputed
    assert [p.pk for p in search(viewer_for(user), "Тян").hits["person"].rows] == [tian.pk]
    assert [p.pk for p in search(viewer_for(user), "Kostanai").hits["place"].rows] == [place.pk]
    assert [d.pk for d in search(viewer_for(user), "strikers").hits["document"].rows] == [document.pk]


def test_what_a_load_writes_is_found_without_rebuilding_the_index(world):
    member = world["member"]
    assert "Dmitri Tian" in labels(search(viewer_for(member), "Тян"), "person")
    assert search(viewer_for(member), "incommunicado", "allegation").hits["allegation"].rows
    assert search(viewer_for(member), "Kostanai", "place").hits["place"].rows


def admin_form(client, url: str, **fields: str) -> dict[str, str]:
    """The data of an admin page's form with no inline row: the management forms of its inlines, and fields."""
    import re

    page = client.get(url).content.decode()
    data = {name: "0" for name in re.findall(r'name="([^"]+-(?:TOTAL|INITIAL)_FORMS)"', page)}
    return {**data, **fields}


def test_a_place_added_in_the_admin_is_found_at_once(client, world):
    from django.urls import reverse

    client.force_login(world["member"])
    url = reverse("admin:registry_place_add")
    response = client.post(url, admin_form(client, url, name="Shubarkol colony", kind="prison"))
    assert response.status_code == 302, response.content.decode()[:3000]
    place = Place.objects.get(name="Shubarkol colony")
    assert [p.pk for p in search(viewer_for(world["member"]), "Шубарколь", "place").hits["place"].rows] == [place.pk]
    assert search(viewer_for(world["outsider"]), "Shubarkol").total == 0
    client.force_login(world["owner"])  # an administrator deletes
    client.post(reverse("reauth"), {"password": PASSWORD})
    client.post(reverse("admin:registry_place_delete", args=[place.pk]), {"post": "yes"})
    assert not Place.objects.filter(pk=place.pk).exists()
    assert not SearchEntry.objects.filter(kind="place", object_id=place.pk).exists()


def test_the_search_page_makes_as_many_queries_with_more_hits(client, indexed, settings, tmp_path):
    """More persons, places, allegations (with and without a victim) and documents hold the word searched:
    the page, whole or the results alone, makes as many queries, for a member and for an analyst who sees
    pseudonyms."""
    from django.urls import reverse

    from habeas.cases.models import Allegation
    from habeas.registry.models import Locality

    settings.MEDIA_ROOT = tmp_path / "media"
    team = Team.objects.get(name="A")
    source = Source.objects.filter(team=team).order_by("pk").first()
    model = Allegation.objects.filter(team=team, victim__isnull=False).order_by("pk").first()
    group = Allegation.objects.filter(team=team, victim_group__isnull=False).order_by("pk").first()
    locality = Locality.objects.order_by("pk").first()
    grown = iter(range(100))

    def grow() -> None:
        n = next(grown)
        added = []
        for i in range(3):
            person = Person.objects.create(team=team, label=f"Grownword Person {n}-{i}")
            added.append(PersonName.objects.create(person=person, full_name=f"Grownword {n}-{i}", script="Latn"))
            added.append(
                Place.objects.create(team=team, name=f"Grownword prison {n}-{i}", kind="prison", locality=locality)
            )
            for like in (model, group):
                like.pk = like.id = None
                like._state.adding = True
                like.circumstances = f"grownword interrogation {n}-{i}"
                like.save()
                added.append(Allegation.objects.get(pk=like.pk))
            added.append(upload(source, f"grownword page {n}-{i}".encode(), f"g{n}-{i}.txt", None))
        search_index(added)

    grow()  # a hit of each kind before the first count
    url = reverse("search") + "?q=grownword"
    for persona in ("member", "analyst"):
        client.force_login(indexed[persona])
        client.defaults.pop("HTTP_HX_REQUEST", None)
        assert assert_queries_bounded(client, url, grow) < 25, persona
        client.defaults["HTTP_HX_REQUEST"] = "true"  # the results alone, as one types
        assert assert_queries_bounded(client, url + "&kind=allegation", grow) < 25, persona
    client.defaults.pop("HTTP_HX_REQUEST", None)
    client.force_login(indexed["member"])
    hits = client.get(url).context["results"].hits
    assert {kind: len(hits[kind].rows) for kind in hits} == {
        "person": 15,
        "place": 15,
        "allegation": 30,
        "document": 15,
    }
