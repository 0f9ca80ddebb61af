"""What happened and what was done about it: events and the figures claimed for them, allegations of
torture or ill-treatment, statements and retractions, complaints, investigations, proceedings and
reparations."""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext, pgettext

from habeas.accounts.identity import name_of, pseudonymous
from habeas.accounts.viewer import Viewer
from habeas.core.dates import interval
from habeas.core.fields import EncryptedJSONField, EncryptedTextField
from habeas.core.models import Record, at_least_one, exactly_one, fuzzy_date, not_before, not_negative
from habeas.registry.models import Group, Locality, Organisation, Person, Place


class Event(Record):
    """Something that happened to many people at once: a protest and its suppression, a mass detention."""

    class Kind(models.TextChoices):
        PROTEST = "protest", _("protest or strike")
        USE_OF_FORCE = "force", _("use of force")
        MASS_DETENTION = "detention", _("mass detention")
        OTHER = "other", _("other")

    name = models.CharField(_("name"), max_length=300)
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    started_on, started_on_precision = fuzzy_date(_("started"))
    ended_on, ended_on_precision = fuzzy_date(_("ended"))
    locality = models.ForeignKey(Locality, verbose_name=_("locality"), null=True, blank=True, on_delete=models.PROTECT)
    parent = models.ForeignKey(
        "self",
        verbose_name=_("part of"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="parts",
    )
    description = EncryptedTextField(_("description"), blank=True)

    date_order = (("ended_on", "started_on"),)

    class Meta:
        verbose_name = _("event")
        verbose_name_plural = _("events")
        ordering = ["started_on", "name"]
        constraints = [not_before("ended_on", "started_on")]

    def __str__(self) -> str:
        return self.name


class Claim(Record):
    """A figure about an event as one party states it; sources disagree, so each claim stands alone."""

    class Measure(models.TextChoices):
        KILLED = "killed", _("killed")
        WOUNDED = "wounded", _("wounded")
        ARRESTED = "arrested", _("arrested")
        DETAINED = "detained", _("detained")
        CHARGED = "charged", _("charged")
        CONVICTED = "convicted", _("convicted")
        RELEASED = "released", _("released")

    event = models.ForeignKey(Event, verbose_name=_("event"), on_delete=models.CASCADE, related_name="claims")
    measure = models.CharField(_("what is counted"), max_length=10, choices=Measure.choices)
    value = models.PositiveIntegerField(_("number"), null=True, blank=True)
    qualifier = models.CharField(
        _("number is"), max_length=10, choices=Group.Qualifier.choices, default=Group.Qualifier.EXACT
    )
    value_text = models.CharField(
        _("as stated"),
        max_length=200,
        blank=True,
        help_text=_("the figure in the source's terms, e.g. 'hundreds'"),
    )
    claimed_by = models.ForeignKey(
        Organisation,
        verbose_name=_("claimed by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        help_text=_("empty when the source does not say who"),
    )
    claimed_by_text = models.CharField(_("claimed by (as described)"), max_length=200, blank=True)
    claimed_on, claimed_on_precision = fuzzy_date(_("claimed"))

    class Meta:
        verbose_name = _("claim")
        verbose_name_plural = _("claims")
        constraints = [
            models.CheckConstraint(
                condition=Q(value__isnull=False) | ~Q(value_text=""),
                name="cases_claim_has_figure",
                violation_error_message="a claim needs a number or the figure as stated",
            )
        ]

    def __str__(self) -> str:
        figure = self.value_text or f"{self.get_qualifier_display()} {self.value}"
        who = self.claimed_by or self.claimed_by_text or _("unattributed")
        return f"{self.event}: {figure} {self.get_measure_display()} ({who})"


class Method(models.Model):
    """A method of torture or ill-treatment, from a controlled vocabulary."""

    code = models.SlugField(_("code"), max_length=40, unique=True)
    name = models.CharField(_("name"), max_length=200)
    category = models.CharField(_("category"), max_length=100)

    class Meta:
        verbose_name = _("method")
        verbose_name_plural = _("methods")
        ordering = ["category", "name"]

    def __str__(self) -> str:
        """The method's name in the reader's language: the shipped vocabulary is translated (a method added by a
        user is shown as it was written)."""
        return pgettext("method of torture", self.name)

    @property
    def category_shown(self) -> str:
        return pgettext("category of methods", self.category)


class Allegation(Record):
    """An allegation of torture or other ill-treatment by a person or a group."""

    class Kind(models.TextChoices):
        TORTURE = "torture", _("torture or other ill-treatment")
        ILL = "ill", _("cruel, inhuman or degrading treatment (not torture)")
        FORCE = "force", _("excessive or lethal use of force")
        THREATS = "threats", _("threats or intimidation")

    victim = models.ForeignKey(
        Person,
        verbose_name=_("victim"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="allegations",
    )
    victim_group = models.ForeignKey(
        Group,
        verbose_name=_("victims (group)"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="allegations",
    )
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices, default=Kind.TORTURE)
    event = models.ForeignKey(
        Event,
        verbose_name=_("event"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="allegations",
    )
    custody = models.ForeignKey(
        "custody.CustodyEpisode",
        verbose_name=_("custody episode"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="allegations",
    )
    happened_on, happened_on_precision = fuzzy_date(_("happened"))
    happened_until, happened_until_precision = fuzzy_date(_("until"))
    place = models.ForeignKey(
        Place,
        verbose_name=_("place"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="allegations",
    )
    locality = models.ForeignKey(Locality, verbose_name=_("locality"), null=True, blank=True, on_delete=models.PROTECT)
    circumstances = models.CharField(
        _("circumstances"), max_length=300, blank=True, help_text=_("e.g. during interrogation, on arrest")
    )
    methods = models.ManyToManyField(Method, verbose_name=_("methods"), blank=True, related_name="allegations")
    purpose = models.CharField(_("alleged purpose"), max_length=200, blank=True)
    injuries = EncryptedTextField(_("injuries and symptoms"), blank=True)
    summary = EncryptedTextField(_("summary"))
    risk_of_reprisal = models.BooleanField(_("risk of reprisal"), null=True, blank=True)

    date_order = (("happened_until", "happened_on"),)

    class Meta:
        verbose_name = _("allegation")
        verbose_name_plural = _("allegations")
        constraints = [
            exactly_one("victim", "victim_group", label="victim"),
            not_before("happened_until", "happened_on"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: {self.victim or self.victim_group}"

    def name_for(self, viewer: Viewer) -> str:
        """Its kind and whom it concerns, named as the viewer may see them."""
        return f"{self.get_kind_display()}: {name_of(self.victim or self.victim_group, viewer)}"


class Perpetrator(models.Model):
    """An alleged perpetrator: a named person, a unit, or both."""

    allegation = models.ForeignKey(
        Allegation, verbose_name=_("allegation"), on_delete=models.CASCADE, related_name="perpetrators"
    )
    person = models.ForeignKey(
        Person,
        verbose_name=_("person"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="alleged_acts",
    )
    organisation = models.ForeignKey(
        Organisation,
        verbose_name=_("unit or agency"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="alleged_acts",
    )
    description = models.CharField(_("description"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("alleged perpetrator")
        verbose_name_plural = _("alleged perpetrators")
        constraints = [at_least_one("person", "organisation", label="perpetrator")]

    def __str__(self) -> str:
        return str(self.person or self.organisation)


class Disclosure(Record):
    """When and to whom an allegation was made: in court, to a prosecutor, to the family, to a journalist."""

    class Audience(models.TextChoices):
        COURT = "court", _("a court")
        PROSECUTOR = "prosecutor", _("a prosecutor")
        POLICE = "police", _("the police or prison staff")
        LAWYER = "lawyer", _("a lawyer")
        FAMILY = "family", _("family")
        MEDIA = "media", _("the media")
        NGO = "ngo", _("an NGO or monitor")
        UN = "un", _("a UN body")

    allegation = models.ForeignKey(
        Allegation, verbose_name=_("allegation"), on_delete=models.CASCADE, related_name="disclosures"
    )
    audience = models.CharField(_("made to"), max_length=10, choices=Audience.choices)
    recipient = models.ForeignKey(
        Organisation, verbose_name=_("recipient"), null=True, blank=True, on_delete=models.PROTECT
    )
    disclosed_on, disclosed_on_precision = fuzzy_date(_("made"))
    proceeding = models.ForeignKey(
        "Proceeding",
        verbose_name=_("in proceeding"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="disclosures",
    )
    under_oath = models.BooleanField(_("under oath"), null=True, blank=True)

    class Meta:
        verbose_name = _("disclosure")
        verbose_name_plural = _("disclosures")

    def __str__(self) -> str:
        return f"{self.allegation} — to {self.get_audience_display()}"


class Statement(Record):
    """A confession or testimony, and its retraction."""

    class Kind(models.TextChoices):
        CONFESSION = "confession", _("confession")
        TESTIMONY = "testimony", _("witness testimony")

    person = models.ForeignKey(
        Person,
        verbose_name=_("person"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="statements",
    )
    group = models.ForeignKey(
        Group,
        verbose_name=_("group"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="statements",
    )
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    given_on, given_on_precision = fuzzy_date(_("given"))
    text = EncryptedTextField(_("what was said"), blank=True, help_text=_("the statement or testimony, as given"))
    obtained_by = models.ForeignKey(
        Organisation, verbose_name=_("obtained by"), null=True, blank=True, on_delete=models.PROTECT
    )
    used_in = models.ForeignKey(
        "Proceeding",
        verbose_name=_("used in"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="statements",
    )
    retracted = models.BooleanField(_("retracted"), default=False)
    retracted_on, retracted_on_precision = fuzzy_date(_("retracted"))
    retraction_reason = EncryptedTextField(_("reason given for the retraction"), blank=True)
    coercion_alleged = models.ForeignKey(
        Allegation,
        verbose_name=_("allegation of coercion"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="statements",
    )

    date_order = (("retracted_on", "given_on"),)

    class Meta:
        verbose_name = _("statement")
        verbose_name_plural = _("statements")
        constraints = [
            exactly_one("person", "group", label="maker"),
            not_before("retracted_on", "given_on"),
            models.CheckConstraint(
                condition=Q(retracted=True) | Q(retracted_on__isnull=True),
                name="cases_statement_retraction_date_needs_retraction",
                violation_error_message="a retraction date needs 'retracted' to be ticked",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} of {self.person or self.group}"


class Complaint(Record):
    """A complaint of torture or ill-treatment lodged with an authority (including one made in court)."""

    class Outcome(models.TextChoices):
        PENDING = "pending", _("pending: a source says it is still being examined")
        NO_ANSWER = "no_answer", _("no answer: a source says none was given")
        NOT_REGISTERED = "unregistered", _("refused registration")
        REFUSED = "refused", _("refused without examination")
        FORWARDED = "forwarded", _("forwarded for investigation")
        DISMISSED = "dismissed", _("dismissed as unfounded")
        UPHELD = "upheld", _("upheld")
        UNKNOWN = "unknown", _("not known")

    allegation = models.ForeignKey(
        Allegation, verbose_name=_("allegation"), on_delete=models.PROTECT, related_name="complaints"
    )
    complainant = models.ForeignKey(
        Person,
        verbose_name=_("complainant"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="complaints",
    )
    complainant_group = models.ForeignKey(
        Group,
        verbose_name=_("complainants (group)"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="complaints",
    )
    lodged_with = models.ForeignKey(
        Organisation,
        verbose_name=_("lodged with"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="complaints_received",
    )
    lodged_on, lodged_on_precision = fuzzy_date(_("lodged"))
    in_proceeding = models.ForeignKey(
        "Proceeding",
        verbose_name=_("made in proceeding"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="complaints",
    )
    outcome = models.CharField(_("outcome"), max_length=12, choices=Outcome.choices, default=Outcome.UNKNOWN)
    decided_by = models.ForeignKey(
        Organisation,
        verbose_name=_("decided by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="complaints_decided",
    )
    decided_on, decided_on_precision = fuzzy_date(_("decided"))
    reasons = EncryptedTextField(_("reasons given"), blank=True)

    date_order = (("decided_on", "lodged_on"),)

    class Meta:
        verbose_name = _("complaint")
        verbose_name_plural = _("complaints")
        constraints = [not_before("decided_on", "lodged_on")]

    def __str__(self) -> str:
        return f"Complaint about {self.allegation}"


class Investigation(Record):
    """An inquiry into an allegation or an event, by a named body."""

    class Kind(models.TextChoices):
        PRELIMINARY = "check", _("preliminary check")
        CRIMINAL = "criminal", _("criminal investigation")
        INTERNAL = "internal", _("internal or disciplinary inquiry")
        COMMISSION = "commission", _("commission of inquiry")

    class Outcome(models.TextChoices):
        OPEN = "open", _("open")
        NO_CASE = "no_case", _("closed: allegation found unsubstantiated")
        CHARGES = "charges", _("charges brought")
        SUSPENDED = "suspended", _("suspended")
        NONE_OPENED = "never", _("never opened")
        UNKNOWN = "unknown", _("not known")

    allegation = models.ForeignKey(
        Allegation,
        verbose_name=_("allegation"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="investigations",
    )
    event = models.ForeignKey(
        Event,
        verbose_name=_("event"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="investigations",
    )
    complaint = models.ForeignKey(
        Complaint,
        verbose_name=_("prompted by complaint"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="investigations",
    )
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    subject = EncryptedTextField(_("what was investigated"), max_length=300)
    body = models.ForeignKey(
        Organisation,
        verbose_name=_("investigating body"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="investigations",
    )
    assigned_by = models.ForeignKey(
        Organisation,
        verbose_name=_("assigned or delegated by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="investigations_assigned",
    )
    ordered_by = models.ForeignKey(
        Organisation,
        verbose_name=_("ordered by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="investigations_ordered",
    )
    opened_on, opened_on_precision = fuzzy_date(_("opened"))
    closed_on, closed_on_precision = fuzzy_date(_("closed"))
    outcome = models.CharField(_("outcome"), max_length=10, choices=Outcome.choices, default=Outcome.UNKNOWN)
    findings = EncryptedTextField(_("findings and reasons"), blank=True)

    date_order = (("closed_on", "opened_on"),)

    class Meta:
        verbose_name = _("investigation")
        verbose_name_plural = _("investigations")
        constraints = [
            at_least_one("allegation", "event", label="subject"),
            not_before("closed_on", "opened_on"),
        ]

    def __str__(self) -> str:
        return pseudonymous(self)

    def name_for(self, viewer: Viewer) -> str:
        """Its name, for a viewer who sees its team's identities (``habeas.accounts.identity.name_of``)."""
        return self.subject if viewer.sees_identity(self.team_id) else str(self)


class InvestigationStep(Record):
    class Kind(models.TextChoices):
        FORENSIC = "forensic", _("forensic medical examination")
        VICTIM_INTERVIEW = "victim", _("interview of the alleged victim")
        SUSPECT_INTERVIEW = "suspect", _("interview of alleged perpetrators")
        WITNESS_INTERVIEW = "witness", _("interview of witnesses")
        SCENE = "scene", _("inspection of the scene")
        RECORDS = "records", _("review of records and footage")
        DELEGATION = "delegation", _("delegation to another body")
        CHARGE = "charge", _("charges brought")

    investigation = models.ForeignKey(
        Investigation, verbose_name=_("investigation"), on_delete=models.CASCADE, related_name="steps"
    )
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    taken_on, taken_on_precision = fuzzy_date(_("taken"))
    done = models.BooleanField(
        _("done"),
        default=True,
        help_text=_("untick to record a step that was requested or expected but not taken"),
    )
    description = EncryptedTextField(_("description"), blank=True)

    class Meta:
        verbose_name = _("investigation step")
        verbose_name_plural = _("investigation steps")

    def __str__(self) -> str:
        return self.get_kind_display()


class Proceeding(Record):
    """A trial, appeal or other court proceeding."""

    class Kind(models.TextChoices):
        CRIMINAL = "criminal", _("criminal trial")
        APPEAL = "appeal", _("appeal")
        CASSATION = "cassation", _("supervisory or cassation review")
        CIVIL = "civil", _("civil claim")
        ADMINISTRATIVE = "admin", _("administrative case")

    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    title = EncryptedTextField(_("title"), max_length=300)
    court = models.ForeignKey(
        Organisation,
        verbose_name=_("court"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="proceedings",
    )
    locality = models.ForeignKey(Locality, verbose_name=_("locality"), null=True, blank=True, on_delete=models.PROTECT)
    appeal_of = models.ForeignKey(
        "self",
        verbose_name=_("appeal of"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="appeals",
    )
    event = models.ForeignKey(
        Event,
        verbose_name=_("event"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="proceedings",
    )
    defendants = models.ManyToManyField(Person, verbose_name=_("defendants"), blank=True, related_name="trials")
    defendant_group = models.ForeignKey(
        Group,
        verbose_name=_("defendants (group)"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="trials",
    )
    jury = models.BooleanField(_("jury trial"), null=True, blank=True)
    started_on, started_on_precision = fuzzy_date(_("started"))
    ended_on, ended_on_precision = fuzzy_date(_("ended"))
    torture_claims_examined = models.BooleanField(_("torture claims examined by the court"), null=True, blank=True)

    date_order = (("ended_on", "started_on"),)

    class Meta:
        verbose_name = _("proceeding")
        verbose_name_plural = _("proceedings")
        constraints = [
            not_before("ended_on", "started_on"),
            models.CheckConstraint(
                condition=Q(appeal_of__isnull=True) | ~Q(appeal_of=F("pk")),
                name="cases_proceeding_not_own_appeal",
                violation_error_message="a proceeding cannot be an appeal of itself",
            ),
        ]

    def __str__(self) -> str:
        return pseudonymous(self)

    def name_for(self, viewer: Viewer) -> str:
        """Its name, for a viewer who sees its team's identities (``habeas.accounts.identity.name_of``)."""
        return self.title if viewer.sees_identity(self.team_id) else str(self)


class Hearing(Record):
    """A sitting of a court: a person's first appearance before a judge, a hearing on their detention, a sitting
    of a trial or of an appeal. A first appearance or a detention hearing names the custody it rules on: it is
    then that custody's appearance before a judge (unless the detainee is recorded as absent)."""

    class Kind(models.TextChoices):
        FIRST_APPEARANCE = "first", _("first appearance before a judge")
        DETENTION = "detention", _("detention hearing")
        TRIAL = "trial", _("trial hearing")
        APPEAL = "appeal", _("appeal hearing")
        OTHER = "other", _("other hearing")

    zone_from = ("court.locality", "custody.apprehended_in")

    proceeding = models.ForeignKey(
        Proceeding, verbose_name=_("proceeding"), on_delete=models.CASCADE, related_name="hearings"
    )
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    held_at, held_at_precision = fuzzy_date(_("held"), with_time=True)
    court = models.ForeignKey(
        Organisation, verbose_name=_("court"), null=True, blank=True, on_delete=models.PROTECT, related_name="hearings"
    )
    judge = models.ForeignKey(
        Person,
        verbose_name=_("judge"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="hearings_judged",
    )
    custody = models.ForeignKey(
        "custody.CustodyEpisode",
        verbose_name=_("custody ruled on"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="hearings",
        help_text=_("for a first appearance or a detention hearing: the custody the judge rules on"),
    )
    detainee_present = models.BooleanField(_("the detainee was present"), null=True, blank=True)
    lawyer_present = models.BooleanField(_("a lawyer was present"), null=True, blank=True)
    outcome = models.CharField(
        _("outcome"), max_length=300, blank=True, help_text=_("e.g. detention ordered for two months")
    )

    class Meta:
        verbose_name = _("hearing")
        verbose_name_plural = _("hearings")
        constraints = [
            models.CheckConstraint(
                condition=Q(custody__isnull=True) | Q(kind__in=["first", "detention"]),
                name="cases_hearing_custody_needs_appearance",
                violation_error_message="only a first appearance or a detention hearing rules on a custody",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}, {self.date_text('held_at')}" if self.held_at else self.get_kind_display()

    def clean(self) -> None:
        super().clean()
        custody = self.custody
        if custody is not None and self.kind not in APPEARANCES:
            raise ValidationError(
                {"custody": _("only a first appearance or a detention hearing rules on a custody: leave it empty")}
            )
        if custody is not None and self.held_at is not None and custody.apprehended_at is not None:
            apprehended = interval(custody.apprehended_at, custody.apprehended_at_precision)[0]
            if interval(self.held_at, self.held_at_precision)[1] < apprehended:
                raise ValidationError({"held_at": _("the hearing cannot be before the apprehension")})


#: the kinds of hearing at which a detainee is brought before a judge who rules on their detention
APPEARANCES = (Hearing.Kind.FIRST_APPEARANCE, Hearing.Kind.DETENTION)


class Charge(Record):
    proceeding = models.ForeignKey(
        Proceeding, verbose_name=_("proceeding"), on_delete=models.CASCADE, related_name="charges"
    )
    defendant = models.ForeignKey(Person, verbose_name=_("defendant"), null=True, blank=True, on_delete=models.PROTECT)
    defendant_group = models.ForeignKey(
        Group, verbose_name=_("defendants (group)"), null=True, blank=True, on_delete=models.PROTECT
    )

    class Qualification(models.TextChoices):
        TORTURE = "torture", _("torture")
        ILL_TREATMENT = "ill_treatment", _("cruel, inhuman or degrading treatment")
        ABUSE_OF_OFFICE = "abuse", _("abuse of office or power")
        EXCESS_OF_POWER = "excess", _("excess of authority or power")
        NEGLIGENCE = "negligence", _("negligence")
        BODILY_HARM = "harm", _("bodily harm, assault or battery")
        HOMICIDE = "homicide", _("homicide or manslaughter")
        OTHER = "other", _("other")

    offence = models.CharField(_("offence"), max_length=300)
    article = models.CharField(_("article of the code"), max_length=100, blank=True)
    qualification = models.CharField(
        _("legal qualification"),
        max_length=14,
        choices=Qualification.choices,
        blank=True,
        help_text=_("how the charge qualifies the acts, e.g. torture (art. 146) or abuse of office"),
    )
    allegation = models.ForeignKey(
        Allegation,
        verbose_name=_("for the acts alleged in"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="charges",
        help_text=_("when an official is charged for the ill-treatment alleged"),
    )
    charged_on, charged_on_precision = fuzzy_date(_("charged"))

    class Meta:
        verbose_name = _("charge")
        verbose_name_plural = _("charges")
        constraints = [exactly_one("defendant", "defendant_group", label="defendant")]

    def __str__(self) -> str:
        return self.offence


class Verdict(Record):
    """A court's decision on one defendant (or a group of defendants)."""

    class Outcome(models.TextChoices):
        CONVICTED = "convicted", _("convicted")
        ACQUITTED = "acquitted", _("acquitted")
        APPEAL_DISMISSED = "dismissed", _("appeal dismissed")
        SENTENCE_REDUCED = "reduced", _("sentence reduced on appeal")
        SENTENCE_INCREASED = "increased", _("sentence increased on appeal")
        QUASHED = "quashed", _("conviction quashed")
        DISCONTINUED = "discontinued", _("case discontinued")

    proceeding = models.ForeignKey(
        Proceeding, verbose_name=_("proceeding"), on_delete=models.CASCADE, related_name="verdicts"
    )
    defendant = models.ForeignKey(
        Person,
        verbose_name=_("defendant"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="verdicts",
    )
    defendant_group = models.ForeignKey(
        Group,
        verbose_name=_("defendants (group)"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="verdicts",
    )
    outcome = models.CharField(_("outcome"), max_length=12, choices=Outcome.choices)
    decided_on, decided_on_precision = fuzzy_date(_("decided"))
    reasons = EncryptedTextField(_("reasons"), blank=True)

    class Meta:
        verbose_name = _("verdict")
        verbose_name_plural = _("verdicts")
        constraints = [exactly_one("defendant", "defendant_group", label="defendant")]

    def __str__(self) -> str:
        return f"{self.get_outcome_display()}: {self.defendant or self.defendant_group}"


class Sentence(Record):
    """A sentence; it always belongs to a verdict."""

    class Kind(models.TextChoices):
        IMPRISONMENT = "prison", _("imprisonment")
        LIFE = "life", _("life imprisonment")
        RESTRICTION = "restriction", _("restriction of liberty")
        FINE = "fine", _("fine")
        SUSPENDED = "suspended", _("suspended sentence")
        DEATH = "death", _("death penalty")

    verdict = models.ForeignKey(Verdict, verbose_name=_("verdict"), on_delete=models.CASCADE, related_name="sentences")
    kind = models.CharField(_("kind"), max_length=12, choices=Kind.choices)
    months = models.PositiveIntegerField(_("term in months"), null=True, blank=True)
    months_max = models.PositiveIntegerField(
        _("longest term in months"),
        null=True,
        blank=True,
        help_text=_("for a group sentenced to a range of terms"),
    )
    regime = models.CharField(_("regime"), max_length=100, blank=True)
    fine_amount = models.DecimalField(
        _("fine"), max_digits=16, decimal_places=2, null=True, blank=True, validators=[MinValueValidator(0)]
    )
    currency = models.CharField(_("currency"), max_length=3, blank=True, help_text=_("ISO 4217 code, e.g. KZT"))
    release_due_on, release_due_on_precision = fuzzy_date(_("release due"))

    class Meta:
        verbose_name = _("sentence")
        verbose_name_plural = _("sentences")
        constraints = [
            models.CheckConstraint(
                condition=Q(months_max__isnull=True) | Q(months__isnull=False, months_max__gte=F("months")),
                name="cases_sentence_range_in_order",
                violation_error_message="the longest term must not be shorter than the term",
            ),
            models.CheckConstraint(
                condition=~Q(kind="life") | Q(months__isnull=True),
                name="cases_sentence_life_has_no_term",
                violation_error_message="a life sentence has no term in months",
            ),
            models.CheckConstraint(
                condition=Q(fine_amount__isnull=True) | ~Q(currency=""),
                name="cases_sentence_fine_has_currency",
                violation_error_message="a fine needs its currency",
            ),
        ]

    def __str__(self) -> str:
        if self.kind == self.Kind.LIFE or self.months is None:
            return self.get_kind_display()
        if self.months_max:
            return ngettext(
                "%(kind)s, %(low)s–%(high)s month", "%(kind)s, %(low)s–%(high)s months", self.months_max
            ) % {"kind": self.get_kind_display(), "low": self.months, "high": self.months_max}
        return ngettext("%(kind)s, %(n)s month", "%(kind)s, %(n)s months", self.months) % {
            "kind": self.get_kind_display(),
            "n": self.months,
        }


class Reparation(Record):
    """Compensation or other reparation ordered, and whether it was paid."""

    class Kind(models.TextChoices):
        COMPENSATION = "compensation", _("compensation for material damage")
        MORAL_DAMAGES = "moral", _("moral damages")
        REHABILITATION = "rehabilitation", _("rehabilitation")
        RESTITUTION = "restitution", _("restitution")
        SATISFACTION = "satisfaction", _("satisfaction or apology")

    class Status(models.TextChoices):
        UNPAID = "unpaid", _("not paid")
        PARTLY = "partly", _("partly paid")
        PAID = "paid", _("paid")
        DENIED = "denied", _("refused, or none given")
        UNKNOWN = "unknown", _("not known")

    allegation = models.ForeignKey(
        Allegation,
        verbose_name=_("allegation"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="reparations",
    )
    verdict = models.ForeignKey(
        Verdict,
        verbose_name=_("ordered in verdict"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="reparations",
    )
    beneficiary = models.ForeignKey(
        Person,
        verbose_name=_("beneficiary"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="reparations",
    )
    beneficiary_text = EncryptedTextField(_("beneficiary (as described)"), max_length=200, blank=True)
    payer = models.ForeignKey(
        Person,
        verbose_name=_("to be paid by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="reparations_owed",
    )
    payer_organisation = models.ForeignKey(
        Organisation,
        verbose_name=_("to be paid by (organisation)"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="reparations_owed",
    )
    ordered_by = models.ForeignKey(
        Organisation,
        verbose_name=_("ordered by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="reparations_ordered",
    )
    kind = models.CharField(_("kind"), max_length=14, choices=Kind.choices)
    ordered_on, ordered_on_precision = fuzzy_date(_("ordered"))
    amount = models.DecimalField(
        _("amount"), max_digits=16, decimal_places=2, null=True, blank=True, validators=[MinValueValidator(0)]
    )
    currency = models.CharField(_("currency"), max_length=3, blank=True, help_text=_("ISO 4217 code, e.g. KZT"))
    due_on, due_on_precision = fuzzy_date(_("due"))
    status = models.CharField(_("payment"), max_length=8, choices=Status.choices, default=Status.UNKNOWN)
    status_on, status_on_precision = fuzzy_date(_("payment status as of"))
    paid_on, paid_on_precision = fuzzy_date(_("paid"))
    amount_paid = models.DecimalField(
        _("amount paid"),
        max_digits=16,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(0)],
    )

    date_order = (("paid_on", "ordered_on"), ("due_on", "ordered_on"), ("status_on", "ordered_on"))

    class Meta:
        verbose_name = _("reparation")
        verbose_name_plural = _("reparations")
        constraints = [
            not_negative("amount"),
            not_negative("amount_paid"),
            not_before("paid_on", "ordered_on"),
            not_before("due_on", "ordered_on"),
            not_before("status_on", "ordered_on"),
            models.CheckConstraint(
                condition=Q(amount__isnull=True) | ~Q(currency=""),
                name="cases_reparation_amount_has_currency",
                violation_error_message="an amount needs its currency",
            ),
            models.CheckConstraint(
                condition=~Q(status="unpaid") | Q(paid_on__isnull=True),
                name="cases_reparation_unpaid_has_no_payment_date",
                violation_error_message="an unpaid reparation has no payment date",
            ),
            models.CheckConstraint(
                condition=~Q(status="denied") | Q(paid_on__isnull=True, amount_paid__isnull=True),
                name="cases_reparation_denied_has_no_payment",
                violation_error_message="a reparation refused or never given has no payment date or amount paid",
            ),
        ]

    def __str__(self) -> str:
        amount = f" {self.amount:,.0f} {self.currency}" if self.amount is not None else ""
        return f"{self.get_kind_display()}{amount} ({self.get_status_display()})"


class TortureClaimRuling(Record):
    """How a court handled a claim of torture or ill-treatment raised before it: whether it examined the claim, and
    whether it excluded or relied on the evidence said to have been obtained by it."""

    proceeding = models.ForeignKey(
        Proceeding, verbose_name=_("proceeding"), on_delete=models.CASCADE, related_name="torture_claim_rulings"
    )
    allegation = models.ForeignKey(
        Allegation,
        verbose_name=_("allegation raised"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="court_rulings",
    )
    statement = models.ForeignKey(
        Statement,
        verbose_name=_("statement said to be coerced"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="court_rulings",
    )
    raised_by = models.ForeignKey(
        Person, verbose_name=_("raised by"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    raised_on, raised_on_precision = fuzzy_date(_("raised"))
    examined = models.BooleanField(
        _("the court examined the claim"),
        null=True,
        blank=True,
        help_text=_("'no' when the court dismissed or ignored it without having it checked"),
    )
    referred_for_investigation = models.BooleanField(_("referred for investigation"), null=True, blank=True)
    evidence_excluded = models.BooleanField(_("the contested evidence was excluded"), null=True, blank=True)
    evidence_relied_on = models.BooleanField(_("the court relied on the contested evidence"), null=True, blank=True)
    decided_on, decided_on_precision = fuzzy_date(_("decided"))
    reasons = EncryptedTextField(_("the court's reasons"), blank=True)

    date_order = (("decided_on", "raised_on"),)

    class Meta:
        verbose_name = _("court's handling of a torture claim")
        verbose_name_plural = _("courts' handling of torture claims")
        constraints = [
            not_before("decided_on", "raised_on"),
            models.CheckConstraint(
                condition=~Q(evidence_excluded=True, evidence_relied_on=True),
                name="cases_ruling_excluded_or_relied_on",
                violation_error_message="the contested evidence cannot be both excluded and relied on",
            ),
        ]

    def __str__(self) -> str:
        return f"torture claim before {self.proceeding}"


class Intimidation(Record):
    """Intimidation of, or reprisal against, a complainant, witness, relative or lawyer: who, by whom, when, what,
    and in connection with which complaint, communication or monitoring visit."""

    class Role(models.TextChoices):
        COMPLAINANT = "complainant", _("complainant or alleged victim")
        WITNESS = "witness", _("witness")
        RELATIVE = "relative", _("relative")
        LAWYER = "lawyer", _("lawyer")
        INTERVIEWEE = "interviewee", _("person who spoke to monitors")
        OTHER = "other", _("other")

    class Kind(models.TextChoices):
        THREATS = "threats", _("threats")
        VIOLENCE = "violence", _("violence")
        DETENTION = "detention", _("detention or arrest")
        CHARGES = "charges", _("criminal or administrative charges, e.g. false denunciation")
        PRESSURE_WITHDRAW = "withdraw", _("pressure to withdraw a complaint or communication")
        SANCTION = "sanction", _("disciplinary sanction, transfer or loss of privileges")
        SURVEILLANCE = "surveillance", _("surveillance, searches or summons")
        OTHER = "other", _("other")

    class Forum(models.TextChoices):
        DOMESTIC = "domestic", _("a national authority or court")
        CAT = "cat", _("the Committee against Torture")
        HRC = "hrc", _("the Human Rights Committee")
        ECTHR = "ecthr", _("the European Court of Human Rights")
        MONITORS = "monitors", _("monitors or a preventive mechanism")
        OTHER_INTERNATIONAL = "intl", _("another international body")

    target = models.ForeignKey(
        Person, verbose_name=_("person targeted"), on_delete=models.PROTECT, related_name="intimidations_suffered"
    )
    role = models.CharField(_("targeted as"), max_length=12, choices=Role.choices)
    kind = models.CharField(_("what was done"), max_length=12, choices=Kind.choices)
    by_organisation = models.ForeignKey(
        Organisation,
        verbose_name=_("by (agency)"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="intimidations",
    )
    by_person = models.ForeignKey(
        Person, verbose_name=_("by (person)"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    by_officials = models.BooleanField(
        _("by officials or with their consent"), null=True, blank=True, help_text=_("empty when no source says")
    )
    happened_on, happened_on_precision = fuzzy_date(_("happened"))
    description = EncryptedTextField(_("what happened"), blank=True)
    forum = models.CharField(_("in connection with a complaint to"), max_length=10, choices=Forum.choices)
    complaint = models.ForeignKey(
        Complaint,
        verbose_name=_("complaint"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="intimidations",
    )
    allegation = models.ForeignKey(
        Allegation,
        verbose_name=_("allegation"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="intimidations",
    )
    visit = models.ForeignKey(
        "monitoring.Visit",
        verbose_name=_("monitoring visit"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="reprisals",
    )
    communication = models.CharField(
        _("communication number"), max_length=60, blank=True, help_text=_("e.g. CAT/C/… or application no. …")
    )
    established = models.BooleanField(
        _("found established"),
        null=True,
        blank=True,
        help_text=_("a court, the authorities or an international body found that it happened"),
    )
    complaint_withdrawn = models.BooleanField(_("the complaint was withdrawn after it"), null=True, blank=True)

    class Meta:
        verbose_name = _("intimidation or reprisal")
        verbose_name_plural = _("intimidation and reprisals")
        constraints = [
            models.CheckConstraint(
                condition=~Q(forum="monitors") | Q(visit__isnull=False) | Q(role="interviewee"),
                name="cases_intimidation_monitors_have_visit",
                violation_error_message="a reprisal for speaking to monitors needs the visit or 'person who spoke to "
                "monitors'",
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: {self.target}"


class AggregateFigure(Record):
    """A figure in aggregate for a period and an authority, as one source states it: 30 complaints received,
    4 criminal cases opened, 3 officials fined. Sources disagree, so each figure stands alone."""

    class Measure(models.TextChoices):
        COMPLAINTS = "complaints", _("complaints of torture or ill-treatment received")
        COMPLAINTS_REFUSED = "refused", _("complaints refused or dismissed")
        CHECKS = "checks", _("preliminary checks")
        CASES_OPENED = "cases", _("criminal cases opened")
        CASES_CLOSED = "closed", _("criminal cases closed without charges")
        CASES_TO_COURT = "to_court", _("cases sent to court")
        CONVICTED = "convicted", _("officials convicted")
        IMPRISONED = "imprisoned", _("officials sentenced to imprisonment")
        SUSPENDED = "suspended", _("officials given suspended sentences")
        FINED = "fined", _("officials fined")
        ACQUITTED = "acquitted", _("officials acquitted")
        DISCIPLINED = "disciplined", _("officials disciplined")
        DEATHS = "deaths", _("deaths in custody")
        COMPENSATED = "compensated", _("victims compensated")
        OTHER = "other", _("other")

    measure = models.CharField(_("what is counted"), max_length=12, choices=Measure.choices)
    measure_as_stated = models.CharField(_("as the source words it"), max_length=300, blank=True)
    value = models.PositiveIntegerField(_("number"))
    qualifier = models.CharField(
        _("number is"), max_length=10, choices=Group.Qualifier.choices, default=Group.Qualifier.EXACT
    )
    period_from, period_from_precision = fuzzy_date(_("period from"))
    period_until, period_until_precision = fuzzy_date(_("period until"))
    authority = models.ForeignKey(
        Organisation,
        verbose_name=_("authority"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="aggregate_figures",
        help_text=_("the authority whose work is counted"),
    )
    locality = models.ForeignKey(
        Locality, verbose_name=_("country or region"), null=True, blank=True, on_delete=models.PROTECT
    )
    source = models.ForeignKey(
        "evidence.Source", verbose_name=_("source"), on_delete=models.PROTECT, related_name="aggregate_figures"
    )

    date_order = (("period_until", "period_from"),)

    class Meta:
        verbose_name = _("figure in aggregate")
        verbose_name_plural = _("figures in aggregate")
        ordering = ["period_from", "measure"]
        constraints = [
            not_before("period_until", "period_from"),
            models.CheckConstraint(
                condition=Q(period_from__isnull=False) | Q(period_until__isnull=False),
                name="cases_aggregatefigure_has_period",
                violation_error_message="a figure in aggregate needs its period: give period from or period until",
            ),
            models.CheckConstraint(
                condition=Q(authority__isnull=False) | Q(locality__isnull=False),
                name="cases_aggregatefigure_has_scope",
                violation_error_message="a figure in aggregate needs the authority or the country or region it covers",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.value} {self.get_measure_display()} ({self.authority or self.locality})"


class IntakeDraft(models.Model):
    """An allegation being recorded step by step (the intake form), saved at every step. It holds names and
    testimony as typed, so its data is encrypted at rest as one JSON document. A draft is its author's alone."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("author"), on_delete=models.CASCADE, related_name="intake_drafts"
    )
    team = models.ForeignKey(
        "accounts.Team",
        verbose_name=_("team"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="+",
        help_text=_("the team the records will belong to"),
    )
    step = models.PositiveSmallIntegerField(_("steps completed"), default=0)
    data = EncryptedJSONField(_("what was typed, by step"), default=dict, blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        verbose_name = _("intake draft")
        verbose_name_plural = _("intake drafts")
        ordering = ["-updated_at", "-pk"]

    def __str__(self) -> str:
        return f"intake draft #{self.pk}"
