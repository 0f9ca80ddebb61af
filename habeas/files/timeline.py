"""The timeline of a person's or a group's file: every record that concerns them, in date order, each with the
sources cited for it and the findings of the standards engine beside it.

One query finds the kinds of record the file has (a file has records of a few of its sixteen kinds), each of
these is read with one query (related rows joined or prefetched), the citations of all of them with one more
and their findings with one more, so that the number of queries does not grow with the number of records.
Protected text (notes, summaries, reasons) is left out for a record whose identities are hidden from the user
(``Viewer.sees_identity``); names are printed through ``identity.name_of``, which gives a
pseudonym for such a record, and a person of a team the user cannot see is never named.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from operator import attrgetter
from typing import Any, TypeVar

from django.contrib.contenttypes.models import ContentType
from django.db.models import Model, Prefetch, Q, Value
from django.utils.translation import gettext_lazy as _
from django_stubs_ext import StrOrPromise

from habeas.accounts import access
from habeas.accounts.identity import name_of
from habeas.accounts.viewer import Viewer
from habeas.cases.models import (
    Allegation,
    Charge,
    Complaint,
    Disclosure,
    Hearing,
    Intimidation,
    Investigation,
    InvestigationStep,
    Perpetrator,
    Proceeding,
    Reparation,
    Sentence,
    Statement,
    TortureClaimRuling,
    Verdict,
)
from habeas.custody.models import (
    CustodyEpisode,
    CustodyStage,
    Death,
    DeathCause,
    Extension,
    FamilyContact,
    FamilyNews,
    MedicalExamination,
    Notification,
    Placement,
    RestrictiveMeasure,
    Transfer,
)
from habeas.evidence.models import Citation, Source
from habeas.registry.models import Group, Locality, Person, Place
from habeas.standards.finding_view import FindingView, finding_views
from habeas.standards.geo import geodesic_km
from habeas.standards.models import Finding
from habeas.standards.visibility import findings_visible

CUSTODY = "custody"
ACCOUNTABILITY = "accountability"
#: the timeline's filter: its value in the query string and its label
KINDS: list[tuple[str, StrOrPromise]] = [
    ("all", _("everything")),
    (CUSTODY, _("custody")),
    (ACCOUNTABILITY, _("accountability")),
]

Ref = tuple[str, int]


@dataclass
class Cite:
    """A source cited for a record (or one of its fields), with where in it to look."""

    source: str
    locator: str
    field: str = ""
    note: str = ""


@dataclass
class Entry:
    """One line of the timeline (or a line within one: an extension, a step, a sentence). ``main`` entries
    receive their record's findings and the citations of the whole record; the others, only the citations of
    their own date field."""

    record: Model
    date_field: str | None
    kind: str
    label: StrOrPromise
    title: str = ""
    details: list[tuple[StrOrPromise, str]] = field(default_factory=list)
    text: list[tuple[StrOrPromise, str]] = field(default_factory=list)
    place: Place | None = None
    person: Person | None = None
    subs: list[Entry] = field(default_factory=list)
    main: bool = True
    sources: list[Cite] = field(default_factory=list)
    findings: list[FindingView] = field(default_factory=list)

    @property
    def ref(self) -> Ref:
        return (self.record._meta.label_lower, self.record.pk)

    @property
    def moment(self) -> dt.datetime | None:
        value = getattr(self.record, self.date_field) if self.date_field else None
        if value is None:
            return None
        if isinstance(value, dt.datetime):
            return value if value.tzinfo else value.replace(tzinfo=dt.UTC)
        return dt.datetime(value.year, value.month, value.day, tzinfo=dt.UTC)

    @property
    def anchor(self) -> str:
        """The element id of the entry in the page, for links to it."""
        suffix = f"-{self.date_field}" if not self.main and self.date_field else ""
        return f"{self.record._meta.model_name}-{self.record.pk}{suffix}"

    @property
    def breach(self) -> bool:
        return any(f.status == Finding.Status.BREACH for f in self.findings)


@dataclass
class Timeline:
    """The dated entries in order, then those whose date is not known; findings that concern the subject
    itself (a death in custody), and the number of entries of each kind."""

    dated: list[Entry]
    undated: list[Entry]
    own_findings: list[FindingView]
    kind: str

    @property
    def entries(self) -> list[Entry]:
        return self.dated + self.undated

    @property
    def findings_count(self) -> int:
        return sum(len(e.findings) for e in self.entries) + len(self.own_findings)


def label_of(record: Model, name: str) -> str:
    return str(getattr(record._meta.get_field(name), "verbose_name", name))


def yes_no(value: bool | None) -> str:
    return "" if value is None else str(_("yes") if value else _("no"))


M = TypeVar("M", bound=Model)

#: records whose name is protected: shown through ``Reader.name``
NAMED: tuple[type[Model], ...] = (Person, Group, Proceeding, Investigation)
Facts = list[tuple[StrOrPromise, str]]


class Reader:
    """Reads the records of one file for one user, and says what they may see of them."""

    def __init__(self, viewer: Viewer, *, home: Locality | None = None) -> None:
        self.viewer = viewer
        self.home = home
        self.superuser = viewer.superuser
        self.teams = set(viewer.roles)

    def visible(self, model: type[Any]) -> Any:
        return access.visible(model, self.viewer)

    def seen(self, record: Any) -> bool:
        """Whether the user may see the record (and so follow a link to it)."""
        return record is not None and (self.superuser or record.team_id in self.teams)

    def shown(self, record: Any) -> bool:
        """Whether the record's protected text may be shown."""
        return self.viewer.sees_identity(record.team_id)

    def name(self, record: Any) -> str:
        """How a person, a group or another record that names people is called (a pseudonym for an analyst
        without identities), if the user may see it; a record of a team the user cannot see is not named."""
        if record is None:
            return ""
        return name_of(record, self.viewer) if self.seen(record) else str(_("a record of another team"))

    def facts(self, record: Any, *names: str) -> Facts:
        """(label, value) of each field that has a value, as a person reads it: a choice by its name, a date at
        its precision, yes or no, a person or a group by the name the user may see."""
        out: Facts = []
        for name in names:
            value = getattr(record, name)
            if value is None or value == "":
                continue
            if getattr(record._meta.get_field(name), "choices", None):
                text = str(getattr(record, f"get_{name}_display")())
            elif isinstance(value, NAMED):
                text = self.name(value)
            elif isinstance(value, bool):
                text = yes_no(value)
            elif isinstance(value, dt.date) and hasattr(record, f"{name}_precision"):
                text = record.date_text(name)
            else:
                text = str(value)
            out.append((label_of(record, name), text))
        return out

    def text(self, record: Any, *names: str) -> Facts:
        """Protected free text of the record (and its notes), unless its identities are hidden."""
        if not self.shown(record):
            return []
        return [(label_of(record, n), getattr(record, n)) for n in (*names, "notes") if getattr(record, n)]

    def distance(self, place: Place | None) -> Facts:
        """The distance from the home locality to the place, computed from the gazetteer's coordinates."""
        there, home = (place.locality if place else None), self.home
        if there is None or home is None or there.latitude is None or home.latitude is None:
            return []
        km = geodesic_km(home.latitude, home.longitude, there.latitude, there.longitude)  # type: ignore[arg-type]
        return [(_("distance from home, computed (km)"), f"{km:,.0f}")]

    def entry(
        self,
        record: Any,
        dates: tuple[str, ...],
        kind: str,
        label: StrOrPromise,
        *,
        facts: tuple[str, ...] = (),
        text: tuple[str, ...] = (),
        more: Sequence[tuple[StrOrPromise, str]] = (),
        **extra: Any,
    ) -> Entry:
        """An entry dated by the first of ``dates`` that is known, with the facts of the other fields named
        and the protected text of those in ``text``."""
        date_field = next((d for d in dates if getattr(record, d) is not None), dates[0] if dates else None)
        shown = self.facts(record, *(name for name in facts if name != date_field)) + list(more)
        return Entry(record, date_field, kind, label, details=shown, text=self.text(record, *text), **extra)


