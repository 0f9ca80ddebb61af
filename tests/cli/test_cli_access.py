"""The command line's authorisation matrix: every command that prints records, as every persona.

A read command acts as a named user (``--user`` or ``HABEAS_USER``) and prints only the records that user
may see, as the web interface does; without a user, or as an unknown or inactive one, it prints nothing and
exits with 2. Each run as a user is a "read" event in the audit trail.

The world: the demo database (team "Kazakhstan 2013"), with one record that has findings moved to a team B,
and the personas of tests/accounts/test_authorisation_matrix.py: a superuser in no team, an owner
(administrator), a member (researcher) and a read-only member of the demo team, and an outsider in team B.
"""

from __future__ import annotations

import json
import re
import shutil
import sqlite3
from pathlib import Path

import pytest

from tests.cli.conftest import cli_env, run_habeas
from tests.protected import leaks, protected_texts

SETUP = """
from django.contrib.auth import get_user_model
from habeas.accounts.models import Role, Team
from habeas.accounts.services import membership_grant
from habeas.standards.models import Finding

users = get_user_model().objects
team_a = Team.objects.get(name="Kazakhstan 2013")
team_b = Team.objects.create(name="B")
users.create_superuser("superuser", "", "a-long-test-password")
users.create_user("gone", "", "a-long-test-password", is_active=False)
for name, team, role in [
    ("owner", team_a, Role.ADMINISTRATOR),
    ("member", team_a, Role.RESEARCHER),
    ("readonly", team_a, Role.READ_ONLY),
    ("analyst", team_a, Role.ANALYST),
    ("outsider", team_b, Role.RESEARCHER),
]:
    membership_grant(team=team, user=users.create_user(name, "", "a-long-test-password"), role=role, actor=None)
finding = Finding.objects.filter(profile="kz", active=True).order_by("pk").first()
finding.content_type.model_class().objects.filter(pk=finding.object_id).update(team=team_b)
print(f"MOVED {finding.content_type.app_label}.{finding.content_type.model}#{finding.object_id}")
"""

PERSONAS = ["superuser", "owner", "member", "readonly", "analyst", "outsider"]
#: every read command, with the arguments that make it print records (one entry per format)
COMMANDS = {
    "check-table": ["check", "--profile", "kz", "--as-of", "2013-07-01", "--format", "table"],
    "check-json": ["check", "--profile", "kz", "--as-of", "2013-07-01", "--format", "json"],
}
TABLE_RECORD = re.compile(r"(\S+\.\S+#\d+)\s*$")


class World:
    def __init__(self, env: dict[str, str], database: Path, moved: str) -> None:
        self.env, self.database, self.moved = env, database, moved

    def run(self, command: str, user: str | None):
        env = {k: v for k, v in self.env.items() if k != "HABEAS_USER"}
        args = COMMANDS[command] + (["--user", user] if user else [])
        return run_habeas(*args, env=env)


@pytest.fixture(scope="module")
def world(demo_dir, tmp_path_factory) -> World:
    folder = tmp_path_factory.mktemp("access")
    database = folder / "demo.sqlite3"
    shutil.copy(demo_dir / "demo.sqlite3", database)
    for extra in demo_dir.glob("keys*.json"):  # the database's key file, where fields are encrypted
        shutil.copy(extra, folder / extra.name)
    env = cli_env(folder, DATABASE_URL=f"sqlite:///{database}")
    result = run_habeas("manage", "shell", "-c", SETUP, env=env)
    assert result.returncode == 0, result.stderr
    moved = re.search(r"^MOVED (\S+)$", result.stdout, re.MULTILINE)
    assert moved, result.stdout
    return World(env, database, moved.group(1))


def printed_records(command: str, stdout: str) -> set[str]:
    if command.endswith("json"):
        return {f"{row['record']['type']}#{row['record']['id']}" for row in json.loads(stdout)}
    findings, _, gaps = stdout.strip().partition("\n\nGaps: ")  # the gaps are listed after the findings
    lines = findings.splitlines() + gaps.splitlines()[2:]  # below their heading and header
    assert lines[0].startswith("RULE") and (not gaps or gaps.splitlines()[1].startswith("RULE"))
    found = {match.group(1) for line in lines[1:] if (match := TABLE_RECORD.search(line))}
    assert len(found) >= 1 and all(TABLE_RECORD.search(line) for line in lines[1:])
    return found


@pytest.fixture(scope="module")
def everything(world) -> set[str]:
    result = world.run("check-json", "superuser")
    assert result.returncode == 0, result.stderr
    return printed_records("check-json", result.stdout)


def expected(persona: str, everything: set[str], moved: str) -> set[str]:
    if persona == "superuser":
        return everything
    if persona == "outsider":
        return {moved}
    return everything - {moved}


@pytest.mark.parametrize("command", list(COMMANDS))
@pytest.mark.parametrize("persona", PERSONAS)
def test_each_persona_sees_exactly_the_records_of_their_teams(world, everything, command, persona):
    result = world.run(command, persona)
    assert result.returncode == 0, result.stderr
    assert printed_records(command, result.stdout) == expected(persona, everything, world.moved)


def test_the_world_has_records_on_both_sides(world, everything):
    assert world.moved in everything and len(everything) > 10


