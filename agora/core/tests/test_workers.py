"""`agora worker` with the database queue: tasks run in another process, are retried with backoff, and a
worker killed in the middle of a task loses nothing (the task runs again, to the same result).

These tests run real processes against a database of their own (a temporary SQLite file), as a deployment
would: the web side enqueues, `agora worker` runs.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest


def agora(env: dict[str, str], *args: str, timeout: float = 120) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "agora.cli", *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=True,
    )


def shell(env: dict[str, str], code: str) -> Any:
    """Run Python in a Django shell of the test deployment; returns what it prints as JSON."""
    return json.loads(agora(env, "shell", "--no-imports", "-c", code).stdout.strip().splitlines()[-1])


@pytest.fixture(scope="module")
def deployment(tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    data = tmp_path_factory.mktemp("worker-deployment")
    env = {
        **os.environ,
        "AGORA_DATA_DIR": str(data),
        "DATABASE_URL": f"sqlite:///{data / 'agora.sqlite3'}",
        "AGORA_TASKS": "database",
        "REDIS_URL": "",
        "AGORA_TASK_RETRY_DELAY": "0.2",
        "AGORA_LOG_LEVEL": "WARNING",
    }
    agora(env, "migrate", "--verbosity", "0", timeout=300)
    return env


def enqueue(env: dict[str, str], call: str) -> str:
    result: str = shell(
        env,
        f"import json; from agora.core.tests import worker_tasks as t; print(json.dumps(t.{call}.id))",
    )
    return result


def task_state(env: dict[str, str], task_id: str) -> dict[str, Any]:
    state: dict[str, Any] = shell(
        env,
        "import json; from django_tasks_db.models import DBTaskResult as R; "
        f"r = R.objects.get(pk='{task_id}'); "
        "print(json.dumps({'status': r.status, 'value': r.return_value, 'workers': len(r.worker_ids)}))",
    )
    return state


def test_a_worker_runs_queued_tasks(deployment: dict[str, str], tmp_path: Path) -> None:
    target = tmp_path / "count.txt"
    task_id = enqueue(deployment, f"count_to.enqueue('{target}', 3, 0)")
    assert task_state(deployment, task_id)["status"] == "READY"
    agora(deployment, "worker", "--batch")
    assert task_state(deployment, task_id) == {"status": "SUCCESSFUL", "value": 3, "workers": 1}
    assert target.read_text().split() == ["1", "2", "3"]


def test_a_failing_task_is_retried_with_backoff_until_it_succeeds(
    deployment: dict[str, str], tmp_path: Path
) -> None:
    counter = tmp_path / "tries.txt"
    enqueue(deployment, f"fail_twice.enqueue('{counter}')")
    worker = subprocess.Popen(
        [sys.executable, "-m", "agora.cli", "worker", "--interval", "0.1"], env=deployment
    )
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline and not (counter.exists() and counter.read_text() == "3"):
            time.sleep(0.1)
    finally:
        worker.send_signal(signal.SIGTERM)
        worker.wait(timeout=30)
    assert counter.read_text() == "3"
    tries = shell(
        deployment,
        "import json; from django_tasks_db.models import DBTaskResult as R, get_date_max; "
        "rows = R.objects.filter(task_path__endswith='fail_twice').order_by('enqueued_at'); "
        "print(json.dumps([[r.status, r.return_value, None if r.run_after == get_date_max() "
        "else (r.run_after - r.enqueued_at).total_seconds()] for r in rows]))",
    )
    # Each failed try is recorded with its error; each retry is a new task result, to run after a delay that
    # doubles: 0.2 s, then 0.4 s (+/- 20 %).
    assert [status for status, _value, _delay in tries] == ["FAILED", "FAILED", "SUCCESSFUL"]
    assert tries[2][1] == "done after 3 tries"
    assert tries[0][2] is None
    assert 0.15 <= tries[1][2] <= 0.3 and 0.3 <= tries[2][2] <= 0.55


def test_with_redis_tasks_queue_in_rq_and_the_same_worker_command_runs_them(
    deployment: dict[str, str], tmp_path: Path
) -> None:
    import redis

    url = os.environ.get("AGORA_TEST_REDIS_URL", "redis://127.0.0.1:6379/7")
    try:
        redis.Redis.from_url(url, socket_connect_timeout=1).flushdb()
    except redis.RedisError as error:
        if os.environ.get("AGORA_REQUIRE_TOOLS"):
            pytest.fail(f"AGORA_REQUIRE_TOOLS is set but Redis at {url} is unreachable: {error}")
        pytest.skip(f"the RQ queue is not tested: no Redis at {url} ({error})")
    env = {**deployment, "AGORA_TASKS": "redis", "REDIS_URL": url}
    target = tmp_path / "count.txt"
    shell(
        env,
        "import json; from agora.core.tests.worker_tasks import count_to; "
        f"print(json.dumps(count_to.enqueue('{target}', 4, 0).id))",
    )
    assert not target.exists()  # queued in Redis, not run
    agora(env, "worker", "--batch")
    assert target.read_text().split() == ["1", "2", "3", "4"]
    assert redis.Redis.from_url(url).llen("rq:queue:default") == 0


def test_a_task_whose_worker_is_killed_runs_again_to_the_same_result(
    deployment: dict[str, str], tmp_path: Path
) -> None:
    target = tmp_path / "count.txt"
    task_id = enqueue(deployment, f"count_to.enqueue('{target}', 20, 0.1)")
    worker = subprocess.Popen(
        [sys.executable, "-m", "agora.cli", "worker", "--interval", "0.1"], env=deployment
    )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and len(target.read_text().split() if target.exists() else []) < 3:
        time.sleep(0.05)
    worker.send_signal(signal.SIGKILL)
    worker.wait(timeout=10)
    interrupted = target.read_text().split()
    assert 3 <= len(interrupted) < 20
    assert task_state(deployment, task_id)["status"] == "RUNNING"  # as the killed worker left it

    agora(deployment, "worker", "--batch")  # a new worker on this host sees the old one is gone
    assert task_state(deployment, task_id) == {"status": "SUCCESSFUL", "value": 20, "workers": 2}
    assert target.read_text().split() == [str(n) for n in range(1, 21)]
