"""Times are typed and shown in the time zone of the place where they happened, and stored in UTC: a custody in
Aktau (Asia/Aqtau, UTC+5) typed "10.03.2024 10:00" is 05:00 UTC, shown back as 10:00, and its 48 hours run
from that instant; in Almaty the zone's history counts (UTC+6 until 1 March 2024, UTC+5 since)."""

from __future__ import annotations

import datetime as dt
import importlib

import pytest
from django.apps import apps
from django.core.exceptions import ValidationError
from django.urls import reverse

from habeas.accounts.viewer import viewer_for
from habeas.cases.models import Hearing
from habeas.custody.forms import CustodyEpisodeForm
from habeas.custody.models import CustodyEpisode
from habeas.registry.models import Locality, Organisation, Person
from habeas.registry.selectors import persons_named
from habeas.reports.clock import clock_items
from tests.factories import CITED

pytestmark = pytest.mark.django_db

AKTAU, ALMATY = 610612, 1526384  # GeoNames ids, in the gazetteer the world is seeded with


@pytest.fixture
def tian(world) -> Person:
    return persons_named("Dmitri Tian", exact=True).get()


def test_a_custody_typed_in_aktau_is_stored_in_utc_shown_in_its_zone_and_clocked_from_the_instant(client, world, tian):
    aktau = Locality.objects.get(geonames_id=AKTAU)
    client.force_login(world["member"])
    response = client.post(
        reverse("custody_add", args=[tian.pk]),
        {"status": "police", "apprehended_at": "10.03.2024 10:00", "apprehended_in": str(aktau.pk), **CITED},
    )
    assert response.status_code == 302, response.context["form"].errors
    episode = CustodyEpisode.objects.filter(person=tian).latest("pk")
    assert episode.apprehended_at == dt.datetime(2024, 3, 10, 5, 0, tzinfo=dt.UTC)
    assert episode.date_text("apprehended_at") == "10 March 2024, 10:00 UTC+5"

    form = client.get(reverse("custody_change", args=[episode.pk])).context["form"]
    assert form.initial["apprehended_at"] == "10.03.2024 10:00"
    assert "Asia/Aqtau" in str(form.fields["apprehended_at"].help_text)

    # 47 hours after the instant (09:00 on 12 March in Aktau): one hour left, due at 10:00 there
    [item] = [
        i
        for i in clock_items(viewer_for(world["member"]), now=dt.datetime(2024, 3, 12, 4, 0, tzinfo=dt.UTC)).items
        if i.record_id == episode.pk
    ]
    assert item.time_text == "1 hour left"
    assert item.due_text == "12 March 2024, 10:00 UTC+5"
    [item] = [
        i
        for i in clock_items(viewer_for(world["member"]), now=dt.datetime(2024, 3, 12, 6, 0, tzinfo=dt.UTC)).items
        if i.record_id == episode.pk
    ]
    assert item.time_text == "exceeded by 1 hour"


def test_almaty_times_follow_the_zones_history_and_a_custody_without_a_place_keeps_the_default_zone(world, tian):
    almaty = Locality.objects.get(geonames_id=ALMATY)
    stored = {}
    for typed, where in [("10.03.2023 10:00", almaty), ("10.03.2024 10:00", almaty), ("10.03.2024 10:00", None)]:
        form = CustodyEpisodeForm(
            {"status": "police", "apprehended_at": typed, "apprehended_in": str(where.pk) if where else ""},
            instance=CustodyEpisode(person=tian, team_id=tian.team_id),
            viewer=viewer_for(world["member"]),
            team_id=tian.team_id,
        )
        assert form.is_valid(), form.errors
        stored[(typed, where is not None)] = form.instance.apprehended_at
    assert stored == {
        ("10.03.2023 10:00", True): dt.datetime(2023, 3, 10, 4, 0, tzinfo=dt.UTC),  # UTC+6
        ("10.03.2024 10:00", True): dt.datetime(2024, 3, 10, 5, 0, tzinfo=dt.UTC),  # UTC+5 since 1 March 2024
        ("10.03.2024 10:00", False): dt.datetime(2024, 3, 10, 10, 0, tzinfo=dt.UTC),  # the default zone, UTC
    }


def test_the_migration_gives_kazakh_localities_their_regions_zone(world):
    fill = importlib.import_module("habeas.registry.migrations.0010_kazakhstan_time_zones").fill_zones
    aktau_region = Locality.objects.create(name="Mangystau (test)", kind="region", country="KZ", region_code="KZ.09")
    town = Locality.objects.create(name="Town of no region (test)", country="KZ")
    set_already = Locality.objects.create(name="Set (test)", country="KZ", region_code="KZ.09", timezone="Asia/Oral")
    fill(apps, None)
    for locality in (aktau_region, town, set_already):
        locality.refresh_from_db()
    assert (aktau_region.timezone, town.timezone, set_already.timezone) == ("Asia/Aqtau", "", "Asia/Oral")
    assert Locality(name="in Mangystau", parent=aktau_region).zone().key == "Asia/Aqtau"
    with pytest.raises(ValidationError) as refused:
        Locality(name="Nowhere (test)", timezone="Asia/Zhanaozen").full_clean()
    assert "IANA" in str(refused.value.message_dict["timezone"])


def test_a_hearings_times_are_read_in_its_courts_zone_else_in_its_custodys(world):
    aktau, almaty = Locality.objects.get(geonames_id=AKTAU), Locality.objects.get(geonames_id=ALMATY)
    court = Organisation(name="Aktau city court (test)", kind="court", locality=aktau)
    custody = CustodyEpisode(apprehended_in=almaty)
    assert Hearing(court=court, custody=custody).time_zone().key == "Asia/Aqtau"
    assert Hearing(custody=custody).time_zone().key == "Asia/Almaty"
