"""Forms of the monitoring pages. They read and check what was typed; the services do the writes. Choices
offer only records of the user's teams."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from habeas.accounts import access
from habeas.accounts.viewer import Viewer
from habeas.core.dates import DATE_PATTERN, Precision, parse_fuzzy
from habeas.monitoring import selectors
from habeas.monitoring.models import Recommendation, RecommendationStatus, Visit
from habeas.monitoring.services import RecommendationDraft
from habeas.registry.models import Organisation, Place

FuzzyDate = tuple[dt.date | None, str]

DATE_HELP = _("2013-03-16, 2013-03 (a month), 2013 (a year) or ~2013 (about 2013)")


def fuzzy_text(value: dt.date | None, precision: str) -> str:
    """A stored fuzzy date as it is typed in a form ("2013-03", "~2011")."""
    if value is None:
        return ""
    formats: dict[str, str] = {
        Precision.MONTH: f"{value:%Y-%m}",
        Precision.YEAR: f"{value:%Y}",
        Precision.APPROXIMATE: f"~{value:%Y}",
    }
    return formats.get(precision, f"{value:%Y-%m-%d}")


class FuzzyDateField(forms.CharField):
    """A date typed at its precision: "2013-03-16", "2013-03", "2013" or "~2013". Cleans to (date, precision),
    or (None, "day") when left empty."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("help_text", DATE_HELP)
        kwargs.setdefault("max_length", 20)
        super().__init__(*args, **kwargs)
        self.widget.attrs.setdefault("placeholder", "2013-03-16")
        self.widget.attrs.setdefault("inputmode", "numeric")

    def prepare_value(self, value: Any) -> Any:
        if isinstance(value, tuple):
            return fuzzy_text(*value)
        return value

    def clean(self, value: Any) -> FuzzyDate:
        text = super().clean(value)
        if not text:
            return None, Precision.DAY
        try:
            date, precision = parse_fuzzy(text, with_time=False)
        except ValueError:
            if DATE_PATTERN.match(text.strip()):
                raise ValidationError(
                    _("%(value)s is not a real date: check the month and the day."),
                    code="impossible",
                    params={"value": text},
                ) from None
            raise ValidationError(
                _("Write the date as %(formats)s."), code="format", params={"formats": DATE_HELP}
            ) from None
        assert isinstance(date, dt.date)
        return date, precision


def yes_no(label: Any, *, unknown: Any = None, help_text: Any = "") -> forms.TypedChoiceField:
    """Yes / no, and, when ``unknown`` names it, a third answer for "not known" (None)."""
    choices = [("yes", _("yes")), ("no", _("no"))]
    if unknown is not None:
        choices.append(("", unknown))
    return forms.TypedChoiceField(
        label=label,
        choices=choices,
        coerce=lambda v: {"yes": True, "no": False}.get(v),
        empty_value=None,
        required=unknown is None,
        widget=forms.RadioSelect,
        help_text=help_text,
    )


def yes_no_initial(value: bool | None) -> str:
    if value is None:
        return ""
    return "yes" if value else "no"


def split_dates(cleaned: dict[str, Any], *names: str) -> dict[str, Any]:
    """``cleaned`` with each fuzzy date field split into the value and its ``_precision``."""
    out = dict(cleaned)
    for name in names:
        out[name], out[f"{name}_precision"] = cleaned.get(name) or (None, Precision.DAY)
    return out


def add_errors(form: forms.Form, errors: dict[str, list[str]]) -> None:
    """Put a service's errors beside the fields they name (a date's precision beside the date); the others at
    the top of the form."""
    for name, messages in errors.items():
        field = name.removesuffix("_precision")
        for message in messages:
            form.add_error(field if field in form.fields else None, message)


