"""Backup while posts are being written, restore into a fresh data folder, on SQLite and on PostgreSQL.

Each instance (the running one and the fresh one) is its own process tree with its own data folder and
database, driven by agora/portability/tests/instance.py; `agora backup` and `agora restore` run as the
operator runs them.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tarfile
import threading
import time
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import pytest

ROOT = Path(__file__).resolve().parents[3]


def _postgres_server() -> str | None:
    url = os.environ.get("DATABASE_URL", "")
    return url if url.startswith(("postgres://", "postgresql://")) else None


def _database_url(base: str, name: str) -> str:
    parts = urlsplit(base)
    return urlunsplit((parts.scheme, parts.netloc, f"/{name}", parts.query, parts.fragment))


class Instance:
    def __init__(self, data_dir: Path, database_url: str) -> None:
        self.data_dir = data_dir
        self.env = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "agora.settings",
            "AGORA_DATA_DIR": str(data_dir),
            "AGORA_MEDIA_DIR": str(data_dir / "media"),
            "AGORA_MEDIA_STAGING_DIR": str(data_dir / "staging"),
            "DATABASE_URL": database_url,
            "AGORA_TASKS": "immediate",
            "AGORA_RATELIMITS_ENABLED": "0",
            "SECRET_KEY": "backup-test",
        }
        self.env.pop("REDIS_URL", None)

    def run(self, *args: str, check: bool = True) -> subprocess.CompletedProcess[str]:
        result = subprocess.run(
            [sys.executable, *args], cwd=ROOT, env=self.env, capture_output=True, text=True, timeout=300
        )
        if check and result.returncode != 0:
            raise AssertionError(f"{args} failed:\n{result.stdout}\n{result.stderr}")
        return result

    def agora(self, *args: str, check: bool = True) -> subprocess.CompletedProcess[str]:
        return self.run("-m", "agora.cli", *args, check=check)

    def script(self, *args: str) -> subprocess.CompletedProcess[str]:
        return self.run("-m", "agora.portability.tests.instance", *args)

    def facts(self) -> dict[str, Any]:
        result: dict[str, Any] = json.loads(self.script("facts").stdout.strip().splitlines()[-1])
        return result


@pytest.fixture(params=["sqlite", "postgresql"])
def instances(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[tuple[Instance, Instance]]:
    if request.param == "sqlite":
        yield (
            Instance(tmp_path / "running", f"sqlite:///{tmp_path / 'running' / 'agora.sqlite3'}"),
            Instance(tmp_path / "fresh", f"sqlite:///{tmp_path / 'fresh' / 'agora.sqlite3'}"),
        )
        return
    server = _postgres_server()
    if server is None:
        pytest.skip("PostgreSQL: set DATABASE_URL to a PostgreSQL server")
    import psycopg

    suffix = uuid.uuid4().hex[:8]
    names = [f"agora_portability_bk_{suffix}_src", f"agora_portability_bk_{suffix}_dst"]
    admin_url = _database_url(server, "postgres")
    with psycopg.connect(admin_url, autocommit=True) as admin:
        for name in names:
            admin.execute(f'CREATE DATABASE "{name}"')
    try:
        yield (
            Instance(tmp_path / "running", _database_url(server, names[0])),
            Instance(tmp_path / "fresh", _database_url(server, names[1])),
        )
    finally:
        with psycopg.connect(admin_url, autocommit=True) as admin:
            for name in names:
                admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def manifest_of(path: Path) -> dict[str, Any]:
    with tarfile.open(path) as bundle:
        member = bundle.extractfile("manifest.json")
        assert member is not None
        manifest: dict[str, Any] = json.load(member)
    return manifest


def test_backup_while_writing_restores_identically_into_a_fresh_instance(
    instances: tuple[Instance, Instance], tmp_path: Path
) -> None:
    running, fresh = instances
    running.script("setup")
    stop, count = tmp_path / "stop", tmp_path / "count"

    def written() -> int:
        return int(count.read_text() or 0) if count.exists() else 0

    writer = threading.Thread(target=running.script, args=("write", str(stop), str(count)))
    writer.start()
    try:
        deadline = time.monotonic() + 60
        while written() < 5 and time.monotonic() < deadline:
            time.sleep(0.05)
        before = written()
        backup = tmp_path / "instance-backup.tar.gz"
        running.agora("backup", "--no-progress", str(backup))
        after = written()
    finally:
        stop.write_text("stop")
        writer.join(timeout=120)
    assert after > before >= 5, "posts were being written while the backup ran"
    assert "is sound" in running.agora("backup", "--verify", "--no-progress", str(backup)).stdout
    manifest = manifest_of(backup)
    assert len(manifest["media"]) >= 3  # three pictures (and smaller sizes of the large ones)

    fresh.agora("migrate", "-v0")
    result = fresh.agora("restore", "--no-progress", str(backup))
    assert "every table's row count and every media checksum match" in result.stdout

    restored = fresh.facts()
    assert restored["tables"] == manifest["tables"]
    assert restored["media"] == manifest["media"]
    source = running.facts()
    # The snapshot holds every row that existed before it began; only the writer's later posts are missing.
    missing = set(source["home_timeline"]) - set(restored["home_timeline"])
    assert missing and missing <= set(source["writer_posts"])
    assert restored["home_timeline"] == [pk for pk in source["home_timeline"] if pk not in missing]
    assert source["tables"]["posts_post"] > manifest["tables"]["posts_post"]


def test_restore_refuses_a_non_empty_instance_and_verify_finds_damage(
    instances: tuple[Instance, Instance], tmp_path: Path
) -> None:
    running, fresh = instances
    running.agora("migrate", "-v0")
    running.run(
        "-c",
        "import django; django.setup(); from agora.accounts.tests.factories import UserFactory; "
        "UserFactory(username='someone')",
    )
    backup = tmp_path / "small.tar"
    running.agora("backup", "--no-progress", str(backup))
    refused = running.agora("restore", "--no-progress", str(backup), check=False)
    assert refused.returncode != 0 and "--force" in refused.stderr
    assert running.agora("restore", "--no-progress", "--force", str(backup)).returncode == 0

    damaged = tmp_path / "damaged.tar"
    data = bytearray(backup.read_bytes())
    data[1024 + 600] ^= 0xFF  # a byte inside the database file
    damaged.write_bytes(bytes(data))
    verify = running.agora("backup", "--verify", "--no-progress", str(damaged), check=False)
    assert verify.returncode != 0 and "checksum" in verify.stderr
    fresh.agora("migrate", "-v0")
    assert fresh.agora("restore", "--no-progress", str(damaged), check=False).returncode != 0
