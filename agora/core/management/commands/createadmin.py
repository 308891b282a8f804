"""`agora createadmin`: create an administrator account (asks for what it is not given)."""

from __future__ import annotations

import getpass
import sys
from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser

from agora.accounts.models import User
from agora.accounts.services import register_user


class Command(BaseCommand):
    help = "Create an administrator account."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--username")
        parser.add_argument("--email")
        parser.add_argument(
            "--password-stdin", action="store_true", help="Read the password from standard input."
        )

    def handle(self, *args: Any, **options: Any) -> None:
        username = options["username"] or input("Username: ").strip()
        email = options["email"] or input("E-mail address: ").strip()
        if options["password_stdin"]:
            password = sys.stdin.readline().rstrip("\n")
        else:
            password = getpass.getpass("Password: ")
            if getpass.getpass("Password (again): ") != password:
                raise CommandError("The passwords do not match.")
        try:
            user = register_user(
                username=username,
                email=email,
                password=password,
                accepted_terms=True,
                allow_reserved_username=True,
            )
        except ValidationError as error:
            problems = "; ".join(f"{field}: {' '.join(msgs)}" for field, msgs in error.message_dict.items())
            raise CommandError(problems) from error
        User.objects.filter(pk=user.pk).update(role=User.Role.ADMIN, is_staff=True, is_superuser=True)
        self.stdout.write(self.style.SUCCESS(f"Administrator @{user.username} created."))
