"""The evidence pages: the sources of the user's teams, a source with its documents and citations, a new source,
an upload (a real PDF read, and every refusal with its reason and nothing stored), and the citation of a
passage of a document for a record picked by kind and number or by a person's name in any script."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from habeas.accounts.models import Membership, Role, Team
from habeas.evidence.models import Citation, Document, Source
from habeas.evidence.services import citation_add, document_add
from habeas.registry.models import Person
from habeas.registry.selectors import persons_named
from tests.evidence.pdfs import make_pdf
from tests.pages import assert_queries_bounded

pytestmark = pytest.mark.django_db

SCRIPT = "<script>alert('x')</script>"


@pytest.fixture
def media(settings, tmp_path) -> Path:
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


def stored_files(media: Path) -> list[Path]:
    return [p for p in media.rglob("*") if p.is_file()] if media.exists() else []


def briefing() -> Source:
    return Source.objects.get(key="amnesty-2013")


def tian() -> Person:
    return persons_named("Dmitri Tian", exact=True).get()


def test_the_list_shows_the_teams_sources_with_their_counts_and_a_bounded_number_of_queries(client, world, media):
    client.force_login(world["member"])
    url = reverse("source_list")
    page = client.get(url).content.decode()
    assert "Old habits: the routine use of torture" in page and "document or report" in page
    assert reverse("source_detail", args=[briefing().pk]) in page
    team = briefing().team

    def grow() -> None:
        for i in range(5):
            source = Source.objects.create(key=f"more-{i}", title=f"Report {i}", kind="media", team=team)
            Citation.objects.create(source=source, record=tian(), page=str(i))
            document_add(source=source, upload=SimpleUploadedFile(f"{i}.txt", f"text {i}".encode()), user=None)

    assert_queries_bounded(client, url, grow)
    client.force_login(world["outsider"])
    assert "Old habits" not in client.get(url).content.decode()


def test_a_source_shows_its_documents_and_citations_and_hides_them_from_an_analyst(
    client, world, media, django_user_model
):
    member = world["member"]
    source = briefing()
    document = document_add(
        source=source, upload=SimpleUploadedFile("briefing.pdf", make_pdf("Kostanai is far")), user=member
    )
    citation_add(source=source, record=tian(), user=member, page="12", note=f"transferred to Kostanai {SCRIPT}")
    client.force_login(member)
    url = reverse("source_detail", args=[source.pk])
    page = client.get(url).content.decode()
    for shown in (document.sha256, "PDF document", reverse("document_download", args=[document.pk]), "Dmitri Tian"):
        assert shown in page, shown
    assert "transferred to Kostanai &lt;script&gt;" in page and SCRIPT not in page

    def grow() -> None:  # more records of kinds whose names are made from others (a person's, a place's)
        from habeas.cases.models import Allegation
        from habeas.custody.models import CustodyEpisode, Placement

        for model in (Person, CustodyEpisode, Placement, Allegation):
            for record in model.objects.filter(team=source.team)[:10]:
                Citation.objects.create(source=source, record=record, page="99")

    assert_queries_bounded(client, url, grow)

    analyst = world["analyst"]  # of the source's team A; sees pseudonyms
    client.force_login(analyst)
    page = client.get(url).content.decode()
    assert document.sha256 not in page and "Dmitri Tian" not in page and "transferred to Kostanai" not in page
    assert client.get(reverse("document_detail", args=[document.pk])).status_code == 403


def test_a_new_source_is_added_and_bad_input_is_refused_field_by_field(client, world):
    client.force_login(world["member"])
    url = reverse("source_add")
    team = briefing().team_id
    before = Source.objects.count()
    response = client.post(
        url,
        {
            "key": "Not a slug!",
            "title": SCRIPT,
            "kind": "document",
            "reliability": "high",
            "published": "2013-13-45",
            "url": "not a url",
            "team": team,
        },
    )
    assert response.status_code == 400
    page = response.content.decode()
    assert page.count('class="errorlist') >= 3  # the key, the date and the address, each at its field
    assert "Write the date as" in page and 'value="2013-13-45"' in page and "&lt;script&gt;" in page
    assert Source.objects.count() == before
    response = client.post(
        url,
        {
            "key": "hrw-2012",
            "title": SCRIPT,
            "kind": "media",
            "reliability": "medium",
            "published": "2012-03",
            "team": team,
        },
    )
    source = Source.objects.get(key="hrw-2012")
    assert response.status_code == 302 and response["Location"] == reverse("source_detail", args=[source.pk])
    assert (source.title, source.team_id, source.published_on_precision) == (SCRIPT, team, "month")
    page = client.get(response["Location"]).content.decode()
    assert "&lt;script&gt;" in page and SCRIPT not in page and "March 2012" in page
    client.force_login(world["readonly"])
    assert client.post(url, {"key": "x", "title": "x", "kind": "media", "team": team}).status_code == 403


def test_an_uploaded_pdf_is_stored_with_its_hash_size_type_and_text(client, world, media):
    client.force_login(world["member"])
    source = briefing()
    content = make_pdf("Dmitri Tian was moved", "to a prison in Kostanai province")
    response = client.post(
        reverse("source_upload", args=[source.pk]), {"file": SimpleUploadedFile("../../../etc/passwd.pdf", content)}
    )
    document = Document.objects.get(source=source)
    assert response.status_code == 302 and response["Location"] == reverse("document_detail", args=[document.pk])
    assert (document.media_type, document.size, document.original_name) == (
        "application/pdf",
        len(content),
        "passwd.pdf",
    )
    assert document.text.split("\f")[1].strip() == "to a prison in Kostanai province"
    files = stored_files(media)
    assert [p.relative_to(media).as_posix() for p in files] == [f"documents/{document.sha256[:2]}/{document.sha256}"]
    assert not Path("/etc/passwd.pdf").exists()
    page = client.get(response["Location"]).content.decode()
    assert document.sha256 in page and "Kostanai province" in page and "Page 2" in page


@pytest.mark.parametrize(
    ("name", "content", "reason"),
    [
        ("big.pdf", make_pdf("x") + b"0" * (1024 * 1024 + 1), "“big.pdf” is 1.0 MB; the largest allowed is 1 MB"),
        ("photo.pdf", b"\x00\x01\x02 binary" * 10, "not a PDF, plain text, PNG or JPEG file"),
        ("broken.pdf", b"%PDF-1.4\n1 0 obj << /Type /Catalog", "the PDF cannot be read"),
        ("cut.pdf", make_pdf("cut short")[:150], "the PDF cannot be read"),
    ],
)
def test_a_refused_upload_says_why_and_stores_nothing(client, world, media, settings, name, content, reason):
    settings.HABEAS_MAX_UPLOAD_MB = 1
    client.force_login(world["member"])
    response = client.post(reverse("source_upload", args=[briefing().pk]), {"file": SimpleUploadedFile(name, content)})
    assert response.status_code == 400
    page = response.content.decode()
    assert reason in page and "not stored" in page
    assert 'class="errorlist' in page
    assert Document.objects.count() == 0 and stored_files(media) == []


def test_a_read_only_member_may_not_upload(client, world, media):
    client.force_login(world["readonly"])
    url = reverse("source_upload", args=[briefing().pk])
    assert client.post(url, {"file": SimpleUploadedFile("a.txt", b"text")}).status_code == 403
    assert Document.objects.count() == 0


def test_a_passage_is_cited_for_a_person_found_by_name_or_a_record_by_kind_and_number(client, world, media):
    member = world["member"]
    source = briefing()
    document = document_add(
        source=source, upload=SimpleUploadedFile("b.txt", b"He was moved to Kostanai."), user=member
    )
    client.force_login(member)
    url = reverse("document_detail", args=[document.pk])
    before = Citation.objects.count()
    existing = set(Citation.objects.values_list("pk", flat=True))

    # no locator and no record: each field says what to fix, what was typed is kept, nothing is stored
    response = client.post(url, {"passage": "He was moved", "person_name": ""})
    page = response.content.decode()
    assert response.status_code == 400
    assert "Give the page" in page and "Name the person" in page and "He was moved</textarea>" in page
    # a record of another team, or a name nobody in the user's teams has
    other = Person.objects.create(team=Team.objects.get(name="B"), label="Someone else")
    response = client.post(url, {"page": "3", "record_type": "registry.person", "record_id": other.pk})
    assert "There is no person number" in response.content.decode()
    response = client.post(url, {"page": "3", "person_name": "Nobody Nowhere"})
    assert "No person you may change has this name" in response.content.decode()
    assert Citation.objects.count() == before

    # by name, in Cyrillic: Dmitri Tian and his child are both found, and one is chosen
    typed = {"page": "3", "person_name": "Тян", "passage": f"moved to Kostanai {SCRIPT}"}
    response = client.post(url, typed)
    page = response.content.decode()
    assert response.status_code == 400 and "persons have this name" in page, page[page.find("errorlist") :][:500]
    assert f'name="choose" value="{tian().pk}"' in page and "&lt;script&gt;" in page and SCRIPT not in page
    response = client.post(url, {**typed, "choose": tian().pk})
    assert response.status_code == 302
    citation = Citation.objects.exclude(pk__in=existing).get()
    assert (citation.record, citation.page, citation.source) == (tian(), "3", source)
    assert citation.note == f"moved to Kostanai {SCRIPT}"

    # by kind and number
    allegation = tian().allegations.first() or Person.objects.filter(team=source.team).first()
    label = allegation._meta.label_lower
    response = client.post(url, {"page": "4", "record_type": label, "record_id": allegation.pk})
    assert response.status_code == 302
    assert Citation.objects.filter(object_id=allegation.pk, page="4").exists()

    client.force_login(world["readonly"])
    assert client.post(url, {"page": "5", "person_name": "Tian"}).status_code == 403
    assert not Citation.objects.filter(page="5").exists()


def test_the_stored_files_are_not_left_behind_when_the_database_refuses(client, world, media):
    """Uploading the same file twice to one source: the second is refused and the first copy stays alone."""
    client.force_login(world["member"])
    url = reverse("source_upload", args=[briefing().pk])
    content = make_pdf("same")
    assert client.post(url, {"file": SimpleUploadedFile("a.pdf", content)}).status_code == 302
    response = client.post(url, {"file": SimpleUploadedFile("b.pdf", content)})
    assert response.status_code == 400 and "already attached to this source" in response.content.decode()
    assert Document.objects.count() == 1 and len(stored_files(media)) == 1
    assert not [p for p in stored_files(media) if p.name.endswith(".tmp")]
    assert list((media / "documents").iterdir())


def test_the_new_source_upload_and_document_pages_make_as_many_queries_with_more_records(client, world, media):
    """The new source's teams to choose from, the source's documents and citations, and a document's source's
    documents and citations grow; the number of queries of each page does not."""
    member = world["member"]
    source = briefing()
    document = document_add(
        source=source, upload=SimpleUploadedFile("b.pdf", make_pdf("Kostanai", "page two")), user=member
    )
    client.force_login(member)
    people = list(Person.objects.filter(team=source.team).order_by("pk")[:10])
    grown = iter(range(100))

    def grow() -> None:
        n = next(grown)
        for i in range(3):
            team = Team.objects.create(name=f"Grown {n}-{i}")
            Membership.objects.create(user=member, team=team, role=Role.RESEARCHER)
            other = Source.objects.create(key=f"grown-{n}-{i}", title=f"Report {n}-{i}", kind="media", team=team)
            Citation.objects.create(source=other, record=people[i], page=str(i))
            document_add(source=source, upload=SimpleUploadedFile(f"{n}-{i}.txt", f"text {n} {i}".encode()), user=None)
        for person in people:
            citation_add(source=source, record=person, user=member, page=f"{n}", note="more")

    for url in (
        reverse("source_add"),
        reverse("source_upload", args=[source.pk]),
        reverse("document_detail", args=[document.pk]),
    ):
        assert assert_queries_bounded(client, url, grow) < 30, url
    assert client.get(reverse("source_add")).content.decode().count("Grown ") >= 6  # the teams are offered