@pytest.mark.parametrize("command", list(COMMANDS))
def test_without_a_user_nothing_is_printed(world, command):
    result = world.run(command, None)
    assert result.returncode == 2
    assert result.stdout == ""
    assert "say who you are: --user NAME or HABEAS_USER" in result.stderr and "Traceback" not in result.stderr


@pytest.mark.parametrize(
    ("user", "message"), [("nobody", "there is no user 'nobody'"), ("gone", "the account 'gone' is inactive")]
)
def test_an_unknown_or_inactive_user_is_refused(world, user, message):
    result = world.run("check-json", user)
    assert result.returncode == 2
    assert result.stdout == "" and message in result.stderr


def test_HABEAS_USER_names_the_user_when_there_is_no_option(world, everything):
    result = run_habeas(*COMMANDS["check-json"], env={**world.env, "HABEAS_USER": "outsider"})
    assert result.returncode == 0, result.stderr
    assert printed_records("check-json", result.stdout) == {world.moved}


def test_each_run_is_a_read_event_of_the_user(world):
    assert world.run("check-table", "readonly").returncode == 0
    with sqlite3.connect(world.database) as connection:
        rows = connection.execute(
            "select actor_label, action, target_id from accounts_auditevent where target_type = 'cli' "
            "order by seq desc limit 1"
        ).fetchall()
    assert rows == [("readonly", "read", "check")]


def test_an_analyst_sees_the_findings_pseudonymised(world):
    """An analyst not granted identities gets the same findings, each about a pseudonym, not a name."""
    analyst, member = world.run("check-json", "analyst"), world.run("check-json", "member")
    assert analyst.returncode == 0, analyst.stderr
    assert leaks(analyst.stdout.encode(), protected_texts()) == []
    assert leaks(member.stdout.encode(), protected_texts())  # the member's copy does name them
    subjects = {row["subject"] for row in json.loads(analyst.stdout)}
    assert subjects and all(re.fullmatch(r"[A-Z][a-z ]+ [A-Z2-7]{10}", subject) for subject in subjects), subjects


#: every command, and why it does or does not act as a named user; a new command fails
#: ``test_every_command_says_whether_it_acts_as_a_user`` until it is listed here
ACTS_AS_USER = {
    "check": "prints findings about records (this file)",
    "export": "writes records, redacted (tests/reports/test_export_cli.py)",
    "load": "adds records to a team the user writes in (tests/cli/test_load.py)",
    "lists import": "adds a team's list (tests/counting/test_cli_lists.py)",
    "lists link": "reads a team's lists (tests/counting/test_cli_lists.py)",
    "lists review": "prints names side by side (tests/counting/test_cli_lists.py)",
    "lists histories": "writes who is on which list (tests/counting/test_cli_lists.py)",
    "lists estimate": "reads a team's linkage (tests/counting/test_cli_lists.py)",
    "briefing": "writes a briefing of the records the user may see (tests/reports/test_briefing_cli.py)",
    "import": "adds a partner's signed export to a team the user writes in (tests/reports/test_exchange.py)",
    "uwazi export": "writes the records the user may see, redacted (tests/ops/test_uwazi.py)",
    "uwazi import": "adds records to a team the user writes in (tests/ops/test_uwazi.py)",
    "token create": "creates a token of the user's own, for the API (tests/api/test_api_tokens.py)",
    "token list": "lists the user's own tokens (tests/api/test_api_tokens.py)",
    "token revoke": "revokes a token of the user's, or a superuser's of anyone (tests/api/test_api_tokens.py)",
}
SYSTEM_COMMANDS = {
    "demo": "builds its own database and prints counts only",
    "serve": "starts the web server, where every page checks its user",
    "worker": "runs the jobs users started from pages that checked their access",
    "clock": "e-mails members what needs attention in their own teams, naming no one",
    "gazetteer": "public place names",
    "synth": "synthetic records",
    "audit verify": "prints only whether the chain is intact and where it breaks",
    "backup": "an operator's archive, encrypted with a passphrase",
    "restore": "an operator's restore into an empty instance",
    "estimate": "reads a capture-history file, not the database",
    "link": "reads list files, not the database",
    "keys init": "creates the key file",
    "keys status": "prints counts of values per key",
    "keys rotate": "re-encrypts without printing any value",
    "keys signing": "makes the organisation's signing key once and prints its public half",
    "verify": "checks a file's signature against a public key, reading no record",
    "rules": "prints the rule catalogue, no record",
    "search reindex": "rebuilds the index of keyed hashes, printing counts only",
    "manage": "Django's management commands, for the operator of the server",
}


def commands() -> dict[str, bool]:
    """Every command of ``habeas`` and whether it takes ``--user``."""
    import argparse

    from habeas.cli.main import parser

    def walk(node: argparse.ArgumentParser, prefix: tuple[str, ...]) -> dict[str, bool]:
        for action in node._actions:
            if isinstance(action, argparse._SubParsersAction):
                out: dict[str, bool] = {}
                for name, child in action.choices.items():
                    out |= walk(child, (*prefix, name))
                return out
        return {" ".join(prefix): any("--user" in a.option_strings for a in node._actions)}

    return walk(parser(), ())


def test_every_command_says_whether_it_acts_as_a_user():
    found = commands()
    assert set(found) == set(ACTS_AS_USER) | set(SYSTEM_COMMANDS)
    assert {name for name, takes_user in found.items() if takes_user} == set(ACTS_AS_USER)
