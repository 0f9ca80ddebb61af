"""Pages kept ready (``habeas.accounts.pagecache``): a file is rendered once for readers who may see the same, and
made anew after any committed write — through ``save``, through the standards check's bulk writes — and never
shown to a reader who may see something else, in another language, or with another reader's name or token."""

from __future__ import annotations

import pickle

import pytest
from django.contrib.auth import get_user_model
from django.core.cache import caches
from django.db import transaction
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from habeas.accounts import pagecache
from habeas.accounts.models import AuditEvent, Membership, Role, Team
from habeas.cases.models import Allegation, Method
from habeas.core.crypto import pseudonym
from habeas.custody.models import CustodyEpisode, Placement
from habeas.monitoring.models import Visit
from habeas.registry.models import Person, Place
from habeas.registry.selectors import persons_named
from habeas.standards.services import findings_evaluate
from tests.conftest import PASSWORD

#: writes commit for real, as in production: a version moves when a transaction commits
pytestmark = pytest.mark.django_db(transaction=True)

LOCMEM = {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}


@pytest.fixture(autouse=True)
def kept_pages(settings):
    """The production caches (in the process's memory), empty at the start of each test."""
    settings.CACHES = {"default": {**LOCMEM, "LOCATION": "test-default"}, "pages": {**LOCMEM, "LOCATION": "test-pages"}}
    caches["pages"].clear()
    yield
    caches["pages"].clear()


def tian() -> Person:
    return persons_named("Dmitri Tian", exact=True).get()


def main(page: str) -> str:
    """The page's own part (the header around it holds the reader's name and a freshly masked token)."""
    return page[page.index('<main id="main">') : page.index("</main>")]


def clock_queries(user, **about) -> int:
    """The queries of the live clock, which a kept file still reads on every view (what needs attention now)."""
    from django.db import connection
    from django.utils import timezone

    from habeas.reports.clock import clock_items

    with CaptureQueriesContext(connection) as captured:
        clock_items(user, now=timezone.now(), **about)
    return len(captured)


def queries_of(client, url: str, **extra) -> tuple[int, str]:
    from django.db import connection

    with CaptureQueriesContext(connection) as captured:
        response = client.get(url, **extra)
    assert response.status_code == 200
    return len(captured), response.content.decode()


def test_a_file_is_rendered_once_then_served_as_kept_until_a_record_changes(client, world):
    client.force_login(world["member"])
    person = tian()
    url = reverse("person_detail", args=[person.pk])
    first, page = queries_of(client, url)
    again, kept = queries_of(client, url)
    # the visit's own reads and its audit event, and the live clock, which is never kept
    assert again < first and again <= 12 + clock_queries(world["member"], person=person), (first, again)
    assert main(kept) == main(page) and "Prison A in Kostanai province" in main(kept)
    # every view is still a read in the audit trail
    reads = AuditEvent.objects.filter(action="read", target_type="registry.person", target_id=str(person.pk))
    assert reads.count() == 2

    person.occupation = "Cartographer of the steppe"
    person.save()
    _, changed = queries_of(client, url)
    assert "Cartographer of the steppe" in changed

    # a record of another kind, written through save: the timeline shows it at once
    episode = CustodyEpisode.objects.filter(person=person).order_by("pk").first()
    place = Place.objects.create(team=person.team, name="Remand centre of Aktau", kind="pretrial")
    Placement.objects.create(team=person.team, custody=episode, place=place)
    assert "Remand centre of Aktau" in client.get(url).content.decode()

    # a many-to-many change: a method added to his allegation
    allegation = Allegation.objects.get(victim=person)
    method = Method.objects.exclude(pk__in=allegation.methods.all()).order_by("pk").first()
    assert str(method) not in main(client.get(url).content.decode())
    allegation.methods.add(method)
    assert str(method) in main(client.get(url).content.decode())


