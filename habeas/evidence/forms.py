"""Forms of the evidence pages: a new source, an upload, and the citation of a passage. They read and check
what was typed; the services do the writes."""

from __future__ import annotations

import datetime as dt
import secrets
from functools import partial
from typing import Any

from django import forms
from django.apps import apps
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from habeas.accounts import access
from habeas.accounts.identity import name_of
from habeas.accounts.models import WRITING_ROLES, Team
from habeas.accounts.viewer import Viewer
from habeas.core.dates import Precision, parse_fuzzy
from habeas.core.models import Record
from habeas.evidence.models import Source
from habeas.evidence.services import CheckedUpload, citation_add, document_check, source_create
from habeas.registry.models import Person
from habeas.registry.selectors import persons_named


class SourceForm(forms.ModelForm):
    published = forms.CharField(
        label=_("published"),
        required=False,
        max_length=20,
        help_text=_("2013-03-16, 2013-03 (a month), 2013 (a year) or ~2013 (about 2013)"),
    )
    team = forms.TypedChoiceField(label=_("team"), coerce=int)
    url = forms.URLField(label=_("address"), required=False, assume_scheme="https")

    class Meta:
        model = Source
        fields = ["key", "title", "kind", "reference", "reliability", "language", "url", "description"]
        widgets = {"description": forms.Textarea(attrs={"rows": 4})}

    def __init__(self, *args: Any, viewer: Viewer, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        roles = viewer.roles
        teams = Team.objects.order_by("name")
        if not (viewer.superuser):
            teams = teams.filter(pk__in=[t for t, role in roles.items() if role in WRITING_ROLES])
        self.fields["team"].choices = [(t.pk, t.name) for t in teams]  # type: ignore[attr-defined]
        self.fields["team"].initial = access.default_team(viewer)

    def clean_published(self) -> tuple[dt.date | None, str]:
        text = self.cleaned_data.get("published", "").strip()
        if not text:
            return None, Precision.DAY
        try:
            value, precision = parse_fuzzy(text, with_time=False)
        except ValueError:
            raise ValidationError(
                _("Write the date as 2013-03-16, 2013-03, 2013 or ~2013 (a real date)."), code="format"
            ) from None
        assert isinstance(value, dt.date)
        return value, precision


class UploadForm(forms.Form):
    file = forms.FileField(label=_("file"), help_text=_("a PDF, plain text, PNG or JPEG file"))

    def clean_file(self) -> CheckedUpload:
        upload = self.cleaned_data["file"]
        try:
            return document_check(upload)
        except ValidationError as exc:
            raise ValidationError(exc.messages, code=getattr(exc, "code", None)) from None


def citable_models() -> list[type[Record]]:
    """The kinds of record a source can be cited for: every documented record."""
    found = [m for m in apps.get_models() if issubclass(m, Record)]
    return sorted(found, key=lambda m: str(m._meta.verbose_name))


class CitationForm(forms.Form):
    """Cite a passage of a document for a record the user may change: chosen by kind and number, or, for a
    person, by name."""

    person_name = forms.CharField(
        label=_("person's name"),
        required=False,
        max_length=200,
        help_text=_("in any script or transliteration; or choose the kind of record and its number below"),
    )
    record_type = forms.ChoiceField(label=_("kind of record"), required=False)
    record_id = forms.IntegerField(label=_("record number"), required=False, min_value=1)
    choose = forms.IntegerField(required=False, widget=forms.HiddenInput)  # a person picked among namesakes
    page = forms.CharField(label=_("page"), required=False, max_length=30)
    section = forms.CharField(label=_("section"), required=False, max_length=300)
    passage = forms.CharField(
        label=_("quoted passage"), required=False, widget=forms.Textarea(attrs={"rows": 4}), max_length=5000
    )

    def __init__(self, *args: Any, viewer: Viewer, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.viewer = viewer
        self.candidates: list[Person] = []
        self.record: Any = None
        self.fields["record_type"].choices = [  # type: ignore[attr-defined]
            ("", "—"),
            *[(m._meta.label_lower, str(m._meta.verbose_name)) for m in citable_models()],
        ]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if not (data.get("page") or data.get("section")):
            self.add_error("page", _("Give the page (or the section) where the passage is."))
        name, kind, number = data.get("person_name", ""), data.get("record_type", ""), data.get("record_id")
        if data.get("choose"):
            kind, number = "registry.person", data["choose"]
        if number and not kind:
            kind = "registry.person"
        if number and kind:
            self.record = self._record(kind, number)
        elif name:
            self.record = self._person(name)
        elif not self.errors.get("record_id"):
            self.add_error("person_name", _("Name the person, or choose the kind of record and its number."))
        return data

    def _record(self, label: str, number: int) -> Any:
        try:
            model = apps.get_model(label)
        except (LookupError, ValueError):
            self.add_error("record_type", _("Choose a kind of record from the list."))
            return None
        try:
            return access.get_for_user(model, self.viewer, number, write=True)
        except Http404:
            self.add_error(
                "record_id",
                _("There is no %(kind)s number %(number)s among your team's records.")
                % {"kind": model._meta.verbose_name, "number": number},
            )
        except PermissionDenied:
            self.add_error("record_id", _("You may read this record but not change it."))
        return None

    def _person(self, name: str) -> Person | None:
        writable = [t for t, role in self.viewer.roles.items() if role in WRITING_ROLES]
        among = access.visible(Person, self.viewer)
        if not (self.viewer.superuser):
            among = among.filter(team_id__in=writable)
        found = list(persons_named(name, among=among).order_by("pk")[:20])
        if not found:
            self.add_error("person_name", _("No person you may change has this name; check the spelling."))
            return None
        if len(found) > 1:
            self.candidates = found
            self.add_error(
                "person_name",
                _("%(count)s persons have this name: choose one below (its number goes into the record number).")
                % {"count": len(found)},
            )
            return None
        return found[0]


class RecordSourceForm(forms.Form):
    """The source of what a record's page records, and where in it: a source of the record's team, or a new one
    typed on the spot (its title and kind), and the locator. Every record's page (``RecordPages``) shows it;
    ``cite`` writes the citation (and the new source) in the transaction of the record's write. A new record
    needs it; a change needs it only when the record cites no source yet (else it adds one when given)."""

    source = forms.ModelChoiceField(
        label=_("source"),
        queryset=Source.objects.none(),
        required=False,
        help_text=_("where what this form records comes from; or type a new source below"),
    )
    source_title = forms.CharField(label=_("new source: title"), required=False, max_length=500)
    source_kind = forms.ChoiceField(label=_("new source: kind"), required=False)
    locator = forms.CharField(
        label=_("where in the source"),
        required=False,
        max_length=300,
        help_text=_("page, paragraph, address of the passage, minute of a recording…"),
    )

    def __init__(self, *args: Any, viewer: Viewer, team_id: int | None, record: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.team_id = team_id
        self.required = record.pk is None or not record.citations.exists()
        sources = access.visible(Source, viewer)
        sources = sources.filter(team_id=team_id) if team_id is not None else sources.filter(team__isnull=True)
        self.fields["source"].queryset = sources.order_by("key")  # type: ignore[attr-defined]
        self.fields["source"].label_from_instance = partial(name_of, viewer=viewer)  # type: ignore[attr-defined]
        self.fields["source_kind"].choices = [("", "—"), *Source.Kind.choices]  # type: ignore[attr-defined]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        chosen, title, kind = data.get("source"), data.get("source_title", "").strip(), data.get("source_kind")
        given = chosen or title or kind or data.get("locator", "").strip()
        if not (self.required or given) or self.has_error("source"):
            return data
        if chosen and title:
            self.add_error("source_title", _("Choose a source or type a new one, not both."))
        elif title and not kind:
            self.add_error("source_kind", _("Say what kind of source the new one is."))
        elif not (chosen or title):
            self.add_error("source", _("Choose the source of this record, or type the title of a new one."))
        if not data.get("locator", "").strip():
            self.add_error("locator", _("Say where in the source: a page, paragraph, address or minute."))
        return data

    def cite(self, *, record: Any, user: Any) -> None:
        """Cite the source for ``record`` (creating the new source first), through the services; nothing when no
        source was given for a record that cites one already."""
        data = self.cleaned_data
        source = data.get("source")
        if source is None and not data.get("source_title"):
            return
        if source is None:
            key = f"source-{timezone.now():%Y%m%d}-{secrets.token_hex(3)}"  # a key that names no one
            source = source_create(
                user=user, team_id=self.team_id, key=key, title=data["source_title"].strip(), kind=data["source_kind"]
            )
        citation_add(source=source, record=record, user=user, section=data["locator"].strip())