# ---------------------------------------------------------------------------------------------------------------
# One function per kind of record: the entries it gives
# ---------------------------------------------------------------------------------------------------------------


def episodes(reader: Reader, rows: Iterable[CustodyEpisode], *, named: bool = False) -> Iterator[Entry]:
    """A custody episode: one entry for each of its known moments (apprehension, registration, first appearance
    before a judge, release), or one undated entry when none is known. The first carries the episode's facts,
    sources and findings."""
    moments = [
        ("apprehended_at", _("Apprehended")),
        ("registered_at", _("Custody registered")),
        ("first_judge_at", _("Brought before a judge")),
        ("released_at", _("Released")),
    ]
    facts = (
        "status",
        "apprehended_in",
        "apprehended_by",
        "incommunicado",
        *SAFEGUARD_FACTS,
    )
    for episode in rows:
        who = reader.name(episode.person) if named else ""
        person = episode.person if named else None
        known = [(name, label) for name, label in moments if getattr(episode, name) is not None]
        if not known:
            yield reader.entry(episode, (), CUSTODY, _("In custody"), facts=facts, title=who, person=person)
        for index, (name, label) in enumerate(known):
            chosen = (*(facts if index == 0 else ()), *(("release_reason",) if name == "released_at" else ()))
            yield reader.entry(
                episode, (name,), CUSTODY, label, facts=chosen, title=who, person=person, main=index == 0
            )


