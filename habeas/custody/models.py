"""Deprivation of liberty, from apprehension to release: where a person was held, what restrictions they
were under, what contact they had with their family and whether the family was told."""

from __future__ import annotations

from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from habeas.core.fields import EncryptedTextField
from habeas.core.models import Record, fuzzy_date, not_before, not_negative
from habeas.core.wording import Words, count, render, say
from habeas.registry.models import Locality, Organisation, Person, Place


class CustodyEpisode(Record):
    """One continuous deprivation of liberty of one person, from actual apprehension to release."""

    class Status(models.TextChoices):
        POLICE = "police", _("police custody")
        PRETRIAL = "pretrial", _("pre-trial detention")
        SENTENCED = "sentenced", _("serving a sentence")
        ADMINISTRATIVE = "admin", _("administrative detention")
        RELEASED = "released", _("released")
        UNKNOWN = "unknown", _("not known")

    person = models.ForeignKey(Person, verbose_name=_("person"), on_delete=models.PROTECT, related_name="custody")
    event = models.ForeignKey(
        "cases.Event",
        verbose_name=_("event"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="custody_episodes",
    )
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.UNKNOWN)
    apprehended_at, apprehended_at_precision = fuzzy_date(
        _("apprehended"), with_time=True, help_text=_("the actual start of deprivation of liberty")
    )
    apprehended_in = models.ForeignKey(
        Locality, verbose_name=_("apprehended in"), null=True, blank=True, on_delete=models.PROTECT
    )
    apprehended_by = models.ForeignKey(
        Organisation,
        verbose_name=_("apprehended by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="apprehensions",
    )
    registered_at, registered_at_precision = fuzzy_date(_("registered"), with_time=True)
    first_judge_at, first_judge_at_precision = fuzzy_date(_("first brought before a judge"), with_time=True)
    released_at, released_at_precision = fuzzy_date(_("released"), with_time=True)
    release_reason = models.CharField(_("reason for release"), max_length=200, blank=True)
    incommunicado = models.BooleanField(_("held incommunicado"), null=True, blank=True)

    date_order = (
        ("registered_at", "apprehended_at"),
        ("first_judge_at", "apprehended_at"),
        ("released_at", "apprehended_at"),
    )

    class Meta:
        verbose_name = _("custody episode")
        verbose_name_plural = _("custody episodes")
        verbose_name_plural = _("custody episodes")
        constraints = [
            not_before("registered_at", "apprehended_at", with_time=True),
            not_before("first_judge_at", "apprehended_at", with_time=True),
            not_before("released_at", "apprehended_at", with_time=True),
        ]

    def __str__(self) -> str:
        return f"{self.person}, from {self.date_text('apprehended_at')}"


class Placement(Record):
    """A period in one place of detention."""

    custody = models.ForeignKey(
        CustodyEpisode, verbose_name=_("custody episode"), on_delete=models.CASCADE, related_name="placements"
    )
    place = models.ForeignKey(Place, verbose_name=_("place"), on_delete=models.PROTECT, related_name="placements")
    started_on, started_on_precision = fuzzy_date(_("from"))
    ended_on, ended_on_precision = fuzzy_date(_("until"))
    reason = models.CharField(_("reason for the allocation"), max_length=300, blank=True)
    stated_distance_km = models.PositiveIntegerField(
        _("distance from home as stated (km)"), null=True, blank=True, help_text=_("as a source gives it")
    )

    date_order = (("ended_on", "started_on"),)

    class Meta:
        verbose_name = _("placement")
        verbose_name_plural = _("placements")
        constraints = [not_before("ended_on", "started_on")]

    def __str__(self) -> str:
        return f"{self.custody.person} at {self.place}"


class Transfer(Record):
    """A move from one place of detention to another."""

    custody = models.ForeignKey(
        CustodyEpisode, verbose_name=_("custody episode"), on_delete=models.CASCADE, related_name="transfers"
    )
    from_place = models.ForeignKey(
        Place,
        verbose_name=_("from"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="transfers_out",
    )
    to_place = models.ForeignKey(Place, verbose_name=_("to"), on_delete=models.PROTECT, related_name="transfers_in")
    departed_on, departed_on_precision = fuzzy_date(_("departed"))
    arrived_on, arrived_on_precision = fuzzy_date(_("arrived"))
    reason = models.CharField(_("reason"), max_length=300, blank=True)
    stated_distance_km = models.PositiveIntegerField(
        _("distance from home as stated (km)"), null=True, blank=True, help_text=_("as a source gives it")
    )

    date_order = (("arrived_on", "departed_on"),)

    class Meta:
        verbose_name = _("transfer")
        verbose_name_plural = _("transfers")
        constraints = [
            not_before("arrived_on", "departed_on"),
            models.CheckConstraint(
                condition=Q(from_place__isnull=True) | ~Q(from_place=F("to_place")),
                name="custody_transfer_between_two_places",
                violation_error_message="a transfer must go elsewhere (to place equals from place)",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.custody.person}: {self.from_place or '?'} → {self.to_place}"


class RestrictiveMeasure(Record):
    """Solitary confinement, disciplinary isolation or another restriction, whatever it is called."""

    class Kind(models.TextChoices):
        SOLITARY = "solitary", _("solitary confinement")
        PUNISHMENT_CELL = "punishment_cell", _("disciplinary isolation cell")
        CELL_TYPE = "cell_type", _("cell-type premises")
        SEGREGATION = "segregation", _("segregation or separation")
        HOSPITAL_ISOLATION = "hospital", _("isolation in a prison hospital")
        VISITS_RESTRICTED = "visits", _("restriction of visits")
        CALLS_PARCELS = "calls", _("restriction of calls or parcels")
        RESTRAINTS = "restraints", _("instruments of restraint")
        OTHER = "other", _("other")

    custody = models.ForeignKey(
        CustodyEpisode, verbose_name=_("custody episode"), on_delete=models.CASCADE, related_name="measures"
    )
    place = models.ForeignKey(
        Place,
        verbose_name=_("place"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="measures",
    )
    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices)
    name_used = models.CharField(_("name used by the authorities"), max_length=200, blank=True)
    disciplinary = models.BooleanField(_("imposed as a punishment"), null=True, blank=True)
    imposed_by = models.ForeignKey(
        Organisation,
        verbose_name=_("imposed by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="measures_imposed",
    )
    imposed_on, imposed_on_precision = fuzzy_date(_("imposed"))
    started_on, started_on_precision = fuzzy_date(_("started"))
    planned_days = models.PositiveIntegerField(_("planned duration in days"), null=True, blank=True)
    open_ended = models.BooleanField(_("imposed without an end date"), null=True, blank=True)
    ended_on, ended_on_precision = fuzzy_date(_("ended"))
    min_days = models.PositiveIntegerField(
        _("at least this many days"),
        null=True,
        blank=True,
        help_text=_("when the dates are unknown but a source gives the duration, e.g. 'more than 11 months'"),
    )
    duration_as_stated = models.CharField(_("duration as stated"), max_length=200, blank=True)
    hours_confined_per_day = models.DecimalField(
        _("hours confined a day"),
        max_digits=4,
        decimal_places=1,
        null=True,
        blank=True,
        validators=[MinValueValidator(0)],
    )
    meaningful_contact = models.BooleanField(_("meaningful human contact"), null=True, blank=True)
    exacerbation_risk = models.BooleanField(
        _("health assessment found a risk of harm"),
        null=True,
        blank=True,
        help_text=_("empty when no health assessment is recorded"),
    )
    family_contact_banned = models.BooleanField(_("all family contact prohibited"), null=True, blank=True)
    by_sentence = models.BooleanField(
        _("imposed by the sentence or regime"),
        null=True,
        blank=True,
        help_text=_("applied automatically to a category of prisoners, e.g. those serving life"),
    )
    independent_review = models.BooleanField(_("reviewed by an independent authority"), null=True, blank=True)
    daily_health_visits = models.BooleanField(_("visited daily by health staff"), null=True, blank=True)
    cell_lighting = models.CharField(
        _("cell lighting"),
        max_length=8,
        blank=True,
        choices=[("normal", _("normal")), ("dark", _("dark")), ("constant", _("lit day and night"))],
    )
    diet_reduced = models.BooleanField(_("food or water reduced"), null=True, blank=True)
    corporal = models.BooleanField(_("corporal punishment"), null=True, blank=True)
    collective = models.BooleanField(_("collective punishment"), null=True, blank=True)
    legal_basis = models.CharField(_("legal basis"), max_length=300, blank=True)
    reasons = EncryptedTextField(_("reasons given"), blank=True)
    conditions = EncryptedTextField(_("conditions"), blank=True)

    date_order = (("ended_on", "started_on"),)

    class Meta:
        verbose_name = _("restrictive measure")
        verbose_name_plural = _("restrictive measures")
        constraints = [
            not_before("ended_on", "started_on"),
            not_negative("hours_confined_per_day"),
            models.CheckConstraint(
                condition=Q(hours_confined_per_day__isnull=True) | Q(hours_confined_per_day__lte=24),
                name="custody_measure_hours_in_a_day",
                violation_error_message="hours confined a day cannot exceed 24",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: {self.custody.person}"


class Extension(Record):
    """An extension of a restrictive measure, and who approved it."""

    measure = models.ForeignKey(
        RestrictiveMeasure, verbose_name=_("restrictive measure"), on_delete=models.CASCADE, related_name="extensions"
    )
    extended_on, extended_on_precision = fuzzy_date(_("extended"))
    added_days = models.PositiveIntegerField(_("days added"), null=True, blank=True)
    approved_by = models.ForeignKey(
        Organisation, verbose_name=_("approved by"), null=True, blank=True, on_delete=models.PROTECT
    )
    prosecutor_approved = models.BooleanField(_("approved by a prosecutor"), null=True, blank=True)

    class Meta:
        verbose_name = _("extension")
        verbose_name_plural = _("extensions")

    def __str__(self) -> str:
        return f"extension of {self.measure}"


class FamilyContact(Record):
    """An arrangement for contact with family: how often, how long and under what conditions."""

    class Kind(models.TextChoices):
        VISIT = "visit", _("visit")
        LONG_VISIT = "long_visit", _("long visit")
        CALL = "call", _("telephone call")
        LETTER = "letter", _("letter")
        PARCEL = "parcel", _("parcel")

    class Unit(models.TextChoices):
        DAY = "day", _("day")
        WEEK = "week", _("week")
        MONTH = "month", _("month")
        YEAR = "year", _("year")

    custody = models.ForeignKey(
        CustodyEpisode, verbose_name=_("custody episode"), on_delete=models.CASCADE, related_name="family_contacts"
    )
    relative = models.ForeignKey(
        Person,
        verbose_name=_("relative"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="contacts_with_detainees",
    )
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    allowed = models.BooleanField(_("allowed"), default=True)
    times = models.PositiveIntegerField(_("times"), null=True, blank=True, validators=[MinValueValidator(1)])
    every = models.PositiveIntegerField(_("every"), null=True, blank=True, validators=[MinValueValidator(1)])
    every_unit = models.CharField(_("unit"), max_length=5, choices=Unit.choices, blank=True)
    minutes = models.PositiveIntegerField(_("minutes each"), null=True, blank=True)
    supervised = models.BooleanField(_("supervised or overheard"), null=True, blank=True)
    conditions = EncryptedTextField(_("conditions"), blank=True)
    started_on, started_on_precision = fuzzy_date(_("from"))
    ended_on, ended_on_precision = fuzzy_date(_("until"))

    date_order = (("ended_on", "started_on"),)

    class Meta:
        verbose_name = _("family contact")
        verbose_name_plural = _("family contacts")
        constraints = [
            not_before("ended_on", "started_on"),
            models.CheckConstraint(
                condition=Q(every__isnull=True, every_unit="") | (Q(every__isnull=False) & ~Q(every_unit="")),
                name="custody_contact_frequency_complete",
                violation_error_message="a frequency needs both 'every' and its unit",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: {self.custody.person} and {self.relative or _('family')}"

    def frequency_text(self) -> str:
        return render(describe_frequency(self.times, self.every, self.every_unit))


def describe_frequency(times: int | None, every: int | None, unit: str) -> Words:
    """An arrangement's frequency as a person says it: "once a year", "twice every 3 months"."""
    if every is None or not unit:
        return say("frequency not known")
    times = times or 1
    often = say("once") if times == 1 else say("twice") if times == 2 else count("%(n)s time", "%(n)s times", times)
    if every == 1:
        period = {"day": say("a day"), "week": say("a week"), "month": say("a month"), "year": say("a year")}[unit]
    else:
        period = {
            "day": count("every %(n)s day", "every %(n)s days", every),
            "week": count("every %(n)s week", "every %(n)s weeks", every),
            "month": count("every %(n)s month", "every %(n)s months", every),
            "year": count("every %(n)s year", "every %(n)s years", every),
        }[unit]
    return say("%(often)s %(period)s", often=often, period=period)


class Notification(Record):
    """Whether and when the family (or another party) was told of a detention, transfer or death."""

    class About(models.TextChoices):
        DETENTION = "detention", _("detention")
        TRANSFER = "transfer", _("transfer")
        WHEREABOUTS = "whereabouts", _("whereabouts")
        ILLNESS = "illness", _("serious illness or injury")
        DEATH = "death", _("death")

    custody = models.ForeignKey(
        CustodyEpisode, verbose_name=_("custody episode"), on_delete=models.CASCADE, related_name="notifications"
    )
    about = models.CharField(_("about"), max_length=12, choices=About.choices)
    transfer = models.ForeignKey(
        Transfer,
        verbose_name=_("transfer"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="notifications",
    )
    party = models.ForeignKey(
        Person,
        verbose_name=_("person to be told"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="notifications_received",
    )
    occurred_on, occurred_on_precision = fuzzy_date(_("what happened, when"))
    informed_on, informed_on_precision = fuzzy_date(
        _("learned of it"), help_text=_("empty if never told, or not known")
    )
    by_authorities = models.BooleanField(_("told by the authorities"), null=True, blank=True)

    date_order = (("informed_on", "occurred_on"),)

    class Meta:
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        constraints = [not_before("informed_on", "occurred_on")]

    def __str__(self) -> str:
        return f"{self.party or _('family')} told of {self.get_about_display()} of {self.custody.person}"


class FamilyNews(Record):
    """News of a near relative's serious illness or death, and whether the prisoner was told."""

    class Kind(models.TextChoices):
        ILLNESS = "illness", _("serious illness")
        DEATH = "death", _("death")

    custody = models.ForeignKey(
        CustodyEpisode, verbose_name=_("custody episode"), on_delete=models.CASCADE, related_name="family_news"
    )
    relative = models.ForeignKey(
        Person, verbose_name=_("relative"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    kind = models.CharField(_("kind"), max_length=8, choices=Kind.choices)
    known_on, known_on_precision = fuzzy_date(_("known to the administration"))
    told_on, told_on_precision = fuzzy_date(_("prisoner told"))
    leave_requested = models.BooleanField(_("leave to visit or attend the funeral requested"), default=False)
    leave_granted = models.BooleanField(_("leave granted"), null=True, blank=True)
    leave_refusal_reason = EncryptedTextField(_("reason given for refusing leave"), blank=True)

    date_order = (("told_on", "known_on"),)

    class Meta:
        verbose_name = _("family news")
        verbose_name_plural = _("family news")
        verbose_name_plural = _("family news")
        constraints = [not_before("told_on", "known_on")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} of a relative of {self.custody.person}"


class MedicalExamination(Record):
    class Kind(models.TextChoices):
        ADMISSION = "admission", _("on admission")
        ROUTINE = "routine", _("routine")
        FORENSIC = "forensic", _("forensic")
        INDEPENDENT = "independent", _("independent")

    custody = models.ForeignKey(
        CustodyEpisode, verbose_name=_("custody episode"), on_delete=models.CASCADE, related_name="examinations"
    )
    kind = models.CharField(_("kind"), max_length=12, choices=Kind.choices)
    requested_on, requested_on_precision = fuzzy_date(_("requested"))
    performed = models.BooleanField(_("performed"), default=True)
    performed_on, performed_on_precision = fuzzy_date(_("performed on"))
    examiner = models.CharField(_("examiner"), max_length=200, blank=True)
    examiner_independent = models.BooleanField(_("examiner independent"), null=True, blank=True)
    injuries_recorded = models.BooleanField(_("injuries recorded"), null=True, blank=True)
    findings = EncryptedTextField(_("findings"), blank=True)

    date_order = (("performed_on", "requested_on"),)

    class Meta:
        verbose_name = _("medical examination")
        verbose_name_plural = _("medical examinations")
        constraints = [
            not_before("performed_on", "requested_on"),
            models.CheckConstraint(
                condition=Q(performed=True) | Q(performed_on__isnull=True),
                name="custody_exam_date_needs_performed",
                violation_error_message="an examination that was not performed has no date performed",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} examination of {self.custody.person}"
