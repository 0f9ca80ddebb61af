"""Dates and times that carry their precision.

A fuzzy date is stored in two columns: the value and its precision. The value is normalised to the start of
its day, month or year (for an approximate date, the start of the stated year), so that it is also the
first moment the source allows, except for approximate dates, which reach a year earlier.
``interval`` gives the first and last moments the source allows, which rules use to decide between a
breach and a possible breach; ``describe`` says the date the way a monitor writes it ("March 2012").
"""

from __future__ import annotations

import calendar
import datetime as dt
import re

from django.db import models
from django.utils import dateformat
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class Precision(models.TextChoices):
    EXACT = "exact", _("exact (date and time)")
    DAY = "day", _("day")
    MONTH = "month", _("month")
    YEAR = "year", _("year")
    APPROXIMATE = "approx", _("about (within a year either side)")


DateLike = dt.date | dt.datetime

#: month names as a date of month precision gives them, in a sentence as well as alone ("март 2012")
MONTHS = {
    1: pgettext_lazy("month of a date", "January"),
    2: pgettext_lazy("month of a date", "February"),
    3: pgettext_lazy("month of a date", "March"),
    4: pgettext_lazy("month of a date", "April"),
    5: pgettext_lazy("month of a date", "May"),
    6: pgettext_lazy("month of a date", "June"),
    7: pgettext_lazy("month of a date", "July"),
    8: pgettext_lazy("month of a date", "August"),
    9: pgettext_lazy("month of a date", "September"),
    10: pgettext_lazy("month of a date", "October"),
    11: pgettext_lazy("month of a date", "November"),
    12: pgettext_lazy("month of a date", "December"),
}


def _replace(value: DateLike, **parts: int) -> DateLike:
    if isinstance(value, dt.datetime):
        return value.replace(**parts)  # type: ignore[arg-type]
    return value.replace(**{k: v for k, v in parts.items() if k in ("year", "month", "day")})


def normalise(value: DateLike, precision: str) -> DateLike:
    """The first moment that the value at this precision allows."""
    if precision == Precision.EXACT:
        return value
    start = _replace(value, hour=0, minute=0, second=0, microsecond=0)
    if precision == Precision.DAY:
        return start
    if precision == Precision.MONTH:
        return _replace(start, day=1)
    if precision in (Precision.YEAR, Precision.APPROXIMATE):
        return _replace(start, month=1, day=1)
    raise ValueError(f"unknown date precision {precision!r}")


def interval(value: DateLike, precision: str) -> tuple[DateLike, DateLike]:
    """The first and last moments the value allows (inclusive). For dates, the last day; for
    date-times, the last microsecond."""
    lo = normalise(value, precision)
    if precision == Precision.EXACT:
        return value, value
    if precision == Precision.APPROXIMATE:
        lo = _replace(lo, year=lo.year - 1)
    if precision == Precision.DAY:
        last_day = lo
    elif precision == Precision.MONTH:
        last_day = _replace(lo, day=calendar.monthrange(lo.year, lo.month)[1])
    elif precision == Precision.YEAR:
        last_day = _replace(lo, month=12, day=31)
    else:  # approximate: the stated year, one year either side
        last_day = _replace(lo, year=lo.year + 2, month=12, day=31)
    if isinstance(last_day, dt.datetime):
        return lo, last_day.replace(hour=23, minute=59, second=59, microsecond=999999)
    return lo, last_day


def zone_label(moment: dt.datetime) -> str:
    """The name of an aware moment's time zone as a reader knows it: its abbreviation ("UTC", "CET"), or its
    offset from UTC where the zone has no abbreviation of letters ("UTC+5" in Asia/Aqtau)."""
    name = moment.tzname() or ""
    if name.isalpha():
        return name
    minutes = int((moment.utcoffset() or dt.timedelta(0)).total_seconds()) // 60
    hours, rest = divmod(abs(minutes), 60)
    return f"UTC{'+' if minutes >= 0 else '-'}{hours}" + (f":{rest:02d}" if rest else "")


def describe(value: DateLike | None, precision: str, *, zone: dt.tzinfo | None = None) -> str:
    """A date as a person writes it at its precision, in the active language: "16 December 2011",
    "March 2012", "about 2011" ("16 декабря 2011", "март 2012"). An exact time is shown in ``zone`` (the time
    zone of the place where it happened; UTC when not given), with the zone's name: "10 March 2024, 10:00 UTC+5"."""
    if value is None:
        return str(_("date unknown"))
    if precision == Precision.APPROXIMATE:
        return str(_("about %(year)s") % {"year": value.year})
    if precision == Precision.YEAR:
        return str(value.year)
    if precision == Precision.MONTH:
        return str(_("%(month)s %(year)s") % {"month": MONTHS[value.month], "year": value.year})
    if precision == Precision.EXACT and isinstance(value, dt.datetime):
        moment = (value if value.tzinfo else value.replace(tzinfo=dt.UTC)).astimezone(zone or dt.UTC)
        return f"{dateformat.format(moment, 'j E Y')}, {moment:%H:%M} {zone_label(moment)}"
    return dateformat.format(value, "j E Y")  # E: the month's name as it follows a day (genitive in Russian)


#: a date written at its precision: 2011-12-16, 2011-12, 2011, ~2011 or 2011-12-16T14:00
DATE_PATTERN = re.compile(
    r"^(?P<approx>~)?(?P<year>\d{4})(?:-(?P<month>\d{2})(?:-(?P<day>\d{2})(?:T(?P<hour>\d{2}):(?P<minute>\d{2}))?)?)?$"
)


def parse_fuzzy(text: str, *, with_time: bool) -> tuple[dt.date | dt.datetime, str]:
    """Read a date written at its precision; returns the value and the precision."""
    match = DATE_PATTERN.match(text.strip())
    if not match:
        raise ValueError(f"{text!r} is not a date: write 2011-12-16, 2011-12, 2011, ~2011 or 2011-12-16T14:00")
    parts = match.groupdict()
    year, month, day = int(parts["year"]), int(parts["month"] or 1), int(parts["day"] or 1)
    if parts["approx"]:
        if parts["month"]:
            raise ValueError(f"{text!r}: an approximate date is a year, such as ~2011")
        precision = Precision.APPROXIMATE
    elif parts["hour"]:
        precision = Precision.EXACT
    elif parts["day"]:
        precision = Precision.DAY
    elif parts["month"]:
        precision = Precision.MONTH
    else:
        precision = Precision.YEAR
    if precision == Precision.EXACT and not with_time:
        raise ValueError(f"{text!r}: this field is a date without a time")
    try:
        if with_time:
            value: dt.date | dt.datetime = dt.datetime(
                year, month, day, int(parts["hour"] or 0), int(parts["minute"] or 0), tzinfo=dt.UTC
            )
        else:
            value = dt.date(year, month, day)
    except ValueError as exc:
        raise ValueError(f"{text!r} is not a real date ({exc})") from None
    return value, precision