#: the safeguards at apprehension shown with a custody episode, when a source states them
SAFEGUARD_FACTS = (
    "registered",
    "reasons_told",
    "reasons_told_at",
    "lawyer_requested",
    "lawyer_requested_at",
    "lawyer_granted",
    "lawyer_granted_at",
    "doctor_requested",
    "doctor_examined",
    "doctor_examined_at",
)


def stages(reader: Reader, rows: Iterable[CustodyStage]) -> Iterator[Entry]:
    for stage in rows:
        yield reader.entry(
            stage,
            ("started_at",),
            CUSTODY,
            _("Held under: %(basis)s") % {"basis": stage.get_basis_display()},
            facts=("legal_provision", "ordered_by", "ended_at"),
        )


def deaths(reader: Reader, rows: Iterable[Death]) -> Iterator[Entry]:
    """A custody that ended in death, with the cause as each source states it, side by side."""
    for death in rows:
        accounts = [
            (
                _("cause, as %(who)s states it") % {"who": cause.stated_by},
                f"{cause.get_kind_display()}: {cause.cause_as_stated}"
                if cause.cause_as_stated and reader.shown(death)
                else cause.get_kind_display(),
            )
            for cause in death.causes.all()
        ]
        yield reader.entry(
            death,
            ("died_at",),
            CUSTODY,
            _("Died in custody"),
            title=death.place.name if death.place else "",
            facts=("locality", "investigated", "investigation", "autopsy", "autopsy_independent"),
            text=("circumstances",),
            more=accounts,
        )


def intimidations(reader: Reader, rows: Iterable[Intimidation]) -> Iterator[Entry]:
    for intimidation in rows:
        yield reader.entry(
            intimidation,
            ("happened_on",),
            ACCOUNTABILITY,
            _("Intimidation or reprisal: %(kind)s") % {"kind": intimidation.get_kind_display()},
            title=reader.name(intimidation.target),
            facts=(
                "role",
                "by_organisation",
                "by_person",
                "by_officials",
                "forum",
                "communication",
                "established",
                "complaint_withdrawn",
            ),
            text=("description",),
        )


def rulings(reader: Reader, rows: Iterable[TortureClaimRuling]) -> Iterator[Entry]:
    for ruling in rows:
        yield reader.entry(
            ruling,
            ("raised_on", "decided_on"),
            ACCOUNTABILITY,
            _("Torture claim before the court"),
            title=reader.name(ruling.proceeding),
            facts=(
                "raised_by",
                "examined",
                "referred_for_investigation",
                "evidence_excluded",
                "evidence_relied_on",
                "decided_on",
            ),
            text=("reasons",),
        )


