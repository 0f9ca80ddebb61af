"""Shared model pieces: the base of every record, fuzzy date fields and their constraints."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

from django.conf import settings
from django.contrib.contenttypes.fields import GenericRelation
from django.core.exceptions import ObjectDoesNotExist, ValidationError
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_stubs_ext import StrOrPromise

from habeas.core.dates import Precision, describe, interval, normalise
from habeas.core.fields import EncryptedTextField

PRECISION_SUFFIX = "_precision"


def fuzzy_date(
    verbose_name: StrOrPromise, *, with_time: bool = False, help_text: StrOrPromise = ""
) -> tuple[models.Field[Any, Any], models.CharField[str, str]]:
    """A date (or date-time) and its precision, declared together:

    ``started_on, started_on_precision = fuzzy_date("started")``
    """
    field: models.Field[Any, Any]
    if with_time:
        field = models.DateTimeField(verbose_name, null=True, blank=True, help_text=help_text)
    else:
        field = models.DateField(verbose_name, null=True, blank=True, help_text=help_text)
    precision: models.CharField[str, str] = models.CharField(
        _("precision"),
        max_length=6,
        choices=Precision.choices,
        default=Precision.EXACT if with_time else Precision.DAY,
        blank=False,
    )
    return field, precision


def not_before(end: str, start: str, *, with_time: bool = False) -> models.CheckConstraint:
    """The database's guard that an end does not come before its start.

    It compares the stored values when they are unambiguous (the end is exact, or a day for dates, and
    the start is not approximate); ``Record.clean`` checks the other cases with the dates' intervals.
    """
    precise = [Precision.EXACT] if with_time else [Precision.EXACT, Precision.DAY]
    return models.CheckConstraint(
        condition=Q(**{f"{end}__isnull": True})
        | Q(**{f"{start}__isnull": True})
        | Q(**{f"{end}__gte": F(start)})
        | ~Q(**{f"{end}{PRECISION_SUFFIX}__in": precise})
        | Q(**{f"{start}{PRECISION_SUFFIX}": Precision.APPROXIMATE}),
        name=f"%(app_label)s_%(class)s_{end}_gte_{start}",
        violation_error_message=f"{end.replace('_', ' ')} must not be before {start.replace('_', ' ')}",
    )


def exactly_one(*fields: str, label: str) -> models.CheckConstraint:
    """The database's guard that exactly one of ``fields`` is set (e.g. a person or a group)."""
    options = Q()
    for chosen in fields:
        option = Q(**{f"{chosen}__isnull": False})
        for other in fields:
            if other != chosen:
                option &= Q(**{f"{other}__isnull": True})
        options |= option
    names = " or ".join(f.removesuffix("_id") for f in fields)
    return models.CheckConstraint(
        condition=options,
        name=f"%(app_label)s_%(class)s_one_{label}",
        violation_error_message=f"give exactly one {label}: {names}",
    )


def at_least_one(*fields: str, label: str) -> models.CheckConstraint:
    """The database's guard that at least one of ``fields`` is set."""
    condition = Q()
    for name in fields:
        condition |= Q(**{f"{name}__isnull": False})
    return models.CheckConstraint(
        condition=condition,
        name=f"%(app_label)s_%(class)s_some_{label}",
        violation_error_message=f"give at least one {label}: {' or '.join(fields)}",
    )


def not_negative(field: str) -> models.CheckConstraint:
    return models.CheckConstraint(
        condition=Q(**{f"{field}__isnull": True}) | Q(**{f"{field}__gte": 0}),
        name=f"%(app_label)s_%(class)s_{field}_not_negative",
        violation_error_message=f"{field.replace('_', ' ')} must not be negative",
    )


