"""Long operations as tasks: a check started from the dashboard is queued, run by the real database-backed
worker, and its page shows the progress and then the result."""

from __future__ import annotations

import pytest
from django.urls import reverse
from django_tasks_db.models import DBTaskResult

from habeas.accounts.jobs import job_run
from habeas.accounts.models import AuditEvent
from habeas.core.models import Job
from habeas.standards.models import Finding
from tests.conftest import run_worker
from tests.pages import assert_queries_bounded

pytestmark = pytest.mark.django_db


def test_a_check_runs_as_a_job_and_shows_its_progress(client, world, django_capture_on_commit_callbacks):
    client.force_login(world["member"])
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("check_start"), {"profile": "kz"})
    job = Job.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse("job_detail", args=[job.pk])
    assert (job.status, job.created_by, job.kind) == (Job.Status.QUEUED, world["member"], "check")
    assert DBTaskResult.objects.count() == 1
    assert AuditEvent.objects.filter(action="create", target_type="core.job", target_id=str(job.pk)).exists()
    page = client.get(response["Location"]).content.decode()
    assert 'hx-trigger="every 1s"' in page and "waiting for the worker" in page
    assert not Finding.objects.exists()

    run_worker()

    job.refresh_from_db()
    assert job.status == Job.Status.DONE, job.error
    assert job.done == job.total > 1 and job.message == "done"
    assert job.result_url == reverse("dashboard")
    assert Finding.objects.filter(active=True).exists()
    fragment = client.get(response["Location"], headers={"HX-Request": "true"}).content.decode()
    assert fragment.lstrip().startswith('<section class="panel" id="job-progress"')
    assert "every 1s" not in fragment and "See the result" in fragment


def test_the_progress_is_kept_and_a_failure_is_told_in_words(world):
    job = Job.objects.create(kind="check", title="A check", created_by=world["member"])
    seen = []

    def work(progress):
        progress(1, 4, "checking allegation records")
        seen.append(Job.objects.values_list("status", "done", "total", "message").get(pk=job.pk))
        raise ValueError("the profile 'xx' does not exist")

    with pytest.raises(ValueError):
        job_run(job.pk, work)
    assert seen == [(Job.Status.RUNNING, 1, 4, "checking allegation records")]
    job.refresh_from_db()
    assert job.status == Job.Status.FAILED
    assert job.error == "ValueError: the profile 'xx' does not exist"


def test_who_may_start_a_check(client, world):
    client.force_login(world["readonly"])
    assert client.post(reverse("check_start"), {"profile": "kz"}).status_code == 403
    client.force_login(world["member"])
    assert client.post(reverse("check_start"), {"profile": "nowhere"}).status_code == 403
    assert not Job.objects.exists()


@pytest.mark.parametrize("status", [Job.Status.RUNNING, Job.Status.DONE, Job.Status.FAILED])
def test_a_jobs_page_makes_as_many_queries_however_many_jobs_there_are(client, world, status):
    member = world["member"]
    job = Job.objects.create(
        kind="check", title="A check", created_by=member, status=status, done=2, total=4, result_url="/", error="x"
    )
    client.force_login(member)

    def grow() -> None:
        for i in range(5):
            for user in (member, world["owner"], None):
                Job.objects.create(kind="check", title=f"Check {i}", created_by=user, status=status, done=i, total=9)

    url = reverse("job_detail", args=[job.pk])
    assert assert_queries_bounded(client, url, grow) < 15
    client.defaults["HTTP_HX_REQUEST"] = "true"  # the progress partial that htmx polls
    assert assert_queries_bounded(client, url, grow) < 15