def transfers(reader: Reader, rows: Iterable[Transfer]) -> Iterator[Entry]:
    for transfer in rows:
        origin = str(transfer.from_place) if transfer.from_place else str(_("a place not known"))
        yield reader.entry(
            transfer,
            ("departed_on", "arrived_on"),
            CUSTODY,
            _("Transferred"),
            title=str(_("from %(origin)s to %(destination)s") % {"origin": origin, "destination": transfer.to_place}),
            place=transfer.to_place,
            facts=("arrived_on", "reason", "stated_distance_km"),
            more=reader.distance(transfer.to_place),
        )


def placements(reader: Reader, rows: Iterable[Placement]) -> Iterator[Entry]:
    for placement in rows:
        yield reader.entry(
            placement,
            ("started_on",),
            CUSTODY,
            _("Placed"),
            title=str(placement.place),
            place=placement.place,
            facts=("ended_on", "reason", "stated_distance_km"),
            more=reader.distance(placement.place),
        )


def measures(reader: Reader, rows: Iterable[RestrictiveMeasure]) -> Iterator[Entry]:
    facts = (
        *("imposed_on", "ended_on", "imposed_by", "disciplinary", "planned_days", "open_ended", "min_days"),
        *("duration_as_stated", "hours_confined_per_day", "meaningful_contact", "family_contact_banned"),
        *("by_sentence", "independent_review", "legal_basis"),
    )
    for measure in rows:
        extensions = [
            reader.entry(
                extension,
                ("extended_on",),
                CUSTODY,
                _("Extended"),
                facts=("added_days", "approved_by", "prosecutor_approved"),
            )
            for extension in measure.extensions.all()
        ]
        yield reader.entry(
            measure,
            ("started_on", "imposed_on"),
            CUSTODY,
            measure.get_kind_display(),
            title=measure.name_used,
            place=measure.place,
            facts=facts,
            text=("reasons", "conditions"),
            subs=extensions,
        )


def contacts(reader: Reader, rows: Iterable[FamilyContact]) -> Iterator[Entry]:
    for contact in rows:
        relative = reader.name(contact.relative) or str(_("family"))
        yield reader.entry(
            contact,
            ("started_on",),
            CUSTODY,
            _("Family contact: %(kind)s") % {"kind": contact.get_kind_display()},
            title=f"{relative} — {contact.frequency_text()}",
            facts=("allowed", "minutes", "supervised", "ended_on"),
            text=("conditions",),
        )


def notifications(reader: Reader, rows: Iterable[Notification]) -> Iterator[Entry]:
    for notification in rows:
        never = (
            [] if notification.informed_on else [(label_of(notification, "informed_on"), str(_("never, or not known")))]
        )
        yield reader.entry(
            notification,
            ("occurred_on",),
            CUSTODY,
            _("Notification of %(about)s") % {"about": notification.get_about_display()},
            title=reader.name(notification.party) or str(_("family")),
            facts=("informed_on", "by_authorities"),
            more=never,
        )


def family_news(reader: Reader, rows: Iterable[FamilyNews]) -> Iterator[Entry]:
    for news in rows:
        yield reader.entry(
            news,
            ("known_on",),
            CUSTODY,
            _("News of a relative: %(kind)s") % {"kind": news.get_kind_display()},
            title=reader.name(news.relative),
            facts=("told_on", "leave_requested", "leave_granted"),
            text=("leave_refusal_reason",),
        )


def examinations(reader: Reader, rows: Iterable[MedicalExamination]) -> Iterator[Entry]:
    for exam in rows:
        yield reader.entry(
            exam,
            ("requested_on", "performed_on"),
            CUSTODY,
            _("Medical examination"),
            title=exam.get_kind_display(),
            facts=("performed", "performed_on", "examiner", "examiner_independent", "injuries_recorded"),
            text=("findings",),
        )


