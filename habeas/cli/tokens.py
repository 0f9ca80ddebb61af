"""``habeas token``: a user's tokens of the JSON API — created (the token is printed once), listed and
revoked. The command acts as ``--user``; an account that needs a second factor gives its code."""

from __future__ import annotations

import argparse
from typing import Any

from habeas.cli.identity import add_user_argument
from habeas.core.errors import CommandError


def _user(args: argparse.Namespace) -> Any:
    from habeas.cli.main import setup_django

    setup_django()
    from habeas.cli.identity import cli_user

    return cli_user(args)


def cmd_token_create(args: argparse.Namespace) -> int:
    user = _user(args)
    from django.core.exceptions import PermissionDenied, ValidationError

    from habeas.api.services import token_create

    try:
        token, secret = token_create(user=user, name=args.name, code=args.code or "")
    except (ValidationError, PermissionDenied) as exc:
        raise CommandError(" ".join(getattr(exc, "messages", [str(exc)]))) from None
    print(f"Token {token.pk} ({token.name}) for {user.get_username()}. It is shown this once; keep it secret:")
    print(secret)
    return 0


def cmd_token_list(args: argparse.Namespace) -> int:
    user = _user(args)
    from habeas.api.models import ApiToken

    for token in ApiToken.objects.filter(user=user):
        state = f"revoked {token.revoked_at:%Y-%m-%d %H:%M}" if token.revoked_at else "active"
        used = f"last used {token.last_used_at:%Y-%m-%d %H:%M}" if token.last_used_at else "never used"
        print(f"{token.pk}\t{token.prefix}…\t{token.name}\t{state}\t{used}")
    return 0


def cmd_token_revoke(args: argparse.Namespace) -> int:
    user = _user(args)
    from django.core.exceptions import PermissionDenied

    from habeas.api.models import ApiToken
    from habeas.api.services import token_revoke

    tokens = ApiToken.objects.all() if user.is_superuser else ApiToken.objects.filter(user=user)
    token = tokens.filter(pk=args.id).first()
    if token is None:
        raise CommandError(f"{user.get_username()} has no token {args.id} (habeas token list shows them)")
    try:
        token_revoke(token=token, actor=user)
    except PermissionDenied as exc:
        raise CommandError(str(exc)) from None
    print(f"Token {token.pk} ({token.name}) is revoked: it answers no call any more.")
    return 0


def add_commands(sub: Any) -> None:
    token = sub.add_parser("token", help="create, list and revoke tokens of the JSON API")
    token_sub = token.add_subparsers(dest="token_command", required=True)
    create = token_sub.add_parser("create", help="create a token for --user (printed once)")
    add_user_argument(create)
    create.add_argument("--name", required=True, help="what the token is for, e.g. 'intake app'")
    create.add_argument("--code", help="the code of the user's authenticator, when their account needs one")
    create.set_defaults(func=cmd_token_create)
    listed = token_sub.add_parser("list", help="the tokens of --user")
    add_user_argument(listed)
    listed.set_defaults(func=cmd_token_list)
    revoke = token_sub.add_parser("revoke", help="revoke a token of --user (a superuser: anyone's)")
    add_user_argument(revoke)
    revoke.add_argument("id", type=int, help="the token's number (habeas token list)")
    revoke.set_defaults(func=cmd_token_revoke)
