"""Forms of the workplace's records: a date typed as people write it, in one field with its precision, and the
base of every record's form (its choices limited to the records of the record's own team)."""

from __future__ import annotations

import datetime as dt
import re
from functools import partial
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext

from habeas.accounts import access
from habeas.accounts.identity import name_of
from habeas.accounts.viewer import Viewer
from habeas.core.dates import MONTHS, Precision
from habeas.core.models import PRECISION_SUFFIX

_TIME = r"(?:[ T,]+(?P<hour>\d{1,2})[:.](?P<minute>\d{2}))?"
_PATTERNS = [
    re.compile(r"(?P<year>\d{4})-(?P<month>\d{1,2})-(?P<day>\d{1,2})" + _TIME),
    re.compile(r"(?P<day>\d{1,2})\.(?P<month>\d{1,2})\.(?P<year>\d{4})" + _TIME),
    re.compile(r"(?P<year>\d{4})-(?P<month>\d{1,2})"),
    re.compile(r"(?P<month>\d{1,2})\.(?P<year>\d{4})"),
    re.compile(r"(?P<monthname>[^\d\s]+)\s+(?P<year>\d{4})"),
    re.compile(r"(?P<year>\d{4})"),
]
#: words that make a year approximate, in any of the interface's languages
_ABOUT = ("about", "around", "circa", "c.", "~", "около", "примерно", "шамамен", "шамасы")


def _month_number(name: str) -> int | None:
    """The month a name gives, in the active language or in English."""
    wanted = name.strip().lower()
    for number, label in MONTHS.items():
        with translation.override("en"):
            english = str(label).lower()
        if wanted in (str(label).lower(), english):
            return number
    return None


def parse_when(text: str, *, with_time: bool, zone: dt.tzinfo) -> tuple[dt.date | dt.datetime, str]:
    """A date as a person writes it — "10.03.2012 10:00", "16.12.2011", "2011-12-16", "March 2012", "03.2012",
    "2011", "about 1961" — and its precision. A time is read in ``zone`` (and only where the field keeps one);
    a date-time without a time is a day."""
    words = text.strip()
    about = False
    for word in (*_ABOUT, pgettext("approximate date", "about")):
        if words.lower().startswith(word.lower() + " ") or (word == "~" and words.startswith("~")):
            words, about = words[len(word) :].strip(), True
            break
    for pattern in _PATTERNS:
        match = pattern.fullmatch(words)
        if match is None:
            continue
        parts = match.groupdict()
        month = int(parts["month"]) if parts.get("month") else None
        if parts.get("monthname"):
            month = _month_number(parts["monthname"])
            if month is None:
                break
        try:
            day = dt.date(int(parts["year"]), month or 1, int(parts.get("day") or 1))
            moment = dt.time(int(parts["hour"]), int(parts["minute"])) if parts.get("hour") else None
        except ValueError:
            break
        if moment is not None and not with_time:
            raise ValidationError(_("this date has no time: give the day only, e.g. 16.12.2011"), code="time")
        precision = (
            Precision.APPROXIMATE
            if about
            else Precision.EXACT
            if moment
            else Precision.DAY
            if parts.get("day")
            else Precision.MONTH
            if month
            else Precision.YEAR
        )
        if about and (month or moment):
            raise ValidationError(_("“about” goes with a year only, e.g. about 1961"), code="about")
        if not with_time:
            return day, precision
        if moment is None:
            return dt.datetime(day.year, day.month, day.day, tzinfo=dt.UTC), precision
        return timezone.make_aware(dt.datetime.combine(day, moment), zone), precision
    raise ValidationError(
        _(
            "write the date as 16.12.2011, 16.12.2011 14:00, March 2012, 2011 or about 1961 (or 2011-12-16); "
            "it was “%(text)s”"
        ),
        params={"text": text},
        code="date",
    )


def when_text(value: dt.date | dt.datetime | None, precision: str, *, zone: dt.tzinfo) -> str:
    """A stored date as it is typed back into its field (the inverse of ``parse_when``)."""
    if value is None:
        return ""
    if precision == Precision.EXACT and isinstance(value, dt.datetime):
        return timezone.localtime(value, zone).strftime("%d.%m.%Y %H:%M")
    if precision == Precision.DAY:
        return value.strftime("%d.%m.%Y")
    if precision == Precision.MONTH:
        return value.strftime("%m.%Y")
    if precision == Precision.APPROXIMATE:
        return f"{pgettext('approximate date', 'about')} {value.year}"
    return str(value.year)