def allegations(reader: Reader, rows: Iterable[Allegation], *, named: bool = False) -> Iterator[Entry]:
    for allegation in rows:
        shown = reader.shown(allegation)
        perpetrators = "; ".join(
            ", ".join(
                part
                for part in (reader.name(p.person), str(p.organisation or ""), p.description if shown else "")
                if part
            )
            for p in allegation.perpetrators.all()
        )
        methods = ", ".join(str(m) for m in allegation.methods.all())
        disclosures = [
            reader.entry(
                disclosure,
                ("disclosed_on",),
                ACCOUNTABILITY,
                _("Raised before %(audience)s") % {"audience": disclosure.get_audience_display()},
                title=reader.name(disclosure.proceeding) or str(disclosure.recipient or ""),
                facts=("under_oath",),
            )
            for disclosure in allegation.disclosures.all()
        ]
        victim = reader.name(allegation.victim) if named and allegation.victim else ""
        yield reader.entry(
            allegation,
            ("happened_on",),
            ACCOUNTABILITY,
            _("Allegation: %(kind)s") % {"kind": allegation.get_kind_display()},
            title=", ".join(part for part in (victim, allegation.circumstances) if part),
            place=allegation.place,
            facts=("happened_until", "locality", "purpose", "risk_of_reprisal"),
            more=[
                (label, value) for label, value in ((_("methods"), methods), (_("perpetrators"), perpetrators)) if value
            ],
            text=("summary", "injuries"),
            subs=disclosures,
        )


def statements(reader: Reader, rows: Iterable[Statement]) -> Iterator[Entry]:
    for statement in rows:
        yield reader.entry(
            statement,
            ("given_on",),
            ACCOUNTABILITY,
            statement.get_kind_display(),
            title=reader.name(statement.used_in),
            facts=("obtained_by", "retracted", "retracted_on"),
            text=("text", "retraction_reason"),
        )


def complaints(reader: Reader, rows: Iterable[Complaint]) -> Iterator[Entry]:
    for complaint in rows:
        yield reader.entry(
            complaint,
            ("lodged_on",),
            ACCOUNTABILITY,
            _("Complaint"),
            title=str(complaint.lodged_with or ""),
            facts=("complainant", "complainant_group", "outcome", "decided_by", "decided_on", "in_proceeding"),
            text=("reasons",),
        )


def investigations(reader: Reader, rows: Iterable[Investigation]) -> Iterator[Entry]:
    for investigation in rows:
        steps = [
            reader.entry(
                step,
                ("taken_on",),
                ACCOUNTABILITY,
                step.get_kind_display(),
                title="" if step.done else str(_("not taken")),
                text=("description",),
            )
            for step in investigation.steps.all()
        ]
        yield reader.entry(
            investigation,
            ("opened_on",),
            ACCOUNTABILITY,
            investigation.get_kind_display(),
            title=reader.name(investigation),
            facts=("body", "assigned_by", "ordered_by", "outcome", "closed_on"),
            text=("findings",),
            subs=steps,
        )


def proceedings(reader: Reader, rows: Iterable[Proceeding], charges: Iterable[Charge]) -> Iterator[Entry]:
    """Proceedings, each with the charges brought in it; charges of a proceeding not listed stand alone."""
    by_proceeding: dict[int, list[Entry]] = defaultdict(list)
    for charge in charges:
        by_proceeding[charge.proceeding_id].append(
            reader.entry(
                charge, ("charged_on",), ACCOUNTABILITY, _("Charged"), title=charge.offence, facts=("article",)
            )
        )
    for proceeding in rows:
        yield reader.entry(
            proceeding,
            ("started_on", "ended_on"),
            ACCOUNTABILITY,
            proceeding.get_kind_display(),
            title=reader.name(proceeding),
            facts=("court", "locality", "appeal_of", "jury", "started_on", "ended_on", "torture_claims_examined"),
            subs=by_proceeding.pop(proceeding.pk, []),
        )
    for entries in by_proceeding.values():
        yield from entries


def hearings(reader: Reader, rows: Iterable[Hearing]) -> Iterator[Entry]:
    for hearing in rows:
        yield reader.entry(
            hearing,
            ("held_at",),
            ACCOUNTABILITY,
            hearing.get_kind_display(),
            title=reader.name(hearing.proceeding),
            facts=("court", "judge", "detainee_present", "lawyer_present", "outcome"),
        )


