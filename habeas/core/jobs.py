"""Long operations as tasks: a ``Job`` row that the page polls for progress, and the task that the worker
(``habeas worker``, Django's tasks framework with a database-backed queue) runs.

A service starts a job with ``job_start(kind=…, title=…, user=…, task=…, **arguments)``: the task is queued
when the transaction commits and gets the job's id. The task calls ``job_run(job_id, work)``; ``work`` receives
a ``progress(done, total, what)`` callback and returns the URL of its result. Progress is written outside any
transaction of the work, so the page sees it at once; a failure is stored in words and re-raised for the
worker's log."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.contrib.auth.models import User
from django.db import transaction
from django.http import Http404
from django.utils import translation

from habeas.accounts.services import audit_record
from habeas.core.models import Job

Progress = Callable[[int, int, str], None]


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


def job_run(job_id: int, work: Callable[[Progress], str]) -> None:
    """Run ``work`` for the job, keeping its status and progress up to date, in the language of the page that
    started it."""
    _update(job_id, status=Job.Status.RUNNING)
    language = Job.objects.filter(pk=job_id).values_list("language", flat=True).first()

    def progress(done: int, total: int, what: str) -> None:
        _update(job_id, done=min(done, total), total=total, message=what[:300])

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
