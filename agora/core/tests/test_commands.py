"""The `agora` command line: settings from the environment, createadmin, and serve running a real server."""

from __future__ import annotations

import io
import os
import socket
import stat
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from agora.accounts.models import User
from agora.settings import load_or_create_secret_key


def test_secret_key_is_generated_once_and_kept_private(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("SECRET_KEY", raising=False)
    first = load_or_create_secret_key(tmp_path)
    second = load_or_create_secret_key(tmp_path)
    assert first == second
    assert len(first) >= 50
    assert stat.S_IMODE((tmp_path / "secret_key").stat().st_mode) == 0o600
    monkeypatch.setenv("SECRET_KEY", "from-the-environment")
    assert load_or_create_secret_key(tmp_path) == "from-the-environment"


@pytest.mark.django_db
def test_createadmin_makes_an_administrator_from_stdin(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("sys.stdin", io.StringIO("a long admin password\n"))
    call_command(
        "createadmin", username="admin", email="ops@example.org", password_stdin=True, stdout=io.StringIO()
    )
    admin = User.objects.get(username="admin")
    assert admin.role == User.Role.ADMIN
    assert admin.is_staff and admin.is_superuser
    assert admin.check_password("a long admin password")


@pytest.mark.django_db
def test_createadmin_reports_bad_input_as_a_command_error(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("sys.stdin", io.StringIO("short\n"))
    with pytest.raises(CommandError, match="password"):
        call_command("createadmin", username="ops", email="ops@example.org", password_stdin=True)
    assert not User.objects.filter(username="ops").exists()


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def test_serve_migrates_and_serves_with_gunicorn(tmp_path: Path) -> None:
    port = _free_port()
    env = {
        key: value
        for key, value in os.environ.items()
        if key not in {"DATABASE_URL", "DJANGO_SETTINGS_MODULE"}
    }
    env["AGORA_DATA_DIR"] = str(tmp_path)
    server = subprocess.Popen(
        [sys.executable, "-m", "agora.cli", "serve", "--port", str(port), "--workers", "1", "--threads", "2"],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        deadline = time.monotonic() + 90
        body = ""
        while time.monotonic() < deadline:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/public", timeout=5) as response:
                    assert response.status == 200
                    body = response.read().decode()
                    break
            except OSError:
                if server.poll() is not None:
                    break
                time.sleep(0.5)
        assert "Local timeline" in body, server.stdout.read() if server.poll() is not None else "no answer"
        assert (tmp_path / "agora.sqlite3").exists()
        assert (tmp_path / "secret_key").exists()
        assert (tmp_path / "static" / "staticfiles.json").exists()
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/static/web/agora.css", timeout=5) as response:
            assert response.status == 200
        # A task queued now (as a request would) is run by the worker serve started beside the server.
        done = tmp_path / "done.txt"
        subprocess.run(
            [
                sys.executable,
                "-m",
                "agora.cli",
                "shell",
                "--no-imports",
                "-c",
                f"from agora.core.tests.worker_tasks import count_to; count_to.enqueue('{done}', 2, 0)",
            ],
            env=env,
            check=True,
            timeout=60,
        )
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline and not (done.exists() and done.read_text().split() == ["1", "2"]):
            time.sleep(0.2)
        assert done.read_text().split() == ["1", "2"]
    finally:
        server.terminate()
        try:
            output, _ = server.communicate(timeout=20)
        except subprocess.TimeoutExpired:
            server.kill()
            output, _ = server.communicate()
    assert "gunicorn" in output.lower()
    assert "runserver" not in output
