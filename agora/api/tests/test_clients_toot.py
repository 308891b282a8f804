"""The `toot` command-line client (PyPI `toot`), unmodified, in a scripted run against a live Agora server: it
logs in through the browser flow (the consent page driven over HTTP, the code pasted at its prompt), posts,
and reads its home timeline back."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from agora.accounts.tests.factories import UserFactory
from agora.api.tests.test_mastodon_py import consent, log_in_on_the_web


@pytest.fixture
def server(live_server: Any, transactional_db: None) -> str:
    return str(live_server.url)


def toot_environment(config_home: Path) -> dict[str, str]:
    env = {key: value for key, value in os.environ.items() if not key.startswith("TOOT_")}
    env.update(XDG_CONFIG_HOME=str(config_home), PYTHONUNBUFFERED="1", NO_COLOR="1", TERM="dumb")
    return env


def toot(env: dict[str, str], *args: str, stdin: str = "") -> str:
    done = subprocess.run(
        [sys.executable, "-m", "toot", *args],
        env=env,
        input=stdin,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    return done.stdout


def log_in_with_toot(env: dict[str, str], base: str, username: str, password: str) -> str:
    """`toot login`: it prints a URL to open in a browser and asks for the code shown there."""
    process = subprocess.Popen(
        [sys.executable, "-m", "toot", "login", "--instance", base],
        env=env,
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    assert process.stdout is not None and process.stdin is not None
    output, url = [], None
    try:
        for line in process.stdout:
            output.append(line)
            if url is None and line.startswith(f"{base}/oauth/authorize"):
                url = line.strip()
                break
        assert url is not None, "".join(output)
        code = consent(log_in_on_the_web(base, username, password), url)
        rest, _ = process.communicate(f"n\n{code}\n", timeout=60)
    finally:
        if process.poll() is None:
            process.kill()
    output.append(rest)
    assert process.returncode == 0, "".join(output)
    return "".join(output)


def test_toot_logs_in_posts_and_reads_its_timeline(server: str, tmp_path: Path) -> None:
    UserFactory(username="tooter", password="correct horse battery")
    env = toot_environment(tmp_path)

    assert "Successfully logged in" in log_in_with_toot(env, server, "tooter", "correct horse battery")
    assert "tooter" in toot(env, "whoami")

    posted = toot(env, "post", "Hello from the toot CLI #agora")
    assert "Toot posted" in posted
    timeline = toot(env, "timeline", "--once")
    assert "Hello from the toot CLI" in timeline
    assert "tooter" in timeline