def verdicts(reader: Reader, rows: Iterable[Verdict]) -> Iterator[Entry]:
    for verdict in rows:
        sentences = [
            reader.entry(
                sentence, ("release_due_on",), ACCOUNTABILITY, _("Sentence"), title=str(sentence), facts=("regime",)
            )
            for sentence in verdict.sentences.all()
        ]
        yield reader.entry(
            verdict,
            ("decided_on",),
            ACCOUNTABILITY,
            _("Verdict"),
            title=str(verdict.get_outcome_display()),
            facts=("proceeding",),
            text=("reasons",),
            subs=sentences,
        )


def reparations(reader: Reader, rows: Iterable[Reparation]) -> Iterator[Entry]:
    for reparation in rows:
        money = [
            (label_of(reparation, name), f"{value:,.2f} {reparation.currency}")
            for name in ("amount", "amount_paid")
            if (value := getattr(reparation, name)) is not None
        ]
        yield reader.entry(
            reparation,
            ("ordered_on",),
            ACCOUNTABILITY,
            _("Reparation: %(kind)s") % {"kind": reparation.get_kind_display()},
            title=str(reparation.get_status_display()),
            facts=("beneficiary", "ordered_by", "payer", "payer_organisation", "due_on", "paid_on", "status_on"),
            more=money,
            text=("beneficiary_text",),
        )


# ---------------------------------------------------------------------------------------------------------------
# Sources and findings of every entry, in one query each
# ---------------------------------------------------------------------------------------------------------------


def _walk(entries: Iterable[Entry]) -> Iterator[Entry]:
    for entry in entries:
        yield entry
        yield from _walk(entry.subs)


def _condition(refs: Iterable[Ref]) -> Q:
    by_label: dict[str, set[int]] = defaultdict(set)
    for label, pk in refs:
        by_label[label].add(pk)
    condition = Q(pk__in=[])
    for label, pks in sorted(by_label.items()):
        content_type = ContentType.objects.get_by_natural_key(*label.split("."))
        condition |= Q(content_type_id=content_type.pk, object_id__in=sorted(pks))
    return condition


def _cite(citation: Citation, whole: bool) -> Cite:
    source = citation.source
    parts = [citation.section if whole else "", citation.page and f"p. {citation.page}", citation.paragraph]
    return Cite(
        source=source.title if whole else source.key,
        locator=", ".join(p for p in parts if p),
        field=citation.field,
        note=citation.note if whole else "",
    )


def attach(reader: Reader, entries: list[Entry], subject: Model) -> list[FindingView]:
    """Put on each entry the citations of its record and the findings the user may see about it; return the
    findings about ``subject`` itself."""

    every = list(_walk(entries))
    refs = {e.ref for e in every} | {(subject._meta.label_lower, subject.pk)}
    condition = _condition(refs)
    mains = {e.ref: e for e in every if e.main}
    by_field = {(e.ref, e.date_field): e for e in every}
    citations = list(Citation.objects.filter(condition).select_related("source", "content_type").order_by("pk"))
    sources = {c.source_id for c in citations}
    seen = set(reader.visible(Source).filter(pk__in=sources).values_list("pk", flat=True)) if sources else set()
    for citation in citations:
        ref = (f"{citation.content_type.app_label}.{citation.content_type.model}", citation.object_id)
        target = by_field.get((ref, citation.field)) or mains.get(ref)
        if target is not None:
            target.sources.append(_cite(citation, citation.source_id in seen and reader.shown(citation.source)))
    views = finding_views(Finding.objects.filter(condition, active=True).order_by("-severity", "rule", "profile"))
    own: list[FindingView] = []
    subject_ref = (subject._meta.label_lower, subject.pk)
    for view in findings_visible(views, reader.viewer) if views else []:
        if view.ref == subject_ref:
            own.append(view)
        elif view.ref in mains:
            mains[view.ref].findings.append(view)
    return own


def order(entries: Iterable[Entry], kind: str) -> tuple[list[Entry], list[Entry]]:
    """The entries of the kind asked for: dated ones in date order (on the same date, in the order they were
    gathered: a transfer before the placement it leads to), then the undated ones."""
    chosen = [e for e in entries if kind == "all" or e.kind == kind]
    position = {id(e): i for i, e in enumerate(chosen)}
    dated = sorted((e for e in chosen if e.moment is not None), key=lambda e: (e.moment, position[id(e)]))
    undated = [e for e in chosen if e.moment is None]
    return dated, undated


