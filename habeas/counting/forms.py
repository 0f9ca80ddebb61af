"""Forms of the counting workspace: importing a list (the file, then which column holds which field), running an
estimate, and deciding a review pair."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from habeas.accounts.access import can_analyse, visible
from habeas.accounts.models import WRITING_ROLES
from habeas.accounts.viewer import Viewer
from habeas.counting.models import ReviewPair, SourceList
from habeas.counting.selectors import STRATA_COLUMNS, list_name, lists_visible
from habeas.counting.services import FIELDS
from habeas.evidence.models import Document, Source
from habeas.evidence.services import MB, clean_name, media_type_of
from habeas.stats.estimation.linkage_uncertainty import MAX_DRAWS

METHODS = [
    ("loglinear", _("Log-linear models (best hierarchical model by BIC, profile-likelihood interval)")),
    ("sparse", _("Sparse stepwise method (SparseMSE, bootstrap interval)")),
    ("dga", _("Bayesian model averaging over decomposable graphs (dga; 3 to 5 lists)")),
    ("lcmcr", _("Bayesian latent classes (LCMCR)")),
]
STRATA_LABELS = {
    "stratum": _("the list's or row's stratum"),
    "sex": _("sex"),
    "region": _("place or region"),
    "event_place": _("place of the event"),
    "event_year": _("year of the event"),
}


class EstimateForm(forms.Form):
    method = forms.ChoiceField(label=_("Method"), choices=METHODS, initial="loglinear")
    seed = forms.IntegerField(
        label=_("Seed"),
        required=False,
        min_value=0,
        max_value=2**63 - 1,
        help_text=_("a whole number, 0 or more, to repeat a run exactly; left empty, one is drawn and recorded"),
    )
    strata = forms.ChoiceField(
        label=_("Stratify by"),
        required=False,
        choices=[("", _("no strata (one table)")), *[(c, STRATA_LABELS[c]) for c in STRATA_COLUMNS]],
        help_text=_("estimate each group on its own and add them up, when capture differs between groups"),
    )
    linkage_draws = forms.IntegerField(
        label=_("Clusterings drawn over the uncertain links"),
        required=False,
        min_value=0,
        max_value=MAX_DRAWS,
        help_text=_(
            "the estimate is repeated over this many ways of deciding the pairs still to review, so that its "
            "interval includes the linkage's uncertainty; left empty: 20 (none for lcmcr, whose runs are long); "
            "0: the people as linked are taken as certain"
        ),
    )


class ListChoice(forms.ModelMultipleChoiceField):
    hidden: set[int] = set()  # the teams whose identities are hidden from the user: their lists by number

    def label_from_instance(self, obj: SourceList) -> str:
        return f"{list_name(obj, self.hidden)} ({obj.source.key}, {obj.row_count:,})"


class LinkForm(forms.Form):
    """Lists of one team to link into people: those of the teams in which the user may run analyses."""

    lists = ListChoice(
        label=_("Lists"),
        queryset=SourceList.objects.none(),
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": _("Tick the lists to link: at least one.")},
    )
    seed = forms.IntegerField(
        label=_("Seed"),
        initial=0,
        min_value=0,
        max_value=2**63 - 1,
        help_text=_("the same seed and lists give the same people again"),
    )

    def __init__(self, *args: object, viewer: Viewer, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        teams = [team for team in viewer.roles if can_analyse(viewer, team)]
        if viewer.superuser:
            chosen = lists_visible(viewer=viewer)
        else:
            chosen = lists_visible(viewer=viewer).filter(team_id__in=teams)
        self.fields["lists"].hidden = viewer.hidden  # type: ignore[attr-defined]
        self.fields["lists"].queryset = chosen.select_related("source").order_by("-imported_at", "-pk")  # type: ignore[attr-defined]

    def clean_lists(self) -> list[SourceList]:
        lists = list(self.cleaned_data["lists"])
        if len({lst.team_id for lst in lists}) > 1:
            raise forms.ValidationError(_("These lists belong to different teams: link one team's lists at a time."))
        return lists


class DecisionForm(forms.Form):
    pair = forms.IntegerField(widget=forms.HiddenInput)
    decision = forms.ChoiceField(
        label=_("Decision"),
        choices=[(ReviewPair.State.SAME, _("Same person")), (ReviewPair.State.DIFFERENT, _("Different people"))],
        error_messages={"required": _("Choose “same person” or “different people”.")},
    )
    reason = forms.CharField(
        label=_("Reason"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("what decided it, e.g. same birth date and patronymic; different fathers"),
        error_messages={"required": _("Give the reason for the decision: it is kept with it.")},
    )

    def clean_reason(self) -> str:
        reason = str(self.cleaned_data["reason"]).strip()
        if not reason:
            raise forms.ValidationError(_("Give the reason for the decision: it is kept with it."))
        return reason


class ByHandForm(forms.Form):
    """Rows a reviewer links into one person or splits into different people, with the reason."""

    rows = forms.TypedMultipleChoiceField(
        label=_("Rows"),
        coerce=int,
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": _("Tick at least two rows.")},
    )
    decision = forms.ChoiceField(
        label=_("Decision"),
        choices=[(ReviewPair.State.SAME, _("Same person")), (ReviewPair.State.DIFFERENT, _("Different people"))],
        error_messages={"required": _("Choose “same person” or “different people”.")},
    )
    reason = forms.CharField(
        label=_("Reason"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("what decided it, e.g. the family confirmed they are father and son"),
        error_messages={"required": _("Give the reason for the decision: it is kept with it.")},
    )

    def __init__(self, *args: Any, row_ids: list[int], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["rows"].choices = [(pk, str(pk)) for pk in row_ids]  # type: ignore[attr-defined]

    def clean_rows(self) -> list[int]:
        rows = list(self.cleaned_data["rows"])
        if len(rows) < 2:
            raise forms.ValidationError(_("Tick at least two rows."))
        return rows

    def clean_reason(self) -> str:
        reason = str(self.cleaned_data["reason"]).strip()
        if not reason:
            raise forms.ValidationError(_("Give the reason for the decision: it is kept with it."))
        return reason


# ------------------------------------------------------------------------------------------- importing a list

ENCODINGS = [
    ("", _("detect it")),
    ("utf-8", "UTF-8"),
    ("cp1251", "Windows-1251"),
    ("koi8-r", "KOI8-R"),
]
FIELD_LABELS = {
    "record_id": _("the list's own id"),
    "given_name": _("given name"),
    "patronymic": _("patronymic"),
    "surname": _("surname"),
    "sex": _("sex"),
    "born_on": _("date of birth"),
    "birth_year": _("year of birth"),
    "region": _("place or region"),
    "national_id": _("national ID"),
    "event_on": _("date of the event"),
    "event_place": _("place of the event"),
    "stratum": _("stratum"),
}
#: the columns' names that obviously hold a field, as lists name them (compared in lower case, "ё" as "е",
#: spaces, dashes and underscores alike, without dots or colons at the ends)
GUESSES: dict[str, tuple[str, ...]] = {
    "record_id": ("record id", "id", "№", "no", "nr", "number", "номер", "№ п/п", "n"),
    "given_name": ("given name", "first name", "forename", "имя", "аты"),
    "patronymic": ("patronymic", "middle name", "отчество", "әкесінің аты"),
    "surname": ("surname", "last name", "family name", "фамилия", "тегі"),
    "sex": ("sex", "gender", "пол", "жынысы"),
    "born_on": ("born on", "born", "date of birth", "birth date", "dob", "дата рождения", "д.р", "туған күні"),
    "birth_year": ("birth year", "year of birth", "год рождения", "г.р", "туған жылы"),
    "region": ("region", "place", "регион", "область", "район", "место жительства", "облыс"),
    "national_id": ("national id", "iin", "иин", "жсн"),
    "event_on": ("event on", "date of the event", "date of detention", "дата задержания", "дата ареста"),
    "event_place": ("event place", "place of the event", "place of detention", "место задержания"),
    "stratum": ("stratum", "страта"),
}


def _normal(name: str) -> str:
    return re.sub(r"[\s_\-]+", " ", name.lower().replace("ё", "е")).strip(" .:")


def guess_mapping(header: tuple[str, ...]) -> dict[str, str]:
    """Field → the column that obviously holds it (a column named like the field, or as lists usually name it):
    each column at most once, and only the fields whose column is found."""
    columns = {_normal(column): column for column in reversed(header)}  # the first of two alike wins
    mapping: dict[str, str] = {}
    for field in FIELDS:
        for name in (field, *GUESSES[field]):
            column = columns.get(_normal(name))
            if column is not None and column not in mapping.values():
                mapping[field] = column
                break
    return mapping


@dataclass(frozen=True)
class UploadedList:
    """A list's file as uploaded: its bytes and its cleaned name (the worker reads it)."""

    content: bytes
    name: str


