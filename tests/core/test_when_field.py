"""A date is typed in one field as people write it, with its precision; a time is read in the given time zone."""

from __future__ import annotations

import datetime as dt
import zoneinfo

import pytest
from django.core.exceptions import ValidationError
from django.utils import translation

from habeas.accounts.forms import parse_when, when_text
from habeas.core.dates import Precision

ALMATY = zoneinfo.ZoneInfo("Asia/Almaty")


@pytest.mark.parametrize(
    ("typed", "value", "precision"),
    [
        ("16.12.2011", dt.date(2011, 12, 16), Precision.DAY),
        ("2011-12-16", dt.date(2011, 12, 16), Precision.DAY),
        ("March 2012", dt.date(2012, 3, 1), Precision.MONTH),
        ("03.2012", dt.date(2012, 3, 1), Precision.MONTH),
        ("2011", dt.date(2011, 1, 1), Precision.YEAR),
        ("about 1961", dt.date(1961, 1, 1), Precision.APPROXIMATE),
    ],
)
def test_a_date_keeps_the_precision_it_was_written_at(typed, value, precision):
    assert parse_when(typed, with_time=False, zone=dt.UTC) == (value, precision)


def test_a_time_is_read_in_the_zone_and_stored_exact():
    value, precision = parse_when("16.12.2011 14:00", with_time=True, zone=ALMATY)
    assert (value, precision) == (dt.datetime(2011, 12, 16, 8, 0, tzinfo=dt.UTC), Precision.EXACT)
    assert when_text(value, precision, zone=ALMATY) == "16.12.2011 14:00"


def test_a_month_and_about_are_understood_in_russian_and_kazakh():
    with translation.override("ru"):
        assert parse_when("Март 2012", with_time=False, zone=dt.UTC) == (dt.date(2012, 3, 1), Precision.MONTH)
        assert parse_when("около 1961", with_time=False, zone=dt.UTC)[1] == Precision.APPROXIMATE
    with translation.override("kk"):
        assert parse_when("шамамен 1961", with_time=False, zone=dt.UTC)[1] == Precision.APPROXIMATE
        assert when_text(dt.date(1961, 1, 1), Precision.APPROXIMATE, zone=dt.UTC) == "шамамен 1961"


@pytest.mark.parametrize("typed", ["16.12.2011 14:00", "about March 2012", "31.02.2012", "next week"])
def test_what_a_date_field_cannot_hold_is_refused_with_a_message(typed):
    with pytest.raises(ValidationError):
        parse_when(typed, with_time=False, zone=dt.UTC)