# ---------------------------------------------------------------------------------------------------------------
# Reading: one query per kind of record the file has
# ---------------------------------------------------------------------------------------------------------------

#: the kinds of record a file can gather: whether each is about custody or accountability, and its model
SECTIONS: dict[str, tuple[str, type[Model]]] = {
    "episodes": (CUSTODY, CustodyEpisode),
    "transfers": (CUSTODY, Transfer),
    "placements": (CUSTODY, Placement),
    "measures": (CUSTODY, RestrictiveMeasure),
    "contacts": (CUSTODY, FamilyContact),
    "notifications": (CUSTODY, Notification),
    "news": (CUSTODY, FamilyNews),
    "examinations": (CUSTODY, MedicalExamination),
    "stages": (CUSTODY, CustodyStage),
    "deaths": (CUSTODY, Death),
    "allegations": (ACCOUNTABILITY, Allegation),
    "statements": (ACCOUNTABILITY, Statement),
    "complaints": (ACCOUNTABILITY, Complaint),
    "investigations": (ACCOUNTABILITY, Investigation),
    "proceedings": (ACCOUNTABILITY, Proceeding),
    "charges": (ACCOUNTABILITY, Charge),
    "hearings": (ACCOUNTABILITY, Hearing),
    "verdicts": (ACCOUNTABILITY, Verdict),
    "reparations": (ACCOUNTABILITY, Reparation),
    "intimidations": (ACCOUNTABILITY, Intimidation),
    "rulings": (ACCOUNTABILITY, TortureClaimRuling),
}


def in_order(rows: Iterable[M]) -> list[M]:
    """The rows in the order they were recorded. A file has few rows of each kind; sorting them here spares
    Django's compiling of ORDER BY over the columns of related records, a tenth of a file page's time."""
    return sorted(rows, key=attrgetter("pk"))


def present(reader: Reader, filters: dict[str, Q]) -> set[str]:
    """The sections with at least one record the user may see, found in one query: a file has records in a
    few of its sections, and reading an empty one costs as much as reading a full one."""
    probes = [
        reader.visible(SECTIONS[section][1])
        .filter(q)
        .annotate(section=Value(section))
        .values_list("section")
        .order_by()
        for section, q in filters.items()
    ]
    if not probes:
        return set()
    return {section for (section,) in probes[0].union(*probes[1:])}


