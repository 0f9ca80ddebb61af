"""Briefings: the demo's briefing as a PDF in English and Russian, opened with pypdf, holds its sections and its
footnotes; the public version names no victim; a briefing is stored with the hash of its records and audited; it
runs as a job of the worker and is downloaded from its page; the scope narrows it."""

from __future__ import annotations

import io
import re

import pypdf
import pytest
from django.urls import reverse
from django.utils import translation

from habeas.accounts.models import AuditEvent, Team
from habeas.core.models import Job
from habeas.demo.lists import demo_lists
from habeas.registry.models import Person
from habeas.reports.briefing import BriefingError, Scope, briefing_gather, briefing_html
from habeas.reports.models import Briefing
from habeas.reports.services_briefing import briefing_build, briefing_document
from habeas.standards.services import findings_evaluate
from tests.conftest import run_worker

pytestmark = pytest.mark.django_db

SOURCE_TITLE = "Old habits: the routine use of torture and other ill-treatment in Kazakhstan"


@pytest.fixture
def demo(world):
    """The world as ``habeas demo`` leaves it: its records checked against the standards, and the illustrative
    lists linked and estimated."""
    findings_evaluate(profile_name="kz")
    demo_lists(team=Team.objects.get(name="A"), user=world["superuser"])
    return world


def victims_names() -> set[str]:
    """Every name the demo data gives a person who is not an official (no organisation, no position): the
    victims, their relatives and witnesses, in every script."""
    names: set[str] = set()
    for person in Person.objects.filter(organisation__isnull=True, position="").prefetch_related("names"):
        names |= {person.label, *(name.full_name for name in person.names.all())}
    return {name for name in names if name}


def pdf_text(document: bytes) -> str:
    return "\n".join(page.extract_text() for page in pypdf.PdfReader(io.BytesIO(document)).pages)


def flat(text: str) -> str:
    """The text with its line breaks and hyphenation joined, so that a name broken over two lines is still found."""
    return re.sub(r"\s+", " ", text)


def test_the_demos_public_briefing_in_english_holds_its_sections_and_footnotes_and_no_victims_name(demo):
    built = briefing_build(user=demo["superuser"], scope=Scope(redaction="public"), format="pdf")
    document = briefing_document(built)
    assert document.startswith(b"%PDF-")
    text = flat(pdf_text(document))
    for heading in (
        "Summary",
        "Conditions and length of detention",
        "Investigation and accountability",
        "Independent monitoring",
        "Recommendations and their status",
        "Estimates of the total",
        "What this estimate assumes",
    ):
        assert heading in text, heading
    # footnotes: numbered notes at the foot of the pages, each naming the source (a published document)
    assert re.search(r"\b1\. Counted by Habeas from \d+ records", text)
    assert text.count(SOURCE_TITLE) > 20
    assert re.search(r"\b\d+\. " + re.escape(SOURCE_TITLE), text)
    assert "95% interval" in text
    names = victims_names()
    assert len(names) > 15
    assert sorted(n for n in names if n in text) == []


def test_the_internal_briefing_names_the_victims_that_the_public_one_hides(demo):
    built = briefing_build(user=demo["superuser"], scope=Scope(redaction="internal"), format="html")
    html = briefing_document(built).decode()
    named = {name for name in victims_names() if name in html}
    assert {"Roza Tuletaeva", "Aron Atabek", "Dmitri Tian"} <= named
    assert "section “Roza Tuletaeva”" in html  # the demo's briefing has a section per victim: hidden when redacted


def test_the_demos_public_briefing_in_russian_is_written_in_russian_and_names_no_victim(demo):
    built = briefing_build(user=demo["superuser"], scope=Scope(redaction="public", language="ru"), format="pdf")
    text = flat(pdf_text(briefing_document(built)))
    for heading in ("Общие сведения", "Расследование и привлечение к ответственности", "Рекомендации и их выполнение"):
        assert heading in text, heading
    assert "Summary" not in text
    assert re.search(r"\b1\. Подсчитано Habeas по \d+ записям", text)
    assert SOURCE_TITLE in text
    assert sorted(n for n in victims_names() if n in text) == []


def test_the_kazakh_briefing_prints_the_kazakh_letters(demo):
    built = briefing_build(user=demo["superuser"], scope=Scope(redaction="public", language="kk"), format="pdf")
    text = flat(pdf_text(briefing_document(built)))
    assert "Тергеу және жауапкершілікке тарту" in text and "Ұсынымдар және олардың орындалуы" in text


