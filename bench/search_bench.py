"""Time search on a seeded database: `uv run python bench/search_bench.py --data-dir DIR`.

DIR must hold a database seeded with `agora seed` (for example by `bench/seed_bench.py --data-dir DIR`;
seeding builds the search index at its end, `agora search reindex` rebuilds it). For a sample of accounts it
runs a mix of queries (common and rare words, pairs of common words, a German stem, a prefix being typed,
phrases, a hashtag, from:, a date filter, newest-first and page 2) through the search selectors, then account
and hashtag search and trends, and prints p50/p95/p99 times in milliseconds per kind of query and the slowest
queries. It also times `create_post` with and without the indexing step to show what indexing adds to
posting (each post is rolled back). With DATABASE_URL set it runs against PostgreSQL. `--markdown FILE`
also writes the numbers as a markdown report (command, machine, load average, one table per part).

The query words come from a fixed sample of posts (the newest ones and a spread of older ones), so two runs
on the same database time the same queries.
"""

from __future__ import annotations

import argparse
import os
import platform
import random
import statistics
import sys
import time
import uuid
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path


def _percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


def _load() -> str:
    try:
        return " ".join(f"{value:.2f}" for value in os.getloadavg())
    except OSError:
        return "unknown"


@dataclass
class Timings:
    """Times per kind of read, and the slowest single reads with what they were."""

    rows: dict[str, list[float]] = field(default_factory=dict)
    slowest: list[tuple[float, str, str]] = field(default_factory=list)

    def add(self, kind: str, ms: float, what: str = "") -> None:
        self.rows.setdefault(kind, []).append(ms)
        self.slowest.append((ms, kind, what))

    def line(self, kind: str) -> str:
        times = self.rows[kind]
        return (
            f"{kind:52} p50 {statistics.median(times):7.1f}   p95 {_percentile(times, 0.95):7.1f}   "
            f"p99 {_percentile(times, 0.99):7.1f}   max {max(times):7.1f} ms  (n={len(times)})"
        )

    def table(self, kinds: list[str]) -> list[str]:
        lines = ["| read | n | p50 ms | p95 ms | p99 ms | max ms |", "|---|---|---|---|---|---|"]
        for kind in kinds:
            times = self.rows[kind]
            lines.append(
                f"| {kind} | {len(times)} | {statistics.median(times):.1f} | {_percentile(times, 0.95):.1f} "
                f"| {_percentile(times, 0.99):.1f} | {max(times):.1f} |"
            )
        return lines


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data-dir", type=Path, required=True)
    parser.add_argument("--accounts", type=int, default=10, help="How many accounts to sample.")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--markdown", type=Path, help="Also write the results to this markdown file.")
    parser.add_argument("--skip-create", action="store_true", help="Do not time create_post.")
    args = parser.parse_args()
    if not (args.data_dir / "agora.sqlite3").exists() and not os.environ.get("DATABASE_URL"):
        sys.exit(f"No database in {args.data_dir}; seed one first (bench/seed_bench.py --data-dir ...).")
    os.environ["AGORA_DATA_DIR"] = str(args.data_dir)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "agora.settings")
    os.environ.setdefault("AGORA_STATIC_FROM_FINDERS", "1")
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
    import django

    django.setup()
    from django.db import connection, transaction

    from agora.accounts.models import User
    from agora.posts import services as post_services
    from agora.posts.models import Hashtag, Post
    from agora.search import selectors
    from agora.search import services as search_services
    from agora.search.models import PostSearchDocument
    from agora.search.query import words_of

    load_before = _load()
    started_at = datetime.now(UTC)
    posts = Post.objects.count()
    indexed = PostSearchDocument.objects.count()
    accounts = User.objects.count()
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SHOW server_version")
            engine = f"PostgreSQL {cursor.fetchone()[0]}"
    else:
        import sqlite3

        engine = f"SQLite {sqlite3.sqlite_version}"
    print(f"{engine}: {posts} posts, {indexed} indexed, {accounts} accounts; load average {load_before}")
    if indexed == 0:
        sys.exit("The index is empty: run `agora search reindex` first.")

    rng = random.Random(11)
    all_ids = list(User.objects.order_by("id").values_list("pk", flat=True))
    sample = list(User.objects.filter(pk__in=rng.sample(all_ids, min(len(all_ids), args.accounts))))
    # Words from real post texts, the same on every run: the newest posts, and a few posts after each of 300
    # moments spread over the whole history (ids sort by creation time).
    originals = Post.objects.filter(repost_of__isnull=True).exclude(text="")
    texts = list(originals.order_by("-id").values_list("text", flat=True)[:1500])
    oldest, newest = (originals.order_by(key).values_list("id", flat=True).first() for key in ("id", "-id"))
    if oldest is not None and newest is not None:
        for step in range(300):
            moment = uuid.UUID(int=oldest.int + (newest.int - oldest.int) // 300 * step)
            texts += originals.filter(id__gte=moment).order_by("id").values_list("text", flat=True)[:5]
    counts: Counter[str] = Counter()
    for text in texts:
        counts.update(word for word in words_of(text) if len(word) > 3 and not word.isdigit())
    common = [word for word, _n in counts.most_common(10)]
    rare = sorted(word for word, n in counts.items() if n == 1)[:30] or common
    phrases = sorted(
        {
            " ".join(pair)
            for text in texts[:300]
            for pair in zip(words_of(text), words_of(text)[1:], strict=False)
        }
    )
    rng.shuffle(phrases)
    phrases = phrases[:30]
    german_post = Post.objects.filter(language__startswith="de").exclude(text="").order_by("id").first()
    german = words_of(german_post.text) if german_post else common
    german_word = max(german, key=len)
    tags = list(Hashtag.objects.order_by("name").values_list("name", flat=True)[:200])
    tag_name = rng.choice(tags) if tags else common[0]
    author = User.objects.order_by("-posts_count", "id").first()
    assert author is not None
    queries: dict[str, Callable[[], str]] = {
        "common word": lambda: rng.choice(common),
        "two common words": lambda: f"{rng.choice(common)} {rng.choice(common)}",
        "rare word": lambda: rng.choice(rare),
        "German word (stemmed)": lambda: german_word,
        "prefix being typed": lambda: rng.choice(common)[:4],
        "phrase (German post opening)": lambda: f'"{" ".join(german[:2])}"',
        "phrase (two words from a post)": lambda: f'"{rng.choice(phrases)}"',
        "phrase of two common words": lambda: '"{} {}"'.format(*rng.sample(common, 2)),
        "hashtag": lambda: f"#{tag_name}",
        "word from:author": lambda: f"{rng.choice(common)} from:{author.username}",
        "word after: date": lambda: f"{rng.choice(common)} after:2000-01-01",
        "word -excluded word": lambda: "{} -{}".format(*rng.sample(common, 2)),
    }
    print(f"{len(sample)} accounts sampled; {args.repeat} runs each; MAX_RESULTS {selectors.MAX_RESULTS}")
    # One unmeasured pass, so that the numbers are of a running server rather than of a cold start.
    for make in queries.values():
        selectors.search_posts(sample[0], make())
    timings = Timings()
    post_kinds: list[str] = []
    for name, make in queries.items():
        for order in (selectors.ORDER_RELEVANCE, selectors.ORDER_NEWEST):
            kind = f"posts: {name} ({order})"
            post_kinds.append(kind)
            for user in sample:
                for _ in range(args.repeat):
                    query = make()
                    started = time.perf_counter()
                    selectors.search_posts(user, query, order=order)
                    timings.add(kind, (time.perf_counter() - started) * 1000, f"{query} ({order})")
            print(timings.line(kind))
    kind = "posts: page 2 (newest)"
    post_kinds.append(kind)
    for user in sample:
        first = selectors.search_posts(user, common[0], order=selectors.ORDER_NEWEST)
        started = time.perf_counter()
        selectors.search_posts(user, common[0], order=selectors.ORDER_NEWEST, cursor=first.next_cursor)
        timings.add(kind, (time.perf_counter() - started) * 1000, f"{common[0]} (newest, page 2)")
    print(timings.line(kind))
    all_posts = [ms for kind in post_kinds for ms in timings.rows[kind]]
    timings.rows["ALL POST QUERIES"] = all_posts
    print(timings.line("ALL POST QUERIES"))
    slowest = sorted(timings.slowest, reverse=True)[:10]
    print("slowest post queries:")
    for ms, _kind, what in slowest:
        print(f"  {ms:7.1f} ms  {what}")

    other_kinds: list[str] = []
    for name, read in {
        "accounts: name prefix": lambda user: selectors.search_accounts(user, rng.choice(common)[:3]),
        "hashtags: prefix": lambda user: selectors.search_hashtags(tag_name[:3]),
        "trending hashtags (24 h)": lambda user: selectors.trending_hashtags(window="day"),
        "trending hashtags (7 days)": lambda user: selectors.trending_hashtags(window="week"),
        "trending posts (24 h)": lambda user: selectors.trending_posts(user, window="day"),
    }.items():
        other_kinds.append(name)
        for user in sample:
            for _ in range(args.repeat):
                started = time.perf_counter()
                read(user)
                timings.rows.setdefault(name, []).append((time.perf_counter() - started) * 1000)
        print(timings.line(name))

    # What indexing adds to posting: create_post with and without the index step, rolled back each time.
    def time_create(index: bool) -> list[float]:
        original = search_services.index_post
        if not index:
            search_services.index_post = lambda *, post: None  # type: ignore[assignment]
        times = []
        try:
            for n in range(60):
                with transaction.atomic():
                    started = time.perf_counter()
                    post_services.create_post(
                        author=sample[n % len(sample)],
                        text=f"Benchmark post {n} about {rng.choice(common)} and #{tag_name}",
                        language="de" if n % 2 else "en",
                    )
                    times.append((time.perf_counter() - started) * 1000)
                    transaction.set_rollback(True)
        finally:
            search_services.index_post = original  # type: ignore[assignment]
        return times[10:]

    indexing_line = ""
    if not args.skip_create:
        timings.rows["create_post with indexing"] = time_create(True)
        timings.rows["create_post without indexing"] = time_create(False)
        other_kinds += ["create_post with indexing", "create_post without indexing"]
        print(timings.line("create_post with indexing"))
        print(timings.line("create_post without indexing"))
        added = statistics.median(timings.rows["create_post with indexing"]) - statistics.median(
            timings.rows["create_post without indexing"]
        )
        indexing_line = f"Indexing adds about {added:.2f} ms (median) to create_post."
        print(indexing_line)
    load_after = _load()
    print(f"load average after: {load_after}")

    if args.markdown:
        command = "uv run python bench/search_bench.py " + " ".join(sys.argv[1:])
        if connection.vendor == "postgresql":
            command = f"DATABASE_URL=postgres://.../{connection.settings_dict['NAME']} {command}"
        lines = [
            f"# Search benchmark: {accounts:,} accounts, {posts:,} posts ({engine})",
            "",
            f"Command: `{command}`",
            "",
            f"Machine: {os.cpu_count()} CPU cores (shared with other jobs), {platform.system()} "
            f"{platform.machine()}, Python {platform.python_version()}; run started "
            f"{started_at:%Y-%m-%d %H:%M} UTC. Load average (1/5/15 min) before: {load_before}; after: "
            f"{load_after}.",
            "",
            f"Database: {accounts:,} accounts, {posts:,} posts and reposts, {indexed:,} index entries. "
            f"{len(sample)} accounts sampled, {args.repeat} runs of each query per account and order, "
            "after one unmeasured pass; times are of `search_posts` in process (queries, ranking and "
            "loading the page's post cards), in ms.",
            "",
            "## Post search",
            "",
            *timings.table([*post_kinds, "ALL POST QUERIES"]),
            "",
            "Slowest single post searches:",
            "",
            *[f"- {ms:.1f} ms: `{what}`" for ms, _kind, what in slowest],
            "",
            "## Accounts, hashtags, trends, posting",
            "",
            *timings.table(other_kinds),
            "",
        ]
        if indexing_line:
            lines += [indexing_line, ""]
        args.markdown.parent.mkdir(parents=True, exist_ok=True)
        args.markdown.write_text("\n".join(lines))
        print(f"wrote {args.markdown}")


if __name__ == "__main__":
    main()
