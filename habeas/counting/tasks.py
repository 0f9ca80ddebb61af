"""Linkage and estimation as tasks of the worker, for the web application: the page that starts one shows the
job's progress, then links to the run or the estimate."""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.urls import reverse
from django.utils.translation import gettext as _
from django_tasks import task

from habeas.core.jobs import Progress, job_run
from habeas.core.models import Job
from habeas.counting.models import LinkageRun, SourceList
from habeas.counting.services import estimate_run, linkage_run


def _starter(job_id: int) -> object:
    """The user who started the job: the task acts as them, with their access checked again."""
    user_id = Job.objects.values_list("created_by", flat=True).get(pk=job_id)
    return get_user_model().objects.get(pk=user_id)


@task()
def link_lists(*, job_id: int, list_ids: list[int], seed: int) -> None:
    """Link the lists into people (Splink on DuckDB), applying the review decisions already made."""

    def work(progress: Progress) -> str:
        user = _starter(job_id)
        lists = list(SourceList.objects.filter(pk__in=list_ids))
        rows = sum(lst.row_count for lst in lists)
        progress(0, 1, _("linking %(rows)s rows of %(lists)s lists") % {"rows": f"{rows:,}", "lists": len(lists)})
        run = linkage_run(lists=lists, user=user, seed=seed)
        progress(1, 1, _("done"))
        return reverse("linkage_run_detail", args=[run.pk])

    job_run(job_id, work)


@task()
def estimate(*, job_id: int, run_id: int, method: str, seed: int | None, strata: str | None) -> None:
    """Estimate the total from a linkage run's capture histories with one method."""

    def work(progress: Progress) -> str:
        user = _starter(job_id)
        run = LinkageRun.objects.get(pk=run_id)
        progress(0, 1, _("estimating with %(method)s") % {"method": method})
        result = estimate_run(linkage=run, user=user, method=method, seed=seed, strata=strata)
        progress(1, 1, _("done"))
        return reverse("estimate_detail", args=[result.pk])

    job_run(job_id, work)
