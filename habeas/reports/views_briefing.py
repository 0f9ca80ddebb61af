"""The briefings page: order a briefing (its scope, language, redaction and format), follow its job, and download
the briefings one has built."""

from __future__ import annotations

import re
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import redirect
from django.utils.translation import gettext_lazy as _
from django.views.decorators.cache import never_cache

from habeas.accounts import access
from habeas.accounts.reauth import reauth_view
from habeas.accounts.services import audit_record
from habeas.accounts.viewer import Viewer, viewer_of
from habeas.accounts.web import member_required, render_page
from habeas.registry.models import Place
from habeas.reports.briefing import FORMATS, LANGUAGES, REDACTIONS, THEMES, Scope
from habeas.reports.models import Briefing
from habeas.reports.services_briefing import briefing_document, briefing_get_for_user
from habeas.reports.tasks import briefing_request
from habeas.standards.rules import CATALOGUE


def _numbers(text: str) -> tuple[int, ...]:
    words = [w for w in re.split(r"[\s,;]+", text) if w]
    if any(not w.isdigit() for w in words):
        raise ValidationError(_("Give numbers separated by commas, as on the records' pages."))
    return tuple(int(w) for w in words)


class BriefingForm(forms.Form):
    period_from = forms.DateField(label=_("From"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    period_to = forms.DateField(label=_("To"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    places = forms.ModelMultipleChoiceField(label=_("Places"), queryset=Place.objects.none(), required=False)
    themes = forms.MultipleChoiceField(
        label=_("Themes"), choices=[(k, t) for k, (t, _m) in THEMES.items()], required=False
    )
    rules = forms.MultipleChoiceField(label=_("Rules"), choices=[(c, c) for c in sorted(CATALOGUE)], required=False)
    persons = forms.CharField(label=_("Persons (their numbers)"), required=False)
    groups = forms.CharField(label=_("Groups (their numbers)"), required=False)
    language = forms.ChoiceField(label=_("Language"), choices=[(c, c) for c in LANGUAGES])
    redaction = forms.ChoiceField(
        label=_("Redaction"),
        choices=list(zip(REDACTIONS, [_("internal"), _("for partners"), _("public")], strict=True)),
        initial="public",
    )
    format = forms.ChoiceField(label=_("Format"), choices=[(f, f.upper()) for f in FORMATS])

    def __init__(self, *args: Any, viewer: Viewer, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["places"].queryset = access.visible(Place, viewer).order_by("name")  # type: ignore[attr-defined]

    def clean_persons(self) -> tuple[int, ...]:
        return _numbers(self.cleaned_data["persons"])

    def clean_groups(self) -> tuple[int, ...]:
        return _numbers(self.cleaned_data["groups"])

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        start, end = data.get("period_from"), data.get("period_to")
        if start and end and end < start:
            raise ValidationError(_("The period ends before it starts."))
        return data

    def scope(self) -> Scope:
        data = self.cleaned_data
        return Scope(
            redaction=data["redaction"],
            language=data["language"],
            period_from=data["period_from"],
            period_to=data["period_to"],
            places=tuple(p.pk for p in data["places"]),
            themes=tuple(data["themes"]),
            rules=tuple(data["rules"]),
            persons=data["persons"],
            groups=data["groups"],
        )


@never_cache
@member_required
@reauth_view
def briefings(request: HttpRequest) -> HttpResponseBase:
    """GET shows the form and one's briefings; POST queues a briefing and shows its job's progress."""
    form = BriefingForm(request.POST if request.method == "POST" else None, viewer=viewer_of(request))
    if request.method == "POST" and form.is_valid():
        job = briefing_request(user=request.user, scope=form.scope(), format=form.cleaned_data["format"])
        return redirect("job_detail", pk=job.pk)
    built = Briefing.objects.filter(created_by=request.user.pk).order_by("-created_at", "-pk")[:50]
    return render_page(request, "reports/briefings.html", {"title": _("Briefings"), "form": form, "built": built})


@never_cache
@member_required
@reauth_view
def briefing_download(request: HttpRequest, pk: int) -> HttpResponse:
    """The stored document, for its builder (or a superuser); recorded in the audit trail."""
    briefing = briefing_get_for_user(user=request.user, pk=pk)
    content_type = "application/pdf" if briefing.format == Briefing.Format.PDF else "text/html; charset=utf-8"
    audit_record(action="read", actor=request.user, target=briefing, summary=f"downloaded {briefing}")
    response = HttpResponse(briefing_document(briefing), content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{briefing.filename}"'
    response["X-Content-SHA256"] = briefing.sha256
    return response