def test_a_briefing_is_stored_with_the_hash_of_its_records_and_the_audit_trail_says_who_built_it(demo):
    first = briefing_build(user=demo["owner"], scope=Scope(redaction="partner"), format="html")
    again = briefing_build(user=demo["owner"], scope=Scope(redaction="partner"), format="html")
    assert len(first.records_sha256) == 64 and first.records > 40
    assert again.records_sha256 == first.records_sha256  # the same records
    assert first.sha256 != first.records_sha256
    event = AuditEvent.objects.get(action="export", target_type="reports.briefing", target_id=str(first.pk))
    assert event.actor == demo["owner"]
    assert event.details["records_sha256"] == first.records_sha256 and event.details["sha256"] == first.sha256
    assert event.details["scope"]["redaction"] == "partner"
    # a changed record changes the hash
    findings_evaluate(profile_name="kz")
    from habeas.standards.models import Finding

    Finding.objects.filter(active=True).exclude(status="gap").order_by("pk").first().delete()
    third = briefing_build(user=demo["owner"], scope=Scope(redaction="partner"), format="html")
    assert third.records_sha256 != first.records_sha256


def test_an_outsider_gets_a_briefing_with_nothing_of_another_teams_records(demo):
    briefing = briefing_gather(user=demo["outsider"], scope=Scope(redaction="internal"))
    assert briefing.themes == [] and briefing.recommendations == [] and briefing.estimates == []
    html = briefing_html(briefing)
    assert SOURCE_TITLE not in html and "No finding in this scope." in html


def test_an_analyst_without_identities_gets_pseudonyms_even_internally(demo):
    html = briefing_html(briefing_gather(user=demo["analyst"], scope=Scope(redaction="internal")))
    assert "Breach" in html
    assert sorted(n for n in victims_names() if n in html) == []


def test_the_scope_narrows_the_briefing_by_period_and_theme(demo):
    user = demo["superuser"]
    everything = briefing_gather(user=user, scope=Scope(redaction="internal"))
    monitoring = briefing_gather(user=user, scope=Scope(redaction="internal", themes=("monitoring",)))
    assert [t.key for t in monitoring.themes] == ["monitoring"]
    assert len(everything.themes) > 2
    early = briefing_gather(
        user=user, scope=Scope(redaction="internal", period_from=dt_date(1990, 1, 1), period_to=dt_date(1999, 12, 31))
    )
    assert early.themes == [] and early.recommendations == []
    assert len(everything.recommendations) == 9
    zhanaozen = briefing_gather(
        user=user, scope=Scope(redaction="internal", period_from=dt_date(2011, 12, 16), period_to=dt_date(2011, 12, 17))
    )
    count = sum(t.count for t in zhanaozen.themes)
    assert 0 < count < sum(t.count for t in everything.themes)
    roza = next(p for p in Person.objects.all() if p.label == "Roza Tuletaeva")
    hers = briefing_html(briefing_gather(user=user, scope=Scope(redaction="internal", persons=(roza.pk,))))
    assert "Roza Tuletaeva" in hers and "Aron Atabek" not in hers


def test_a_scope_that_cannot_be_honoured_says_why():
    with pytest.raises(BriefingError, match="unknown theme 'weather'"):
        Scope(redaction="public", themes=("weather",))
    with pytest.raises(BriefingError, match="unknown redaction"):
        Scope(redaction="none")
    with pytest.raises(BriefingError, match="ends before it starts"):
        Scope(redaction="public", period_from=dt_date(2012, 1, 1), period_to=dt_date(2011, 1, 1))


def test_a_briefing_ordered_on_its_page_runs_as_a_job_and_is_downloaded(
    client, demo, django_capture_on_commit_callbacks
):
    client.force_login(demo["owner"])
    assert "Build the briefing" in client.get(reverse("briefings")).content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("briefings"), {"language": "ru", "redaction": "public", "format": "html"})
    job = Job.objects.get(kind="briefing")
    assert response.status_code == 302 and response["Location"] == reverse("job_detail", args=[job.pk])
    run_worker()
    job.refresh_from_db()
    assert job.status == Job.Status.DONE, job.error
    assert job.done == job.total == 4
    briefing = Briefing.objects.get(created_by=demo["owner"])
    assert job.result_url == reverse("briefing_download", args=[briefing.pk])
    download = client.get(job.result_url)
    assert download.status_code == 200 and download["X-Content-SHA256"] == briefing.sha256
    page = download.content.decode()
    assert '<html lang="ru">' in page and "Общие сведения" in page
    assert AuditEvent.objects.filter(action="read", target_type="reports.briefing", actor=demo["owner"]).exists()
    listed = client.get(reverse("briefings")).content.decode()
    assert reverse("briefing_download", args=[briefing.pk]) in listed
    client.force_login(demo["member"])
    assert client.get(job.result_url).status_code == 404


def dt_date(year: int, month: int, day: int):
    import datetime as dt

    return dt.date(year, month, day)


@pytest.fixture(autouse=True)
def _english():
    with translation.override("en"):
        yield
