"""Writes of the cases app: the intake of an allegation, a draft saved at every step and then recorded at once.

``intake_submit`` turns a draft into records in one transaction: the victim (when new), the allegation and its
methods, perpetrators, witnesses and their statements, a custody episode and a medical examination when the
account gives them, and a citation of every one of them to the chosen source; each is an audit event. Either
all of it is stored and the draft deleted, or nothing is, and ``IntakeInvalid`` names the step to fix."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models, transaction
from django.utils.translation import gettext as _

from habeas.accounts.access import can_write_in, default_team
from habeas.accounts.records import after_write
from habeas.accounts.services import audit_record
from habeas.accounts.viewer import viewer_for
from habeas.cases.forms import GIVEN_BY, STEPS, USES, InjuriesForm, as_date, step_form
from habeas.cases.models import Allegation, IntakeDraft, Method, Perpetrator, Statement
from habeas.cases.selectors import intake_victim, person_named_exactly
from habeas.core.dates import Precision
from habeas.custody.models import CustodyEpisode, MedicalExamination
from habeas.evidence.models import Citation
from habeas.registry.models import Person, PersonName


class IntakeInvalid(Exception):
    """The draft cannot be recorded: ``step`` is the slug of the step to fix, ``message`` says what."""

    def __init__(self, step: str, message: str) -> None:
        super().__init__(message)
        self.step = step
        self.message = message


@dataclass(frozen=True)
class IntakeResult:
    allegation: Allegation
    victim: Person
    #: every record made, citations last
    created: list[models.Model]

    @property
    def records(self) -> list[models.Model]:
        """The records made, without their citations."""
        return [obj for obj in self.created if not isinstance(obj, Citation)]


def intake_draft_start(*, user: Any) -> IntakeDraft:
    """A new, empty draft of the user, for the first team they may write in."""
    viewer = viewer_for(user)
    team_id = default_team(viewer)
    if not can_write_in(viewer, team_id):
        raise PermissionDenied("this role may not record allegations")
    with transaction.atomic():
        draft = IntakeDraft(user=user, team_id=team_id, data={})
        draft.full_clean()
        draft.save()
        audit_record(action="create", actor=user, target=draft, summary=str(draft))
    return draft


def intake_draft_save(*, draft: IntakeDraft, user: Any, step: str, data: dict[str, list[str]], completed: bool) -> None:
    """Keep what was typed at ``step`` (valid or not); ``completed`` moves the steps reached on."""
    if draft.user_id != user.pk:
        raise PermissionDenied("a draft is its author's alone")
    index = [s.slug for s in STEPS].index(step)
    with transaction.atomic():
        draft.data = {**(draft.data or {}), step: data}
        if completed:
            draft.step = max(draft.step, index + 1)
        draft.full_clean()
        draft.save()
        audit_record(action="update", actor=user, target=draft, summary=f"{draft}: {step}", details={"step": step})


def intake_draft_discard(*, draft: IntakeDraft, user: Any) -> None:
    if draft.user_id != user.pk:
        raise PermissionDenied("a draft is its author's alone")
    with transaction.atomic():
        audit_record(action="delete", actor=user, target=draft, summary=str(draft))
        draft.delete()


def intake_cleaned(*, draft: IntakeDraft, user: Any) -> dict[str, Any]:
    """Every step's form checked again from what the draft holds: the cleaned data by step, or IntakeInvalid
    for the first step that needs fixing."""
    viewer = viewer_for(user)
    victim = intake_victim(draft=draft, viewer=viewer)
    cleaned: dict[str, Any] = {}
    for step in STEPS:
        if step.form is None:
            continue
        if step.slug not in (draft.data or {}):
            raise IntakeInvalid(step.slug, _("“%(step)s” has not been filled in yet") % {"step": step.title})
        form = step_form(step, viewer=viewer, data=draft.data[step.slug], victim=victim)
        if not form.is_valid():
            raise IntakeInvalid(
                step.slug,
                _("“%(step)s” needs fixing: %(errors)s")
                % {
                    "step": step.title,
                    "errors": "; ".join(_errors(form)),
                },
            )
        cleaned[step.slug] = form.rows if hasattr(form, "rows") else form.cleaned_data
    return cleaned


def _errors(form: Any) -> list[str]:
    if hasattr(form, "forms"):
        return [str(e) for f in form.forms for errors in f.errors.values() for e in errors] + [
            str(e) for e in form.non_form_errors()
        ]
    return [str(e) for errors in form.errors.values() for e in errors]


@contextmanager
def _at(step: str) -> Iterator[None]:
    """A model's own validation failing while recording: say which step to fix."""
    try:
        yield
    except ValidationError as exc:
        messages = (
            [f"{k}: {m}" if k != "__all__" else m for k, ms in exc.message_dict.items() for m in ms]
            if hasattr(exc, "error_dict")
            else exc.messages
        )
        raise IntakeInvalid(step, "; ".join(str(m) for m in messages)) from exc


