"""Step (1) of a code tree's ``bench/bench_check.py`` alone — a full check with no stored findings — with the CPU
seconds of this process and of its PostgreSQL backend (read from ``/proc``, so the server must run on this
machine) beside the wall time: on a shared machine the CPU seconds compare two versions where the wall time
does not. The stored findings are deleted first, untimed.

Usage, alternating the code before and after on a copy of the database (``createdb -T``):

    git archive <commit> | tar -x -C /tmp/before
    DATABASE_URL=postgres://… HABEAS_SECRET_KEY=… .venv/bin/python bench/bench_check_cpu.py /tmp/before
"""

from __future__ import annotations

import os
import resource
import sys
import time
from pathlib import Path

code = Path(sys.argv[1]).resolve()
os.chdir(code)
sys.path[:0] = [str(code), str(code / "bench")]
import bench_check  # noqa: E402  (sets Django up, from the tree given)
from django.db import connection  # noqa: E402


def backend() -> tuple[int, float]:
    """The backend's process id and the CPU seconds it has used."""
    with connection.cursor() as cursor:
        cursor.execute("select pg_backend_pid()")
        pid = cursor.fetchone()[0]
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return pid, (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def main() -> None:
    bench_check.Finding.objects.all().delete()
    pid0, cpu0 = backend()
    before = resource.getrusage(resource.RUSAGE_SELF)
    start = time.perf_counter()
    evaluation = bench_check.findings_evaluate(profile_name=bench_check.PROFILE, now=bench_check.NOW)
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_SELF)
    pid1, cpu1 = backend()
    python = after.ru_utime + after.ru_stime - before.ru_utime - before.ru_stime
    print(
        f"code {code}: {evaluation.found:,} findings; wall {wall:.1f} s; CPU {python:.1f} s in Python, "
        f"{cpu1 - cpu0:.1f} s in the PostgreSQL backend{'' if pid0 == pid1 else ' (backend changed: not counted)'}"
    )


if __name__ == "__main__":
    main()