class Record(models.Model):
    """The base of every documented record: timestamps, free notes and citations to sources."""

    team = models.ForeignKey(
        "accounts.Team",
        verbose_name=_("team"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text=_("the team that holds this record; only its members see it"),
    )
    notes = EncryptedTextField(_("notes"), blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)
    citations = GenericRelation("evidence.Citation")

    #: pairs (end, start) of fuzzy dates that must be in order; checked with their intervals in clean()
    date_order: tuple[tuple[str, str], ...] = ()
    #: where the record's times happened: paths to a place or a locality (``"custody.apprehended_in"``), the first
    #: one that knows its time zone wins (see ``time_zone``)
    zone_from: tuple[str, ...] = ()

    class Meta:
        abstract = True

    def fuzzy_fields(self) -> list[str]:
        names = {f.name for f in self._meta.concrete_fields}
        return [n for n in names if n + PRECISION_SUFFIX in names]

    def verbose(self, name: str) -> str:
        return str(getattr(self._meta.get_field(name), "verbose_name", name))

    def time_zone(self, given: Mapping[str, Any] | None = None) -> dt.tzinfo:
        """The time zone of the place where the record happened, in which its times are typed and shown: that of
        the first of ``zone_from`` that knows one (a place or locality, through its ``zone()``), else the current
        zone (by default ``HABEAS_TIME_ZONE``). ``given`` holds values typed but not saved yet, by field name."""
        for path in self.zone_from:
            head, *rest = path.split(".")
            try:
                found = given[head] if given is not None and head in given else getattr(self, head)
                for name in rest:
                    found = getattr(found, name) if found is not None else None
            except ObjectDoesNotExist:  # a record it belongs to, not chosen yet
                found = None
            zone = found.zone() if found is not None else None
            if zone is not None:
                return zone
        return timezone.get_current_timezone()

    def date_text(self, name: str) -> str:
        """The date in field ``name`` as a person writes it at its precision (a time in the record's zone)."""
        value, precision = getattr(self, name), getattr(self, name + PRECISION_SUFFIX)
        exact = precision == Precision.EXACT and isinstance(value, dt.datetime)
        return describe(value, precision, zone=self.time_zone() if exact else None)

    def clean(self) -> None:
        super().clean()
        for name in self.fuzzy_fields():
            value = getattr(self, name)
            if value is not None:
                setattr(self, name, normalise(value, getattr(self, name + PRECISION_SUFFIX)))
        errors: dict[str, str] = {}
        for end, start in self.date_order:
            end_value, start_value = getattr(self, end), getattr(self, start)
            if end_value is None or start_value is None:
                continue
            end_hi = interval(end_value, getattr(self, end + PRECISION_SUFFIX))[1]
            start_lo = interval(start_value, getattr(self, start + PRECISION_SUFFIX))[0]
            if _as_datetime(end_hi) < _as_datetime(start_lo):
                errors[end] = (
                    f"{self.verbose(end)} ({self.date_text(end)}) must not be before "
                    f"{self.verbose(start)} ({self.date_text(start)})"
                )
        if errors:
            raise ValidationError(errors)


def _as_datetime(value: dt.date | dt.datetime) -> dt.datetime:
    if isinstance(value, dt.datetime):
        return value if value.tzinfo else value.replace(tzinfo=dt.UTC)
    return dt.datetime(value.year, value.month, value.day, tzinfo=dt.UTC)


class Job(models.Model):
    """A long operation (a check, a linkage, an estimate, an import) run by the task worker, and how far it
    has got; its page shows the progress while it runs. A job is its creator's: nobody else sees it."""

    class Status(models.TextChoices):
        QUEUED = "queued", _("waiting for the worker")
        RUNNING = "running", _("running")
        DONE = "done", _("done")
        FAILED = "failed", _("failed")

    kind = models.CharField(_("kind"), max_length=40)
    title = models.CharField(_("title"), max_length=200)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("started by"), null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(_("started"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.QUEUED)
    done = models.PositiveIntegerField(_("steps done"), default=0)
    total = models.PositiveIntegerField(_("steps in all"), default=0)
    message = models.CharField(_("what it is doing"), max_length=300, blank=True)
    result_url = models.CharField(_("where to see the result"), max_length=300, blank=True)
    #: encrypted: a list's problems quote its cells, which may hold a name
    error = EncryptedTextField(_("why it failed"), blank=True)
    #: the language of its starter's page: the worker writes the progress and the problems in it
    language = models.CharField(_("language"), max_length=10, blank=True)
    #: written by the worker every few seconds while it runs the job: a running job whose heartbeat is old has
    #: lost its worker (see ``habeas.accounts.jobs.job_stalled``)
    heartbeat_at = models.DateTimeField(_("last heard from the worker"), null=True, blank=True)

    class Meta:
        verbose_name = _("job")
        verbose_name_plural = _("jobs")
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(done__lte=F("total")) | Q(total=0),
                name="core_job_done_within_total",
                violation_error_message="a job cannot have done more steps than it has",
            )
        ]

    def __str__(self) -> str:
        return f"{self.title} ({self.get_status_display()})"

    @property
    def percent(self) -> int:
        return round(100 * self.done / self.total) if self.total else 0

    @property
    def finished(self) -> bool:
        return self.status in (self.Status.DONE, self.Status.FAILED)
