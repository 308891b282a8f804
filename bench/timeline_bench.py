"""Time timelines and pages on a seeded database: `uv run python bench/timeline_bench.py --data-dir DIR`.

DIR must hold a database seeded with `agora seed` (for example by `bench/seed_bench.py --data-dir DIR`). For a
sample of accounts (the demo account, the ones following most, and random ones) it reads the home, local,
hashtag and profile timelines and renders the home and local pages, and prints median and 95th-percentile
times in milliseconds with the number of queries per page.
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path


def _percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data-dir", type=Path, required=True)
    parser.add_argument("--accounts", type=int, default=20, help="How many accounts to sample.")
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    if not (args.data_dir / "agora.sqlite3").exists() and not os.environ.get("DATABASE_URL"):
        sys.exit(f"No database in {args.data_dir}; seed one first (bench/seed_bench.py --data-dir ...).")
    os.environ["AGORA_DATA_DIR"] = str(args.data_dir)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "agora.settings")
    os.environ.setdefault("AGORA_STATIC_FROM_FINDERS", "1")
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
    import django

    django.setup()
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from agora.accounts.models import User
    from agora.posts.models import Hashtag
    from agora.timelines import selectors as timelines

    rng = random.Random(7)
    busiest = list(User.objects.order_by("-following_count")[:5])
    sample = busiest + list(User.objects.filter(username="demo"))
    all_ids = list(User.objects.values_list("pk", flat=True))
    sample += list(User.objects.filter(pk__in=rng.sample(all_ids, min(len(all_ids), args.accounts))))
    tag = Hashtag.objects.order_by("-created_at").first()
    tag_name = tag.name if tag else "none"
    celebrity = User.objects.order_by("-followers_count").first()
    assert celebrity is not None

    cases: dict[str, Callable[[User], object]] = {
        "home timeline (selector)": lambda user: timelines.home_timeline(user),
        "home timeline, page 2": lambda user: timelines.home_timeline(
            user, before=timelines.home_timeline(user).next_cursor
        ),
        "local timeline (selector)": lambda user: timelines.public_timeline(user),
        "hashtag timeline (selector)": lambda user: timelines.hashtag_timeline(user, tag_name),
        "profile of the most followed": lambda user: timelines.profile_timeline(user, celebrity),
    }
    print(f"{User.objects.count()} accounts; {len(sample)} sampled; {args.repeat} runs each")
    for name, read in cases.items():
        times = []
        for user in sample:
            for _ in range(args.repeat):
                started = time.perf_counter()
                read(user)
                times.append((time.perf_counter() - started) * 1000)
        print(f"{name:34} median {statistics.median(times):7.1f} ms   p95 {_percentile(times, 0.95):7.1f} ms")

    for path in ("/", "/public"):
        times, queries = [], 0
        for user in sample:
            client = Client()
            client.force_login(user)
            for _ in range(args.repeat):
                with CaptureQueriesContext(connection) as captured:
                    started = time.perf_counter()
                    response = client.get(path, HTTP_HOST="localhost")
                    times.append((time.perf_counter() - started) * 1000)
                assert response.status_code == 200, path
                queries = max(queries, len(captured))
        label = f"page {path} (rendered)"
        print(
            f"{label:34} median {statistics.median(times):7.1f} ms   p95 {_percentile(times, 0.95):7.1f} ms"
            f"   at most {queries} queries"
        )


if __name__ == "__main__":
    main()
