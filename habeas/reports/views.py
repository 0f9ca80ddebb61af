"""The export page: choose a redaction profile and a format, and download the file; the dashboard and the clock."""

from __future__ import annotations

import io

from django import forms
from django.conf import settings
from django.contrib.admin.views.decorators import staff_member_required
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.safestring import mark_safe
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from habeas.accounts import access
from habeas.accounts.models import Membership
from habeas.accounts.reauth import reauth_view
from habeas.accounts.viewer import viewer_of
from habeas.accounts.web import member_required, render_page
from habeas.core import charts
from habeas.reports import dashboard as dashboard_read
from habeas.reports.clock import clock_items, clock_subscriptions
from habeas.reports.redaction import profile_load, profiles
from habeas.reports.services import FORMATS, clock_subscribe, export_write
from habeas.standards.services import profile_names


class ExportForm(forms.Form):
    profile = forms.ChoiceField(label=_("Redaction profile"))
    format = forms.ChoiceField(
        label=_("Format"), choices=[("json", _("JSON (one file)")), ("csv", _("CSV (a zip of one file per model)"))]
    )

    language = forms.ChoiceField(
        label=_("Language of the findings' sentences"), choices=settings.LANGUAGES, required=False
    )

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.fields["profile"].choices = [(name, name) for name in profiles()]  # type: ignore[attr-defined]


@never_cache
@staff_member_required
@reauth_view
def export(request: HttpRequest) -> HttpResponseBase:
    """GET shows the form; POST writes the export of what the user may see and sends it as a download."""
    form = ExportForm(request.POST if request.method == "POST" else None, initial={"language": get_language()})
    if request.method == "POST" and form.is_valid():
        buffer = io.BytesIO()
        fmt = form.cleaned_data["format"]
        assert fmt in FORMATS
        summary = export_write(
            user=request.user,
            profile=form.cleaned_data["profile"],
            format=fmt,
            out=buffer,
            destination="download",
            language=form.cleaned_data["language"] or "en",
        )
        content_type = "application/zip" if fmt == "csv" else "application/json"
        response = HttpResponse(buffer.getvalue(), content_type=content_type)
        response["Content-Disposition"] = f'attachment; filename="{summary.filename}"'
        response["X-Content-SHA256"] = summary.sha256
        return response
    described = [(name, profile_load(name).description) for name in profiles()]
    context = {"title": _("Redacted export"), "form": form, "profiles": described}
    return render(request, "reports/export.html", context)


@member_required
def dashboard(request: HttpRequest) -> HttpResponse:
    """Open findings, the road from allegation to reparation, the latest estimates and recommendations."""
    user = request.user
    counts = dashboard_read.dashboard_counts(viewer_of(request))
    severity, funnel, recommendations = counts.severity, counts.funnel, counts.recommendations
    estimates = dashboard_read.latest_estimates(viewer_of(request))
    context = {
        "title": _("Dashboard"),
        "clock": clock_items(viewer_of(request), now=timezone.now()),
        "subscriptions": clock_subscriptions(user),
        "profiles": profile_names() if access.can_write(viewer_of(request)) else [],
        "counted_at": counts.counted_at,
        "counted_today": timezone.localdate(counts.counted_at) == timezone.localdate(),
        "severity": severity,
        "rules": counts.rules,
        "gaps": counts.gaps,
        "severity_chart": mark_safe(
            charts.bars(
                [(label, n) for _, label, n in severity],
                title=str(_("Open findings by severity")),
                classes=[{"4": "breach", "3": "breach", "2": "possible"}.get(value, "") for value, _, _ in severity],
            )
        ),
        "funnel": funnel,
        "funnel_chart": mark_safe(
            charts.bars(
                [(stage.label, stage.count) for stage in funnel],
                title=str(_("Allegations of torture by stage")),
                centred=True,
            )
        ),
        "estimates": estimates,
        "estimates_chart": mark_safe(
            charts.intervals(
                [
                    charts.Interval(f"#{run.pk} {run.method}", run.estimate or 0.0, run.ci_low, run.ci_high)
                    for run in estimates
                ],
                title=str(_("Latest estimates and their intervals (95%)")),
            )
        )
        if estimates
        else "",
        "recommendations": recommendations,
        "recommendations_chart": mark_safe(
            charts.bars([(label, n) for _, label, n in recommendations], title=str(_("Recommendations by status")))
        ),
    }
    return render_page(request, "reports/dashboard.html", context)


@member_required
@require_POST
def clock_subscription(request: HttpRequest) -> HttpResponse:
    """Turn the live clock's e-mails about one of the user's teams on or off; another team answers 404."""
    try:
        team_id = int(request.POST.get("team", ""))
        clock_subscribe(user=request.user, team_id=team_id, notify=request.POST.get("notify") == "1")
    except (ValueError, Membership.DoesNotExist):
        raise Http404("no such team of yours") from None
    return redirect(reverse("dashboard") + "#clock")
