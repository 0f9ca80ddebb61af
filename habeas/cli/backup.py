"""``habeas backup FILE`` and ``habeas restore FILE``: an encrypted archive of the database and the documents."""

from __future__ import annotations

import argparse
import getpass
import os
import sys
from pathlib import Path
from typing import Any

from habeas.core.errors import CommandError

PASSPHRASE_VARIABLE = "HABEAS_BACKUP_PASSPHRASE"


def passphrase(*, confirm: bool) -> str:
    """The archive's passphrase: from ``HABEAS_BACKUP_PASSPHRASE``, or asked for on the terminal (twice for a new
    archive)."""
    given = os.environ.get(PASSPHRASE_VARIABLE)
    if given is not None:
        return given
    if not sys.stdin.isatty():
        raise CommandError(
            f"give the archive's passphrase in {PASSPHRASE_VARIABLE}, or run the command on a terminal to be asked"
        )
    first = getpass.getpass("Passphrase of the archive: ")
    if confirm and getpass.getpass("The same passphrase again: ") != first:
        raise CommandError("the two passphrases differ; nothing was written")
    return first


def say(text: str) -> None:
    print(text, flush=True)


def cmd_backup(args: argparse.Namespace) -> int:
    from habeas.cli.main import setup_django

    secret = passphrase(confirm=True)
    setup_django()
    from habeas.ops.backup import backup_write, passphrase_check

    passphrase_check(secret)
    summary = backup_write(path=Path(args.file), passphrase=secret, progress=say)
    print(f"SHA-256 of the archive: {summary.sha256}")
    print("Keep the passphrase and the key file apart from the archive: either, with the archive, is not enough")
    print("to read it, but the passphrase alone opens the archive.")
    return 0


def cmd_restore(args: argparse.Namespace) -> int:
    from habeas.cli.main import setup_django

    secret = passphrase(confirm=False)
    setup_django()
    from habeas.ops.backup import backup_restore

    summary = backup_restore(path=Path(args.file), passphrase=secret, progress=say)
    print(
        f"Restored the backup made {summary.created_at} (Habeas {summary.habeas_version}): "
        f"{summary.total_rows:,} rows, {summary.documents:,} documents; the audit trail of "
        f"{summary.audit_events:,} events is intact."
    )
    return 0


def add_commands(sub: Any) -> None:
    backup = sub.add_parser(
        "backup",
        help="write an encrypted archive of the database and the stored documents",
        description=(
            "Write a consistent, encrypted, integrity-checked archive of every record, user, audit event and "
            f"stored document. The passphrase comes from {PASSPHRASE_VARIABLE}, or is asked for on a terminal."
        ),
    )
    backup.add_argument("file", help="the archive to write (it must not exist)")
    backup.set_defaults(func=cmd_backup)
    restore = sub.add_parser(
        "restore",
        help="restore an archive into a new, empty instance",
        description=(
            "Restore an archive made by `habeas backup` into a new instance (migrated, with no records or users). "
            "The archive is checked in full before anything is written."
        ),
    )
    restore.add_argument("file", help="the archive to restore")
    restore.set_defaults(func=cmd_restore)