class OrganisationChoice(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return str(obj)


# Visits ------------------------------------------------------------------------------------------------------


class VisitFilterForm(forms.Form):
    STATES = [("", _("all visits")), ("planned", _("planned")), ("done", _("made or attempted"))]

    state = forms.ChoiceField(label=_("Visits"), choices=STATES, required=False)
    body = OrganisationChoice(label=_("Monitoring body"), queryset=None, required=False, empty_label=_("any"))
    place: forms.ModelChoiceField = forms.ModelChoiceField(
        label=_("Place"), queryset=None, required=False, empty_label=_("any")
    )

    def __init__(self, *args: Any, viewer: Viewer, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        visits = access.visible(Visit, viewer)
        self.fields["body"].queryset = selectors.organisations_for_user(viewer).filter(  # type: ignore[attr-defined]
            pk__in=visits.values("body")
        )
        self.fields["place"].queryset = selectors.places_for_user(viewer).filter(  # type: ignore[attr-defined]
            pk__in=visits.values("place")
        )

    def filters(self) -> dict[str, Any]:
        if not self.is_valid():
            return {}
        return {k: v for k, v in self.cleaned_data.items() if v}


class VisitPlanForm(forms.Form):
    place: forms.ModelChoiceField = forms.ModelChoiceField(
        label=_("Place of detention"),
        queryset=None,
        error_messages={
            "required": _("Choose the place of detention to visit."),
            "invalid_choice": _("Unknown place: choose one from the list."),
        },
    )
    body = OrganisationChoice(
        label=_("Monitoring body"),
        queryset=None,
        required=False,
        error_messages={"invalid_choice": _("Unknown organisation: choose one from the list.")},
    )
    body_text = forms.CharField(
        label=_("or describe the visiting body"), max_length=200, required=False, help_text=_("if it is not listed")
    )
    visited_on = FuzzyDateField(
        label=_("Date of the visit"), error_messages={"required": _("Give the date of the visit (at least its year).")}
    )
    announced = forms.TypedChoiceField(
        label=_("Announced in advance?"),
        choices=[("no", _("unannounced")), ("yes", _("announced to the authorities in advance"))],
        coerce=lambda v: v == "yes",
        widget=forms.RadioSelect,
        initial="no",
    )
    visitors = forms.CharField(
        label=_("Who goes"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("the members of the visiting team (kept encrypted)"),
    )

    def __init__(self, *args: Any, viewer: Viewer, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # a new visit is written: only the places and bodies of the teams the user writes in
        self.fields["place"].queryset = access.writable(Place, viewer).order_by("name")  # type: ignore[attr-defined]
        self.fields["body"].queryset = selectors.monitoring_bodies(access.writable(Organisation, viewer))  # type: ignore[attr-defined]

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        if not cleaned.get("body") and not cleaned.get("body_text", "").strip() and "body" not in self.errors:
            self.add_error("body", _("Choose the monitoring body that visits (or describe it)."))
        return cleaned

    def values(self) -> dict[str, Any]:
        return split_dates(self.cleaned_data, "visited_on")


class VisitRecordForm(forms.Form):
    visited_on = FuzzyDateField(
        label=_("Date of the visit"), error_messages={"required": _("Give the date of the visit (at least its year).")}
    )
    announced = yes_no(_("Announced in advance?"), unknown=_("not known"))
    access_granted = yes_no(
        _("Were the visitors let in?"),
        help_text=_("no: access to the place was refused altogether"),
    )
    private_interviews = yes_no(
        _("Were private interviews with detainees allowed?"),
        unknown=_("not known or not asked"),
        help_text=_("out of the hearing of staff, as OPCAT article 20(d) requires"),
    )
    refused = forms.CharField(
        label=_("What was refused"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_(
            "areas, people or documents: e.g. a private interview with a detainee was refused; the punishment cells "
            "were not shown; the register of detainees was withheld"
        ),
    )
    accompanied_by = forms.CharField(label=_("Accompanied or controlled by"), max_length=200, required=False)
    findings = forms.CharField(label=_("Findings"), required=False, widget=forms.Textarea(attrs={"rows": 5}))

    @classmethod
    def initial_for(cls, visit: Any) -> dict[str, Any]:
        return {
            "visited_on": (visit.visited_on, visit.visited_on_precision),
            "announced": yes_no_initial(visit.announced),
            "access_granted": yes_no_initial(visit.access_granted),
            "private_interviews": yes_no_initial(visit.private_interviews),
            "refused": visit.refused,
            "accompanied_by": visit.accompanied_by,
            "findings": visit.findings,
        }

    def values(self) -> dict[str, Any]:
        return split_dates(self.cleaned_data, "visited_on")


class RecommendationForm(forms.Form):
    """One recommendation issued after a visit. A row left as it was offered is ignored."""

    issuer = OrganisationChoice(
        label=_("Issued by"),
        queryset=None,
        required=False,
        error_messages={"invalid_choice": _("Unknown organisation: choose one from the list.")},
    )
    addressee = OrganisationChoice(
        label=_("Addressed to"),
        queryset=None,
        required=False,
        error_messages={"invalid_choice": _("Unknown organisation: choose one from the list.")},
    )
    text = forms.CharField(label=_("Recommendation"), required=False, widget=forms.Textarea(attrs={"rows": 3}))
    issued_on = FuzzyDateField(label=_("Issued on"), required=False, help_text=_("empty: on the day of the visit"))
    response_due_on = FuzzyDateField(label=_("Response due"), required=False)

    def __init__(self, *args: Any, viewer: Viewer, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        organisations = access.writable(Organisation, viewer).order_by("name")  # a recommendation is written
        self.fields["issuer"].queryset = organisations  # type: ignore[attr-defined]
        self.fields["addressee"].queryset = organisations  # type: ignore[attr-defined]

    def draft(self) -> RecommendationDraft:
        return RecommendationDraft(**split_dates(self.cleaned_data, "issued_on", "response_due_on"))


RecommendationFormSet = forms.formset_factory(RecommendationForm, extra=0, max_num=20, absolute_max=20)


# Recommendations ---------------------------------------------------------------------------------------------


class RecommendationFilterForm(forms.Form):
    issuer = OrganisationChoice(label=_("Issued by"), queryset=None, required=False, empty_label=_("anyone"))
    addressee = OrganisationChoice(label=_("Addressed to"), queryset=None, required=False, empty_label=_("anyone"))
    status = forms.ChoiceField(
        label=_("Current status"),
        choices=[("", _("any status")), *RecommendationStatus.Status.choices],
        required=False,
    )
    overdue = forms.BooleanField(label=_("Response overdue only"), required=False)

    def __init__(self, *args: Any, viewer: Viewer, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        recommendations = access.visible(Recommendation, viewer)
        organisations = selectors.organisations_for_user(viewer)
        self.fields["issuer"].queryset = organisations.filter(  # type: ignore[attr-defined]
            pk__in=recommendations.values("issuer")
        )
        self.fields["addressee"].queryset = organisations.filter(  # type: ignore[attr-defined]
            pk__in=recommendations.values("addressee")
        )

    def filters(self) -> dict[str, Any]:
        if not self.is_valid():
            return {}
        data = self.cleaned_data
        return {
            "issuer": data.get("issuer"),
            "addressee": data.get("addressee"),
            "status": data.get("status") or "",
            "overdue_only": bool(data.get("overdue")),
        }


class StatusForm(forms.Form):
    status = forms.ChoiceField(label=_("Status"), choices=RecommendationStatus.Status.choices)
    recorded_on = FuzzyDateField(
        label=_("As of"),
        error_messages={"required": _("Give the date of this response or status (at least its year).")},
    )
    response = forms.CharField(
        label=_("Response or action"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("what the authority said or did, in its words where possible"),
    )

    def values(self) -> dict[str, Any]:
        return split_dates(self.cleaned_data, "recorded_on")
