"""The monitoring pages: visits to places of detention (planned, then recorded: what was refused, whether
private interviews were allowed, the findings and the recommendations that follow) and the recommendations
tracker, with each recommendation's history of responses and whether its response is overdue."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import redirect
from django.utils import timezone
from django.utils.safestring import mark_safe
from django.utils.translation import gettext_lazy as _

from habeas.accounts import access
from habeas.accounts.identity import name_of
from habeas.accounts.services import audit_record
from habeas.accounts.viewer import viewer_of
from habeas.accounts.web import member_required, render_page
from habeas.core import charts
from habeas.evidence.selectors import sources_cited
from habeas.monitoring import selectors, services
from habeas.monitoring.forms import (
    RecommendationFilterForm,
    RecommendationFormSet,
    StatusForm,
    VisitFilterForm,
    VisitPlanForm,
    VisitRecordForm,
    add_errors,
)
from habeas.monitoring.models import RecommendationStatus, Visit

PER_PAGE = 50
PREFIX = "recommendations"


def _page(request: HttpRequest, rows: Any) -> Any:
    return Paginator(rows, PER_PAGE).get_page(request.GET.get("page"))


def _read(request: HttpRequest, obj: Any) -> None:
    audit_record(action="read", actor=request.user, target_type=obj._meta.label_lower, target_id=str(obj.pk))


# Visits ------------------------------------------------------------------------------------------------------


@member_required
def visit_list(request: HttpRequest) -> HttpResponse:
    """The visits the user may see, planned ones first."""
    form = VisitFilterForm(request.GET or None, viewer=viewer_of(request))
    today = timezone.localdate()
    page = _page(request, selectors.visits_for_user(viewer_of(request), today=today, **form.filters()))
    context = {
        "title": _("Monitoring visits"),
        "form": form,
        "page": page,
        "hidden": viewer_of(request).hidden,
        "can_plan": access.can_write(viewer_of(request)),
    }
    return render_page(request, "monitoring/visit_list.html", context, partial="table")


@member_required
def visit_plan(request: HttpRequest) -> HttpResponseBase:
    """Plan a visit: where, by whom, when, announced or not, and who goes."""
    if not access.can_write(viewer_of(request)):
        raise PermissionDenied(_("read-only members do not plan visits"))
    form = VisitPlanForm(request.POST or None, viewer=viewer_of(request))
    if request.method == "POST" and form.is_valid():
        try:
            visit = services.visit_plan(user=request.user, **form.values())
        except ValidationError as exc:
            add_errors(form, exc.message_dict)
        else:
            messages.success(request, _("The visit is planned."))
            return redirect("visit_detail", pk=visit.pk)
    return render_page(request, "monitoring/visit_plan.html", {"title": _("Plan a visit"), "form": form})


def _recommendation_formset(request: HttpRequest, visit: Visit) -> Any:
    """The rows of recommendations on the record page; "add another" (``more``) gives one more row."""
    offered = {"issuer": visit.body} if visit.body_id else {}
    if request.method != "POST":
        return RecommendationFormSet(prefix=PREFIX, initial=[offered], form_kwargs={"viewer": viewer_of(request)})
    data = request.POST.copy()
    try:
        total = max(0, min(int(data.get(f"{PREFIX}-TOTAL_FORMS", "0")), RecommendationFormSet.max_num))
    except ValueError:
        total = 0
    if "more" in data and total < RecommendationFormSet.max_num:
        data[f"{PREFIX}-{total}-issuer"] = str(visit.body_id or "")
        total += 1
    data[f"{PREFIX}-TOTAL_FORMS"] = str(total)
    data[f"{PREFIX}-INITIAL_FORMS"] = "0"
    return RecommendationFormSet(
        data,
        prefix=PREFIX,
        initial=[offered] * total,
        form_kwargs={"viewer": viewer_of(request), "empty_permitted": True},
    )


@member_required
def visit_record(request: HttpRequest, pk: int) -> HttpResponseBase:
    """Record what happened on a visit and the recommendations that follow it, on one page, all or nothing."""
    visit = selectors.visit_get_for_user(viewer_of(request), pk, write=True)
    if request.method == "POST":
        form = VisitRecordForm(request.POST)
    else:
        form = VisitRecordForm(initial=VisitRecordForm.initial_for(visit))
    formset = _recommendation_formset(request, visit)
    if request.method == "POST" and "more" not in request.POST:
        rows_valid = formset.is_valid()
        if form.is_valid() and rows_valid:
            rows = [f for f in formset.forms if f.has_changed()]
            try:
                created = services.visit_record(
                    visit=visit,
                    user=request.user,
                    **form.values(),
                    recommendations=[f.draft() for f in rows],
                )
            except ValidationError as exc:
                errors = exc.message_dict
                add_errors(form, {k: v for k, v in errors.items() if not k.startswith(f"{PREFIX}-")})
                for i, row in enumerate(rows):
                    mine = f"{PREFIX}-{i}-"
                    add_errors(row, {k.removeprefix(mine): v for k, v in errors.items() if k.startswith(mine)})
            else:
                messages.success(
                    request,
                    _("The visit is recorded, with %(n)d recommendation(s).") % {"n": len(created)},
                )
                return redirect("visit_detail", pk=visit.pk)
    context = {"title": _("Record the visit"), "visit": visit, "form": form, "formset": formset}
    return render_page(request, "monitoring/visit_record.html", context)


# Recommendations ---------------------------------------------------------------------------------------------


@member_required
def recommendation_list(request: HttpRequest) -> HttpResponse:
    """The tracker: recommendations by issuer, addressee and current status, overdue responses flagged."""
    form = RecommendationFilterForm(request.GET or None, viewer=viewer_of(request))
    filters = form.filters()
    today = timezone.localdate()
    rows = selectors.recommendations_for_user(viewer_of(request), today=today, **filters)
    by_status = selectors.recommendations_by_status(
        selectors.recommendations_for_user(
            viewer_of(request), today=today, issuer=filters.get("issuer"), addressee=filters.get("addressee")
        )
    )
    context = {
        "title": _("Recommendations"),
        "form": form,
        "page": _page(request, rows),
        "hidden": viewer_of(request).hidden,
        "by_status": by_status,
        "chart": mark_safe(
            charts.bars(
                [(label, n) for _, label, n in by_status],
                title=str(_("Recommendations by status")),
                classes=["implemented" if key == "implemented" else "" for key, _, _ in by_status],
            )
        ),
    }
    return render_page(request, "monitoring/recommendation_list.html", context, partial="table")


@member_required
def recommendation_detail(request: HttpRequest, pk: int) -> HttpResponseBase:
    """A recommendation with its history of responses and statuses, and a form to record a new one."""
    write = request.method == "POST"
    recommendation = selectors.recommendation_get_for_user(viewer_of(request), pk, write=write)
    form = StatusForm(request.POST if write else None)
    if write and form.is_valid():
        try:
            services.recommendation_status_record(recommendation=recommendation, user=request.user, **form.values())
        except ValidationError as exc:
            add_errors(form, exc.message_dict)
        else:
            messages.success(request, _("The new status is recorded."))
            return redirect("recommendation_detail", pk=recommendation.pk)
    if not write:
        _read(request, recommendation)
    today = timezone.localdate()
    context = {
        "title": name_of(recommendation, viewer_of(request))[:80],
        "recommendation": recommendation,
        "status": selectors.status_of(recommendation),
        "status_label": RecommendationStatus.Status(selectors.status_of(recommendation)).label,
        "overdue": selectors.recommendation_is_overdue(recommendation, today),
        "history": selectors.history_of(recommendation),
        "hidden": not viewer_of(request).sees_identity(recommendation.team_id),
        "sources": sources_cited(recommendation),
        "form": form,
        "can_write": access.can_write(viewer_of(request), recommendation),
    }
    return render_page(request, "monitoring/recommendation_detail.html", context)
