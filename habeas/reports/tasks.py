"""The worker's tasks of reports: briefings built as jobs (``briefing_request`` queues one), and the live clock's
e-mails as a periodic task: each round tells the members what is new
(``clock_notify``) and queues the next round ``CLOCK_MINUTES`` later. ``habeas worker`` queues the first round
when it starts (``clock_schedule``); ``habeas clock`` runs one round from a timer instead (cron, systemd)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext
from django_tasks import task
from django_tasks_db.models import DBTaskResult

from habeas.accounts.jobs import JobFailed, Progress, job_run, job_start
from habeas.core.models import Job
from habeas.reports.briefing import FORMATS, BriefingError, Scope
from habeas.reports.services import clock_notify
from habeas.reports.services_briefing import briefing_build

#: minutes between two rounds of the live clock's e-mails
CLOCK_MINUTES = 5


@task()
def clock_round() -> int:
    """Send what is new, then queue the next round; returns the number of e-mails sent."""
    now = timezone.now()
    try:
        return clock_notify(now=now)
    finally:
        clock_schedule(after=now + dt.timedelta(minutes=CLOCK_MINUTES))
        # the queue keeps every result: only the last day's rounds are kept, not 288 more rows a day for ever
        DBTaskResult.objects.filter(
            task_path=clock_round.module_path, status="SUCCESSFUL", finished_at__lt=now - dt.timedelta(days=1)
        ).delete()


def clock_schedule(*, after: dt.datetime | None = None) -> bool:
    """Queue a round of the live clock (at ``after``, else now) unless one is already waiting. Returns whether one
    was queued."""
    if DBTaskResult.objects.filter(task_path=clock_round.module_path, status="READY").exists():
        return False
    (clock_round.using(run_after=after) if after else clock_round).enqueue()
    return True


@task()
def briefing_task(*, job_id: int, scope: dict[str, Any], format: str) -> None:
    """Build a briefing for the job's starter, telling the job how far it has got; its result is the download."""

    def work(progress: Progress) -> str:
        user = Job.objects.select_related("created_by").get(pk=job_id).created_by
        if user is None or not user.is_active:
            raise JobFailed(gettext("The account that asked for this briefing can no longer read records."))
        built = briefing_build(user=user, scope=Scope.from_json(scope), format=format, progress=progress)
        return reverse("briefing_download", args=[built.pk])

    job_run(job_id, work)


def briefing_request(*, user: Any, scope: Scope, format: str) -> Job:
    """Queue the building of a briefing as a job of the worker; its page shows the progress."""
    if format not in FORMATS:
        raise BriefingError(f"unknown format {format!r}; the formats are: {', '.join(FORMATS)}")
    return job_start(
        kind="briefing",
        title=gettext("Briefing (%(redaction)s, %(language)s, %(format)s)")
        % {"redaction": scope.redaction, "language": scope.language, "format": format.upper()},
        user=user,
        task=briefing_task,
        scope=scope.as_json(),
        format=format,
    )
