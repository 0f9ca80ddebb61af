"""The pages of jobs in the access matrix: a job's progress, starting it again, and starting a check (see
tests/pages.py)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib.auth import get_user_model

from habeas.core.models import Job
from tests.conftest import PERSONAS
from tests.pages import MEMBER_PAGE

PAGES: dict[str, dict[str, int]] = {
    # a job is its starter's (the member's here): it does not exist for anyone else but superusers
    "job_detail": {**dict.fromkeys(PERSONAS, 404), "anonymous": 302, "superuser": 200, "member": 200},
    # starting a check is a POST; a GET is refused as a method not allowed
    "check_start": {**MEMBER_PAGE, **dict.fromkeys(PERSONAS[1:], 405)},
    # starting a stopped job again is a POST (tests/accounts/test_job_stalled.py); a GET is refused for everyone
    "job_start_again": dict.fromkeys(PERSONAS, 405),
}


def _members_job() -> dict[str, Any]:
    member = get_user_model().objects.get(username="member")
    job = Job.objects.create(kind="check", title="A check", created_by=member)
    return {"pk": job.pk}


URL_ARGUMENTS: dict[str, Callable[[], dict[str, Any]]] = {"job_detail": _members_job, "job_start_again": _members_job}
