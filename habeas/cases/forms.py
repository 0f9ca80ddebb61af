"""The intake form, step by step, as the Istanbul Protocol asks: who, when and where, what, who did it, injuries,
witnesses, consent and safety, source. Each step is a form that checks its own fields and says what to fix; the
draft keeps what was typed (see ``habeas.cases.services``)."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_stubs_ext import StrOrPromise

from habeas.accounts.access import linkable
from habeas.accounts.forms import RecordForm
from habeas.accounts.identity import name_of
from habeas.accounts.viewer import Viewer
from habeas.cases.models import (
    Allegation,
    Charge,
    Complaint,
    Hearing,
    Investigation,
    InvestigationStep,
    Method,
    Proceeding,
    Reparation,
    Sentence,
    Verdict,
)
from habeas.cases.selectors import custody_episodes_of, person_named_exactly, person_visible, persons_matching
from habeas.core.dates import Precision, describe, interval
from habeas.custody.models import CustodyEpisode, MedicalExamination
from habeas.evidence.models import Source
from habeas.registry.models import Locality, Organisation, Person, Place

YES_NO = [("", _("not known")), ("yes", _("yes")), ("no", _("no"))]
_DATE_FORMATS = [
    (re.compile(r"(\d{4})-(\d{1,2})-(\d{1,2})"), ("y", "m", "d")),
    (re.compile(r"(\d{1,2})\.(\d{1,2})\.(\d{4})"), ("d", "m", "y")),
    (re.compile(r"(\d{4})-(\d{1,2})"), ("y", "m")),
    (re.compile(r"(\d{1,2})\.(\d{4})"), ("m", "y")),
    (re.compile(r"(\d{4})"), ("y",)),
]


def parse_fuzzy_date(text: str, *, about: bool = False) -> tuple[dt.date, str]:
    """A date as a monitor writes it — "2011-12-16", "16.12.2011", "2011-12", "12.2011" or "2011" — and its
    precision (day, month or year; "about" makes it approximate)."""
    for pattern, parts in _DATE_FORMATS:
        match = pattern.fullmatch(text.strip())
        if match is None:
            continue
        values = dict(zip(parts, (int(g) for g in match.groups()), strict=True))
        try:
            value = dt.date(values["y"], values.get("m", 1), values.get("d", 1))
        except ValueError:
            break
        precision = {1: Precision.YEAR, 2: Precision.MONTH, 3: Precision.DAY}[len(parts)]
        return value, Precision.APPROXIMATE if about else precision
    raise ValidationError(
        _("write the date as 2011-12-16, 2011-12 or 2011 (or 16.12.2011); it was “%(text)s”"),
        params={"text": text},
        code="date",
    )


class FuzzyDateField(forms.CharField):
    """A date typed at the precision the source gives; cleaned to ``(date, precision)`` or None. A date in
    the future is refused."""

    def __init__(self, *args: Any, today: Callable[[], dt.date] = timezone.localdate, **kwargs: Any) -> None:
        kwargs.setdefault("max_length", 20)
        kwargs.setdefault("required", False)
        self.today = today
        super().__init__(*args, **kwargs)

    def clean(self, value: Any) -> Any:
        text = super().clean(value)
        if not text:
            return None
        day, precision = parse_fuzzy_date(text)
        if day > self.today():
            raise ValidationError(
                _("the date is in the future (%(date)s): give the date it happened, or leave it empty if not known"),
                params={"date": describe(day, precision)},
                code="future",
            )
        return [day.isoformat(), precision]


def as_date(value: Any) -> tuple[dt.date | None, str]:
    """The (date, precision) of a cleaned ``FuzzyDateField`` value; (None, day) when empty."""
    if not value:
        return None, Precision.DAY
    return dt.date.fromisoformat(value[0]), value[1]


class StepForm(forms.Form):
    """A step of the intake; ``user`` limits the choices to what they may see, ``victim`` is the person picked
    at the first step (for the steps that depend on it)."""

    def __init__(self, *args: Any, viewer: Viewer, victim: Person | None = None, **kwargs: Any) -> None:
        self.viewer = viewer
        self.victim = victim
        super().__init__(*args, **kwargs)

    def summary(self) -> list[tuple[StrOrPromise, str]]:
        """(label, value) of what was given, for the review; only for a valid form."""
        out: list[tuple[StrOrPromise, str]] = []
        for name, field in self.fields.items():
            value = self.cleaned_data.get(name)
            if value in (None, "", [], False) or isinstance(field.widget, forms.HiddenInput):
                continue
            out.append((field.label or name, display(field, value)))
        return out


def display(field: forms.Field, value: Any) -> str:
    if isinstance(field, FuzzyDateField):
        day, precision = as_date(value)
        return describe(day, precision)
    if isinstance(value, bool):
        return str(_("yes"))
    choices = dict(_flat(getattr(field, "choices", []) or []))
    if isinstance(value, list | tuple) or (hasattr(value, "__iter__") and not isinstance(value, str)):
        return ", ".join(str(choices.get(v, v)) for v in value)
    return str(choices.get(value, value))


def _flat(choices: Any) -> list[tuple[Any, Any]]:
    out: list[tuple[Any, Any]] = []
    for key, label in choices:
        if isinstance(label, list | tuple):
            out += list(label)
        else:
            out.append((key, label))
    return out


class WhoForm(StepForm):
    search = forms.CharField(
        label=_("Find a person already recorded"),
        required=False,
        max_length=200,
        help_text=_("a name in any script or transliteration: “Тян” finds “Tian”"),
    )
    person = forms.TypedChoiceField(
        label=_("The victim is"), required=False, coerce=int, empty_value=None, widget=forms.RadioSelect
    )
    name = forms.CharField(
        label=_("Or a new person: name as written"),
        required=False,
        max_length=200,
        help_text=_("in any script, as the person writes it; or a description such as “a prisoner of LA-155/14”"),
    )
    other_name = forms.CharField(label=_("Other spelling or transliteration"), required=False, max_length=200)
    sex = forms.ChoiceField(label=_("Sex"), required=False, choices=Person.Sex.choices)
    birth_year = forms.IntegerField(label=_("Year of birth"), required=False, min_value=1900)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        search = self.data.get("search") if self.is_bound else self.initial.get("search")
        chosen = self.data.get("person") if self.is_bound else self.initial.get("person")
        people = persons_matching(text=search, viewer=self.viewer) if search else []
        current = person_visible(viewer=self.viewer, pk=chosen)
        if current is not None and current not in people:
            people.insert(0, current)
        self.fields["person"].choices = [(p.pk, person_choice_label(p, self.viewer)) for p in people]  # type: ignore[attr-defined]
        self.matches = people
        self.searched = bool(search)

    def clean_person(self) -> Person | None:
        pk = self.cleaned_data.get("person")
        if pk is None:
            return None
        person = person_visible(viewer=self.viewer, pk=pk)
        if person is None:
            raise ValidationError(_("this person is not among the records you may see: search again"))
        return person

    def clean_birth_year(self) -> int | None:
        year = self.cleaned_data.get("birth_year")
        if year is not None and year > timezone.localdate().year:
            raise ValidationError(_("the year of birth is in the future"))
        return year

    def clean(self) -> dict[str, Any]:
        super().clean()
        data = self.cleaned_data
        if self.errors:
            return data
        if data.get("person") is None and not data.get("name"):
            raise ValidationError(_("name the victim or pick a person found by the search"), code="no_victim")
        if data.get("person") is not None and data.get("name"):
            self.add_error(
                "name",
                _("you picked a person already recorded and typed a new name: clear the name, or clear the pick"),
            )
        return data

    def summary(self) -> list[tuple[StrOrPromise, str]]:
        data = self.cleaned_data
        if data.get("person") is not None:
            return [
                (
                    _("Victim"),
                    _("%(name)s (already recorded)") % {"name": person_choice_label(data["person"], self.viewer)},
                )
            ]
        out = [(_("Victim"), _("%(name)s (new person)") % {"name": data["name"]})]
        own = {self.fields[name].label for name in ("search", "person", "name")}
        return out + [item for item in super().summary() if item[0] not in own]


def person_choice_label(person: Person, viewer: Viewer) -> str:
    parts = [name_of(person, viewer)]
    if person.born_on:
        parts.append(str(_("born %(date)s") % {"date": person.date_text("born_on")}))
    return ", ".join(parts) + f" (#{person.pk})"


class WhenForm(StepForm):
    happened_on = FuzzyDateField(
        label=_("When it happened"), help_text=_("2011-12-16, 2011-12 or 2011 — as precise as the account is")
    )
    about = forms.BooleanField(label=_("The date is approximate (about)"), required=False)
    happened_until = FuzzyDateField(label=_("Until"), help_text=_("for ill-treatment that lasted days or months"))
    place = forms.ModelChoiceField(label=_("Place of detention"), queryset=Place.objects.none(), required=False)
    locality = forms.ModelChoiceField(
        label=_("Or locality"),
        queryset=Locality.objects.all(),
        required=False,
        help_text=_("when not in a place listed"),
    )
    circumstances = forms.CharField(
        label=_("Circumstances"), required=False, max_length=300, help_text=_("e.g. during interrogation, on arrest")
    )
    in_custody = forms.ChoiceField(label=_("Was the person in custody?"), choices=YES_NO, required=False)
    custody = forms.ModelChoiceField(
        label=_("Custody episode"),
        queryset=CustodyEpisode.objects.none(),
        required=False,
        help_text=_("leave empty to record a new custody episode"),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["place"].queryset = linkable(Place, self.viewer)  # type: ignore[attr-defined]
        episodes = custody_episodes_of(person=self.victim, viewer=self.viewer)
        self.fields["custody"].queryset = episodes  # type: ignore[attr-defined]
        if self.victim is None or not episodes.exists():
            del self.fields["custody"]

    def clean(self) -> dict[str, Any]:
        super().clean()
        data = self.cleaned_data
        if data.get("happened_on") and data.get("about"):
            data["happened_on"] = [data["happened_on"][0][:4] + "-01-01", Precision.APPROXIMATE]
        if data.get("happened_until") and not data.get("happened_on"):
            self.add_error("happened_on", _("give when it started, or move the date to this field"))
        elif data.get("happened_until") and data.get("happened_on"):
            start, end = as_date(data["happened_on"]), as_date(data["happened_until"])
            if end[0] and start[0] and interval(end[0], end[1])[1] < interval(start[0], start[1])[0]:
                self.add_error(
                    "happened_until",
                    _("“until” (%(end)s) is before the start (%(start)s): swap them or correct one")
                    % {"end": describe(*end), "start": describe(*start)},
                )
        if not data.get("place") and not data.get("locality") and not self.has_error("place"):
            self.add_error("place", _("say where it happened: choose a place of detention or a locality"))
        if data.get("custody") and data.get("in_custody") != "yes":
            self.add_error("in_custody", _("you chose a custody episode: answer “yes”, or clear the episode"))
        return data


PURPOSES = [
    _("to obtain a confession"),
    _("to obtain information"),
    _("punishment"),
    _("intimidation or coercion"),
    _("discrimination"),
]


class WhatForm(StepForm):
    kind = forms.ChoiceField(label=_("Kind"), choices=Allegation.Kind.choices, initial=Allegation.Kind.TORTURE)
    methods = forms.MultipleChoiceField(
        label=_("Methods"), required=False, widget=forms.CheckboxSelectMultiple, choices=[]
    )
    account = forms.CharField(
        label=_("What was done, in the person's words"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text=_("the account as given; it is stored encrypted"),
    )
    purpose = forms.CharField(
        label=_("Alleged purpose"),
        required=False,
        max_length=200,
        widget=forms.TextInput(attrs={"list": "purposes"}),
        help_text=_("e.g. to obtain a confession"),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        groups: dict[str, list[tuple[str, str]]] = {}
        for method in Method.objects.all():
            groups.setdefault(method.category_shown, []).append((method.code, str(method)))
        self.fields["methods"].choices = list(groups.items())  # type: ignore[attr-defined]
        self.purposes = PURPOSES

    def clean(self) -> dict[str, Any]:
        super().clean()
        data = self.cleaned_data
        if not data.get("methods") and not data.get("account") and not self.has_error("methods"):
            self.add_error("methods", _("choose at least one method or describe what was done"))
        return data


class PerpetratorForm(forms.Form):
    name = forms.CharField(label=_("Name"), required=False, max_length=200, help_text=_("if known"))
    unit = forms.ModelChoiceField(label=_("Unit or agency"), queryset=Organisation.objects.none(), required=False)
    description = forms.CharField(
        label=_("Description"), required=False, max_length=300, help_text=_("e.g. two officers in plain clothes")
    )

    def __init__(self, *args: Any, viewer: Viewer, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = linkable(Organisation, viewer)  # type: ignore[attr-defined]

    def clean(self) -> dict[str, Any]:
        super().clean()
        data = self.cleaned_data
        if not (data.get("name") or data.get("unit") or data.get("description")) and not self.errors:
            raise ValidationError(_("name the person, choose the unit or describe who did it"))
        return data


class WitnessForm(forms.Form):
    name = forms.CharField(
        label=_("Witness"),
        required=False,
        max_length=200,
        help_text=_("a name in any script, or a description such as “cellmate”"),
    )
    account = forms.CharField(
        label=_("What they saw or heard"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )

    def __init__(self, *args: Any, viewer: Viewer, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)

    def clean(self) -> dict[str, Any]:
        super().clean()
        data = self.cleaned_data
        if data.get("account") and not data.get("name"):
            self.add_error("name", _("say who the witness is (a name or a description such as “cellmate”)"))
        return data


class RowsStep(forms.BaseFormSet):
    """A step of several rows (perpetrators, witnesses); empty rows are left out."""

    def __init__(self, *args: Any, viewer: Viewer, victim: Person | None = None, **kwargs: Any) -> None:
        self.viewer = viewer
        kwargs.setdefault("form_kwargs", {})["viewer"] = viewer
        super().__init__(*args, **kwargs)

    @property
    def rows(self) -> list[dict[str, Any]]:
        return [f.cleaned_data for f in self.forms if f.cleaned_data]

    def summary(self) -> list[tuple[StrOrPromise, str]]:
        out: list[tuple[StrOrPromise, str]] = []
        for number, row in enumerate(self.rows, 1):
            parts = [str(v) for v in row.values() if v]
            if row.get("name"):  # say whether the name is someone already recorded (see intake_submit)
                known = person_named_exactly(name=row["name"], viewer=self.viewer)
                parts[0] = (
                    _("%(name)s (already recorded, #%(pk)s)") % {"name": parts[0], "pk": known.pk}
                    if known
                    else _("%(name)s (new person)") % {"name": parts[0]}
                )
            out.append((f"{number}.", " — ".join(parts)))
        return out


PerpetratorsForm = forms.formset_factory(PerpetratorForm, formset=RowsStep, extra=2, max_num=30)
WitnessesForm = forms.formset_factory(WitnessForm, formset=RowsStep, extra=2, max_num=30)


class InjuriesForm(StepForm):
    EXAMINATION = [
        ("", _("not known")),
        ("none", _("not requested")),
        ("requested", _("requested, not done")),
        ("done", _("done")),
    ]
    injuries = forms.CharField(
        label=_("Injuries and symptoms"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=_("physical and psychological, as described or seen; stored encrypted"),
    )
    examination = forms.ChoiceField(label=_("Medical examination"), choices=EXAMINATION, required=False)
    examination_kind = forms.ChoiceField(
        label=_("Kind of examination"),
        choices=MedicalExamination.Kind.choices,
        required=False,
        initial=MedicalExamination.Kind.FORENSIC,
    )
    examined_on = FuzzyDateField(label=_("Requested or done on"))
    examiner = forms.CharField(label=_("Examiner"), required=False, max_length=200)
    injuries_recorded = forms.ChoiceField(label=_("Injuries recorded by the examiner"), choices=YES_NO, required=False)

    def clean(self) -> dict[str, Any]:
        super().clean()
        data = self.cleaned_data
        status = data.get("examination")
        if status in ("", "none", None):
            for name in ("examined_on", "examiner", "injuries_recorded"):
                if data.get(name):
                    self.add_error(
                        name, _("no examination was requested or done: choose “requested” or “done”, or clear this")
                    )
        if status == "requested" and data.get("injuries_recorded"):
            self.add_error("injuries_recorded", _("an examination not done recorded nothing: choose “done”"))
        return data


USES = [
    ("publication", _("publication with the person's name")),
    ("anonymous", _("publication without anything that identifies the person")),
    ("complaints", _("complaints and legal action")),
    ("advocacy", _("advocacy with the authorities")),
    ("statistics", _("statistics only")),
]
GIVEN_BY = [
    ("victim", _("the person themselves")),
    ("relative", _("a relative")),
    ("lawyer", _("their lawyer")),
    ("other", _("someone else (say who in the notes)")),
]


class ConsentForm(StepForm):
    consent_record = forms.BooleanField(
        label=_("The person gave informed consent to record this account"),
        required=False,
        help_text=_("after being told what will be kept, who will see it and the risks"),
    )
    consent_by = forms.ChoiceField(label=_("Consent given by"), choices=GIVEN_BY, initial="victim")
    consent_use = forms.MultipleChoiceField(
        label=_("Consent to use it for"), choices=USES, required=False, widget=forms.CheckboxSelectMultiple
    )
    risk = forms.ChoiceField(label=_("Risk of reprisal"), choices=YES_NO, required=False)
    safety = forms.CharField(
        label=_("Safety concerns"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("threats received, who must not learn of the account; stored encrypted"),
    )

    def clean(self) -> dict[str, Any]:
        super().clean()
        data = self.cleaned_data
        if not data.get("consent_record"):
            self.add_error(
                "consent_record",
                _("an account is recorded only with informed consent: tick this once the person has given it"),
            )
        uses = set(data.get("consent_use") or [])
        if {"publication", "anonymous"} <= uses:
            self.add_error("consent_use", _("choose publication with the name or without it, not both"))
        if data.get("risk") == "yes" and "publication" in uses and not data.get("safety"):
            self.add_error(
                "safety", _("a risk of reprisal and publication with the name: say how the person is kept safe")
            )
        return data


class SourceForm(StepForm):
    source = forms.ModelChoiceField(
        label=_("Source of the account"),
        queryset=Source.objects.none(),
        required=False,
        help_text=_("every record made from this intake cites it"),
    )
    section = forms.CharField(label=_("Section"), required=False, max_length=300)
    page = forms.CharField(label=_("Page"), required=False, max_length=30)
    paragraph = forms.CharField(label=_("Paragraph"), required=False, max_length=30)
    note = forms.CharField(label=_("Note"), required=False, max_length=1000, widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["source"].queryset = linkable(Source, self.viewer)  # type: ignore[attr-defined]

    def clean(self) -> dict[str, Any]:
        super().clean()
        data = self.cleaned_data
        if not data.get("source") and not self.has_error("source"):
            self.add_error("source", _("choose the source the account comes from"))
        if not (data.get("section") or data.get("page") or data.get("paragraph")):
            self.add_error("section", _("say where in the source the account is: a section, page or paragraph"))
        return data


@dataclass(frozen=True)
class Step:
    slug: str
    title: StrOrPromise
    form: Any  # a StepForm or a RowsStep formset class; None for the review


STEPS = [
    Step("who", _("Who"), WhoForm),
    Step("when", _("When and where"), WhenForm),
    Step("what", _("What was done"), WhatForm),
    Step("perpetrators", _("Who did it"), PerpetratorsForm),
    Step("injuries", _("Injuries"), InjuriesForm),
    Step("witnesses", _("Witnesses"), WitnessesForm),
    Step("consent", _("Consent and safety"), ConsentForm),
    Step("source", _("Source"), SourceForm),
    Step("review", _("Review and save"), None),
]
STEP_BY_SLUG = {step.slug: step for step in STEPS}


def step_form(step: Step, *, viewer: Viewer, data: Mapping[str, list[str]] | None, victim: Person | None) -> Any:
    """The step's form (bound to ``data``, what was typed, as lists of values by name)."""
    from django.utils.datastructures import MultiValueDict

    bound = MultiValueDict({k: list(v) for k, v in data.items()}) if data is not None else None
    return step.form(bound, viewer=viewer, victim=victim)


