"""The page of a long operation: its progress while it runs, then where to see its result."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse

from habeas.core.jobs import job_get_for_user
from habeas.core.web import member_required, render_page


@member_required
def job_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """The job's progress; htmx polls the ``progress`` partial every second until it has finished."""
    job = job_get_for_user(user=request.user, pk=pk)  # type: ignore[arg-type]
    return render_page(request, "habeas/job.html", {"title": job.title, "job": job}, partial="progress")
