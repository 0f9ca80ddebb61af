"""The standards check as a task of the worker, for the web application."""

from __future__ import annotations

from django.urls import reverse
from django_tasks import task

from habeas.accounts.jobs import Progress, job_run
from habeas.standards.services import findings_evaluate


@task()
def check_all(*, job_id: int, profile: str) -> None:
    """Check every record against the profile's rules, telling the job how far it has got."""

    def work(progress: Progress) -> str:
        findings_evaluate(profile_name=profile, progress=progress)
        return reverse("dashboard")

    job_run(job_id, work)