# The forms of the records of a case (see ``habeas.accounts.forms.RecordForm``) ----------------------------------


class ComplaintForm(RecordForm):
    class Meta:
        model = Complaint
        fields = [
            "complainant",
            "lodged_with",
            "lodged_on",
            "in_proceeding",
            "outcome",
            "decided_by",
            "decided_on",
            "reasons",
            "notes",
        ]


class InvestigationForm(RecordForm):
    class Meta:
        model = Investigation
        fields = [
            "kind",
            "subject",
            "complaint",
            "body",
            "assigned_by",
            "ordered_by",
            "opened_on",
            "closed_on",
            "outcome",
            "findings",
            "notes",
        ]

    related = {"complaint": ("allegation__victim", "lodged_with")}


class InvestigationStepForm(RecordForm):
    class Meta:
        model = InvestigationStep
        fields = ["kind", "taken_on", "done", "description", "notes"]


class ProceedingForm(RecordForm):
    class Meta:
        model = Proceeding
        fields = [
            "kind",
            "title",
            "court",
            "locality",
            "appeal_of",
            "jury",
            "started_on",
            "ended_on",
            "torture_claims_examined",
            "notes",
        ]


class ChargeForm(RecordForm):
    class Meta:
        model = Charge
        fields = ["defendant", "offence", "article", "qualification", "allegation", "charged_on", "notes"]

    related = {"allegation": ("victim", "victim_group")}


class HearingForm(RecordForm):
    class Meta:
        model = Hearing
        fields = [
            "kind",
            "held_at",
            "court",
            "judge",
            "custody",
            "detainee_present",
            "lawyer_present",
            "outcome",
            "notes",
        ]

    related = {"custody": ("person",)}


class VerdictForm(RecordForm):
    class Meta:
        model = Verdict
        fields = ["defendant", "outcome", "decided_on", "reasons", "notes"]


class SentenceForm(RecordForm):
    class Meta:
        model = Sentence
        fields = ["kind", "months", "months_max", "regime", "fine_amount", "currency", "release_due_on", "notes"]


class ReparationForm(RecordForm):
    class Meta:
        model = Reparation
        fields = [
            "kind",
            "beneficiary",
            "ordered_by",
            "ordered_on",
            "amount",
            "currency",
            "due_on",
            "payer_organisation",
            "status",
            "status_on",
            "paid_on",
            "amount_paid",
            "notes",
        ]
