"""Scale benchmark suite: `uv run python bench/scale_bench.py [--config both] [--sizes 10000,100000,1000000]`.

For each configuration, SQLite without Redis ("sqlite") and PostgreSQL + Redis + workers ("postgres"), and for
each community size (10,000 accounts with 10k, 100k and 1M posts by default), it seeds the database once
(SQLite files in bench/data/, PostgreSQL databases agora_bench10k, agora_bench100k, agora_bench1m; a marker
file in bench/data/ says a seeding finished) and measures in a fresh process:

- the home timeline through the API (`GET /api/v1/timelines/home`, the whole Django stack in process, for a
  sample of accounts; with Redis from warm lists), each page made afresh (the home page cache switched off),
  and, on PostgreSQL, also served again from the home page cache after its one-query check; and post creation
  through the API (screening included, background work queued), median / p95 / p99 in ms: the growth curve;

and at the largest size:

- real HTTP load with wrk, a separate process, on 127.0.0.1 against `agora serve` (2 web processes and a
  worker): /healthz (the ceiling), home timeline (API: as a polling app asks for it, and with `max_id` above
  the newest post, the same page made afresh each time; web page), public timeline (API), a thread, a
  profile, post creation (API, screening included), like (API) and search (API); each for a fixed time with
  a few keep-alive connections; throughput, p50/p95/p99 and peak RSS of the web and worker processes;
- with Redis: fan-out of one post by an author with 100,000 followers (all with built timelines), from the
  post's creation to the last follower's timeline holding it, with a warm worker.

Writes bench/results/scale-<config>.md, bench/results/scale-growth.md and bench/results/scale-growth.png.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
AGORA = [sys.executable, "-m", "agora.cli"]
RESULTS = ROOT / "bench" / "results"
DATA = ROOT / "bench" / "data"
PG_SERVER = os.environ.get("AGORA_BENCH_PG", "postgres://postgres@127.0.0.1:5432")
USERS = 10_000
WEB_PROCESSES = 2
# A cursor above every id (`max_id`): the newest page, read as an older page is, never from the page cache.
NEWEST = "ffffffff-ffff-ffff-ffff-ffffffffffff"


# Shared helpers (also used by fault_check.py) -----------------------------------------------------


def remembered(point: dict[str, Any]) -> str:
    """Median | p99 of the home pages served from the home page cache ("- | -" where it is off)."""
    values = point.get("home_remembered") or []
    if not values:
        return "- | -"
    return f"{statistics.median(values):.1f} | {percentile(values, 0.99):.1f}"


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


def rss_peak_mb(pid: int) -> float:
    """Peak resident memory (VmHWM) of a process, in MB."""
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return 0.0


def descendants_of(pid: int) -> list[tuple[int, str]]:
    """(pid, command line) of every process below `pid`."""
    parents: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            parents.setdefault(int(fields[1]), []).append(int(entry.name))
    found, todo = [], [pid]
    while todo:
        for child in parents.get(todo.pop(), []):
            try:
                command = (Path("/proc") / str(child) / "cmdline").read_bytes().replace(b"\0", b" ").decode()
            except OSError:
                command = ""
            found.append((child, command))
            todo.append(child)
    return found


# Configurations and data --------------------------------------------------------------------------


def size_label(posts: int) -> str:
    label = f"{posts // 1_000_000}m" if posts % 1_000_000 == 0 else f"{posts // 1000}k"
    return label if USERS == 10_000 else f"{label}-{USERS // 1000}ku"


def environment(config: str, posts: int, redis_url: str) -> dict[str, str]:
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "agora.settings",
        "AGORA_STATIC_FROM_FINDERS": "1",
        "AGORA_RATELIMITS_ENABLED": "0",
        "AGORA_LOG_LEVEL": "WARNING",
        "PYTHONUNBUFFERED": "1",
    }
    if config == "sqlite":
        env.pop("DATABASE_URL", None)
        env.update(
            {
                "AGORA_DATA_DIR": str(DATA / f"scale-{USERS}u-{posts}p"),
                "REDIS_URL": "",
                "AGORA_TIMELINES_REDIS_URL": "",
                "AGORA_TASKS": "database",
            }
        )
    else:
        env.update(
            {
                "AGORA_DATA_DIR": str(DATA / f"pg-{size_label(posts)}"),
                "DATABASE_URL": f"{PG_SERVER}/agora_bench{size_label(posts)}",
                "REDIS_URL": redis_url,
                "AGORA_TASKS": "redis",
            }
        )
    return env


def seed(config: str, posts: int, env: dict[str, str]) -> str:
    """Seed once; returns a line saying how long it took (now or when it was done)."""
    marker = DATA / f"{config}-{size_label(posts)}.seeded"
    if marker.exists():
        return marker.read_text().strip()
    data_dir = Path(env["AGORA_DATA_DIR"])
    if data_dir.exists():
        shutil.rmtree(data_dir)  # a seeding that did not finish
    data_dir.mkdir(parents=True)
    if config == "postgres":
        name = env["DATABASE_URL"].rsplit("/", 1)[1]
        subprocess.run(["dropdb", "-h", "127.0.0.1", "-U", "postgres", "--if-exists", name], check=True)
        subprocess.run(["createdb", "-h", "127.0.0.1", "-U", "postgres", name], check=True)
    seed_env = {**env, "AGORA_TASKS": "immediate", "REDIS_URL": "", "AGORA_TIMELINES_REDIS_URL": ""}
    subprocess.run([*AGORA, "migrate", "--verbosity", "0"], env=seed_env, check=True)
    started = time.perf_counter()
    subprocess.run(
        [*AGORA, "seed", "--users", str(USERS), "--posts", str(posts), "--seed", "42", "--verbosity", "0"],
        env=seed_env,
        check=True,
    )
    line = f"seeded in {time.perf_counter() - started:.0f} s on {time.strftime('%Y-%m-%d')}"
    marker.parent.mkdir(parents=True, exist_ok=True)
    marker.write_text(line + "\n")
    return line


# In-process measurements (run in a child process per database) ------------------------------------


def measure_in_process(accounts: int, with_redis: bool) -> dict[str, Any]:
    import random

    import django

    sys.path.insert(0, str(ROOT))
    django.setup()
    from django.test import Client

    from agora.accounts import tokens
    from agora.accounts.models import User
    from agora.posts.models import Post

    rng = random.Random(7)
    # The seeded community, not the 100,000 followers the fan-out check adds (they follow one account).
    community = User.objects.filter(is_active=True).exclude(username__regex=r"^(fan[0-9]+|bigauthor)$")
    ids = list(community.values_list("pk", flat=True))
    sample = list(User.objects.order_by("-following_count")[:5]) + list(
        User.objects.filter(pk__in=rng.sample(ids, min(len(ids), accounts)))
    )
    clients = []
    for user in sample:
        token = tokens.create_token_for(user=user, app_name="bench", scopes="read write")
        clients.append(Client(HTTP_AUTHORIZATION=f"Bearer {token.token}", HTTP_HOST="localhost"))

    def timed(client: Client, method: str, path: str, data: dict[str, str] | None = None) -> float:
        started = time.perf_counter()
        response = client.post(path, data) if method == "POST" else client.get(path)
        elapsed = (time.perf_counter() - started) * 1000
        if response.status_code != 200:
            raise SystemExit(f"{method} {path}: {response.status_code} {response.content[:300]!r}")
        return elapsed

    from django.conf import settings

    settings.AGORA_HOME_PAGE_CACHE = False  # each page made afresh: the cost that must not grow
    for client in clients:  # builds the Redis lists; warms caches
        timed(client, "GET", "/api/v1/timelines/home")
    home = [timed(c, "GET", "/api/v1/timelines/home") for c in clients for _ in range(3)]
    remembered: list[float] = []
    settings.AGORA_HOME_PAGE_CACHE = True
    from agora.api import home_cache

    if home_cache.enabled():
        for client in clients:  # the first request stores the page's range, the second the page
            timed(client, "GET", "/api/v1/timelines/home")
            timed(client, "GET", "/api/v1/timelines/home")
        remembered = [timed(c, "GET", "/api/v1/timelines/home") for c in clients for _ in range(3)]
    posting = [
        timed(c, "POST", "/api/v1/statuses", {"status": f"Growth bench post {n} about the city #bench"})
        for n, c in enumerate(clients * 2)
    ]
    return {
        "posts": Post.objects.count(),
        "accounts": len(ids),
        "home": home,
        "home_remembered": remembered,
        "post": posting,
        "redis": with_redis,
    }


# HTTP load ----------------------------------------------------------------------------------------


def wrk(port: int, path: str, *, seconds: float, connections: int, **settings: str) -> dict[str, float]:
    env = {**os.environ, **{f"WRK_{key.upper()}": value for key, value in settings.items()}}
    command = [
        "wrk",
        "-t1",
        f"-c{connections}",
        f"-d{max(1, round(seconds))}s",
        "--timeout",
        "10s",
        "-s",
        str(ROOT / "bench" / "wrk_report.lua"),
        f"http://127.0.0.1:{port}{path}",
    ]
    output = subprocess.run(command, env=env, capture_output=True, text=True, check=True).stdout
    result = json.loads(output.strip().splitlines()[-1])
    return {
        "rps": result["requests"] / (result["duration_us"] / 1e6),
        "p50": result["p50_us"] / 1000,
        "p95": result["p95_us"] / 1000,
        "p99": result["p99_us"] / 1000,
        "errors": result["errors"],
        "requests": result["requests"],
    }


def prepare_http(env: dict[str, str], scratch: Path) -> dict[str, Any]:
    """Tokens, a session cookie and lists of paths for the load (run in a child process)."""
    code = f"""
