"""A task for the tests of the worker: a job that runs until a file appears, so that a test can kill its worker
while it runs."""

from __future__ import annotations

import time
from pathlib import Path

from django_tasks import task

from habeas.accounts.jobs import Progress, job_run


@task()
def wait_for_file(*, job_id: int, path: str) -> None:
    def work(progress: Progress) -> str:
        progress(0, 1, "waiting for the file")
        while not Path(path).exists():
            time.sleep(0.1)
        progress(1, 1, "done")
        return "/"

    job_run(job_id, work)
