from __future__ import annotations

import datetime as dt

import pytest

from habeas.core.dates import Precision, describe, interval, normalise, parse_fuzzy


def test_a_month_covers_every_day_of_that_month():
    assert interval(dt.date(2012, 2, 17), Precision.MONTH) == (dt.date(2012, 2, 1), dt.date(2012, 2, 29))


def test_a_year_covers_the_whole_year():
    assert interval(dt.date(2010, 6, 1), Precision.YEAR) == (dt.date(2010, 1, 1), dt.date(2010, 12, 31))


def test_an_approximate_year_reaches_a_year_either_side():
    assert interval(dt.date(2011, 1, 1), Precision.APPROXIMATE) == (
        dt.date(2010, 1, 1),
        dt.date(2012, 12, 31),
    )


def test_a_day_precise_datetime_covers_the_whole_day():
    lo, hi = interval(dt.datetime(2011, 12, 16, 15, 30, tzinfo=dt.UTC), Precision.DAY)
    assert lo == dt.datetime(2011, 12, 16, tzinfo=dt.UTC)
    assert hi == dt.datetime(2011, 12, 16, 23, 59, 59, 999999, tzinfo=dt.UTC)


def test_an_exact_time_is_its_own_interval():
    moment = dt.datetime(2011, 12, 16, 15, 30, tzinfo=dt.UTC)
    assert interval(moment, Precision.EXACT) == (moment, moment)


@pytest.mark.parametrize("precision", list(Precision))
def test_normalising_twice_changes_nothing(precision):
    once = normalise(dt.date(2012, 3, 17), precision)
    assert normalise(once, precision) == once


@pytest.mark.parametrize(
    ("value", "precision", "text"),
    [
        (dt.date(2012, 3, 1), Precision.MONTH, "March 2012"),
        (dt.date(2011, 1, 1), Precision.APPROXIMATE, "about 2011"),
        (dt.date(2011, 12, 16), Precision.DAY, "16 December 2011"),
        (dt.date(2024, 1, 1), Precision.YEAR, "2024"),
        (None, Precision.DAY, "date unknown"),
    ],
)
def test_a_date_is_described_at_its_precision(value, precision, text):
    assert describe(value, precision) == text


def test_an_unknown_precision_is_refused():
    with pytest.raises(ValueError, match="unknown date precision"):
        normalise(dt.date(2012, 1, 1), "fortnight")


@pytest.mark.parametrize(
    ("text", "with_time", "expected"),
    [
        ("2011-12-16T14:05", True, (dt.datetime(2011, 12, 16, 14, 5, tzinfo=dt.UTC), "exact")),
        ("2011-12-16", False, (dt.date(2011, 12, 16), "day")),
        ("2011-12", False, (dt.date(2011, 12, 1), "month")),
        ("2011", False, (dt.date(2011, 1, 1), "year")),
        ("~2011", False, (dt.date(2011, 1, 1), "approx")),
    ],
)
def test_a_date_is_read_at_the_precision_it_is_written(text, with_time, expected):
    assert parse_fuzzy(text, with_time=with_time) == expected


@pytest.mark.parametrize("text", ["16/12/2011", "2011-13", "~2011-12", "2011-12-16T14:00"])
def test_a_date_that_cannot_be_read_is_refused(text):
    with pytest.raises(ValueError, match="2011"):
        parse_fuzzy(text, with_time=False)


def test_an_exact_time_is_shown_in_the_zone_of_its_place_with_the_zones_name_or_offset():
    from zoneinfo import ZoneInfo

    moment = dt.datetime(2024, 3, 10, 5, 0, tzinfo=dt.UTC)
    assert describe(moment, Precision.EXACT) == "10 March 2024, 05:00 UTC"
    assert describe(moment, Precision.EXACT, zone=ZoneInfo("Asia/Aqtau")) == "10 March 2024, 10:00 UTC+5"
    assert describe(moment, Precision.EXACT, zone=ZoneInfo("Europe/Berlin")) == "10 March 2024, 06:00 CET"
    assert describe(moment, Precision.EXACT, zone=ZoneInfo("Asia/Kathmandu")) == "10 March 2024, 10:45 UTC+5:45"
    assert describe(moment, Precision.EXACT, zone=ZoneInfo("America/Caracas")) == "10 March 2024, 01:00 UTC-4"
    # the day changes with the zone; a date without a time does not
    assert describe(dt.datetime(2024, 3, 9, 20, 0, tzinfo=dt.UTC), Precision.EXACT, zone=ZoneInfo("Asia/Almaty")) == (
        "10 March 2024, 01:00 UTC+5"
    )