def intake_submit(*, draft: IntakeDraft, user: Any) -> IntakeResult:
    """Record the draft: all of it in one transaction, or nothing (IntakeInvalid names the step to fix)."""
    if draft.user_id != user.pk:
        raise PermissionDenied("a draft is its author's alone")
    if not can_write_in(viewer_for(user), draft.team_id) and not (draft.team_id is None and user.is_superuser):
        raise PermissionDenied("this role may not record allegations in this team")
    data = intake_cleaned(draft=draft, user=user)
    with transaction.atomic():
        result = _record(draft=draft, user=user, data=data)
        after_write("create", result.records)
        audit_record(action="delete", actor=user, target=draft, summary=f"{draft} recorded as allegation")
        draft.delete()
    return result


def _record(*, draft: IntakeDraft, user: Any, data: dict[str, Any]) -> IntakeResult:
    team_id, viewer = draft.team_id, viewer_for(user)
    created: list[models.Model] = []

    def save(obj: models.Model, step: str) -> Any:
        with _at(step):
            obj.full_clean()
        obj.save()
        created.append(obj)
        audit_record(action="create", actor=user, target=obj, summary=str(obj)[:200], details={"intake": draft.pk})
        return obj

    who, when, what, injuries, consent = (data[s] for s in ("who", "when", "what", "injuries", "consent"))
    victim: Person = who.get("person") or _new_person(who, team_id=team_id, save=save)

    custody = None
    if when.get("in_custody") == "yes":
        custody = when.get("custody") or save(
            CustodyEpisode(
                team_id=team_id,
                person=victim,
                status=CustodyEpisode.Status.UNKNOWN,
                apprehended_in=when.get("locality") or getattr(when.get("place"), "locality", None),
                notes=_("recorded at the intake of an allegation; dates not yet known"),
            ),
            "when",
        )

    methods = list(Method.objects.filter(code__in=what.get("methods") or []))
    happened_on, happened_precision = as_date(when.get("happened_on"))
    until, until_precision = as_date(when.get("happened_until"))
    risk = {"yes": True, "no": False}.get(consent.get("risk") or "")
    allegation = save(
        Allegation(
            team_id=team_id,
            victim=victim,
            kind=what["kind"],
            custody=custody,
            happened_on=happened_on,
            happened_on_precision=happened_precision,
            happened_until=until,
            happened_until_precision=until_precision,
            place=when.get("place"),
            locality=when.get("locality"),
            circumstances=when.get("circumstances") or "",
            purpose=what.get("purpose") or "",
            summary=what.get("account") or "; ".join(m.name for m in methods),
            injuries=injuries.get("injuries") or "",
            risk_of_reprisal=risk,
            notes=_notes(data, custody_recorded=custody is not None),
        ),
        "what",
    )
    allegation.methods.set(methods)

    for row in data["perpetrators"]:
        person = None
        if row.get("name"):
            person = person_named_exactly(name=row["name"], viewer=viewer) or _new_official(
                row["name"], row.get("unit"), team_id=team_id, save=save
            )
        elif not row.get("unit"):  # a description only: a person known by it ("an officer with a scar")
            person = _new_official(row["description"], None, team_id=team_id, save=save)
            row = {**row, "description": ""}  # the person's name says it already
        save(
            Perpetrator(
                allegation=allegation,
                person=person,
                organisation=row.get("unit"),
                description=row.get("description", ""),
            ),
            "perpetrators",
        )

    for row in data["witnesses"]:
        witness = person_named_exactly(name=row["name"], viewer=viewer) or _new_person(
            {"name": row["name"]}, team_id=team_id, save=save, step="witnesses"
        )
        save(
            Statement(
                team_id=team_id,
                person=witness,
                kind=Statement.Kind.TESTIMONY,
                text=row.get("account") or "",
                notes=_("witness of allegation #%(pk)s") % {"pk": allegation.pk},
            ),
            "witnesses",
        )

    if custody is not None and injuries.get("examination") in ("requested", "done"):
        done = injuries["examination"] == "done"
        on, precision = as_date(injuries.get("examined_on"))
        save(
            MedicalExamination(
                team_id=team_id,
                custody=custody,
                kind=injuries.get("examination_kind") or MedicalExamination.Kind.FORENSIC,
                performed=done,
                requested_on=None if done else on,
                requested_on_precision=precision,
                performed_on=on if done else None,
                performed_on_precision=precision,
                examiner=injuries.get("examiner") or "",
                injuries_recorded={"yes": True, "no": False}.get(injuries.get("injuries_recorded") or ""),
            ),
            "injuries",
        )

    source = data["source"]
    for obj in list(created):
        save(
            Citation(
                source=source["source"],
                content_type=ContentType.objects.get_for_model(obj),
                object_id=obj.pk,
                section=source.get("section") or "",
                page=source.get("page") or "",
                paragraph=source.get("paragraph") or "",
                note=source.get("note") or "",
            ),
            "source",
        )
    return IntakeResult(allegation=allegation, victim=victim, created=created)


