"""The page of a long operation (its progress while it runs, then where to see its result), and the page of an
unexpected error."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse, HttpResponseServerError
from django.shortcuts import redirect
from django.template import loader
from django.utils import timezone
from django.views.decorators.http import require_POST

from habeas.accounts.jobs import JobNotStalled, job_get_for_user, job_restart, job_stalled
from habeas.accounts.web import member_required, render_page
from habeas.core.requestlog import request_id_of


@member_required
def job_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """The job's progress; htmx polls the ``progress`` partial every second until it has finished, or its
    worker has stopped."""
    job = job_get_for_user(user=request.user, pk=pk)  # type: ignore[arg-type]
    context = {"title": job.title, "job": job, "stalled": job_stalled(job, now=timezone.now())}
    return render_page(request, "habeas/job.html", context, partial="progress")


@require_POST
@member_required
def job_start_again(request: HttpRequest, pk: int) -> HttpResponse:
    """Start a job whose worker stopped while running it once more."""
    job = job_get_for_user(user=request.user, pk=pk)  # type: ignore[arg-type]
    try:
        job_restart(job=job, user=request.user, now=timezone.now())
    except JobNotStalled as exc:
        messages.error(request, str(exc))
    return redirect("job_detail", pk=job.pk)


def server_error(request: HttpRequest) -> HttpResponse:
    """The page of an unexpected error: what to do, and the request's id to quote (the log has the error)."""
    page = loader.get_template("habeas/500.html").render({"request_id": request_id_of(request)})
    return HttpResponseServerError(page)
