"""The shared rules of every record: dates in order, normalised to their precision, and database guards."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from habeas.custody.models import CustodyEpisode
from tests import factories

pytestmark = pytest.mark.django_db


def at(*parts: int) -> dt.datetime:
    return dt.datetime(*parts, tzinfo=dt.UTC)


def test_it_rejects_a_release_before_the_apprehension_and_names_the_field():
    episode = CustodyEpisode(
        person=factories.person(), apprehended_at=at(2011, 12, 17, 10), released_at=at(2011, 12, 16, 9)
    )
    with pytest.raises(ValidationError) as caught:
        episode.full_clean()
    assert "released_at" in caught.value.message_dict
    assert "must not be before" in caught.value.message_dict["released_at"][0]


def test_the_database_itself_refuses_a_release_before_the_apprehension():
    episode = CustodyEpisode(
        person=factories.person(), apprehended_at=at(2011, 12, 17, 10), released_at=at(2011, 12, 16, 9)
    )
    with pytest.raises(IntegrityError), transaction.atomic():
        episode.save()


def test_a_release_in_the_same_month_as_a_day_precise_apprehension_is_accepted():
    episode = factories.custody(
        apprehended_at=at(2011, 12, 17, 10),
        apprehended_at_precision="day",
        released_at=at(2011, 12, 1),
        released_at_precision="month",
    )
    assert episode.pk is not None


def test_a_month_precise_date_is_stored_as_the_first_of_the_month():
    episode = factories.custody(apprehended_at=at(2010, 11, 23, 8), apprehended_at_precision="month")
    episode.refresh_from_db()
    assert episode.apprehended_at == at(2010, 11, 1)
    assert episode.date_text("apprehended_at") == "November 2010"
