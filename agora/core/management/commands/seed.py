"""`agora seed`: fill the database with a synthetic community (see `agora.core.seeding`)."""

from __future__ import annotations

import secrets
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from agora.core.seeding import SeedError, SeedPlan, seed_community


class Command(BaseCommand):
    help = (
        "Create a synthetic community: accounts, a power-law follower graph, posts with hashtags and "
        "mentions, reply threads, reposts, likes and notifications over the last 60 days."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--users", type=int, default=200, help="Accounts to create (default 200).")
        parser.add_argument(
            "--posts",
            type=int,
            default=3000,
            help="Posts to create, replies and reposts included (default 3000).",
        )
        parser.add_argument("--seed", type=int, help="Random seed: the same seed builds the same community.")
        parser.add_argument(
            "--demo",
            action="store_true",
            help="Also create the logins demo / demo-password and admin / admin-password, and print them.",
        )
        parser.add_argument(
            "--if-empty", action="store_true", help="Do nothing when the database has accounts already."
        )

    def handle(self, *args: Any, **options: Any) -> None:
        verbosity = options["verbosity"]
        seed = options["seed"] if options["seed"] is not None else secrets.randbelow(1_000_000)
        plan = SeedPlan(
            users=options["users"],
            posts=options["posts"],
            seed=seed,
            demo=options["demo"],
            only_if_empty=options["if_empty"],
            progress=verbosity > 0,
        )
        try:
            report = seed_community(plan)
        except SeedError as error:
            raise CommandError(str(error)) from error
        if report is None:
            if verbosity > 0:
                self.stdout.write("The database has accounts already; nothing seeded.")
            return
        if verbosity > 0:
            self.stdout.write(
                self.style.SUCCESS(
                    f"Seeded {report.users} accounts, {report.follows} follows "
                    f"({report.follow_requests} pending requests), {report.posts} posts "
                    f"({report.replies} replies, {report.reposts} reposts), {report.likes} likes, "
                    f"{report.hashtags} new hashtags, {report.mentions} mentions and "
                    f"{report.notifications} notifications."
                )
            )
            self.stdout.write(f"Random seed {report.seed}: --seed {report.seed} builds this community again.")
        for login in report.logins:
            # Printed even at verbosity 0: without them the demo cannot be used.
            role = "administrator" if login.is_admin else "demo account"
            self.stdout.write(f"Log in as {login.username} / {login.password} ({role}, {login.email})")
