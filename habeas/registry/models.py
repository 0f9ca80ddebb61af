"""Who and where: persons and groups, organisations, localities and places of deprivation of liberty."""

from __future__ import annotations

from functools import cache
from zoneinfo import ZoneInfo, available_timezones

from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from habeas.accounts.identity import pseudonymous
from habeas.accounts.viewer import Viewer
from habeas.core.fields import EncryptedTextField, NameDigestsField
from habeas.core.models import Record, at_least_one, fuzzy_date, not_before, not_negative


@cache
def zones() -> frozenset[str]:
    """The names of the time zones this machine knows (IANA's, from the tzdata package or the system)."""
    return frozenset(available_timezones())


class Locality(models.Model):
    """A city, town, district, region or country, with coordinates when known."""

    class Kind(models.TextChoices):
        COUNTRY = "country", _("country")
        REGION = "region", _("region or province")
        SETTLEMENT = "settlement", _("city, town or village")
        OTHER = "other", _("other place")

    name = models.CharField(_("name"), max_length=200)
    local_names = models.CharField(
        _("other names"), max_length=500, blank=True, help_text=_("names in other scripts, separated by ';'")
    )
    kind = models.CharField(_("kind"), max_length=12, choices=Kind.choices, default=Kind.SETTLEMENT)
    parent = models.ForeignKey(
        "self",
        verbose_name=_("within"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
    )
    country = models.CharField(_("country code"), max_length=2, blank=True)
    region_code = models.CharField(
        _("region code"),
        max_length=20,
        blank=True,
        help_text=_("first-level region, as GeoNames codes it: KZ.13"),
    )
    latitude = models.FloatField(
        _("latitude"), null=True, blank=True, validators=[MinValueValidator(-90), MaxValueValidator(90)]
    )
    longitude = models.FloatField(
        _("longitude"), null=True, blank=True, validators=[MinValueValidator(-180), MaxValueValidator(180)]
    )
    geonames_id = models.PositiveIntegerField(_("GeoNames id"), null=True, blank=True, unique=True)
    timezone = models.CharField(_("time zone"), max_length=64, blank=True)

    class Meta:
        verbose_name = _("locality")
        verbose_name_plural = _("localities")
        ordering = ["name"]
        verbose_name_plural = _("localities")
        constraints = [
            models.CheckConstraint(
                condition=Q(latitude__isnull=True) | Q(latitude__gte=-90, latitude__lte=90),
                name="registry_locality_latitude_range",
                violation_error_message="latitude must be between -90 and 90",
            ),
            models.CheckConstraint(
                condition=Q(longitude__isnull=True) | Q(longitude__gte=-180, longitude__lte=180),
                name="registry_locality_longitude_range",
                violation_error_message="longitude must be between -180 and 180",
            ),
            models.CheckConstraint(
                condition=Q(latitude__isnull=True, longitude__isnull=True)
                | Q(latitude__isnull=False, longitude__isnull=False),
                name="registry_locality_both_coordinates",
                violation_error_message="latitude and longitude go together: give both or neither",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def zone(self) -> ZoneInfo | None:
        """The time zone of the locality, or of the nearest one it lies within that has one (IANA's name:
        ``Asia/Aqtau``); None where none is known."""
        locality: Locality | None = self
        while locality is not None:
            if locality.timezone:
                return ZoneInfo(locality.timezone)
            locality = locality.parent
        return None

    def clean(self) -> None:
        super().clean()
        if self.timezone and self.timezone not in zones():
            raise ValidationError({"timezone": _("not a time zone: give its IANA name, such as Asia/Almaty")})


class Organisation(Record):
    """A state body, court, prosecutor's office, NGO or international body, within its hierarchy."""

    class Kind(models.TextChoices):
        STATE = "state", _("head of state or government")
        MINISTRY = "ministry", _("ministry")
        SERVICE = "service", _("service, department or agency")
        UNIT = "unit", _("unit, station or team")
        PROSECUTOR = "prosecutor", _("prosecutor's office")
        COURT = "court", _("court")
        PRISON_ADMIN = "prison", _("prison administration")
        NGO = "ngo", _("non-governmental organisation")
        MONITOR = "monitor", _("monitoring body or NPM")
        UN = "un", _("UN body or mandate")
        MEDIA = "media", _("media")
        OTHER = "other", _("other")

    name = models.CharField(_("name"), max_length=300)
    short_name = models.CharField(_("short name"), max_length=60, blank=True)
    local_name = models.CharField(_("name in the local language"), max_length=300, blank=True)
    kind = models.CharField(_("kind"), max_length=12, choices=Kind.choices)
    parent = models.ForeignKey(
        "self",
        verbose_name=_("part of"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="units",
    )
    locality = models.ForeignKey(Locality, verbose_name=_("locality"), null=True, blank=True, on_delete=models.PROTECT)
    country = models.CharField(_("country code"), max_length=2, blank=True)

    class Meta:
        verbose_name = _("organisation")
        verbose_name_plural = _("organisations")
        ordering = ["name"]
        constraints = [
            models.CheckConstraint(
                condition=~Q(parent=F("pk")),
                name="registry_organisation_not_own_parent",
                violation_error_message="an organisation cannot be part of itself",
            )
        ]

    def __str__(self) -> str:
        return self.name

    def chain(self) -> list[Organisation]:
        """This organisation and those above it, nearest first (ministry → service → unit reversed)."""
        seen: list[Organisation] = []
        node: Organisation | None = self
        while node is not None and node not in seen:
            seen.append(node)
            node = node.parent
        return seen

    def agency(self) -> Organisation:
        """The ministry, state body or other top-level organisation this one belongs to."""
        for node in self.chain():
            if node.kind in (self.Kind.MINISTRY, self.Kind.STATE):
                return node
        return self.chain()[-1]


class Person(Record):
    """A person: a victim, witness, relative, official or anyone else the records name."""

    class Sex(models.TextChoices):
        FEMALE = "f", _("female")
        MALE = "m", _("male")
        OTHER = "x", _("other")
        UNKNOWN = "", _("not known")

    label = EncryptedTextField(
        _("display name"),
        max_length=200,
        help_text=_("how the person is shown; for someone not named, a description such as 'father of …'"),
    )
    sex = models.CharField(_("sex"), max_length=1, choices=Sex.choices, blank=True)
    born_on, born_on_precision = fuzzy_date(_("born"))
    died_on, died_on_precision = fuzzy_date(_("died"))
    death_circumstances = EncryptedTextField(_("circumstances of death"), blank=True)
    home_locality = models.ForeignKey(
        Locality,
        verbose_name=_("home locality"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="residents",
    )
    nationality = models.CharField(_("nationality"), max_length=2, blank=True)
    occupation = models.CharField(_("occupation"), max_length=200, blank=True)
    organisation = models.ForeignKey(
        Organisation,
        verbose_name=_("works for"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="staff",
        help_text=_("for officials: the unit they belong to"),
    )
    position = models.CharField(_("position"), max_length=200, blank=True)
    contact = EncryptedTextField(
        _("contact details"), blank=True, help_text=_("telephone, e-mail, messenger; how to reach the person safely")
    )
    address = EncryptedTextField(_("home address"), blank=True)
    name_digests = NameDigestsField(of=["label"])

    date_order = (("died_on", "born_on"),)

    class Meta:
        verbose_name = _("person")
        verbose_name_plural = _("persons")
        ordering = ["pk"]
        constraints = [not_before("died_on", "born_on")]

    def __str__(self) -> str:
        return pseudonymous(self)

    def name_for(self, viewer: Viewer) -> str:
        """Its name, for a viewer who sees its team's identities (``habeas.accounts.identity.name_of``)."""
        return self.label if viewer.sees_identity(self.team_id) else str(self)


class PersonName(models.Model):
    """A name of a person in one script or transliteration."""

    class Script(models.TextChoices):
        LATIN = "Latn", _("Latin")
        CYRILLIC = "Cyrl", _("Cyrillic")
        OTHER = "other", _("other")

    class Kind(models.TextChoices):
        PRIMARY = "primary", _("name as usually written")
        TRANSLITERATION = "translit", _("transliteration")
        ALIAS = "alias", _("also known as")
        BIRTH = "birth", _("birth name")

    person = models.ForeignKey(Person, verbose_name=_("person"), on_delete=models.CASCADE, related_name="names")
    full_name = EncryptedTextField(_("full name"), max_length=300)
    given_name = EncryptedTextField(_("given name"), max_length=100, blank=True)
    patronymic = EncryptedTextField(_("patronymic"), max_length=100, blank=True)
    family_name = EncryptedTextField(_("family name"), max_length=100, blank=True)
    script = models.CharField(_("script"), max_length=5, choices=Script.choices, default=Script.LATIN)
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices, default=Kind.PRIMARY)
    name_digests = NameDigestsField(of=["full_name", "given_name", "patronymic", "family_name"])

    class Meta:
        verbose_name = _("person name")
        verbose_name_plural = _("person names")

    def __str__(self) -> str:
        return pseudonymous(self)

    def name_for(self, viewer: Viewer) -> str:
        """Its name, for a viewer who sees its team's identities (``habeas.accounts.identity.name_of``)."""
        return self.full_name if viewer.sees_identity(self.person.team_id) else str(self)

    def clean(self) -> None:
        super().clean()
        if self.person_id is None:
            return
        others = PersonName.objects.filter(person_id=self.person_id).exclude(pk=self.pk)
        if any(other.full_name == self.full_name for other in others):
            raise ValidationError({"full_name": _("this person already has this name")})


class Disability(models.Model):
    class Kind(models.TextChoices):
        PHYSICAL = "physical", _("physical or mobility")
        SENSORY = "sensory", _("sensory")
        INTELLECTUAL = "intellectual", _("intellectual")
        PSYCHOSOCIAL = "psychosocial", _("psychosocial")
        CHRONIC = "chronic", _("chronic illness")

    person = models.ForeignKey(Person, verbose_name=_("person"), on_delete=models.CASCADE, related_name="disabilities")
    kind = models.CharField(_("kind"), max_length=12, choices=Kind.choices)
    description = EncryptedTextField(_("description"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("disability")
        verbose_name_plural = _("disabilities")
        verbose_name_plural = _("disabilities")

    def __str__(self) -> str:
        return self.get_kind_display()

    def name_for(self, viewer: Viewer) -> str:
        """Its name, for a viewer who sees its team's identities (``habeas.accounts.identity.name_of``)."""
        return self.description or self.get_kind_display() if viewer.sees_identity(self.person.team_id) else str(self)


class Relationship(models.Model):
    """A family or other tie: ``relative`` is the ``person``'s ``kind`` (e.g. wife, father)."""

    class Kind(models.TextChoices):
        SPOUSE = "spouse", _("spouse")
        PARENT = "parent", _("parent")
        CHILD = "child", _("child")
        SIBLING = "sibling", _("sibling")
        RELATIVE = "relative", _("other relative")
        LAWYER = "lawyer", _("lawyer")
        OTHER = "other", _("other")

    person = models.ForeignKey(Person, verbose_name=_("person"), on_delete=models.CASCADE, related_name="relationships")
    relative = models.ForeignKey(
        Person, verbose_name=_("relative"), on_delete=models.CASCADE, related_name="relationships_to"
    )
    kind = models.CharField(_("the relative is the person's"), max_length=10, choices=Kind.choices)
    description = EncryptedTextField(_("description"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("relationship")
        verbose_name_plural = _("relationships")
        constraints = [
            models.CheckConstraint(
                condition=~Q(person=F("relative")),
                name="registry_relationship_two_people",
                violation_error_message="a relationship needs two different people",
            ),
            models.UniqueConstraint(fields=["person", "relative", "kind"], name="registry_relationship_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.relative} ({self.get_kind_display()} of {self.person})"


class Group(Record):
    """People counted but not (all) named: "37 defendants", "about 700 detainees"."""

    class Qualifier(models.TextChoices):
        EXACT = "exact", _("exactly")
        ABOUT = "about", _("about")
        AT_LEAST = "at_least", _("at least")
        MORE_THAN = "more_than", _("more than")
        UP_TO = "up_to", _("up to")
        UNKNOWN = "unknown", _("number unknown")

    label = EncryptedTextField(_("name"), max_length=300)
    size = models.IntegerField(_("size"), null=True, blank=True, validators=[MinValueValidator(0)])
    size_qualifier = models.CharField(_("size is"), max_length=10, choices=Qualifier.choices, default=Qualifier.EXACT)
    members = models.ManyToManyField(Person, verbose_name=_("named members"), blank=True, related_name="groups")
    event = models.ForeignKey(
        "cases.Event",
        verbose_name=_("event"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="groups",
    )
    description = EncryptedTextField(_("description"), blank=True)
    name_digests = NameDigestsField(of=["label"])

    class Meta:
        verbose_name = _("group")
        verbose_name_plural = _("groups")
        ordering = ["pk"]
        constraints = [
            not_negative("size"),
            models.CheckConstraint(
                condition=Q(size__isnull=False) | Q(size_qualifier="unknown"),
                name="registry_group_size_or_unknown",
                violation_error_message="give a size, or say the number is unknown",
            ),
        ]

    def __str__(self) -> str:
        return pseudonymous(self)

    def name_for(self, viewer: Viewer) -> str:
        """Its name, for a viewer who sees its team's identities (``habeas.accounts.identity.name_of``)."""
        return self.label if viewer.sees_identity(self.team_id) else str(self)

    def size_text(self) -> str:
        if self.size is None:
            return str(_("number unknown"))
        if self.size_qualifier == self.Qualifier.EXACT:
            return str(self.size)
        return f"{self.get_size_qualifier_display()} {self.size}"


class Place(Record):
    """A place where people are or may be deprived of their liberty."""

    class Kind(models.TextChoices):
        POLICE = "police", _("police station or police cells")
        TEMPORARY = "ivs", _("temporary detention facility")
        PRETRIAL = "pretrial", _("pre-trial detention centre")
        PRISON = "prison", _("prison or penal colony")
        HIGH_SECURITY = "high_security", _("high-security prison")
        HOSPITAL = "hospital", _("prison hospital")
        PSYCHIATRIC = "psychiatric", _("psychiatric institution")
        MIGRATION = "migration", _("immigration detention")
        MILITARY = "military", _("military detention")
        SECURITY = "security", _("national security service facility")
        OTHER = "other", _("other place")

    name = models.CharField(_("name"), max_length=300)
    kind = models.CharField(_("kind"), max_length=14, choices=Kind.choices)
    authority = models.ForeignKey(
        Organisation,
        verbose_name=_("operating authority"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="places",
    )
    locality = models.ForeignKey(
        Locality,
        verbose_name=_("locality"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="places",
    )
    capacity = models.PositiveIntegerField(_("official capacity"), null=True, blank=True)
    address = models.CharField(_("address"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("place of detention")
        verbose_name_plural = _("places of detention")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    def zone(self) -> ZoneInfo | None:
        """The time zone of the place's locality (None where none is known)."""
        return self.locality.zone() if self.locality_id and self.locality else None


class StaffAssignment(Record):
    """Where an official worked, and when: to see whether someone accused was kept away from the victim."""

    person = models.ForeignKey(Person, verbose_name=_("official"), on_delete=models.CASCADE, related_name="assignments")
    organisation = models.ForeignKey(
        Organisation, verbose_name=_("unit"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    place = models.ForeignKey(
        Place, verbose_name=_("place"), null=True, blank=True, on_delete=models.PROTECT, related_name="staff"
    )
    position = models.CharField(_("position"), max_length=200, blank=True)
    started_on, started_on_precision = fuzzy_date(_("from"))
    ended_on, ended_on_precision = fuzzy_date(_("until"))
    suspended_on, suspended_on_precision = fuzzy_date(_("suspended"))

    date_order = (("ended_on", "started_on"),)

    class Meta:
        verbose_name = _("staff assignment")
        verbose_name_plural = _("staff assignments")
        constraints = [not_before("ended_on", "started_on"), at_least_one("organisation", "place", label="posting")]

    def __str__(self) -> str:
        return f"{self.person} at {self.place or self.organisation}"
