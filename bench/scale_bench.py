"""Scale benchmark: `uv run python bench/scale_bench.py [--users 10000 --posts 100000]`.

Seeds a SQLite community with `agora seed` (once per size, kept in bench/data/), starts a private Redis
(redis-server on a spare port, no persistence) and measures, on this machine:

- home timeline reads for a sample of accounts: from the database alone, and from Redis lists (the first
  read builds the list; later reads are warm), median / p95 / p99 in ms;
- fan-out throughput: posts fanned out per second to every follower's built timeline, and one post to
  100,000 built timelines;
- worker throughput: notification tasks per second through the database queue and `agora worker`;
- post creation (with screening) in the process;
- real HTTP load from this process against `agora serve` (2 gunicorn workers x 4 threads) on 127.0.0.1:
  /healthz (the ceiling), the home page, the local timeline, a profile, a thread and a search, each for a
  fixed time with 8 concurrent keep-alive clients, throughput and p50/p95/p99, and peak RSS of the web
  processes; once without Redis and once with Redis timelines.

Writes bench/results/scale-<users>u-<posts>p.md and prints it.
"""

from __future__ import annotations

import argparse
import functools
import http.client
import os
import random
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import threading
import time
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
AGORA = [sys.executable, "-m", "agora.cli"]


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


def summary(values: list[float]) -> str:
    return (
        f"{statistics.median(values):.1f} | {percentile(values, 0.95):.1f} | {percentile(values, 0.99):.1f}"
    )


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def start_redis(port: int) -> subprocess.Popen[bytes]:
    server = subprocess.Popen(
        ["redis-server", "--port", str(port), "--save", "", "--appendonly", "no", "--bind", "127.0.0.1"],
        stdout=subprocess.DEVNULL,
    )
    for _ in range(50):
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            return server
        except OSError:
            time.sleep(0.1)
    raise SystemExit("redis-server did not start")


def seed(data_dir: Path, users: int, posts: int) -> float | None:
    marker = data_dir / "seeded"
    if marker.exists():
        return None
    if data_dir.exists():
        shutil.rmtree(data_dir)  # a seeding that did not finish
    data_dir.mkdir(parents=True)
    env = {**os.environ, "AGORA_DATA_DIR": str(data_dir), "AGORA_TASKS": "immediate", "REDIS_URL": ""}
    env.pop("DATABASE_URL", None)
    subprocess.run([*AGORA, "migrate", "--verbosity", "0"], env=env, check=True)
    started = time.perf_counter()
    subprocess.run(
        [*AGORA, "seed", "--users", str(users), "--posts", str(posts), "--seed", "42", "--verbosity", "0"],
        env=env,
        check=True,
    )
    elapsed = time.perf_counter() - started
    marker.write_text(f"{elapsed:.1f}\n")
    return elapsed


