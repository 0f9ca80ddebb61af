"""Importing a list, linkage and estimation as tasks of the worker, for the web application: the page that starts
one shows the job's progress, then links to the workspace, the run or the estimate."""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django_tasks import task

from habeas.accounts.jobs import JobFailed, Progress, job_run
from habeas.accounts.models import Team
from habeas.core.models import Job
from habeas.counting.models import LinkageRun, SourceList
from habeas.counting.services import (
    ListImportError,
    ListUploadMissing,
    estimate_run,
    linkage_relink,
    linkage_run,
    list_import,
    list_upload_delete,
    list_upload_get,
    list_upload_read,
    problem_words,
)
from habeas.evidence.models import Source


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
def relink(*, job_id: int, run_id: int) -> None:
    """Link a run's lists again after a review decision, and estimate again as the run was estimated."""

    def work(progress: Progress) -> str:
        user = _starter(job_id)
        run = LinkageRun.objects.get(pk=run_id)
        progress(0, 1, _("linking %(rows)s rows again") % {"rows": f"{run.records:,}"})
        again = linkage_relink(run=run, user=user)
        progress(1, 1, _("done"))
        return reverse("linkage_run_detail", args=[again.pk])

    job_run(job_id, work)


@task()
def estimate(
    *, job_id: int, run_id: int, method: str, seed: int | None, strata: str | None, linkage_draws: int | None = None
) -> None:
    """Estimate the total from a linkage run's capture histories with one method."""

    def work(progress: Progress) -> str:
        user = _starter(job_id)
        run = LinkageRun.objects.get(pk=run_id)
        progress(0, 1, _("estimating with %(method)s") % {"method": method})
        result = estimate_run(
            linkage=run, user=user, method=method, seed=seed, strata=strata, linkage_draws=linkage_draws
        )
        progress(1, 1, _("done"))
        return reverse("estimate_detail", args=[result.pk])

    job_run(job_id, work)


def refusal(error: ListImportError) -> str:
    """Why a list was refused, for the job's page: a first line, then one line per problem."""
    count = len(error.problems)
    first = ngettext(
        "The list was not imported and nothing of it was stored. Correct this problem in the file, then upload "
        "it again:",
        "The list was not imported and nothing of it was stored. Correct these %(count)s problems in the file, "
        "then upload it again:",
        count,
    ) % {"count": f"{count:,}"}
    return "\n".join([first, *map(problem_words, error.problems)])


def _upload_gone() -> JobFailed:
    return JobFailed(
        _(
            "The uploaded file is no longer kept (it is removed when its import ends, or after a day "
            "if the import is not started): upload it again."
        )
    )


@task()
def read_list_upload(*, job_id: int, token: str) -> None:
    """Read a list uploaded from the web (kept encrypted under ``token``), here in the worker and never in a web
    process, within the limits of ``habeas.counting.reading``; the job then leads to the form that maps its
    columns. A file that cannot be read is refused with every problem, and removed."""

    def work(progress: Progress) -> str:
        user = _starter(job_id)
        progress(0, 1, _("reading the file"))
        try:
            list_upload_read(token=token, user=user)
        except ListUploadMissing:
            raise _upload_gone() from None
        except ListImportError as exc:
            list_upload_delete(token=token)
            raise JobFailed(refusal(exc)) from None
        progress(1, 1, _("done"))
        return reverse("list_import_map", args=[token])

    job_run(job_id, work)


@task()
def import_list(*, job_id: int, token: str, mapping: dict[str, str]) -> None:
    """Import a list uploaded from the web (kept encrypted under ``token``) with the columns mapped to fields;
    the upload is removed when the job ends, imported or refused."""

    def work(progress: Progress) -> str:
        try:
            user = _starter(job_id)
            try:
                upload = list_upload_get(token=token, user=user)
            except ListUploadMissing:
                raise _upload_gone() from None
            progress(0, 1, _("checking every row, then storing the list"))
            try:
                list_import(
                    source=Source.objects.get(pk=upload.source_id),
                    content=upload.content,
                    name=upload.name,
                    mapping=mapping,
                    team=Team.objects.get(pk=upload.team_id),
                    user=user,
                    encoding=upload.encoding or None,
                    title=upload.title,
                    event=upload.event,
                    stratum=upload.stratum,
                )
            except ListImportError as exc:
                raise JobFailed(refusal(exc)) from None
        finally:
            list_upload_delete(token=token)
        progress(1, 1, _("done"))
        return reverse("counting") + "#lists"

    job_run(job_id, work)
