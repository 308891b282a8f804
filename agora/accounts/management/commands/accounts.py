"""`agora accounts ...`: the operator's account tools (like Mastodon's `tootctl accounts`).

- `create USERNAME --email E (--password-stdin | --random-password) [--role user|moderator|admin]
  [--confirmed]`
- `modify USERNAME [--role R] [--disable | --enable] [--approve] [--reset-2fa]`
- `delete USERNAME [--yes]`: the same real deletion as settings → Delete account
- `list [--role R] [--pending] [--disabled] [--search TEXT] [--json]`

Bad input ends with a message on stderr and a non-zero exit; each change runs in one transaction.
"""

from __future__ import annotations

import json
import secrets
import sys
from argparse import ArgumentParser
from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from agora.accounts import services
from agora.accounts.models import User
from agora.core.exceptions import NotAllowed

ROLES = [choice.value for choice in User.Role]


def _problems(error: ValidationError) -> str:
    if hasattr(error, "error_dict"):
        return "; ".join(f"{field}: {' '.join(msgs)}" for field, msgs in error.message_dict.items())
    return " ".join(error.messages)


def find_account(username: str) -> User:
    user = User.objects.filter(username__iexact=username.lstrip("@")).first()
    if user is None:
        raise CommandError(f"No account @{username.lstrip('@')}.")
    return user


class Command(BaseCommand):
    help = "Create, change, delete and list accounts."

    def add_arguments(self, parser: ArgumentParser) -> None:
        commands = parser.add_subparsers(dest="subcommand", required=True)
        create = commands.add_parser("create", help="Create an account.")
        create.add_argument("username")
        create.add_argument("--email", required=True)
        password = create.add_mutually_exclusive_group(required=True)
        password.add_argument("--password-stdin", action="store_true", help="read the password from stdin")
        password.add_argument(
            "--random-password", action="store_true", help="generate a password and print it once"
        )
        create.add_argument("--role", choices=ROLES, default="user")
        create.add_argument(
            "--confirmed", action="store_true", help="usable at once (else it waits for approval)"
        )

        modify = commands.add_parser("modify", help="Change an account's role or state.")
        modify.add_argument("username")
        modify.add_argument("--role", choices=ROLES)
        state = modify.add_mutually_exclusive_group()
        state.add_argument("--disable", action="store_true", help="no log-in; ends its sessions")
        state.add_argument("--enable", action="store_true")
        modify.add_argument("--approve", action="store_true", help="let a pending sign-up in")
        modify.add_argument("--reset-2fa", action="store_true", help="remove two-factor authentication")

        delete = commands.add_parser("delete", help="Delete an account and everything it made.")
        delete.add_argument("username")
        delete.add_argument("--yes", action="store_true", help="do not ask")

        listing = commands.add_parser("list", help="List accounts.")
        listing.add_argument("--role", choices=ROLES)
        listing.add_argument("--pending", action="store_true", help="only sign-ups waiting for approval")
        listing.add_argument("--disabled", action="store_true", help="only disabled accounts")
        listing.add_argument("--search", help="part of the username or e-mail address")
        listing.add_argument("--json", action="store_true", help="one JSON array")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            getattr(self, f"_{options['subcommand']}")(options)
        except ValidationError as error:
            raise CommandError(_problems(error)) from error
        except NotAllowed as error:
            raise CommandError(str(error)) from error

    def _create(self, options: dict[str, Any]) -> None:
        if options["password_stdin"]:
            password = sys.stdin.readline().rstrip("\n")
        else:
            password = secrets.token_urlsafe(18)
        user = services.create_account_by_operator(
            username=options["username"],
            email=options["email"],
            password=password,
            role=options["role"],
            confirmed=options["confirmed"],
        )
        state = "" if user.is_active else " (waiting for approval: `agora accounts modify --approve`)"
        self.stdout.write(self.style.SUCCESS(f"Created @{user.username}, role {user.role}{state}."))
        if options["random_password"]:
            self.stdout.write(f"Password: {password}")

    def _modify(self, options: dict[str, Any]) -> None:
        user = find_account(options["username"])
        changes = []
        with transaction.atomic():
            if options["approve"]:
                user = services.approve_registration(user=user)
                changes.append("approved")
            if options["role"]:
                user = services.set_role(user=user, role=options["role"])
                changes.append(f"role {user.role}")
            if options["disable"] or options["enable"]:
                user = services.set_account_disabled(user=user, disabled=options["disable"])
                changes.append("disabled" if options["disable"] else "enabled")
            if options["reset_2fa"]:
                from agora.security.services import reset_two_factor

                removed = reset_two_factor(user=user)
                changes.append("two-factor authentication removed" if removed else "had no second factor")
        if not changes:
            raise CommandError(
                "Nothing to change: give --role, --disable, --enable, --approve or --reset-2fa."
            )
        self.stdout.write(self.style.SUCCESS(f"@{user.username}: {', '.join(changes)}."))

    def _delete(self, options: dict[str, Any]) -> None:
        user = find_account(options["username"])
        if not options["yes"]:
            answer = input(f"Delete @{user.username} and everything it posted? Type the username: ")
            if answer.strip().lower() != user.username.lower():
                raise CommandError("Not deleted.")
        services.erase_account(user=user)
        self.stdout.write(self.style.SUCCESS(f"Deleted @{user.username}."))

    def _list(self, options: dict[str, Any]) -> None:
        from agora.accounts.selectors import accounts_for_operator

        accounts = accounts_for_operator(
            role=options["role"],
            pending=options["pending"],
            disabled=options["disabled"],
            search=options["search"],
        )
        rows = [
            {
                "id": str(user.pk),
                "username": user.username,
                "email": user.email,
                "role": user.role,
                "active": user.is_active,
                "pending_approval": user.pending_approval,
                "created_at": user.date_joined.isoformat(),
                "last_login": user.last_login.isoformat() if user.last_login else None,
                "posts": user.posts_count,
            }
            for user in accounts
        ]
        if options["json"]:
            self.stdout.write(json.dumps(rows, indent=2))
            return
        for row in rows:
            state = "pending" if row["pending_approval"] else ("active" if row["active"] else "disabled")
            self.stdout.write(f"@{row['username']:<30} {row['role']:<10} {state:<9} {row['email']}")
        self.stdout.write(f"{len(rows)} account(s).")
