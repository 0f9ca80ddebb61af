"""`habeas briefing` from the command line, run in the test's process on the demo records of the test database
(tests/cli/conftest.py ``habeas``): the file written, the summary printed, the audit event; a user is required."""

from __future__ import annotations

import hashlib

from habeas.accounts.models import AuditEvent
from habeas.demo import DEMO_USER
from habeas.standards.services import findings_evaluate
from tests.cli.conftest import habeas


def test_briefing_writes_the_russian_html_of_the_period_and_records_who_built_it(demo_user, tmp_path):
    findings_evaluate(profile_name="kz")
    out = tmp_path / "briefing.html"
    result = habeas(
        "briefing", "--from", "2011-12-01", "--to", "2012-12-31", "--lang", "ru", "--redact", "public",
        "--format", "html", "--out", str(out), "--user", DEMO_USER,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    page = out.read_text(encoding="utf-8")
    assert '<html lang="ru">' in page and "Период" in page and "Расследование и привлечение к ответственности" in page
    sha = hashlib.sha256(out.read_bytes()).hexdigest()
    assert sha in result.stdout and "audit trail" in result.stdout
    event = AuditEvent.objects.get(action="export", target_type="reports.briefing")
    assert event.actor == demo_user and event.details["sha256"] == sha
    assert event.details["scope"]["period_from"] == "2011-12-01" and event.details["scope"]["language"] == "ru"


def test_briefing_needs_a_user_and_a_known_place(demo_user, tmp_path):
    out = tmp_path / "b.pdf"
    nobody = habeas("briefing", "--redact", "public", "--out", str(out))
    assert nobody.returncode == 2 and "--user" in nobody.stderr
    unknown = habeas("briefing", "--redact", "public", "--place", "Atlantis", "--out", str(out), "--user", DEMO_USER)
    assert unknown.returncode == 1 and "there is no place 'Atlantis'" in unknown.stderr
    assert not out.exists()
