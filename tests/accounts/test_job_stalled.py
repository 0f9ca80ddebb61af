"""A job whose worker stopped: the worker writes a running job's heartbeat while it runs; a running job not heard
from for the timeout is shown as failed, and its starter may start it again, which a worker then runs to its
end."""

from __future__ import annotations

import datetime as dt
import time

import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse
from django.utils import timezone
from django_tasks_db.compat import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from habeas.accounts.jobs import job_run, job_start
from habeas.accounts.models import AuditEvent
from habeas.core.models import Job
from habeas.standards.tasks import check_all
from tests.conftest import PASSWORD, run_worker


@pytest.fixture
def starter(db):
    return get_user_model().objects.create_user("starter", "", PASSWORD)


def a_job_whose_worker_died(starter, capture, *, silent_for: float) -> Job:
    """A check started from a page and claimed by a worker that was then killed: the task and the job are left
    running, the job last heard from ``silent_for`` seconds ago."""
    with capture(execute=True):
        job = job_start(kind="check", title="A check", user=starter, task=check_all, profile="kz")
    DBTaskResult.objects.update(status=TaskResultStatus.RUNNING, started_at=timezone.now())
    heard = timezone.now() - dt.timedelta(seconds=silent_for)
    Job.objects.filter(pk=job.pk).update(status=Job.Status.RUNNING, done=3, total=9, heartbeat_at=heard)
    return job


@pytest.mark.django_db(transaction=True)  # the heartbeat is written by a thread, with a connection of its own
def test_the_worker_writes_the_heartbeat_of_a_job_that_runs_without_a_word(settings, starter):
    settings.HABEAS_JOB_HEARTBEAT_SECONDS = 1
    job = Job.objects.create(kind="check", title="A quiet check", created_by=starter)
    heard = []

    def work(progress):
        for _ in range(3):
            heard.append(Job.objects.values_list("heartbeat_at", flat=True).get(pk=job.pk))
            time.sleep(1.3)
        return "/"

    job_run(job.pk, work)
    assert heard[0] is not None
    assert heard[0] < heard[1] < heard[2]


def test_a_running_job_not_heard_from_for_the_timeout_is_shown_as_failed(
    client, settings, starter, django_capture_on_commit_callbacks
):
    settings.HABEAS_JOB_STALLED_SECONDS = 60
    job = a_job_whose_worker_died(starter, django_capture_on_commit_callbacks, silent_for=61)
    client.force_login(starter)
    page = client.get(reverse("job_detail", args=[job.pk])).content.decode()
    assert "the worker stopped while running this job" in page
    assert reverse("job_start_again", args=[job.pk]) in page
    assert "every 1s" not in page  # no more polling


def test_a_running_job_heard_from_lately_shows_its_progress(
    client, settings, starter, django_capture_on_commit_callbacks
):
    settings.HABEAS_JOB_STALLED_SECONDS = 60
    job = a_job_whose_worker_died(starter, django_capture_on_commit_callbacks, silent_for=50)
    client.force_login(starter)
    page = client.get(reverse("job_detail", args=[job.pk])).content.decode()
    assert "the worker stopped" not in page and reverse("job_start_again", args=[job.pk]) not in page
    assert "every 1s" in page and "3 of 9 steps" in page


def test_a_stalled_job_started_again_is_run_to_its_end_by_a_worker(
    client, settings, starter, django_capture_on_commit_callbacks
):
    settings.HABEAS_JOB_STALLED_SECONDS = 60
    job = a_job_whose_worker_died(starter, django_capture_on_commit_callbacks, silent_for=61)
    client.force_login(starter)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("job_start_again", args=[job.pk]))
    assert response.status_code == 302 and response["Location"] == reverse("job_detail", args=[job.pk])
    job.refresh_from_db()
    assert (job.status, job.done, job.total) == (Job.Status.QUEUED, 0, 0)
    old, new = DBTaskResult.objects.order_by("enqueued_at")
    assert old.status == TaskResultStatus.FAILED and new.status == TaskResultStatus.READY
    assert new.args_kwargs == old.args_kwargs
    assert AuditEvent.objects.filter(action="update", target_type="core.job", target_id=str(job.pk)).exists()

    run_worker()

    job.refresh_from_db()
    assert job.status == Job.Status.DONE, job.error
    assert job.result_url == reverse("dashboard")


def test_a_job_that_still_runs_or_is_anothers_is_not_started_again(
    client, settings, starter, django_capture_on_commit_callbacks
):
    settings.HABEAS_JOB_STALLED_SECONDS = 60
    job = a_job_whose_worker_died(starter, django_capture_on_commit_callbacks, silent_for=5)
    client.force_login(starter)
    page = client.post(reverse("job_start_again", args=[job.pk]), follow=True).content.decode()
    assert "Only a job whose worker stopped while running it can be started again." in page
    assert client.get(reverse("job_start_again", args=[job.pk])).status_code == 405
    Job.objects.filter(pk=job.pk).update(heartbeat_at=timezone.now() - dt.timedelta(seconds=61))
    client.force_login(get_user_model().objects.create_user("other", "", PASSWORD))
    assert client.post(reverse("job_start_again", args=[job.pk])).status_code == 404
    job.refresh_from_db()
    assert job.status == Job.Status.RUNNING and DBTaskResult.objects.count() == 1
