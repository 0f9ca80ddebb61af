"""``habeas clock``: one round of the live clock's e-mails, for a timer (cron, a systemd timer) where no worker
runs; ``habeas worker`` runs the same round every few minutes by itself."""

from __future__ import annotations

import argparse
from typing import Any


def cmd_clock(args: argparse.Namespace) -> int:
    from habeas.cli.main import setup_django

    setup_django()
    from django.utils import timezone

    from habeas.reports.services import clock_notify

    sent = clock_notify(now=timezone.now())
    print(f"The live clock sent {sent} e-mail{'s' if sent != 1 else ''}.")
    return 0


def add_commands(sub: Any) -> None:
    clock = sub.add_parser(
        "clock", help="e-mail the members who asked to be told what needs attention now (once per deadline)"
    )
    clock.set_defaults(func=cmd_clock)