class SourceChoice(forms.ModelChoiceField):
    def label_from_instance(self, obj: Source) -> str:
        return f"{obj.key} — {obj.title}" if obj.title else obj.key


class ListUploadForm(forms.Form):
    """A list's file and what the import keeps about it. The file's size and kind are checked here; it is read
    by the worker (``tasks.read_list_upload``), never in a web process, and checked row by row by the import."""

    file = forms.FileField(
        label=_("file"),
        help_text=_("a CSV or XLSX file: a first row with the columns' names, then one row per person"),
        error_messages={"required": _("Choose the file of the list.")},
    )
    source = SourceChoice(
        label=_("source"),
        queryset=Source.objects.none(),
        empty_label=_("— choose the source —"),
        help_text=_("who made the list; the list goes to the source's team"),
        error_messages={"required": _("Choose the source of the list.")},
    )
    title = forms.CharField(
        label=_("title"), required=False, max_length=300, help_text=_("left empty, the file's name")
    )
    encoding = forms.ChoiceField(
        label=_("text encoding"),
        required=False,
        choices=ENCODINGS,
        help_text=_("how a CSV file's letters are written; detected when left so. A workbook needs none."),
    )
    event = forms.CharField(
        label=_("event or period"),
        required=False,
        max_length=500,
        help_text=_("what the list is about, e.g. the events of December 2011"),
    )
    stratum = forms.CharField(
        label=_("stratum"), required=False, max_length=200, help_text=_("a stratum shared by every row, e.g. a region")
    )

    def __init__(self, *args: Any, viewer: Viewer, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        sources = visible(Source, viewer).filter(team__isnull=False)  # a list goes to its source's team
        if not (viewer.superuser):
            sources = sources.filter(team_id__in=[t for t, role in viewer.roles.items() if role in WRITING_ROLES])
        self.fields["source"].queryset = sources.order_by("key")  # type: ignore[attr-defined]

    def clean_file(self) -> tuple[bytes, str]:
        upload = self.cleaned_data["file"]
        limit_mb = int(settings.HABEAS_MAX_UPLOAD_MB)
        upload.seek(0)
        content = upload.read(limit_mb * MB + 1)
        if len(content) > limit_mb * MB:
            raise forms.ValidationError(
                _("“%(name)s” is larger than %(limit)s MB, the largest allowed (HABEAS_MAX_UPLOAD_MB).")
                % {"name": Path(upload.name or "?").name, "limit": limit_mb},
                code="too_large",
            )
        if not content.strip():
            raise forms.ValidationError(_("The file is empty."), code="empty")
        workbook = content.startswith((b"PK\x03\x04", b"\xd0\xcf\x11\xe0"))  # XLSX, or an old .xls said so
        if not workbook and media_type_of(content) != Document.MediaType.TEXT:
            raise forms.ValidationError(
                _("The file is not a CSV or XLSX file (judged by its content, not its name)."), code="type"
            )
        return content, clean_name(upload.name or "")

    def clean(self) -> dict[str, Any]:
        super().clean()
        data = self.cleaned_data
        if "file" not in data:
            return data
        content, name = data["file"]
        data["file"] = UploadedList(content=content, name=name)
        return data


class ListMappingForm(forms.Form):
    """Which of the file's columns holds each field; a field whose column is left empty is not in the file."""

    def __init__(self, *args: Any, header: tuple[str, ...], **kwargs: Any) -> None:
        kwargs.setdefault("initial", guess_mapping(header))
        super().__init__(*args, **kwargs)
        choices = [("", _("— not in this file —")), *[(column, column) for column in header]]
        for field in FIELDS:
            self.fields[field] = forms.ChoiceField(label=FIELD_LABELS[field], required=False, choices=choices)

    def clean(self) -> dict[str, Any]:
        super().clean()
        data = self.cleaned_data
        chosen: dict[str, str] = {}
        for field in FIELDS:
            column = data.get(field)
            if not column:
                continue
            if column in chosen:
                self.add_error(
                    field,
                    _("The column “%(column)s” is already chosen for “%(field)s”: choose each column once.")
                    % {"column": column, "field": FIELD_LABELS[chosen[column]]},
                )
            else:
                chosen[column] = field
        if not (data.get("surname") or data.get("given_name")):
            raise forms.ValidationError(
                _("Choose the column of the surname or of the given name: every row needs a name."), code="no_name"
            )
        return data

    def mapping(self) -> dict[str, str]:
        """Field → column, for the fields in the file."""
        return {field: self.cleaned_data[field] for field in FIELDS if self.cleaned_data.get(field)}
