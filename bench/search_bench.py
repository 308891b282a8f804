"""Time search on a seeded database: `uv run python bench/search_bench.py --data-dir DIR`.

DIR must hold a database seeded with `agora seed` (for example by `bench/seed_bench.py --data-dir DIR`;
seeding builds the search index at its end, `agora search reindex` rebuilds it). For a sample of accounts it
runs a mix of queries (common and rare words, a German stem, a prefix being typed, a phrase, a hashtag,
from:, a date filter, newest-first and page 2) through the search selectors, then account and hashtag search
and trends, and prints median and 95th-percentile times in milliseconds. It also times `create_post` with and
without the indexing step to show what indexing adds to posting. With DATABASE_URL set it runs against
PostgreSQL.
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import sys
import time
from collections import Counter
from collections.abc import Callable
from pathlib import Path


def _percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


def _report(name: str, times: list[float]) -> None:
    print(f"{name:40} median {statistics.median(times):7.1f} ms   p95 {_percentile(times, 0.95):7.1f} ms")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data-dir", type=Path, required=True)
    parser.add_argument("--accounts", type=int, default=10, help="How many accounts to sample.")
    parser.add_argument("--repeat", type=int, default=3)
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

    posts = Post.objects.count()
    indexed = PostSearchDocument.objects.count()
    print(f"{connection.vendor}: {posts} posts, {indexed} indexed, {User.objects.count()} accounts")
    if indexed == 0:
        sys.exit("The index is empty: run `agora search reindex` first.")

    rng = random.Random(11)
    all_ids = list(User.objects.values_list("pk", flat=True))
    sample = list(User.objects.filter(pk__in=rng.sample(all_ids, min(len(all_ids), args.accounts))))
    # Words from real post texts: the most common ones and some rare ones.
    counts: Counter[str] = Counter()
    for text in (
        Post.objects.filter(repost_of__isnull=True).order_by("?").values_list("text", flat=True)[:3000]
    ):
        counts.update(word for word in words_of(text) if len(word) > 3 and not word.isdigit())
    common = [word for word, _n in counts.most_common(10)]
    rare = [word for word, n in counts.items() if n == 1][:30] or common
    german_post = Post.objects.filter(language__startswith="de").exclude(text="").first()
    german = words_of(german_post.text) if german_post else common
    german_word = max(german, key=len)
    tag = Hashtag.objects.order_by("?").first()
    tag_name = tag.name if tag else common[0]
    author = User.objects.order_by("-posts_count").first()
    assert author is not None
    queries: dict[str, Callable[[], str]] = {
        "common word": lambda: rng.choice(common),
        "two common words": lambda: f"{rng.choice(common)} {rng.choice(common)}",
        "rare word": lambda: rng.choice(rare),
        "German word (stemmed)": lambda: german_word,
        "prefix being typed": lambda: rng.choice(common)[:4],
        "phrase": lambda: f'"{" ".join(german[:2])}"',
        "hashtag": lambda: f"#{tag_name}",
        "word from:author": lambda: f"{rng.choice(common)} from:{author.username}",
        "word after: date": lambda: f"{rng.choice(common)} after:2000-01-01",
    }
    print(f"{len(sample)} accounts sampled; {args.repeat} runs each; MAX_RESULTS {selectors.MAX_RESULTS}")
    overall: list[float] = []
    for name, make in queries.items():
        for order in (selectors.ORDER_RELEVANCE, selectors.ORDER_NEWEST):
            times = []
            for user in sample:
                for _ in range(args.repeat):
                    query = make()
                    started = time.perf_counter()
                    selectors.search_posts(user, query, order=order)
                    times.append((time.perf_counter() - started) * 1000)
            overall += times
            _report(f"posts: {name} ({order})", times)
    times = []
    for user in sample:
        first = selectors.search_posts(user, common[0], order=selectors.ORDER_NEWEST)
        started = time.perf_counter()
        selectors.search_posts(user, common[0], order=selectors.ORDER_NEWEST, cursor=first.next_cursor)
        times.append((time.perf_counter() - started) * 1000)
    overall += times
    _report("posts: page 2 (newest)", times)
    _report("ALL POST QUERIES", overall)

    for name, read in {
        "accounts: name prefix": lambda user: selectors.search_accounts(user, rng.choice(common)[:3]),
        "hashtags: prefix": lambda user: selectors.search_hashtags(tag_name[:3]),
        "trending hashtags (24 h)": lambda user: selectors.trending_hashtags(window="day"),
        "trending hashtags (7 days)": lambda user: selectors.trending_hashtags(window="week"),
        "trending posts (24 h)": lambda user: selectors.trending_posts(user, window="day"),
    }.items():
        times = []
        for user in sample:
            for _ in range(args.repeat):
                started = time.perf_counter()
                read(user)
                times.append((time.perf_counter() - started) * 1000)
        _report(name, times)

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

    with_index, without_index = time_create(True), time_create(False)
    _report("create_post with indexing", with_index)
    _report("create_post without indexing", without_index)
    print(
        f"indexing adds about {statistics.median(with_index) - statistics.median(without_index):.2f} ms "
        "(median) to create_post"
    )


if __name__ == "__main__":
    main()