def _new_person(who: dict[str, Any], *, team_id: int | None, save: Any, step: str = "who") -> Person:
    year = who.get("birth_year")
    person = save(
        Person(
            team_id=team_id,
            label=who["name"],
            sex=who.get("sex") or "",
            born_on=dt.date(year, 1, 1) if year else None,
            born_on_precision=Precision.YEAR,
        ),
        step,
    )
    _add_name(person, who["name"], PersonName.Kind.PRIMARY, step=step, save=save)
    if who.get("other_name") and who["other_name"] != who["name"]:
        _add_name(person, who["other_name"], PersonName.Kind.TRANSLITERATION, step=step, save=save)
    return person


def _new_official(label: str, unit: Any, *, team_id: int | None, save: Any) -> Person:
    person = save(Person(team_id=team_id, label=label, organisation=unit), "perpetrators")
    _add_name(person, label, PersonName.Kind.PRIMARY, step="perpetrators", save=save)
    return person


def _add_name(person: Person, name: str, kind: str, *, step: str, save: Any) -> None:
    save(PersonName(person=person, full_name=name, kind=kind, script=script_of(name)), step)


def script_of(text: str) -> str:
    letters = [ch for ch in text if ch.isalpha()]
    if letters and any("\u0400" <= ch <= "\u04ff" for ch in letters):
        return PersonName.Script.CYRILLIC
    if letters and all(ch.isascii() or "\u00c0" <= ch <= "\u024f" for ch in letters):
        return PersonName.Script.LATIN
    return PersonName.Script.OTHER if letters else PersonName.Script.LATIN


def _notes(data: dict[str, Any], *, custody_recorded: bool) -> str:
    """What the allegation's fields do not hold, in its (encrypted) notes: consent, safety, and an examination
    when no custody episode holds it."""

    consent = data["consent"]
    uses = dict(USES)
    lines = [
        _("Informed consent to record given by %(who)s.") % {"who": dict(GIVEN_BY).get(consent.get("consent_by"), "")},
        _("Consent to use: %(uses)s.")
        % {"uses": ", ".join(str(uses[u]) for u in consent.get("consent_use") or []) or _("none given")},
    ]
    if consent.get("safety"):
        lines.append(_("Safety: %(text)s") % {"text": consent["safety"]})
    injuries = data["injuries"]
    if not custody_recorded and injuries.get("examination") not in (None, ""):
        status = dict(InjuriesForm.EXAMINATION).get(injuries["examination"], "")
        lines.append(_("Medical examination: %(status)s.") % {"status": status})
    return "\n".join(str(line) for line in lines)