def rss_peak_mb(pid: int) -> float:
    """Peak resident memory (VmHWM) of a process, in MB."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return 0.0


def children_of(pid: int) -> list[int]:
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            if int(fields[1]) == pid:
                found.append(int(entry.name))
    return found


def load(port: int, path: str, cookie: str, seconds: float, clients: int = 8) -> tuple[float, list[float]]:
    """Requests per second and latencies (ms) of GET `path` from `clients` keep-alive connections."""
    latencies: list[float] = []
    errors: list[str] = []
    lock = threading.Lock()
    deadline = time.monotonic() + seconds

    def client() -> None:
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        headers = {"Cookie": cookie, "Host": "localhost"} if cookie else {"Host": "localhost"}
        mine = []
        while time.monotonic() < deadline:
            started = time.perf_counter()
            try:
                connection.request("GET", path, headers=headers)
                response = connection.getresponse()
                response.read()
            except (OSError, http.client.HTTPException) as error:
                errors.append(f"{path}: {error!r}")
                break
            mine.append((time.perf_counter() - started) * 1000)
            if response.status != 200:
                errors.append(f"{path}: {response.status}")
                break
        with lock:
            latencies.extend(mine)

    threads = [threading.Thread(target=client) for _ in range(clients)]
    started = time.monotonic()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    if errors:
        raise SystemExit(errors[0])
    return len(latencies) / (time.monotonic() - started), latencies


def http_section(
    data_dir: Path, redis_url: str, seconds: float, pages: dict[str, str], cookie: str
) -> list[str]:
    port = free_port()
    env = {
        **os.environ,
        "AGORA_DATA_DIR": str(data_dir),
        "AGORA_RATELIMITS_ENABLED": "0",
        "AGORA_TASKS": "immediate",
        "REDIS_URL": redis_url,
        "AGORA_TIMELINES_REDIS_URL": redis_url,
        "AGORA_LOG_LEVEL": "WARNING",
    }
    env.pop("DATABASE_URL", None)
    log_path = data_dir / "serve.log"
    with log_path.open("w") as log:
        server = subprocess.Popen(
            [*AGORA, "serve", "--port", str(port), "--workers", "2", "--threads", "4", "--task-workers", "0"],
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    try:
        deadline = time.monotonic() + 600
        while True:
            if server.poll() is not None or time.monotonic() > deadline:
                raise SystemExit(f"agora serve did not start:\n{log_path.read_text()[-3000:]}")
            try:
                connection = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
                connection.request("GET", "/healthz", headers={"Host": "localhost"})
                if connection.getresponse().status == 200:
                    break
            except OSError:
                time.sleep(0.5)
        rows = []
        ceiling = 0.0
        for label, path in pages.items():
            load(port, path, cookie, 2)  # warm up (lists built, caches filled)
            throughput, latencies = load(port, path, cookie, seconds)
            if label == "/healthz (ceiling)":
                ceiling = throughput
            share = f"{100 * throughput / ceiling:.0f} %" if ceiling else "-"
            rows.append(f"| {label} | {throughput:.0f} | {share} | {summary(latencies)} |")
        web = [pid for pid in children_of(server.pid)]
        gunicorn_workers = [child for pid in web for child in children_of(pid)] or web
        peak = max((rss_peak_mb(pid) for pid in gunicorn_workers), default=0.0)
        rows.append(f"\nPeak RSS of a web worker process: {peak:.0f} MB")
        return rows
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=30)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--users", type=int, default=10_000)
    parser.add_argument("--posts", type=int, default=100_000)
    parser.add_argument("--data-dir", type=Path, default=None)
    parser.add_argument("--accounts", type=int, default=40, help="Accounts sampled for timeline reads.")
    parser.add_argument("--http-seconds", type=float, default=8)
    args = parser.parse_args()
    if shutil.which("redis-server") is None:
        raise SystemExit("redis-server is needed (apt-get install redis-server)")
    data_dir = args.data_dir or ROOT / "bench" / "data" / f"scale-{args.users}u-{args.posts}p"
    seeded_in = seed(data_dir, args.users, args.posts)
    redis_port = free_port()
    redis_server = start_redis(redis_port)
    redis_url = f"redis://127.0.0.1:{redis_port}/0"
    os.environ.update(
        {
            "AGORA_DATA_DIR": str(data_dir),
            "DJANGO_SETTINGS_MODULE": "agora.settings",
            "AGORA_STATIC_FROM_FINDERS": "1",
            "AGORA_TASKS": "immediate",
            "REDIS_URL": "",
            "AGORA_LOG_LEVEL": "WARNING",
        }
    )
    os.environ.pop("DATABASE_URL", None)
    sys.path.insert(0, str(ROOT))
    out = ROOT / "bench" / "results" / f"scale-{args.users}u-{args.posts}p.md"
    out.parent.mkdir(parents=True, exist_ok=True)
    try:
        run(args, data_dir, redis_url, seeded_in, out)
    finally:
        redis_server.terminate()
        redis_server.wait()
    print(out.read_text())
    print(f"written to {out.relative_to(ROOT)}")


class Report(list[str]):
    """Lines of the report, written to its file as they come (a failure later keeps what was measured)."""

    def __init__(self, path: Path) -> None:
        super().__init__()
        self.path = path

    def flush(self) -> None:
        self.path.write_text("\n".join(self) + "\n")


def run(args: argparse.Namespace, data_dir: Path, redis_url: str, seeded_in: float | None, out: Path) -> None:
    import django

    django.setup()
    from django.conf import settings
    from django.test import Client

    from agora.accounts.models import Follow, User
    from agora.notifications.tasks import deliver_notification
    from agora.posts import services as post_services
    from agora.posts.models import Post
    from agora.timelines import feeds
    from agora.timelines.selectors import home_timeline
    from agora.timelines.services import fan_out_post

    lines = Report(out)
    lines += [f"# Scale benchmark: {args.users:,} accounts, {args.posts:,} posts (SQLite)", ""]
    lines.append(
        f"Command: `uv run python bench/scale_bench.py --users {args.users} --posts {args.posts}`. "
        f"Machine: {os.cpu_count()} CPU cores (shared), {time.strftime('%Y-%m-%d')}."
    )
    if seeded_in is not None:
        lines.append(f"Seeding took {seeded_in:.0f} s.")
    total_posts, total_users = Post.objects.count(), User.objects.count()
    lines += ["", f"Database: {total_users:,} accounts, {total_posts:,} posts and reposts.", ""]

    rng = random.Random(7)
    busiest = list(User.objects.order_by("-following_count")[:5])
    ids = list(User.objects.values_list("pk", flat=True))
    sample = busiest + list(User.objects.filter(pk__in=rng.sample(ids, min(len(ids), args.accounts))))

    def timed(read: Callable[[], Any]) -> float:
        started = time.perf_counter()
        read()
        return (time.perf_counter() - started) * 1000

    # Timeline reads.
    lines += [
        "## Home timeline reads (in process, ms)",
        "",
        "| store | median | p95 | p99 |",
        "|---|---|---|---|",
    ]
    settings.AGORA_TIMELINES_REDIS_URL = ""

    def two_pages(user: Any) -> None:
        home_timeline(user, before=home_timeline(user).next_cursor)

    database = [timed(functools.partial(home_timeline, user)) for user in sample for _ in range(3)]
    lines.append(f"| database (indexed windows) | {summary(database)} |")
    settings.AGORA_TIMELINES_REDIS_URL = redis_url
    feeds.client().flushdb()
    cold = [timed(functools.partial(home_timeline, user)) for user in sample]
    warm = [timed(functools.partial(home_timeline, user)) for user in sample for _ in range(3)]
    page2 = [timed(functools.partial(two_pages, user)) for user in sample]
    lines.append(f"| Redis, first read (builds the list) | {summary(cold)} |")
    lines.append(f"| Redis, warm | {summary(warm)} |")
    lines.append(f"| Redis, warm, page 1 then page 2 | {summary(page2)} |")

    lines.flush()
    # Fan-out.
    lines += ["", "## Fan-out", ""]
    started = time.perf_counter()
    pipe = feeds.client().pipeline(transaction=False)
    for account_id in ids:
        pipe.zadd(feeds.timeline_key(account_id), {feeds.SENTINEL: 0})
    pipe.execute()
    lines.append(f"- Marked all {len(ids):,} timelines built in {time.perf_counter() - started:.1f} s.")
    recent = list(Post.objects.order_by("-id").values_list("pk", flat=True)[:300])
    deliveries, started = 0, time.perf_counter()
    for post_id in recent:
        deliveries += fan_out_post(post_id=post_id)
    elapsed = time.perf_counter() - started
    lines.append(
        f"- Fanned out the {len(recent)} newest posts: {len(recent) / elapsed:.0f} posts/s, "
        f"{deliveries / elapsed:,.0f} timeline writes/s ({deliveries:,} writes)."
    )
    big = User.objects.order_by("-followers_count").first()
    assert big is not None
    synthetic = [uuid.uuid4() for _ in range(100_000)]
    pipe = feeds.client().pipeline(transaction=False)
    for account_id in synthetic:
        pipe.zadd(feeds.timeline_key(account_id), {feeds.SENTINEL: 0})
    pipe.execute()
    started = time.perf_counter()
    written = feeds.add_post(uuid.uuid4(), synthetic)
    lines.append(
        f"- One post to 100,000 built timelines: {time.perf_counter() - started:.2f} s ({written:,} writes). "
        f"The most followed account here has {big.followers_count:,} followers; "
        f"with more than {settings.AGORA_TIMELINE_FANOUT_MAX_FOLLOWERS:,} an author is merged at read time."
    )
    post_author = sample[-1]
    creation = []
    for n in range(40):
        creation.append(
            timed(
                functools.partial(
                    post_services.create_post, author=post_author, text=f"Bench post {n} #bench"
                )
            )
        )
    lines.append(
        "- Post creation with screening (in process, immediate tasks incl. fan-out), median | p95 | p99: "
        f"{summary(creation)} ms."
    )

    lines.flush()
    # Worker throughput through the database queue.
    lines += ["", "## Worker throughput (database queue)", ""]
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}}
    follows = list(Follow.objects.values_list("follower_id", "followee_id")[:1000])
    for follower_id, followee_id in follows:
        deliver_notification.enqueue(recipient_id=str(followee_id), actor_id=str(follower_id), kind="follow")
    env = {**os.environ, "AGORA_TASKS": "database"}
    for concurrency in (1, 2):
        if concurrency == 2:
            for follower_id, followee_id in follows:
                deliver_notification.enqueue(
                    recipient_id=str(followee_id), actor_id=str(follower_id), kind="follow"
                )
        started = time.perf_counter()
        subprocess.run(
            [*AGORA, "worker", "--batch", "--concurrency", str(concurrency), "--interval", "0"],
            env=env,
            check=True,
            stdout=subprocess.DEVNULL,
        )
        elapsed = time.perf_counter() - started
        lines.append(
            f"- {len(follows)} notification tasks, `agora worker --concurrency {concurrency}`: "
            f"{len(follows) / elapsed:.0f} tasks/s ({elapsed:.1f} s incl. start-up)."
        )
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}

    lines.flush()
    # HTTP.
    viewer = busiest[0]
    client = Client()
    client.force_login(viewer)
    cookie = f"{settings.SESSION_COOKIE_NAME}={client.cookies[settings.SESSION_COOKIE_NAME].value}"
    thread = Post.objects.filter(in_reply_to__isnull=False, visibility="public").order_by("-id").first()
    assert thread is not None
    pages = {
        "/healthz (ceiling)": "/healthz",
        "home page": "/",
        "local timeline": "/public",
        "profile": f"/@{big.username}",
        "thread": f"/@{thread.author.username}/{thread.pk}",
        "search": "/explore?q=city",
    }
    for label, url in (("without Redis", ""), ("with Redis timelines", redis_url)):
        lines += [
            "",
            f"## HTTP, {label} ({args.http_seconds:.0f} s per page, 8 clients, as @{viewer.username})",
            "",
            "| page | requests/s | of ceiling | p50 ms | p95 ms | p99 ms |",
            "|---|---|---|---|---|---|",
        ]
        lines += http_section(data_dir, url, args.http_seconds, pages, cookie)
        lines.flush()


if __name__ == "__main__":
    main()