class WhenField(forms.CharField):
    """One field for a date, its time where the record keeps one, and its precision; cleaned to
    ``(value, precision)`` or None."""

    def __init__(self, *, with_time: bool, zone: dt.tzinfo, **kwargs: Any) -> None:
        kwargs.setdefault("max_length", 40)
        kwargs["required"] = False
        self.with_time, self.zone = with_time, zone
        kwargs["help_text"] = (
            _(
                "as precise as the source: 16.12.2011 14:00, 16.12.2011, March 2012, 2011 or about 1961; "
                "the time at the place, in its time zone (%(zone)s unless the place says otherwise)"
            )
            % {"zone": zone}
            if with_time
            else _("as precise as the source: 16.12.2011, March 2012, 2011 or about 1961")
        )
        super().__init__(**kwargs)

    def clean(self, value: Any) -> Any:
        text = super().clean(value)
        return parse_when(text, with_time=self.with_time, zone=self.zone) if text else None


def owned_choice(field: forms.ModelChoiceField) -> bool:
    """Whether the field chooses among a team's records."""
    return field.queryset is not None and access.owned(field.queryset.model)


class RecordForm(forms.ModelForm):
    """The form of a record of the workplace. ``Meta.fields`` names what it shows; a fuzzy date is one
    ``WhenField`` (its precision is not a field of its own); every choice of a team's record is limited to the
    records of ``team_id``, the team of the record (a forged id is then refused as any wrong choice).
    ``related`` names, by field, what a choice's label reads of other records (fetched with it, in one query)."""

    related: dict[str, tuple[str, ...]] = {}

    def __init__(self, *args: Any, viewer: Viewer, team_id: int | None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.viewer, self.team_id = viewer, team_id
        zone = self.instance.time_zone()
        model = self._meta.model
        names = {f.name for f in model._meta.concrete_fields}
        self.fuzzy: list[str] = []
        for name, field in list(self.fields.items()):
            if name + PRECISION_SUFFIX in names:
                model_field = model._meta.get_field(name)
                self.fields[name] = WhenField(
                    with_time=isinstance(model_field, models.DateTimeField),
                    zone=zone,
                    label=field.label,
                )
                self.initial[name] = when_text(
                    getattr(self.instance, name), getattr(self.instance, name + PRECISION_SUFFIX), zone=zone
                )
                self.fuzzy.append(name)
            elif isinstance(field, forms.ModelChoiceField) and owned_choice(field):
                chosen = access.visible(field.queryset.model, viewer).filter(team_id=team_id)  # type: ignore[union-attr]
                field.queryset = chosen.select_related(*self.related.get(name, ()))
                field.label_from_instance = partial(name_of, viewer=viewer)  # type: ignore[method-assign]

    def clean(self) -> dict[str, Any]:
        """Times typed are read in the time zone of the record's place as chosen in the form (the fields read
        them in the zone the record had before)."""
        super().clean()
        cleaned = self.cleaned_data
        zone = self.instance.time_zone(cleaned)
        for name in self.fuzzy:
            field, value = self.fields[name], cleaned.get(name)
            if value and value[1] == Precision.EXACT and isinstance(field, WhenField) and field.zone != zone:
                typed = timezone.localtime(value[0], field.zone).replace(tzinfo=None)
                cleaned[name] = (timezone.make_aware(typed, zone), value[1])
        return cleaned

    def _post_clean(self) -> None:
        fuzzy = {name: self.cleaned_data.pop(name) for name in self.fuzzy if name in self.cleaned_data}
        for name, value in fuzzy.items():
            precision_field = self.instance._meta.get_field(name + PRECISION_SUFFIX)
            setattr(self.instance, name, value[0] if value else None)
            setattr(self.instance, name + PRECISION_SUFFIX, value[1] if value else precision_field.get_default())
        super()._post_clean()  # type: ignore[misc]
        self.cleaned_data.update(fuzzy)

    def changes(self) -> dict[str, Any]:
        """What changed, for the audit event: the fields' names, with the old and new values of those not kept
        encrypted (an encrypted value stays out of the audit trail)."""
        out: dict[str, Any] = {}
        for name in self.changed_data:
            field = self.instance._meta.get_field(name)
            if field.get_internal_type() == "TextField" or "Encrypted" in type(field).__name__:
                out[name] = "changed"
            else:
                out[name] = [str(self.initial.get(name, "")), str(self.data.get(self.add_prefix(name), ""))]
        return out
