"""Fault check: `uv run python bench/fault_check.py [--followers 100000]`.

On a fresh SQLite database with a private Redis (redis-server on a spare port, no persistence):

1. An author with N followers, all with built home timelines, posts; `agora worker` starts the fan-out and is
   killed (SIGKILL) half-way; a new worker finishes it. Every follower's timeline must hold the post. Also
   reports how long an uninterrupted fan-out to N followers takes.
2. `agora serve` serves a follower's home page; the Redis server is killed: the page keeps being served (from
   the database, with the same posts); Redis is started again (empty): the page is served from Redis again
   (the list rebuilt).

Prints what happened and exits non-zero if any check fails; writes bench/results/fault-check.md.
"""

from __future__ import annotations

import argparse
import http.client
import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
AGORA = [sys.executable, "-m", "agora.cli"]
sys.path.insert(0, str(ROOT / "bench"))

from scale_bench import free_port, start_redis  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--followers", type=int, default=100_000)
    args = parser.parse_args()
    scratch = Path(tempfile.mkdtemp(prefix="agora-fault-"))
    redis_port = free_port()
    redis_server = start_redis(redis_port)
    redis_url = f"redis://127.0.0.1:{redis_port}/0"
    env = {
        **os.environ,
        "AGORA_DATA_DIR": str(scratch),
        "DJANGO_SETTINGS_MODULE": "agora.settings",
        "AGORA_STATIC_FROM_FINDERS": "1",
        "AGORA_TASKS": "database",
        "REDIS_URL": "",
        "AGORA_TIMELINES_REDIS_URL": redis_url,
        "AGORA_TIMELINE_FANOUT_MAX_FOLLOWERS": str(args.followers * 2),
        "AGORA_RATELIMITS_ENABLED": "0",
        "AGORA_LOG_LEVEL": "WARNING",
    }
    env.pop("DATABASE_URL", None)
    os.environ.update(env)
    os.environ.pop("DATABASE_URL", None)
    subprocess.run([*AGORA, "migrate", "--verbosity", "0"], env=env, check=True)
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    lines = [
        "# Fault check",
        "",
        f"Command: `uv run python bench/fault_check.py --followers {args.followers}`",
        "",
    ]
    failures = 0
    redis_servers = [redis_server]
    try:
        failures += fan_out_with_a_killed_worker(args.followers, env, lines)
        failures += serving_through_a_redis_outage(env, redis_port, redis_servers, lines)
    finally:
        for server in redis_servers:
            if server.poll() is None:
                server.terminate()
                server.wait()
    report = "\n".join(lines) + "\n"
    out = ROOT / "bench" / "results" / "fault-check.md"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(report)
    print(report)
    sys.exit(1 if failures else 0)


def fan_out_with_a_killed_worker(followers: int, env: dict[str, str], lines: list[str]) -> int:
    from django.contrib.auth.hashers import make_password

    from agora.accounts.models import Follow, User
    from agora.posts import services as post_services
    from agora.timelines import feeds

    password = make_password("fault-check")
    author = User.objects.create(username="author", email="author@example.org", password=password)
    started = time.perf_counter()
    batch = 5000
    for offset in range(0, followers, batch):
        users = [
            User(username=f"f{n}", email=f"f{n}@example.org", password=password)
            for n in range(offset, min(followers, offset + batch))
        ]
        User.objects.bulk_create(users)
        Follow.objects.bulk_create([Follow(follower=user, followee=author) for user in users])
    User.objects.filter(pk=author.pk).update(followers_count=followers)
    follower_ids = list(Follow.objects.filter(followee=author).values_list("follower_id", flat=True))
    pipe = feeds.client().pipeline(transaction=False)
    for account_id in follower_ids:
        pipe.zadd(feeds.timeline_key(account_id), {feeds.SENTINEL: 0})
    pipe.execute()
    lines.append(
        f"Set up {followers:,} followers with built timelines in {time.perf_counter() - started:.0f} s."
    )

    def holding(post_id: object) -> int:
        pipe = feeds.client().pipeline(transaction=False)
        for account_id in follower_ids:
            pipe.zscore(feeds.timeline_key(account_id), post_id.hex)  # type: ignore[attr-defined]
        return sum(score is not None for score in pipe.execute())

    # An uninterrupted fan-out, for its time.
    first = post_services.create_post(author=author, text="A first post to everyone.")
    started = time.perf_counter()
    subprocess.run([*AGORA, "worker", "--batch", "--interval", "0"], env=env, check=True)
    uninterrupted = time.perf_counter() - started
    complete = holding(first.pk)
    lines.append(
        f"- Uninterrupted fan-out to {followers:,} followers (`agora worker --batch`, incl. about 2 s of "
        f"start-up): {uninterrupted:.1f} s; {complete:,} timelines hold the post."
    )

    post = post_services.create_post(author=author, text="Everyone should see this, worker crash or not.")
    worker = subprocess.Popen([*AGORA, "worker", "--interval", "0.1"], env=env)
    deadline = time.monotonic() + 120
    partial = 0
    while time.monotonic() < deadline:
        partial = int(feeds.client().zcard(feeds.timeline_key(follower_ids[-1])))
        count = holding(post.pk) if partial else 0
        if count > followers // 10:
            partial = count
            break
        time.sleep(0.05)
    worker.send_signal(signal.SIGKILL)
    worker.wait()
    after_kill = holding(post.pk)
    subprocess.run([*AGORA, "worker", "--batch", "--interval", "0"], env=env, check=True)
    final = holding(post.pk)
    ok = final == followers and after_kill < followers
    lines.append(
        f"- Killed the worker during fan-out with {after_kill:,} of {followers:,} timelines written; a new "
        f"worker requeued the task and ran it again: {final:,} of {followers:,} timelines hold the post "
        f"({'PASS' if ok else 'FAIL'})."
    )
    return 0 if ok else 1


