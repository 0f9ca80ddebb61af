"""Time to build the demo's briefing as a PDF (target: at most 10 s).

Usage: ``.venv/bin/python bench/bench_briefing.py [--runs 3] [--data DIR]``

It builds the demo database (``habeas demo --no-serve --yes``) in ``--data`` (a temporary folder by default), then
builds the whole briefing — every finding, recommendation and estimate the demo user may see — as the public PDF
in English and in Russian and as the internal PDF in English, ``--runs`` times each, through the same service the
page's job and ``habeas briefing`` call (reading, redaction, HTML, WeasyPrint, storing and audit). It prints, per
case, the best and the median seconds and the size of the PDF.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
CASES = [("public", "en"), ("public", "ru"), ("internal", "en")]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--data", help="the data folder of the demo (default: a new temporary folder)")
    args = parser.parse_args()
    data = Path(args.data or tempfile.mkdtemp(prefix="habeas-bench-briefing-"))
    env = {**os.environ, "HABEAS_DATA_DIR": str(data), "PYTHONPATH": str(ROOT)}
    subprocess.run(
        [sys.executable, "-m", "habeas.cli.main", "demo", "--no-serve", "--yes"],
        env=env,
        check=True,
        capture_output=True,
    )
    os.environ.update(
        {
            "HABEAS_DATA_DIR": str(data),
            "DATABASE_URL": f"sqlite:///{data / 'demo.sqlite3'}",
            "HABEAS_SECRET_KEY_FILE": str(data / "secret_key"),
        }
    )
    from habeas.cli.main import setup_django

    setup_django()
    from django.contrib.auth import get_user_model

    from habeas.demo import DEMO_USER
    from habeas.reports.briefing import Scope
    from habeas.reports.services_briefing import briefing_build

    user = get_user_model().objects.get(username=DEMO_USER)
    briefing_build(user=user, scope=Scope(redaction="public"), format="pdf")  # fonts and templates loaded once
    print(f"{'version':10} {'language':8} {'best s':>7} {'median s':>9} {'PDF KB':>9}")
    for redaction, language in CASES:
        times, size = [], 0
        for _ in range(args.runs):
            start = time.perf_counter()
            built = briefing_build(user=user, scope=Scope(redaction=redaction, language=language), format="pdf")
            times.append(time.perf_counter() - start)
            size = built.size
        print(f"{redaction:10} {language:8} {min(times):7.2f} {statistics.median(times):9.2f} {size / 1024:9.0f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
