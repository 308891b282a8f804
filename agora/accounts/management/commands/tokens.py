"""`agora tokens ...`: access tokens for automation and bots.

- `create USERNAME --app NAME --scopes "read write follow"`: prints a new OAuth access token (the account's
  application of that name is reused, or created); use it as `Authorization: Bearer TOKEN` with the API.
- `revoke USERNAME [--app NAME]`: revoke every token of the account (or of one of its apps);
  `revoke --token-stdin`: revoke the one token read from stdin.
"""

from __future__ import annotations

import sys
from argparse import ArgumentParser
from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from agora.accounts import tokens
from agora.accounts.management.commands.accounts import _problems, find_account


class Command(BaseCommand):
    help = "Create and revoke API access tokens."

    def add_arguments(self, parser: ArgumentParser) -> None:
        commands = parser.add_subparsers(dest="subcommand", required=True)
        create = commands.add_parser("create", help="Print a new access token for an account.")
        create.add_argument("username")
        create.add_argument("--app", required=True, help="application name (reused when it exists)")
        create.add_argument("--scopes", default="read", help='space-separated, e.g. "read write follow"')
        revoke = commands.add_parser("revoke", help="Revoke tokens.")
        revoke.add_argument("username", nargs="?")
        revoke.add_argument("--app", help="only this application's tokens")
        revoke.add_argument("--token-stdin", action="store_true", help="revoke the token read from stdin")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            if options["subcommand"] == "create":
                user = find_account(options["username"])
                token = tokens.create_token_for(user=user, app_name=options["app"], scopes=options["scopes"])
                self.stdout.write(token.token)
            else:
                self._revoke(options)
        except ValidationError as error:
            raise CommandError(_problems(error)) from error

    def _revoke(self, options: dict[str, Any]) -> None:
        if options["token_stdin"]:
            if options["username"] or options["app"]:
                raise CommandError("Give either --token-stdin or a username, not both.")
            if not tokens.revoke_token_value(sys.stdin.readline()):
                raise CommandError("No such token.")
            self.stdout.write(self.style.SUCCESS("Revoked 1 token."))
            return
        if not options["username"]:
            raise CommandError("Give a username (or --token-stdin).")
        user = find_account(options["username"])
        count = tokens.revoke_tokens(user=user, app_name=options["app"])
        self.stdout.write(self.style.SUCCESS(f"Revoked {count} token(s) of @{user.username}."))
