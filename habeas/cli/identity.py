"""Who runs a command: commands that print records act as a named user (``--user NAME`` or ``HABEAS_USER``),
see only what that user may see, and record what they printed in the audit trail.

The name is not a login: whoever can run the command can reach the database. It makes the command line
answer to the same roles as the web interface, and makes every read accountable to a person.
"""

from __future__ import annotations

import argparse
import os
from typing import Any

from habeas.core.errors import CommandError

ENVIRONMENT = "HABEAS_USER"


class IdentityError(CommandError):
    """No user, or one who may not act: a usage error (exit code 2, as argparse's)."""

    exit_code = 2


def add_user_argument(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--user",
        metavar="NAME",
        help=f"act as this user and print only what they may see (default: ${ENVIRONMENT})",
    )


def cli_user(args: argparse.Namespace) -> Any:
    """The active user named by ``--user`` or, failing that, ``HABEAS_USER``. Needs Django set up."""
    from django.contrib.auth import get_user_model

    name = (getattr(args, "user", None) or os.environ.get(ENVIRONMENT, "")).strip()
    if not name:
        raise IdentityError(f"say who you are: --user NAME or {ENVIRONMENT}")
    model = get_user_model()
    try:
        user = model._default_manager.get_by_natural_key(name)
    except model.DoesNotExist:
        raise IdentityError(f"there is no user {name!r}: --user (or {ENVIRONMENT}) must name an account") from None
    if not user.is_active:
        raise IdentityError(f"the account {name!r} is inactive: it may not read records")
    return user


def cli_read_record(*, user: Any, command: str, records: dict[str, list[int]], details: dict[str, Any]) -> None:
    """The audit event of a command's output: who printed which records (type → ids), and how."""
    from habeas.accounts.services import audit_record

    audit_record(
        action="read",
        actor=user,
        target_type="cli",
        target_id=command.split()[0] if command else "",
        summary=f"habeas {command}"[:500],
        details={**details, "records": records, "count": sum(len(ids) for ids in records.values())},
    )