def gather(reader: Reader, kind: str, filters: dict[str, Q], *, named: bool = False) -> list[Entry]:
    """The entries of the records each filter selects (``filters[section]`` is a condition on that section's
    model), for the kind asked for ("all", custody or accountability): one query finds the sections with
    records, and one per such section reads them."""
    wanted = {section: q for section, q in filters.items() if kind == "all" or SECTIONS[section][0] == kind}
    found = present(reader, wanted)
    wanted = {section: q for section, q in wanted.items() if section in found}
    see = reader.visible
    out: list[Entry] = []

    def rows(section: str, model: type[Model]) -> Any:
        return see(model).filter(wanted[section]).order_by()  # put in order by ``in_order``

    if "episodes" in wanted:
        episode_rows = rows("episodes", CustodyEpisode).select_related("apprehended_in", "apprehended_by", "person")
        out += episodes(reader, in_order(episode_rows), named=named)
    if "transfers" in wanted:
        transfer_rows = rows("transfers", Transfer).select_related("from_place", "to_place__locality")
        out += transfers(reader, in_order(transfer_rows))
    if "placements" in wanted:
        out += placements(reader, in_order(rows("placements", Placement).select_related("place__locality")))
    if "measures" in wanted:
        measure_rows = rows("measures", RestrictiveMeasure).select_related("place", "imposed_by")
        extensions = see(Extension).select_related("approved_by").order_by("extended_on", "pk")
        out += measures(reader, in_order(measure_rows.prefetch_related(Prefetch("extensions", queryset=extensions))))
    if "contacts" in wanted:
        out += contacts(reader, in_order(rows("contacts", FamilyContact).select_related("relative")))
    if "notifications" in wanted:
        out += notifications(reader, in_order(rows("notifications", Notification).select_related("party")))
    if "news" in wanted:
        out += family_news(reader, in_order(rows("news", FamilyNews).select_related("relative")))
    if "examinations" in wanted:
        out += examinations(reader, in_order(rows("examinations", MedicalExamination)))
    if "stages" in wanted:
        out += stages(reader, in_order(rows("stages", CustodyStage).select_related("ordered_by")))
    if "deaths" in wanted:
        death_rows = rows("deaths", Death).select_related("place", "locality", "investigation")
        out += deaths(
            reader, in_order(death_rows.prefetch_related(Prefetch("causes", queryset=see(DeathCause).order_by("pk"))))
        )
    if "allegations" in wanted:
        disclosures = see(Disclosure).select_related("proceeding", "recipient").order_by("disclosed_on", "pk")
        perpetrators = Perpetrator.objects.select_related("person", "organisation").order_by("pk")
        allegation_rows = (
            rows("allegations", Allegation)
            .select_related("place", "locality", "victim")
            .prefetch_related(
                "methods",
                Prefetch("perpetrators", queryset=perpetrators),
                Prefetch("disclosures", queryset=disclosures),
            )
        )
        out += allegations(reader, in_order(allegation_rows), named=named)
    if "statements" in wanted:
        out += statements(reader, in_order(rows("statements", Statement).select_related("obtained_by", "used_in")))
    if "complaints" in wanted:
        complaint_rows = rows("complaints", Complaint).select_related(
            "lodged_with", "decided_by", "complainant", "complainant_group", "in_proceeding"
        )
        out += complaints(reader, in_order(complaint_rows))
    if "investigations" in wanted:
        steps = see(InvestigationStep).order_by("taken_on", "pk")
        investigation_rows = (
            rows("investigations", Investigation)
            .select_related("body", "assigned_by", "ordered_by")
            .prefetch_related(Prefetch("steps", queryset=steps))
        )
        out += investigations(reader, in_order(investigation_rows))
    if "proceedings" in wanted or "charges" in wanted:  # a charge of a proceeding not shown stands alone
        proceeding_rows = (
            in_order(rows("proceedings", Proceeding).select_related("court", "locality", "appeal_of"))
            if "proceedings" in wanted
            else []
        )
        charges = in_order(rows("charges", Charge)) if "charges" in wanted else []
        out += proceedings(reader, proceeding_rows, charges)
    if "hearings" in wanted:
        hearing_rows = rows("hearings", Hearing).select_related("proceeding", "court", "judge")
        out += hearings(reader, in_order(hearing_rows))
    if "verdicts" in wanted:
        sentences = see(Sentence).order_by("pk")
        verdict_rows = (
            rows("verdicts", Verdict)
            .select_related("proceeding")
            .prefetch_related(Prefetch("sentences", queryset=sentences))
        )
        out += verdicts(reader, in_order(verdict_rows))
    if "reparations" in wanted:
        reparation_rows = rows("reparations", Reparation).select_related(
            "beneficiary", "payer", "payer_organisation", "ordered_by"
        )
        out += reparations(reader, in_order(reparation_rows))
    if "intimidations" in wanted:
        intimidation_rows = rows("intimidations", Intimidation).select_related("target", "by_organisation", "by_person")
        out += intimidations(reader, in_order(intimidation_rows))
    if "rulings" in wanted:
        out += rulings(reader, in_order(rows("rulings", TortureClaimRuling).select_related("proceeding", "raised_by")))
    return out


def timeline(reader: Reader, subject: Model, kind: str, filters: dict[str, Q], *, named: bool = False) -> Timeline:
    """The subject's timeline: its entries in date order with their sources and findings."""
    entries = gather(reader, kind, filters, named=named)
    own = attach(reader, entries, subject)
    dated, undated = order(entries, kind)
    return Timeline(dated=dated, undated=undated, own_findings=own, kind=kind)