import json, random, sys
sys.path.insert(0, {str(ROOT)!r})
import django
django.setup()
from django.conf import settings
from django.test import Client
from agora.accounts import tokens
from agora.accounts.models import User
from agora.posts.models import Post, Visibility, ModerationState
viewer = User.objects.order_by("-following_count").first()
poster = User.objects.exclude(username="bigauthor").order_by("followers_count").last()
client = Client()
client.force_login(viewer)
public = Post.objects.filter(visibility=Visibility.PUBLIC, moderation_state=ModerationState.PUBLISHED,
                             repost_of__isnull=True).order_by("-id")
threads = [f"/@{{p.author.username}}/{{p.pk}}" for p in public.filter(in_reply_to__isnull=False)
           .select_related("author")[:300]]
statuses = [str(pk) for pk in public.values_list("pk", flat=True)[:3000]]
names = User.objects.order_by("-followers_count").values_list("username", flat=True)
profiles = [f"/@{{u}}" for u in names[:300]]
words = ["city", "music", "weather", "stadt", "running", "garden", "news", "coffee", "#photography", "book"]
print(json.dumps({{
    "viewer": viewer.username,
    "viewer_token": tokens.create_token_for(user=viewer, app_name="bench-http", scopes="read write").token,
    "poster": poster.username,
    "poster_token": tokens.create_token_for(user=poster, app_name="bench-http", scopes="read write").token,
    "cookie": f"{{settings.SESSION_COOKIE_NAME}}={{client.cookies[settings.SESSION_COOKIE_NAME].value}}",
    "threads": threads, "statuses": statuses, "profiles": profiles,
    "searches": [f"/api/v2/search?q={{w.replace('#', '%23')}}&type=statuses" for w in words],
}}))
"""
    output = subprocess.run(
        [sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True
    ).stdout
    data: dict[str, Any] = json.loads(output.strip().splitlines()[-1])
    for key in ("threads", "profiles", "searches"):
        (scratch / f"{key}.txt").write_text("\n".join(data[key]) + "\n")
    (scratch / "likes.txt").write_text(
        "\n".join(f"/api/v1/statuses/{pk}/favourite" for pk in data["statuses"]) + "\n"
    )
    return data


def start_server(
    env: dict[str, str], port: int, log_path: Path, *, task_workers: int
) -> subprocess.Popen[bytes]:
    command = [
        "serve",
        "--no-migrate",
        "--port",
        str(port),
        "--workers",
        "1",
        "--task-workers",
        str(task_workers),
    ]
    with log_path.open("w") as log:
        server = subprocess.Popen(
            [*AGORA, *command],
            env={**env, "AGORA_ACCESS_LOG": "0"},
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    deadline = time.monotonic() + 600
    while True:
        if server.poll() is not None or time.monotonic() > deadline:
            raise SystemExit(f"agora serve did not start:\n{log_path.read_text()[-3000:]}")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1) as sock:
                sock.sendall(b"GET /healthz HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n")
                if b" 200 " in sock.recv(100):
                    return server
        except OSError:
            time.sleep(0.5)


def http_load(
    config: str, env: dict[str, str], seconds: float, connections: int
) -> tuple[list[str], dict[str, dict[str, float]]]:
    scratch = Path(tempfile.mkdtemp(prefix="agora-bench-"))
    data = prepare_http(env, scratch)
    # One web process per core, each on its own port, as behind a reverse proxy that balances connections
    # (docs/deployment.md): gunicorn's processes share one listening socket, and with a few keep-alive
    # connections one process accepts them all while the other idles.
    ports = [free_port() for _ in range(WEB_PROCESSES)]
    servers = [
        start_server(env, port, scratch / f"serve-{n}.log", task_workers=1 if n == 0 else 0)
        for n, port in enumerate(ports)
    ]
    drain_task_queue(env)
    viewer_auth = f"Bearer {data['viewer_token']}"
    poster_auth = f"Bearer {data['poster_token']}"
    operations: list[tuple[str, str, dict[str, str]]] = [
        ("/healthz (ceiling)", "/healthz", {}),
        ("home timeline (API)", "/api/v1/timelines/home", {"auth": viewer_auth}),
        # The same page with a cursor above every id: never taken from the home page cache.
        (
            "home timeline (API), made afresh",
            f"/api/v1/timelines/home?max_id={NEWEST}",
            {"auth": viewer_auth},
        ),
        ("home page (web)", "/", {"cookie": data["cookie"]}),
        ("public timeline (API)", "/api/v1/timelines/public?local=true", {"auth": viewer_auth}),
        ("thread (web)", "/", {"cookie": data["cookie"], "paths": str(scratch / "threads.txt")}),
        ("profile (web)", "/", {"cookie": data["cookie"], "paths": str(scratch / "profiles.txt")}),
        ("search (API)", "/", {"auth": viewer_auth, "paths": str(scratch / "searches.txt")}),
        (
            "post creation (API, screened)",
            "/api/v1/statuses",
            {"auth": poster_auth, "method": "POST", "body": "status=Load+test+post+{n}+about+the+city"},
        ),
        (
            "like (API)",
            "/",
            {"auth": viewer_auth, "method": "POST", "body": "", "paths": str(scratch / "likes.txt")},
        ),
    ]
    results: dict[str, dict[str, float]] = {}
    rows = [
        f"Viewer @{data['viewer']} (follows the most accounts); "
        f"posts by @{data['poster']} (the most followed).",
        "",
        "| operation | requests/s | of ceiling | p50 ms | p95 ms | p99 ms | errors |",
        "|---|---|---|---|---|---|---|",
    ]
    try:
        ceiling = 0.0
        for label, path, settings in operations:
            balanced(ports, path, seconds=2, connections=connections, **settings)  # warm-up
            result = balanced(ports, path, seconds=seconds, connections=connections, **settings)
            results[label] = result
            if label.startswith("/healthz"):
                ceiling = result["rps"]
            rows.append(
                f"| {label} | {result['rps']:.0f} | {100 * result['rps'] / ceiling:.0f} % | "
                f"{result['p50']:.1f} | {result['p95']:.1f} | {result['p99']:.1f} | {result['errors']:.0f} |"
            )
        processes = [process for server in servers for process in descendants_of(server.pid)]
        web = [rss_peak_mb(pid) for pid, command in processes if "serve" in command]
        workers = [rss_peak_mb(pid) for pid, command in processes if "worker" in command]
        rows += [
            "",
            f"Peak RSS: web processes {', '.join(f'{value:.0f}' for value in sorted(web)) or '-'} MB "
            f"(gunicorn masters included); worker processes "
            f"{', '.join(f'{value:.0f}' for value in sorted(workers)) or '-'} MB.",
        ]
    finally:
        for server in servers:
            os.killpg(server.pid, signal.SIGTERM)
        for server in servers:
            server.wait(timeout=60)
        shutil.rmtree(scratch, ignore_errors=True)
    return rows, results


def drain_task_queue(env: dict[str, str], timeout: float = 300) -> None:
    """Wait until the task worker has run what earlier steps queued (the in-process posts' screening and
    fan-out), so that each operation is measured on an otherwise idle server. RQ only (AGORA_TASKS=redis)."""
    if env.get("AGORA_TASKS") != "redis":
        return
    import redis

    queue = redis.Redis.from_url(env["REDIS_URL"])
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if queue.llen("rq:queue:default") == 0 and queue.zcard("rq:wip:default") == 0:
            return
        time.sleep(1)
    print("task queue not drained after", timeout, "s; measuring anyway", file=sys.stderr)


def balanced(
    ports: list[int], path: str, *, seconds: float, connections: int, **settings: str
) -> dict[str, float]:
    """wrk against every web process at once, the connections shared out; throughput summed, and of the
    latency percentiles the worst process's (conservative)."""
    share = max(1, connections // len(ports))
    with ThreadPoolExecutor(len(ports)) as pool:
        runs = list(
            pool.map(lambda port: wrk(port, path, seconds=seconds, connections=share, **settings), ports)
        )
    combined = {key: max(run[key] for run in runs) for key in ("p50", "p95", "p99")}
    for key in ("rps", "errors", "requests"):
        combined[key] = sum(run[key] for run in runs)
    return combined


# Fan-out ------------------------------------------------------------------------------------------


def fan_out_check(env: dict[str, str], followers: int) -> list[str]:
    """An author with `followers` followers (added to the database once), all timelines built; a worker is
    running; time from the post's creation to the post in every follower's timeline."""
    code = f"""
import sys, time, uuid
sys.path.insert(0, {str(ROOT)!r})
import django
django.setup()
from django.contrib.auth.hashers import make_password
from agora.accounts.models import Follow, User
from agora.timelines import feeds
author, created = User.objects.get_or_create(username="bigauthor", defaults={{"email": "big@example.org",
                                              "password": make_password(None)}})
have = Follow.objects.filter(followee=author).count()
n = have
while n < {followers}:
    batch = [User(username=f"fan{{k}}", email=f"fan{{k}}@example.org", password="!")
             for k in range(n, min({followers}, n + 5000))]
    User.objects.bulk_create(batch)
    Follow.objects.bulk_create([Follow(follower=u, followee=author) for u in batch])
    n += len(batch)
User.objects.filter(pk=author.pk).update(followers_count=n)
ids = list(Follow.objects.filter(followee=author).values_list("follower_id", flat=True))
pipe = feeds.client().pipeline(transaction=False)
for account_id in ids:
    pipe.zadd(feeds.timeline_key(account_id), {{feeds.SENTINEL: 0}})
pipe.execute()
print(len(ids))
"""
    env = {**env, "AGORA_TIMELINE_FANOUT_MAX_FOLLOWERS": str(followers * 2)}
    count = int(
        subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True)
        .stdout.strip()
        .splitlines()[-1]
    )
    worker = subprocess.Popen([*AGORA, "worker", "--interval", "0.05"], env=env, start_new_session=True)
    try:
        time.sleep(3)
        code = f"""
import sys, time
sys.path.insert(0, {str(ROOT)!r})
import django
django.setup()
from agora.accounts.models import Follow, User
from agora.posts import services
from agora.timelines import feeds
author = User.objects.get(username="bigauthor")
last = list(Follow.objects.filter(followee=author).order_by("-id").values_list("follower_id", flat=True)[:50])


def wait_for(post, started):
    while True:
        pipe = feeds.client().pipeline(transaction=False)
        for account_id in last:
            pipe.zscore(feeds.timeline_key(account_id), post.pk.hex)
        if all(score is not None for score in pipe.execute()):
            return
        if time.perf_counter() - started > 300:
            raise SystemExit("fan-out did not finish in 300 s")
        time.sleep(0.02)


# A first post lets the worker finish what was queued before and load what it loads once.
warm = services.create_post(author=author, text="A first post, to warm the worker up.")
wait_for(warm, time.perf_counter())
started = time.perf_counter()
post = services.create_post(author=author, text="One post for a hundred thousand timelines.")
created = time.perf_counter() - started
wait_for(post, started)
ids = list(Follow.objects.filter(followee=author).values_list("follower_id", flat=True))
while True:  # the sample holds it; now every timeline must
    done = time.perf_counter() - started
    pipe = feeds.client().pipeline(transaction=False)
    for account_id in ids:
        pipe.zscore(feeds.timeline_key(account_id), post.pk.hex)
    holding = sum(score is not None for score in pipe.execute())
    if holding == len(ids) or done > 300:
        break
print(f"{{created:.3f}} {{done:.3f}} {{holding}}")
"""
        output = subprocess.run(
            [sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True
        ).stdout
        created, done, holding = output.strip().splitlines()[-1].split()
    finally:
        os.killpg(worker.pid, signal.SIGTERM)
        worker.wait(timeout=60)
    return [
        f"- Fan-out of one post by an author with {count:,} followers (all with built timelines; a warm "
        f"`agora worker` on Redis): the request took {float(created) * 1000:.0f} ms; the post was in "
        f"every follower's timeline {float(done):.2f} s after it was created; {int(holding):,} of {count:,} "
        "timelines hold it."
    ]


# Driver -------------------------------------------------------------------------------------------


def measure_child(env: dict[str, str], accounts: int) -> dict[str, Any]:
    output = subprocess.run(
        [sys.executable, __file__, "--measure-in-process", str(accounts)],
        env=env,
        capture_output=True,
        text=True,
    )
    if output.returncode != 0:
        raise SystemExit(output.stderr[-3000:])
    result: dict[str, Any] = json.loads(output.stdout.strip().splitlines()[-1])
    return result


def growth_plot(growth: dict[str, list[dict[str, Any]]], path: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    figure, axes = plt.subplots(1, 2, figsize=(11, 4.2))
    for config, points in growth.items():
        sizes = [point["posts"] for point in points]
        for axis, key in ((axes[0], "home"), (axes[1], "post")):
            for share, style in ((0.5, "-o"), (0.99, "--x")):
                values = [percentile(point[key], share) for point in points]
                name = "median" if share == 0.5 else "p99"
                axis.plot(sizes, values, style, label=f"{config} {name}")
        remembered = [point.get("home_remembered") or [] for point in points]
        if all(remembered):
            values = [statistics.median(values) for values in remembered]
            axes[0].plot(sizes, values, ":s", label=f"{config} median, page unchanged (cache)")
    # Limits after every line is drawn: set_ylim stops autoscaling, and a later line would be cut off.
    titles = ("Home timeline (API), ms", "Post creation (API, screened), ms")
    for axis, title in zip(axes, titles, strict=True):
        axis.set_xscale("log")
        axis.set_xlabel("posts in the database")
        axis.set_title(title)
        axis.set_ylim(bottom=0)
        axis.grid(True, alpha=0.3)
        axis.legend(fontsize=8)
    figure.suptitle("Agora: latency as the database grows (in process, 2-core machine)")
    figure.tight_layout()
    figure.savefig(path, dpi=110)


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--config", choices=["sqlite", "postgres", "both"], default="both")
    parser.add_argument("--sizes", default="10000,100000,1000000", help="Post counts, comma-separated.")
    parser.add_argument("--users", type=int, default=10_000, help="Accounts in each community.")
    parser.add_argument("--accounts", type=int, default=40, help="Accounts sampled for in-process reads.")
    parser.add_argument("--http-seconds", type=float, default=10)
    parser.add_argument("--connections", type=int, default=4, help="wrk connections.")
    parser.add_argument("--followers", type=int, default=100_000)
    parser.add_argument("--seed-only", action="store_true", help="Seed the databases, measure nothing.")
    parser.add_argument("--measure-in-process", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.measure_in_process:
        result = measure_in_process(args.measure_in_process, bool(os.environ.get("REDIS_URL")))
        print(json.dumps(result))
        return
    for tool in ("wrk", "redis-server"):
        if shutil.which(tool) is None:
            raise SystemExit(f"{tool} is needed (apt-get install {tool.replace('-server', '')})")
    global USERS
    USERS = args.users
    sizes = [int(value) for value in args.sizes.split(",")]
    configs = ["sqlite", "postgres"] if args.config == "both" else [args.config]
    if args.seed_only:
        for config in configs:
            for posts in sizes:
                print(config, posts, seed(config, posts, environment(config, posts, "redis://127.0.0.1:1/0")))
        return
    RESULTS.mkdir(parents=True, exist_ok=True)
    growth: dict[str, list[dict[str, Any]]] = {}
    growth_path = RESULTS / "scale-growth.json"
    if growth_path.exists():
        growth = json.loads(growth_path.read_text())
    redis_port = free_port()
    redis_server = start_redis(redis_port)
    redis_url = f"redis://127.0.0.1:{redis_port}/0"
    started = time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime())
    try:
        for config in configs:
            title = "SQLite, no Redis" if config == "sqlite" else "PostgreSQL + Redis + workers"
            lines = [
                f"# Scale benchmark: {title}",
                "",
                f"Command: `uv run python bench/scale_bench.py --config {config} --sizes {args.sizes}`. "
                f"Machine: {os.cpu_count()} CPU cores, shared; run started {started}; "
                f"load average before: {os.getloadavg()[0]:.1f}.",
                "",
                "## Growth (in process, whole Django stack, ms)",
                "",
                "| posts | seeding | home (API) median | p95 | p99 | home, remembered: median | p99 "
                "| post creation median | p95 | p99 |",
                "|---|---|---|---|---|---|---|---|---|---|",
            ]
            growth[config] = []
            for posts in sizes:
                env = environment(config, posts, redis_url)
                seeded = seed(config, posts, env)
                point = measure_child(env, args.accounts)
                growth[config].append(point)
                lines.append(
                    f"| {point['posts']:,} | {seeded} | {summary(point['home'])} | {remembered(point)} "
                    f"| {summary(point['post'])} |"
                )
                growth_path.write_text(json.dumps(growth))
            first, last = growth[config][0], growth[config][-1]
            lines.append(
                f"\nHome timeline median at {last['posts']:,} posts is "
                f"{statistics.median(last['home']) / statistics.median(first['home']):.2f}x that at "
                f"{first['posts']:,} posts."
            )
            env = environment(config, sizes[-1], redis_url)
            lines += [
                "",
                f"## HTTP load at {last['posts']:,} posts (wrk, {args.connections} connections, "
                f"{args.http_seconds:.0f} s per operation, shared over {WEB_PROCESSES} single-process "
                "`agora serve` instances, one with a task worker)",
                "",
            ]
            rows, _ = http_load(config, env, args.http_seconds, args.connections)
            lines += rows
            if config == "postgres":
                lines += ["", "## Fan-out", ""]
                lines += fan_out_check(env, args.followers)
            (RESULTS / f"scale-{config}.md").write_text("\n".join(lines) + "\n")
            print("\n".join(lines))
    finally:
        redis_server.terminate()
        redis_server.wait()
    growth_plot(growth, RESULTS / "scale-growth.png")
    print(f"written to {RESULTS.relative_to(ROOT)}/scale-*.md and scale-growth.png")


if __name__ == "__main__":
    main()
