"""One view of a finding for every page: built in bulk with a fixed number of queries, and showing the same sentence,
sources and severity style on the person's file, the place's page, the visit's page and the briefing, in every
language."""

from __future__ import annotations

import pytest
from django.contrib.contenttypes.models import ContentType
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import translation
from django.utils.html import escape

from habeas.accounts.viewer import viewer_for
from habeas.custody.models import Placement, RestrictiveMeasure
from habeas.files.place_selectors import DETAIL_LIMIT
from habeas.monitoring.models import Visit
from habeas.reports.briefing import Scope, briefing_gather, briefing_html
from habeas.standards.finding_view import FindingView, finding_views
from habeas.standards.models import Finding
from habeas.standards.services import findings_evaluate
from habeas.standards.visibility import findings_visible

pytestmark = pytest.mark.django_db


def test_the_views_of_every_finding_take_one_query_and_one_per_kind_of_record_to_filter(world):
    findings_evaluate(profile_name="kz")
    ContentType.objects.clear_cache()  # the kinds of record are read once, not once per finding
    current = Finding.objects.filter(active=True)
    kinds = current.values("content_type").distinct().count()
    with CaptureQueriesContext(connection) as built:
        views = finding_views(current.order_by("pk"))
    viewer = viewer_for(world["member"])  # once per request, before the page reads anything
    with CaptureQueriesContext(connection) as filtered:
        seen = findings_visible(views, viewer)
    assert len(views) > 2 + 2 * kinds and len(seen) == len(views)  # the member's team holds every demo record
    assert len(built) <= 1 + kinds
    assert len(filtered) <= 2 + 2 * kinds  # which of them the reader may see, whose identities are hidden
    assert all(isinstance(view, FindingView) for view in views)
    assert [view.pk for view in views] == list(current.order_by("pk").values_list("pk", flat=True))


def _shown(view: FindingView) -> list[str]:
    """What a page prints of a finding, as the page escapes it: its severity badge, its sentence and its sources."""
    return [
        f'<span class="badge {view.severity}">{escape(view.severity_label)}</span>',
        escape(view.summary),
        escape(view.cited),
    ]


def _about_a_person_at_a_place() -> tuple[Finding, int]:
    """A breach about a measure or placement, among those its place's page lists, and the person it concerns."""
    kinds = [ContentType.objects.get_for_model(model).pk for model in (RestrictiveMeasure, Placement)]
    for finding in Finding.objects.filter(
        active=True, status="breach", content_type__in=kinds, place__isnull=False
    ).order_by("-severity", "pk"):
        listed = (
            Finding.objects.filter(active=True, place=finding.place_id)
            .exclude(status="gap")
            .exclude(review="dismissed")
            .order_by("-severity", "rule", "pk")[:DETAIL_LIMIT]
        )
        if finding.sources and finding in listed:
            return finding, finding.record.custody.person_id
    raise AssertionError("no breach about a person's custody at a place")


@pytest.mark.parametrize("language", ["en", "ru", "kk"])
def test_a_finding_reads_the_same_on_every_page_that_shows_it(client, world, settings, language):
    findings_evaluate(profile_name="kz")
    custody, person = _about_a_person_at_a_place()
    visits = Finding.objects.filter(active=True, status="breach", content_type=ContentType.objects.get_for_model(Visit))
    visit = next(f for f in visits.order_by("pk") if f.sources)
    client.force_login(world["member"])
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    pages = {
        "person": client.get(reverse("person_detail", args=[person])).content.decode(),
        "place": client.get(reverse("place_detail", args=[custody.place_id])).content.decode(),
        "visit": client.get(reverse("visit_detail", args=[visit.object_id])).content.decode(),
    }
    briefing = briefing_html(
        briefing_gather(user=world["member"], scope=Scope(redaction="internal", language=language))
    )
    with translation.override(language):
        about_custody, about_visit = finding_views([custody, visit])
        assert about_custody.severity == Finding.Severity(custody.severity).name.lower()  # a style, not a word
        for page in ("person", "place"):
            for part in _shown(about_custody):
                assert part in pages[page], (page, part)
        for part in _shown(about_visit):
            assert part in pages["visit"], part
        for view in (about_custody, about_visit):  # the briefing gives the sentence and its sources as a note
            assert escape(view.summary) in briefing
            assert escape(view.cited) in briefing
    if language != "en":
        assert about_custody.summary != custody.summary  # in the reader's language