def test_one_new_version_per_committed_transaction_and_none_for_a_rolled_back_one(world):
    from django.db import connection

    person = tian()
    before = pagecache.data_version()
    with transaction.atomic():
        person.occupation = "one"
        person.save()
        person.occupation = "two"
        person.save()
        Place.objects.create(team=person.team, name="Temporary holding facility", kind="ivs")
        pending = [c for _, c, _ in connection.run_on_commit if c is pagecache._replace_token]
        assert len(pending) == 1  # however many records the transaction writes
        assert pagecache.data_version() == before  # nothing committed yet
    after = pagecache.data_version()
    assert after != before and len(after) == 32

    with pytest.raises(RuntimeError), transaction.atomic():
        person.occupation = "three"
        person.save()
        raise RuntimeError("rolled back")
    assert pagecache.data_version() == after


def test_the_standards_check_writes_past_save_and_its_findings_appear(client, world):
    client.force_login(world["member"])
    url = reverse("person_detail", args=[tian().pk])
    assert "MANDELA-68-NOTIFY-FAMILY" not in client.get(url).content.decode()
    findings_evaluate(profile_name="kz")
    assert "MANDELA-68-NOTIFY-FAMILY" in client.get(url).content.decode()


def test_readers_who_may_see_differently_never_share_a_kept_page(client, world):
    person = tian()
    url = reverse("person_detail", args=[person.pk])
    client.force_login(world["member"])
    assert "Contact details" in client.get(url).content.decode()

    client.force_login(world["analyst"])  # the same team, pseudonyms
    seen = client.get(url).content.decode()
    assert "Dmitri Tian" not in seen and f"Person {pseudonym('registry.person', person.pk)}" in seen
    client.force_login(world["readonly"])  # the same team, no contact details
    seen = client.get(url).content.decode()
    assert "Dmitri Tian" in seen and "Contact details" not in seen
    client.force_login(world["analyst_named"])
    assert "Dmitri Tian" in client.get(url).content.decode()
    client.force_login(world["outsider"])
    assert client.get(url).status_code == 404  # refused before anything kept is looked up

    # a second researcher of the same team shares the member's file, but not their name, token or messages
    other = get_user_model().objects.create_user("second-researcher", "", PASSWORD, is_staff=True)
    Membership.objects.create(user=other, team=Team.objects.get(name="A"), role=Role.RESEARCHER)
    client.force_login(other)
    shared = client.get(url)
    page = shared.content.decode()
    assert "Contact details" in page
    assert '<span class="user">second-researcher</span>' in page and '<span class="user">member</span>' not in page
    kept = [pickle.loads(value) for value in caches["pages"]._cache.values()]
    assert kept and all("</main>" not in html for html in kept)  # the page's own part only, not its frame
    assert not any(word in html for html in kept for word in ("csrf", "CSRF", "member", "second-researcher"))


def test_a_changed_membership_is_seen_within_the_same_request(world):
    from habeas.accounts import access

    user = world["readonly"]
    team = Team.objects.get(name="A")
    with access.memberships_remembered():
        assert not access.can_write_in(user, team.pk)
        membership = Membership.objects.get(user=user, team=team)
        membership.role = Role.RESEARCHER
        membership.save()
        assert access.can_write_in(user, team.pk)


def test_each_language_and_the_htmx_timeline_are_kept_apart(client, world):
    client.force_login(world["member"])
    url = reverse("person_detail", args=[tian().pk])
    english = client.get(url).content.decode()
    client.cookies["django_language"] = "ru"
    russian = client.get(url).content.decode()
    del client.cookies["django_language"]
    assert "<h2>Facts</h2>" in main(english) and "<h2>Сведения</h2>" in main(russian)
    assert "<h2>Facts</h2>" not in main(russian)
    timeline = client.get(url, {"kind": "custody"}, HTTP_HX_REQUEST="true").content.decode()
    assert timeline.lstrip().startswith('<section class="panel" id="timeline">') and "<html" not in timeline
    assert "<html" in client.get(url, {"kind": "custody"}).content.decode()


def test_a_place_page_shows_a_visit_recorded_after_it_was_kept(client, world):
    client.force_login(world["member"])
    place = Place.objects.filter(team__name="A").order_by("pk").first()
    url = reverse("place_detail", args=[place.pk])
    first, _ = queries_of(client, url)
    again, _ = queries_of(client, url)
    assert again < first and again <= 12 + clock_queries(world["member"], place=place), (first, again)
    Visit.objects.create(team=place.team, place=place, visited_on="2026-11-30", notes="an unannounced visit")
    assert "30 November 2026" in client.get(url).content.decode()
