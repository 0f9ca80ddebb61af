"""``habeas keys``: the key file of the encrypted fields."""

from __future__ import annotations

import argparse
from typing import Any

from habeas.core.errors import CommandError


def cmd_keys_init(args: argparse.Namespace) -> int:
    from habeas.core.crypto import KeyringError, keys_init
    from habeas.core.env import key_file

    path = key_file()
    try:
        ring = keys_init(path)
    except KeyringError as exc:
        raise CommandError(str(exc)) from None
    print(f"Created the key file {path} (key {ring.current}). Keep a copy somewhere safe and apart from the")
    print("database and its backups: without it the protected fields cannot be read.")
    return 0


def cmd_keys_status(args: argparse.Namespace) -> int:
    from habeas.cli.main import setup_django

    setup_django()
    from habeas.core.crypto import keyring
    from habeas.ops.keys import keys_usage

    ring = keyring(fresh=True)
    usage = keys_usage()
    print(f"Key file: {ring.path}")
    for kid in ring.keys:
        mark = " (current)" if kid == ring.current else ""
        print(f"  {kid}{mark}: {usage.get(kid, 0):,} stored values")
    for kid, count in usage.items():
        if kid not in ring.keys:
            print(f"  {kid}: {count:,} stored values, but the key is NOT in the key file")
    return 0


def cmd_keys_rotate(args: argparse.Namespace) -> int:
    from habeas.cli.main import setup_django

    setup_django()
    from habeas.ops.keys import keys_rotate

    rotation = keys_rotate(progress=lambda text: print(text, flush=True))
    print(f"Done: {rotation.values:,} rows re-encrypted under key {rotation.new_key}.")
    return 0 if rotation.retired else 1


def cmd_keys_signing(args: argparse.Namespace) -> int:
    from habeas.cli.main import setup_django

    setup_django()
    from habeas.reports.signing import public_key_text, signing_key_make, signing_key_path

    key, made = signing_key_make()
    if made:
        print(f"Created the organisation's signing key {signing_key_path()}: keep it as the key file.")
    print("The public key, to give to partners (they pass it to `habeas verify --trust`):")
    print(public_key_text(key.public_key()))
    return 0


def add_commands(sub: Any) -> None:
    keys = sub.add_parser("keys", help="create, inspect and rotate the key file of the encrypted fields")
    keys_sub = keys.add_subparsers(dest="keys_command", required=True)
    keys_sub.add_parser("init", help="create a new key file (HABEAS_KEY_FILE)").set_defaults(func=cmd_keys_init)
    keys_sub.add_parser("status", help="which keys the stored values use").set_defaults(func=cmd_keys_status)
    keys_sub.add_parser(
        "signing", help="make the organisation's key that signs exports (once), and print its public key"
    ).set_defaults(func=cmd_keys_signing)
    keys_sub.add_parser("rotate", help="re-encrypt everything under a new key, while the service runs").set_defaults(
        func=cmd_keys_rotate
    )
