"""Deprivation of liberty, from apprehension to release: where a person was held, what restrictions they
were under, what contact they had with their family and whether the family was told."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from habeas.core.dates import interval
from habeas.core.fields import EncryptedTextField
from habeas.core.models import Record, _as_datetime, fuzzy_date, not_before, not_negative
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
    # Safeguards at apprehension. Each "yes/no" is empty unless a source says; "no" only when a source says so.
    registered = models.BooleanField(_("detention registered"), null=True, blank=True)
    reasons_told = models.BooleanField(_("told the reasons for the arrest"), null=True, blank=True)
    reasons_told_at, reasons_told_at_precision = fuzzy_date(_("told the reasons"), with_time=True)
    lawyer_requested = models.BooleanField(_("asked for a lawyer"), null=True, blank=True)
    lawyer_requested_at, lawyer_requested_at_precision = fuzzy_date(_("asked for a lawyer on"), with_time=True)
    lawyer_granted = models.BooleanField(_("given access to a lawyer"), null=True, blank=True)
    lawyer_granted_at, lawyer_granted_at_precision = fuzzy_date(_("first saw a lawyer"), with_time=True)
    doctor_requested = models.BooleanField(_("asked for a doctor"), null=True, blank=True)
    doctor_examined = models.BooleanField(_("examined by a doctor"), null=True, blank=True)
    doctor_examined_at, doctor_examined_at_precision = fuzzy_date(_("examined by a doctor on"), with_time=True)

    date_order = (
        ("registered_at", "apprehended_at"),
        ("first_judge_at", "apprehended_at"),
        ("released_at", "apprehended_at"),
        ("reasons_told_at", "apprehended_at"),
        ("lawyer_granted_at", "apprehended_at"),
        ("doctor_examined_at", "apprehended_at"),
    )
    zone_from = ("apprehended_in",)

    class Meta:
        verbose_name = _("custody episode")
        verbose_name_plural = _("custody episodes")
        verbose_name_plural = _("custody episodes")
        constraints = [
            not_before("registered_at", "apprehended_at", with_time=True),
            not_before("first_judge_at", "apprehended_at", with_time=True),
            not_before("released_at", "apprehended_at", with_time=True),
            models.CheckConstraint(
                condition=~Q(reasons_told=False) | Q(reasons_told_at__isnull=True),
                name="custody_episode_reasons_date_needs_told",
                violation_error_message="a date the reasons were told needs 'told the reasons' not to be no",
            ),
            models.CheckConstraint(
                condition=~Q(lawyer_granted=False) | Q(lawyer_granted_at__isnull=True),
                name="custody_episode_lawyer_date_needs_granted",
                violation_error_message="a date of first access to a lawyer needs 'given access' not to be no",
            ),
            models.CheckConstraint(
                condition=~Q(doctor_examined=False) | Q(doctor_examined_at__isnull=True),
                name="custody_episode_doctor_date_needs_examined",
                violation_error_message="a date of examination needs 'examined by a doctor' not to be no",
            ),
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


def _certainly_before(first: object, first_precision: str, second: object, second_precision: str) -> bool:
    """Whether every moment the first fuzzy date allows comes before every moment the second allows: a death
    dated by day is not before an apprehension timed on that same day."""
    if first is None or second is None:
        return False
    first_hi = interval(first, first_precision)[1]  # type: ignore[arg-type]
    second_lo = interval(second, second_precision)[0]  # type: ignore[arg-type]
    return _as_datetime(first_hi) < _as_datetime(second_lo)


class CustodyStage(Record):
    """One stage of a custody episode under one legal basis: an administrative detention, then detention as a
    suspect, then remand in custody, each with its own dates and the order that authorised it."""

    class Basis(models.TextChoices):
        NONE = "none", _("no legal basis: unacknowledged or unrecorded detention")
        INVITATION = "invitation", _("'invited' or brought in for a talk, not recorded as a detention")
        ADMINISTRATIVE = "admin", _("administrative detention")
        SUSPECT = "suspect", _("detention as a criminal suspect")
        REMAND = "remand", _("remand in custody (pre-trial detention)")
        HOUSE_ARREST = "house", _("house arrest")
        SENTENCE = "sentence", _("serving a sentence")
        PSYCHIATRIC = "psychiatric", _("compulsory psychiatric placement")
        OTHER = "other", _("other")

    custody = models.ForeignKey(
        CustodyEpisode, verbose_name=_("custody episode"), on_delete=models.CASCADE, related_name="stages"
    )
    basis = models.CharField(_("legal basis"), max_length=12, choices=Basis.choices)
    legal_provision = models.CharField(
        _("provision invoked"),
        max_length=200,
        blank=True,
        help_text=_("e.g. Code of Administrative Offences, art. 434"),
    )
    ordered_by = models.ForeignKey(
        Organisation,
        verbose_name=_("ordered by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="custody_stages_ordered",
    )
    started_at, started_at_precision = fuzzy_date(_("from"), with_time=True)
    ended_at, ended_at_precision = fuzzy_date(_("until"), with_time=True)

    date_order = (("ended_at", "started_at"),)
    zone_from = ("custody.apprehended_in",)

    class Meta:
        verbose_name = _("stage of custody")
        verbose_name_plural = _("stages of custody")
        ordering = ["custody", "started_at", "pk"]
        constraints = [not_before("ended_at", "started_at", with_time=True)]

    def __str__(self) -> str:
        return f"{self.get_basis_display()}: {self.custody.person}"

    def clean(self) -> None:
        super().clean()
        custody = self.custody if self.custody_id else None
        if custody is not None and _certainly_before(
            self.started_at, self.started_at_precision, custody.apprehended_at, custody.apprehended_at_precision
        ):
            raise ValidationError(
                {
                    "started_at": f"from ({self.date_text('started_at')}) must not be before the apprehension "
                    f"({custody.date_text('apprehended_at')})"
                }
            )


class Death(Record):
    """A custody that ended in death: when and where the person died. What caused it is kept as each source
    states it, side by side (``DeathCause``)."""

    custody = models.OneToOneField(
        CustodyEpisode, verbose_name=_("custody episode"), on_delete=models.CASCADE, related_name="death"
    )
    died_at, died_at_precision = fuzzy_date(_("died"), with_time=True)
    place = models.ForeignKey(
        Place, verbose_name=_("place"), null=True, blank=True, on_delete=models.PROTECT, related_name="deaths"
    )
    locality = models.ForeignKey(
        Locality, verbose_name=_("locality"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    circumstances = EncryptedTextField(_("circumstances"), blank=True)
    investigated = models.BooleanField(
        _("an investigation was opened"),
        null=True,
        blank=True,
        help_text=_("empty when no source says; 'no' only when a source says none was opened"),
    )
    investigation = models.ForeignKey(
        "cases.Investigation",
        verbose_name=_("investigation"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="deaths",
    )
    autopsy = models.BooleanField(_("autopsy performed"), null=True, blank=True)
    autopsy_independent = models.BooleanField(
        _("autopsy independent of the detaining authority"), null=True, blank=True
    )

    zone_from = ("place", "locality", "custody.apprehended_in")

    class Meta:
        verbose_name = _("death in custody")
        verbose_name_plural = _("deaths in custody")
        constraints = [
            models.CheckConstraint(
                condition=~Q(investigated=False) | Q(investigation__isnull=True),
                name="custody_death_investigation_needs_investigated",
                violation_error_message="an investigation is linked, so 'an investigation was opened' cannot be no",
            ),
            models.CheckConstraint(
                condition=~Q(autopsy=False) | Q(autopsy_independent__isnull=True),
                name="custody_death_independence_needs_autopsy",
                violation_error_message="no autopsy was performed, so its independence cannot be stated",
            ),
        ]

    def __str__(self) -> str:
        return f"death of {self.custody.person} ({self.date_text('died_at')})"

    def clean(self) -> None:
        super().clean()
        custody = self.custody if self.custody_id else None
        if custody is None:
            return
        if _certainly_before(
            self.died_at, self.died_at_precision, custody.apprehended_at, custody.apprehended_at_precision
        ):
            raise ValidationError(
                {
                    "died_at": f"died ({self.date_text('died_at')}) must not be before the apprehension "
                    f"({custody.date_text('apprehended_at')})"
                }
            )
        if _certainly_before(custody.released_at, custody.released_at_precision, self.died_at, self.died_at_precision):
            raise ValidationError(
                {
                    "died_at": f"died ({self.date_text('died_at')}) after the release "
                    f"({custody.date_text('released_at')}): not a death in custody"
                }
            )


class DeathCause(Record):
    """The cause of a death in custody as one source states it: the authorities' account, a forensic report, the
    family's, a court's. Accounts are never merged."""

    class Kind(models.TextChoices):
        ILLNESS = "illness", _("illness or natural causes")
        SUICIDE = "suicide", _("suicide")
        VIOLENCE_OFFICIALS = "officials", _("violence by officials")
        VIOLENCE_DETAINEES = "detainees", _("violence by other detainees")
        NEGLECT = "neglect", _("lack of medical care or neglect")
        ACCIDENT = "accident", _("accident")
        FORCE = "force", _("use of force or firearms")
        UNDETERMINED = "undetermined", _("undetermined")

    death = models.ForeignKey(Death, verbose_name=_("death"), on_delete=models.CASCADE, related_name="causes")
    source = models.ForeignKey(
        "evidence.Source", verbose_name=_("source"), on_delete=models.PROTECT, related_name="death_causes"
    )
    stated_by = models.CharField(
        _("stated by"),
        max_length=200,
        help_text=_("who gives this account, e.g. the prison administration, the family"),
    )
    by_authorities = models.BooleanField(_("the authorities' account"), default=False)
    kind = models.CharField(_("cause"), max_length=12, choices=Kind.choices)
    cause_as_stated = EncryptedTextField(_("cause as stated"), blank=True)

    class Meta:
        verbose_name = _("cause of death as stated")
        verbose_name_plural = _("causes of death as stated")
        constraints = [
            models.UniqueConstraint(
                fields=["death", "source", "stated_by"],
                name="custody_deathcause_one_account_per_source",
                violation_error_message="this source's account by the same party is already recorded",
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} ({self.stated_by})"