def get(port: int, path: str, cookie: str) -> tuple[int, str]:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    connection.request("GET", path, headers={"Cookie": cookie, "Host": "localhost"})
    response = connection.getresponse()
    return response.status, response.read().decode()


def serving_through_a_redis_outage(
    env: dict[str, str], redis_port: int, redis_servers: list[subprocess.Popen[bytes]], lines: list[str]
) -> int:
    from django.conf import settings
    from django.test import Client

    from agora.accounts.models import User
    from agora.posts.models import Post
    from agora.timelines import feeds

    reader = User.objects.get(username="f1")
    client = Client()
    client.force_login(reader)
    cookie = f"{settings.SESSION_COOKIE_NAME}={client.cookies[settings.SESSION_COOKIE_NAME].value}"
    newest = str(Post.objects.order_by("-id").values_list("pk", flat=True)[0])
    port = free_port()
    server = subprocess.Popen(
        [*AGORA, "serve", "--port", str(port), "--workers", "2", "--threads", "2", "--task-workers", "0"],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    results = []
    try:
        for _ in range(120):
            try:
                if get(port, "/healthz", "")[0] == 200:
                    break
            except OSError:
                time.sleep(0.5)
        status, body = get(port, "/", cookie)
        results.append(("Redis up", status, newest in body))
        feeds.client().delete(feeds.timeline_key(reader.pk))
        redis_servers[0].send_signal(signal.SIGKILL)
        redis_servers[0].wait()
        for attempt in range(3):
            status, body = get(port, "/", cookie)
            results.append((f"Redis killed, request {attempt + 1}", status, newest in body))
        redis_servers.append(
            subprocess.Popen(
                ["redis-server", "--port", str(redis_port), "--save", "", "--appendonly", "no"],
                stdout=subprocess.DEVNULL,
            )
        )
        for _ in range(50):
            try:
                socket.create_connection(("127.0.0.1", redis_port), timeout=0.2).close()
                break
            except OSError:
                time.sleep(0.1)
        time.sleep(6)  # each web process leaves Redis alone for 5 s after a failure
        for attempt in range(3):
            status, body = get(port, "/", cookie)
            results.append((f"Redis back (empty), request {attempt + 1}", status, newest in body))
        rebuilt = feeds.size(reader.pk) > 0
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=30)
    lines += ["", "| Home page of a follower | HTTP status | newest post shown |", "|---|---|---|"]
    lines += [f"| {label} | {status} | {'yes' if shown else 'no'} |" for label, status, shown in results]
    ok = all(status == 200 and shown for _label, status, shown in results) and rebuilt
    lines.append(
        f"\nAfter Redis came back, the follower's list was rebuilt in Redis: {'yes' if rebuilt else 'no'} "
        f"({'PASS' if ok else 'FAIL'})."
    )
    return 0 if ok else 1


if __name__ == "__main__":
    main()
