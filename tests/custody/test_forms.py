"""The pages that record a custody and its parts without the admin: from the person's file, with dates typed as
people write them, choices limited to the team's own records, refused to read-only members, audited."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone, translation

from habeas.accounts.models import AuditEvent, Team
from habeas.core.dates import Precision
from habeas.custody.models import CustodyEpisode, Placement
from habeas.registry.models import Organisation, Person, Place
from habeas.registry.selectors import persons_named
from tests.factories import CITED

pytestmark = pytest.mark.django_db


@pytest.fixture
def tian(world) -> Person:
    return persons_named("Dmitri Tian", exact=True).get()


def _add_custody(client, person: Person, **data: str):
    url = reverse("custody_add", args=[person.pk]) + f"?next={reverse('person_detail', args=[person.pk])}"
    return client.post(url, {"status": "police", **CITED, **data})


def test_a_member_records_a_custody_from_the_file_with_its_times_and_goes_back_to_the_file(client, world, tian):
    client.force_login(world["member"])
    before = set(CustodyEpisode.objects.values_list("pk", flat=True))
    response = _add_custody(client, tian, apprehended_at="10.03.2012 10:00", released_at="15.03.2012 17:00")
    assert response.status_code == 302, response.content.decode()[:2000]
    assert response["Location"] == reverse("person_detail", args=[tian.pk])
    episode = CustodyEpisode.objects.exclude(pk__in=before).get()
    assert episode.person == tian and episode.team_id == tian.team_id
    assert episode.apprehended_at == dt.datetime(2012, 3, 10, 10, 0, tzinfo=dt.UTC)
    assert episode.apprehended_at_precision == Precision.EXACT
    assert episode.released_at == dt.datetime(2012, 3, 15, 17, 0, tzinfo=dt.UTC)
    assert AuditEvent.objects.filter(action="create", target_type="custody.custodyepisode", target_id=str(episode.pk))


def test_a_time_is_read_in_the_users_time_zone_and_a_month_keeps_its_precision(client, world, tian):
    client.force_login(world["member"])
    before = set(CustodyEpisode.objects.values_list("pk", flat=True))
    with timezone.override("Asia/Almaty"):  # UTC+6 in 2012
        _add_custody(client, tian, apprehended_at="10.03.2012 10:00", released_at="March 2012")
    episode = CustodyEpisode.objects.exclude(pk__in=before).get()
    assert episode.apprehended_at == dt.datetime(2012, 3, 10, 4, 0, tzinfo=dt.UTC)
    assert (episode.released_at.date(), episode.released_at_precision) == (dt.date(2012, 3, 1), Precision.MONTH)


def test_a_change_is_written_and_audited_with_what_changed(client, world, tian):
    client.force_login(world["member"])
    episode = CustodyEpisode.objects.filter(person=tian).first()
    page = client.get(reverse("custody_change", args=[episode.pk]))
    assert page.status_code == 200
    form = page.context["form"]
    data = {name: value for name, value in form.initial.items() if value not in (None, "") and name in form.fields}
    data = {k: ("yes" if v is True else "no" if v is False else v) for k, v in data.items()}
    data["release_reason"] = "acquitted on appeal"
    response = client.post(reverse("custody_change", args=[episode.pk]), data)
    assert response.status_code == 302, response.context["form"].errors
    episode.refresh_from_db()
    assert episode.release_reason == "acquitted on appeal"
    event = AuditEvent.objects.filter(action="update", target_id=str(episode.pk)).latest("seq")
    assert event.details["changes"]["release_reason"][1] == "acquitted on appeal"


def test_an_organisation_of_another_team_is_refused_as_a_forged_choice(client, world, tian):
    other = Organisation.objects.create(team=Team.objects.get(name="B"), name="Team B's police", kind="unit")
    client.force_login(world["member"])
    count = CustodyEpisode.objects.count()
    response = _add_custody(client, tian, apprehended_at="10.03.2012", apprehended_by=str(other.pk))
    assert response.status_code == 200
    assert "apprehended_by" in response.context["form"].errors
    assert CustodyEpisode.objects.count() == count


def test_a_read_only_member_may_not_open_or_send_the_form(client, world, tian):
    client.force_login(world["readonly"])
    count = CustodyEpisode.objects.count()
    assert client.get(reverse("custody_add", args=[tian.pk])).status_code == 403
    assert _add_custody(client, tian, apprehended_at="2012").status_code == 403
    assert CustodyEpisode.objects.count() == count


def test_an_outsider_does_not_learn_the_person_exists(client, world, tian):
    client.force_login(world["outsider"])
    assert _add_custody(client, tian, apprehended_at="2012").status_code == 404


def test_a_wrong_date_is_kept_as_typed_with_a_message_in_the_users_language(client, world, tian):
    client.force_login(world["member"])
    with translation.override("ru"):
        response = client.post(
            reverse("custody_add", args=[tian.pk]),
            {"status": "police", "apprehended_at": "10 марта"},
            HTTP_ACCEPT_LANGUAGE="ru",
        )
    assert response.status_code == 200
    html = response.content.decode()
    assert 'value="10 марта"' in html
    assert "напишите дату" in html


def test_release_before_apprehension_is_explained_on_the_field(client, world, tian):
    client.force_login(world["member"])
    response = _add_custody(client, tian, apprehended_at="15.03.2012 17:00", released_at="10.03.2012 10:00")
    assert response.status_code == 200
    assert "released_at" in response.context["form"].errors


def test_a_placement_is_added_to_the_episode_and_offers_only_the_teams_places(client, world, tian):
    episode = CustodyEpisode.objects.filter(person=tian).first()
    theirs = Place.objects.create(team=Team.objects.get(name="B"), name="Team B's prison", kind="prison")
    ours = Place.objects.filter(team=tian.team_id).first()
    client.force_login(world["member"])
    url = reverse("placement_add", args=[episode.pk])
    assert "Team B's prison" not in client.get(url).content.decode()
    refused = client.post(url, {"place": str(theirs.pk), "started_on": "03.2012", **CITED})
    assert "place" in refused.context["form"].errors
    response = client.post(url, {"place": str(ours.pk), "started_on": "03.2012", **CITED}, HTTP_HX_REQUEST="true")
    assert response.status_code == 204 and response["HX-Redirect"] == reverse("person_detail", args=[tian.pk])
    placement = Placement.objects.filter(custody=episode).latest("pk")
    assert placement.place == ours and placement.team_id == episode.team_id
    assert placement.started_on_precision == Precision.MONTH


def test_every_record_form_makes_as_many_queries_with_more_records_to_choose_from(client, world, tian):
    import itertools

    from habeas.cases.models import Allegation, Proceeding
    from tests.pages import assert_queries_bounded

    team = Team.objects.get(name="A")
    episode = CustodyEpisode.objects.filter(person=tian).first()
    allegation = Allegation.objects.filter(team=team).first()
    counter = itertools.count()

    def grow() -> None:
        for _ in range(3):
            n = next(counter)
            person = Person.objects.create(team=team, label=f"Grown Person {n}")
            Place.objects.create(team=team, name=f"Grown prison {n}", kind="prison")
            Organisation.objects.create(team=team, name=f"Grown unit {n}", kind="unit")
            Allegation.objects.create(team=team, victim=person, kind="torture")

    client.force_login(world["member"])
    for url in (
        reverse("custody_add", args=[tian.pk]),
        reverse("custody_change", args=[episode.pk]),
        reverse("placement_add", args=[episode.pk]),
        reverse("family_contact_add", args=[episode.pk]),
        reverse("investigation_add", args=[allegation.pk]),
        reverse("proceeding_add"),
        reverse("charge_add", args=[Proceeding.objects.filter(team=team).first().pk]),
        reverse("place_add"),
    ):
        assert_queries_bounded(client, url, grow)
