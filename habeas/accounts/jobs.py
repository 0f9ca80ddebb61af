"""Long operations as tasks: a ``Job`` row that the page polls for progress, and the task that the worker
(``habeas worker``, Django's tasks framework with a database-backed queue) runs.

A service starts a job with ``job_start(kind=…, title=…, user=…, task=…, **arguments)``: the task is queued
when the transaction commits and gets the job's id. The task calls ``job_run(job_id, work)``; ``work`` receives
a ``progress(done, total, what)`` callback and returns the URL of its result. Progress is written outside any
transaction of the work, so the page sees it at once; a failure is stored in words and re-raised for the
worker's log.

While a job runs, a thread of the worker writes its heartbeat every ``HABEAS_JOB_HEARTBEAT_SECONDS``. A running
job not heard from for ``HABEAS_JOB_STALLED_SECONDS`` has lost its worker (killed, out of memory, the machine
restarted): its page says so, and its starter may start it again (``job_restart``). It is not re-queued by
itself, because the job may be what killed the worker: started again without anyone deciding, it would kill the
next worker too."""

from __future__ import annotations

import datetime as dt
import logging
import threading
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.contrib.auth.models import User
from django.db import DatabaseError, connections, transaction
from django.http import Http404
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django_tasks_db.compat import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from habeas.accounts.services import audit_record
from habeas.core.models import Job

Progress = Callable[[int, int, str], None]
logger = logging.getLogger(__name__)


class JobNotStalled(Exception):
    """Only a job whose worker stopped while running it can be started again."""


class JobFailed(Exception):
    """A failure the work explains in words for the job's page (one line, or a first line and then one line per
    problem): it is shown as it is, without the name of an exception in front."""


def job_start(*, kind: str, title: str, user: Any, task: Any, **arguments: Any) -> Job:
    """Record a job and queue its task once the caller's transaction commits."""
    with transaction.atomic():
        job = Job(kind=kind, title=title[:200], created_by=user, language=translation.get_language() or "")
        job.full_clean()
        job.save()
        audit_record(action="create", actor=user, target=job, summary=job.title, details={"arguments": arguments})
        transaction.on_commit(lambda: task.enqueue(job_id=job.pk, **arguments))
    return job


def _update(job_id: int, **fields: Any) -> None:
    Job.objects.filter(pk=job_id).update(**fields)


class _Heartbeat(threading.Thread):
    """Writes the running job's heartbeat every ``every`` seconds until stopped, with a database connection of
    its own; a beat the database refuses (locked for a while) is tried again at the next one."""

    def __init__(self, job_id: int, every: float) -> None:
        super().__init__(name=f"job-{job_id}-heartbeat", daemon=True)
        self.job_id, self.every, self.stopped = job_id, every, threading.Event()

    def run(self) -> None:
        try:
            while not self.stopped.wait(self.every):
                try:
                    Job.objects.filter(pk=self.job_id, status=Job.Status.RUNNING).update(heartbeat_at=timezone.now())
                except DatabaseError as exc:
                    logger.warning("job %s: its heartbeat was not written (%s); trying again", self.job_id, exc)
        finally:
            connections.close_all()  # this thread's connections only


def job_run(job_id: int, work: Callable[[Progress], str]) -> None:
    """Run ``work`` for the job, keeping its status, progress and heartbeat up to date, in the language of the
    page that started it."""
    _update(job_id, status=Job.Status.RUNNING, heartbeat_at=timezone.now())
    language = Job.objects.filter(pk=job_id).values_list("language", flat=True).first()

    def progress(done: int, total: int, what: str) -> None:
        _update(job_id, done=min(done, total), total=total, message=what[:300], heartbeat_at=timezone.now())

    heartbeat = _Heartbeat(job_id, settings.HABEAS_JOB_HEARTBEAT_SECONDS)
    heartbeat.start()
    try:
        with translation.override(language or settings.LANGUAGE_CODE):
            try:
                url = work(progress)
            except JobFailed as exc:  # told to the user in words, and kept encrypted: not re-raised, so that the
                _failed(job_id, str(exc))  # task queue's stored traceback does not repeat it in clear
                return
            except Exception as exc:
                _failed(job_id, f"{type(exc).__name__}: {exc}")
                raise
        _update(job_id, status=Job.Status.DONE, result_url=url)
    finally:
        heartbeat.stopped.set()  # not waited for: a beat held up by a locked database must not hold up the worker


def job_stalled(job: Job, *, now: dt.datetime) -> bool:
    """Whether the job is running but its worker has not been heard from for ``HABEAS_JOB_STALLED_SECONDS``:
    the worker stopped while running it."""
    last = job.heartbeat_at or job.updated_at
    limit = dt.timedelta(seconds=settings.HABEAS_JOB_STALLED_SECONDS)
    return job.status == Job.Status.RUNNING and last is not None and now - last > limit


def job_restart(*, job: Job, user: Any, now: dt.datetime) -> Job:
    """Queue a job whose worker stopped while running it once more, with the arguments it was first given; its
    old task is recorded as failed. Raises ``JobNotStalled`` for any other job."""
    with transaction.atomic():
        job = Job.objects.select_for_update().get(pk=job.pk)
        if not job_stalled(job, now=now):
            raise JobNotStalled(_("Only a job whose worker stopped while running it can be started again."))
        result = DBTaskResult.objects.filter(args_kwargs__kwargs__job_id=job.pk).order_by("-enqueued_at").first()
        if result is None:
            raise JobNotStalled(_("This job's task is no longer kept, so it cannot be started again."))
        DBTaskResult.objects.filter(pk=result.pk, status=TaskResultStatus.RUNNING).update(
            status=TaskResultStatus.FAILED,
            finished_at=now,
            exception_class_path="habeas.accounts.jobs.WorkerStopped",
            traceback="the worker stopped while running this task",
        )
        job.status, job.done, job.total, job.message, job.heartbeat_at = Job.Status.QUEUED, 0, 0, "", None
        job.full_clean()
        job.save()
        audit_record(action="update", actor=user, target=job, summary=f"started again: {job.title}")
        task, arguments = result.task, result.args_kwargs
        transaction.on_commit(lambda: task.enqueue(*arguments["args"], **arguments["kwargs"]))
    return job


def _failed(job_id: int, error: str) -> None:
    job = Job.objects.get(pk=job_id)
    job.status, job.error = Job.Status.FAILED, error  # through the field, which encrypts it
    job.save(update_fields=["status", "error", "updated_at"])


def job_get_for_user(*, user: User, pk: Any) -> Job:
    """The user's own job (a superuser may see any); anyone else's does not exist for them."""
    jobs = Job.objects.all() if user.is_superuser else Job.objects.filter(created_by=user)
    try:
        return jobs.get(pk=pk)
    except (Job.DoesNotExist, ValueError, TypeError):
        raise Http404(f"no job {pk}") from None
