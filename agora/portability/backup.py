"""Backups of a whole instance, taken while it runs, and restoring one into an empty instance.

A backup is one tar file (gzip-compressed when its name ends in .gz) with:
- `manifest.json`: format version, when, the database engine, the latest migration of every app, the row
  count of every table and the SHA-256 of the database file and of every media file;
- the database: `database.sqlite3` (SQLite's online backup API: a consistent copy while others write) or
  `database.pgdump` (`pg_dump -Fc`, run inside the same REPEATABLE READ snapshot that the row counts and the
  list of media files are read from, so all three agree);
- `media/<name>`: every stored media file the snapshot refers to (from the configured storage, local or S3).

Row counts and the media list come from the snapshot itself, so a backup taken while posts are being written
describes exactly what it holds. Restoring checks every count and checksum against the manifest.
"""

from __future__ import annotations

import contextlib
import hashlib
import io
import json
import os
import re
import shutil
import sqlite3
import subprocess
import tarfile
import tempfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.core.files.base import File
from django.core.files.storage import default_storage
from django.db import connection, connections
from django.utils import timezone

FORMAT = "agora-backup"
FORMAT_VERSION = 1
MANIFEST = "manifest.json"
SQLITE_MEMBER = "database.sqlite3"
PG_MEMBER = "database.pgdump"
MEDIA_PREFIX = "media/"
MEDIA_TABLE = "media_mediafile"
# Tables whose rows are not the instance's data (rate-limit counters, the cache): not counted, not compared.
VOLATILE_TABLES = frozenset({"agora_ratelimit_cache"})

Progress = Callable[[str, int, int], None]  # (step, done, total)


class BackupError(Exception):
    """The backup or restore cannot go on; the message says why (shown to the operator as is)."""


def _no_progress(step: str, done: int, total: int) -> None:
    return None


def sha256_of(stream: Any) -> str:
    digest = hashlib.sha256()
    while chunk := stream.read(1024 * 1024):
        digest.update(chunk)
    return digest.hexdigest()


def engine() -> str:
    vendor = connection.vendor
    if vendor not in ("sqlite", "postgresql"):
        raise BackupError(f"Backups support SQLite and PostgreSQL, not {vendor}.")
    return vendor


def _quote(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _latest_migrations(rows: list[tuple[str, str]]) -> dict[str, str]:
    latest: dict[str, str] = {}
    for app, name in rows:
        if name > latest.get(app, ""):
            latest[app] = name
    return latest


# Snapshots ----------------------------------------------------------------------------------------------


@dataclass
class Snapshot:
    engine: str
    database_path: Path
    tables: dict[str, int]
    media_names: list[str]
    migrations: dict[str, str]
    extra: dict[str, Any] = field(default_factory=dict)


def sqlite_tables(db: sqlite3.Connection) -> dict[str, int]:
    names = [
        row[0]
        for row in db.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name"
        )
    ]
    counts = {}
    for name in names:
        if name in VOLATILE_TABLES:
            continue
        try:
            counts[name] = int(db.execute(f"SELECT count(*) FROM {_quote(name)}").fetchone()[0])
        except sqlite3.OperationalError:
            continue  # a virtual table whose module this Python lacks; its shadow tables are counted
    return counts


def _sqlite_facts(db: sqlite3.Connection) -> tuple[dict[str, int], list[str], dict[str, str]]:
    tables = sqlite_tables(db)
    media = (
        [row[0] for row in db.execute(f"SELECT storage_name FROM {MEDIA_TABLE} ORDER BY storage_name")]
        if MEDIA_TABLE in tables
        else []
    )
    migrations = (
        _latest_migrations(list(db.execute("SELECT app, name FROM django_migrations")))
        if "django_migrations" in tables
        else {}
    )
    return tables, media, migrations


def _sqlite_snapshot(workdir: Path) -> Snapshot:
    source_path = str(connection.settings_dict["NAME"])
    target = workdir / SQLITE_MEMBER
    source = sqlite3.connect(source_path, timeout=30)
    try:
        copy = sqlite3.connect(target)
        with copy:
            # The online backup API copies a consistent state of the database while writers go on (pages
            # changed during the copy make it start over; 4096 pages per step keeps every lock short).
            source.backup(copy, pages=4096)
        copy.execute("PRAGMA journal_mode=DELETE")
        tables, media, migrations = _sqlite_facts(copy)
        copy.close()
    finally:
        source.close()
    return Snapshot("sqlite", target, tables, media, migrations)


def _pg_env(settings_dict: dict[str, Any]) -> dict[str, str]:
    env = dict(os.environ)
    for key, variable in (
        ("HOST", "PGHOST"),
        ("PORT", "PGPORT"),
        ("USER", "PGUSER"),
        ("PASSWORD", "PGPASSWORD"),
    ):
        if settings_dict.get(key):
            env[variable] = str(settings_dict[key])
    env["PGDATABASE"] = str(settings_dict["NAME"])
    return env


def _tool_major(tool: str) -> int:
    try:
        output = subprocess.run([tool, "--version"], capture_output=True, text=True, check=True).stdout
    except (OSError, subprocess.CalledProcessError) as error:
        raise BackupError(f"{tool} is needed for PostgreSQL (Debian: postgresql-client): {error}") from error
    match = re.search(r"(\d+)(?:\.\d+)?", output)
    if match is None:
        raise BackupError(f"Cannot tell the version of {tool} from {output!r}.")
    return int(match.group(1))


def check_pg_tool(tool: str) -> None:
    """pg_dump/pg_restore must be at least the server's major version (older ones cannot read newer ones)."""
    with connection.cursor() as cursor:
        cursor.execute("SHOW server_version_num")
        server_major = int(cursor.fetchone()[0]) // 10000
    tool_major = _tool_major(tool)
    if tool_major < server_major:
        raise BackupError(
            f"{tool} is version {tool_major} but the server is PostgreSQL {server_major}: install the "
            f"client tools of version {server_major} or newer."
        )


def _pg_facts(cursor: Any) -> tuple[dict[str, int], list[str], dict[str, str]]:
    cursor.execute("SELECT tablename FROM pg_tables WHERE schemaname = current_schema() ORDER BY tablename")
    names = [row[0] for row in cursor.fetchall()]
    tables = {}
    for name in names:
        if name in VOLATILE_TABLES:
            continue
        cursor.execute(f"SELECT count(*) FROM {_quote(name)}")
        tables[name] = int(cursor.fetchone()[0])
    media: list[str] = []
    if MEDIA_TABLE in tables:
        cursor.execute(f"SELECT storage_name FROM {MEDIA_TABLE} ORDER BY storage_name")
        media = [row[0] for row in cursor.fetchall()]
    migrations: dict[str, str] = {}
    if "django_migrations" in tables:
        cursor.execute("SELECT app, name FROM django_migrations")
        migrations = _latest_migrations(cursor.fetchall())
    return tables, media, migrations


def _pg_snapshot(workdir: Path) -> Snapshot:
    check_pg_tool("pg_dump")
    target = workdir / PG_MEMBER
    raw = connection.get_new_connection(connection.get_connection_params())
    try:
        raw.autocommit = True
        with raw.cursor() as cursor:
            # One snapshot for the counts, the media list and pg_dump: all three see the same rows.
            cursor.execute("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY")
            cursor.execute("SELECT pg_export_snapshot()")
            snapshot_id = cursor.fetchone()[0]
            tables, media, migrations = _pg_facts(cursor)
            result = subprocess.run(
                [
                    "pg_dump",
                    "--format=custom",
                    "--no-owner",
                    "--no-privileges",
                    f"--snapshot={snapshot_id}",
                    f"--file={target}",
                ],
                env=_pg_env(connection.settings_dict),
                capture_output=True,
                text=True,
            )
            cursor.execute("COMMIT")
        if result.returncode != 0:
            raise BackupError(f"pg_dump failed: {result.stderr.strip()}")
    finally:
        raw.close()
    return Snapshot("postgresql", target, tables, media, migrations)


# Backup -------------------------------------------------------------------------------------------------


@dataclass
class BackupResult:
    path: Path
    manifest: dict[str, Any]


def _add_file(bundle: tarfile.TarFile, name: str, stream: Any, size: int) -> None:
    info = tarfile.TarInfo(name)
    info.size = size
    info.mtime = int(timezone.now().timestamp())
    info.mode = 0o600
    bundle.addfile(info, stream)


def _open_tar(path: Path, mode: str, *, name: str | None = None) -> tarfile.TarFile:
    compressed = (name or path.name).endswith((".gz", ".tgz"))
    return tarfile.open(path, f"{mode}:gz" if compressed else mode)  # type: ignore[call-overload,no-any-return]


def create_backup(path: Path, *, progress: Progress = _no_progress) -> BackupResult:
    """Write a consistent backup of the database and media to `path` (written next to it, then renamed, so
    a half-written backup never has the final name).
    """
    path = Path(path)
    if path.exists() and path.is_dir():
        raise BackupError(f"{path} is a folder; give a file name.")
    path.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="agora-backup-") as tmp:
        workdir = Path(tmp)
        progress("database", 0, 1)
        snapshot = _sqlite_snapshot(workdir) if engine() == "sqlite" else _pg_snapshot(workdir)
        progress("database", 1, 1)
        with snapshot.database_path.open("rb") as handle:
            database_sha = sha256_of(handle)
        partial = path.with_name(path.name + ".partial")
        media: dict[str, str] = {}
        missing: list[str] = []
        try:
            with _open_tar(partial, "w", name=path.name) as bundle:
                with snapshot.database_path.open("rb") as handle:
                    _add_file(
                        bundle, snapshot.database_path.name, handle, snapshot.database_path.stat().st_size
                    )
                total = len(snapshot.media_names)
                for done, name in enumerate(snapshot.media_names, start=1):
                    try:
                        with default_storage.open(name, "rb") as source:
                            data = source.read()
                    except (FileNotFoundError, OSError):
                        # Deleted after the snapshot was taken (its post was deleted meanwhile).
                        missing.append(name)
                        continue
                    media[name] = hashlib.sha256(data).hexdigest()
                    _add_file(bundle, MEDIA_PREFIX + name, io.BytesIO(data), len(data))
                    progress("media", done, total)
                manifest = {
                    "format": FORMAT,
                    "version": FORMAT_VERSION,
                    "created_at": timezone.now().isoformat(),
                    "engine": snapshot.engine,
                    "database": {"file": snapshot.database_path.name, "sha256": database_sha},
                    "migrations": snapshot.migrations,
                    "tables": snapshot.tables,
                    "media": media,
                    "media_missing": missing,
                }
                data = json.dumps(manifest, indent=2, sort_keys=True).encode()
                _add_file(bundle, MANIFEST, io.BytesIO(data), len(data))
            os.replace(partial, path)
        finally:
            partial.unlink(missing_ok=True)
    return BackupResult(path=path, manifest=manifest)


# Verify -------------------------------------------------------------------------------------------------


def read_manifest(bundle: tarfile.TarFile) -> dict[str, Any]:
    try:
        member = bundle.extractfile(MANIFEST)
    except KeyError as error:
        raise BackupError("Not an Agora backup: it has no manifest.json.") from error
    assert member is not None
    manifest: dict[str, Any] = json.load(member)
    if manifest.get("format") != FORMAT or manifest.get("version") != FORMAT_VERSION:
        raise BackupError("Not an Agora backup of a format this version reads.")
    return manifest


def _open_backup(path: Path) -> tarfile.TarFile:
    if not Path(path).is_file():
        raise BackupError(f"No backup file at {path}.")
    try:
        return _open_tar(Path(path), "r")
    except (tarfile.TarError, OSError, EOFError) as error:
        raise BackupError(f"{path} is not a readable backup: {error}") from error


def verify_backup(path: Path, *, progress: Progress = _no_progress) -> list[str]:
    """Check a backup against its manifest: the database file's checksum and (SQLite) every table's row
    count, and every media file's checksum. Returns the problems found (none: it is sound).
    """
    problems: list[str] = []
    with _open_backup(path) as bundle, tempfile.TemporaryDirectory(prefix="agora-verify-") as tmp:
        manifest = read_manifest(bundle)
        seen_media: set[str] = set()
        total = len(manifest["media"]) + 1
        done = 0
        try:
            for member in bundle:
                if member.name == manifest["database"]["file"]:
                    target = Path(tmp) / member.name
                    source = bundle.extractfile(member)
                    assert source is not None
                    with target.open("wb") as out:
                        shutil.copyfileobj(source, out)
                    with target.open("rb") as handle:
                        if sha256_of(handle) != manifest["database"]["sha256"]:
                            problems.append("database file: checksum differs from the manifest")
                    problems.extend(_verify_database(target, manifest))
                elif member.name.startswith(MEDIA_PREFIX):
                    name = member.name[len(MEDIA_PREFIX) :]
                    seen_media.add(name)
                    stream = bundle.extractfile(member)
                    assert stream is not None
                    if manifest["media"].get(name) != sha256_of(stream):
                        problems.append(f"media {name}: checksum differs from the manifest")
                else:
                    continue
                done += 1
                progress("verify", done, total)
        except (tarfile.TarError, OSError, EOFError) as error:
            problems.append(f"the file is damaged: {error}")
        for name in sorted(set(manifest["media"]) - seen_media):
            problems.append(f"media {name}: missing from the backup")
    return problems


def _verify_database(path: Path, manifest: dict[str, Any]) -> list[str]:
    if manifest["engine"] == "sqlite":
        db = sqlite3.connect(path)
        try:
            return compare_counts(manifest["tables"], sqlite_tables(db))
        finally:
            db.close()
    result = subprocess.run(["pg_restore", "--list", str(path)], capture_output=True, text=True)
    if result.returncode != 0:
        return [f"database dump: pg_restore cannot read it: {result.stderr.strip()}"]
    listed = set(re.findall(r" TABLE DATA \S+ (\S+) ", result.stdout))
    missing = sorted(name for name in manifest["tables"] if name not in listed)
    return [f"database dump: no data for table {name}" for name in missing]


def compare_counts(expected: dict[str, int], actual: dict[str, int]) -> list[str]:
    problems = []
    for name, count in sorted(expected.items()):
        if name not in actual:
            problems.append(f"table {name}: missing")
        elif actual[name] != count:
            problems.append(f"table {name}: {actual[name]} rows, the manifest says {count}")
    return problems


# Restore ------------------------------------------------------------------------------------------------


def instance_is_empty() -> bool:
    """No accounts and no posts (a freshly migrated database, whose default rows do not count)."""
    from django.db.utils import DatabaseError

    try:
        with connection.cursor() as cursor:
            for table in ("accounts_user", "posts_post"):
                cursor.execute(f"SELECT count(*) FROM {_quote(table)}")
                if cursor.fetchone()[0]:
                    return False
    except DatabaseError:
        return True  # not even migrated
    return True


def current_counts() -> dict[str, int]:
    if connection.vendor == "sqlite":
        db = sqlite3.connect(str(connection.settings_dict["NAME"]))
        try:
            return sqlite_tables(db)
        finally:
            db.close()
    with connection.cursor() as cursor:
        tables, _media, _migrations = _pg_facts(cursor)
    return tables


@contextlib.contextmanager
def _extracted(bundle: tarfile.TarFile, name: str) -> Iterator[Path]:
    with tempfile.TemporaryDirectory(prefix="agora-restore-") as tmp:
        source = bundle.extractfile(name)
        if source is None:
            raise BackupError(f"The backup has no {name}.")
        target = Path(tmp) / name
        with target.open("wb") as out:
            shutil.copyfileobj(source, out)
        yield target


def _restore_sqlite(database: Path) -> None:
    target = str(connection.settings_dict["NAME"])
    connections.close_all()
    source = sqlite3.connect(database)
    try:
        destination = sqlite3.connect(target, timeout=30)
        try:
            # The backup API replaces the whole target database (its WAL included) page by page.
            source.backup(destination)
            destination.execute("PRAGMA journal_mode=WAL")
        finally:
            destination.close()
    finally:
        source.close()


def _restore_pg(dump: Path) -> None:
    check_pg_tool("pg_restore")
    with connection.cursor() as cursor:
        # Start from an empty schema: the dump makes every table, index and sequence itself.
        schema = _quote(connection.settings_dict.get("OPTIONS", {}).get("schema", "public"))
        cursor.execute(f"DROP SCHEMA IF EXISTS {schema} CASCADE")
        cursor.execute(f"CREATE SCHEMA {schema}")
    connections.close_all()
    result = subprocess.run(
        [
            "pg_restore",
            "--no-owner",
            "--no-privileges",
            "--exit-on-error",
            f"--dbname={connection.settings_dict['NAME']}",
            str(dump),
        ],
        env=_pg_env(connection.settings_dict),
        capture_output=True,
        text=True,
    )
    if result.returncode != 0:
        raise BackupError(f"pg_restore failed: {result.stderr.strip()}")


def restore_backup(path: Path, *, force: bool = False, progress: Progress = _no_progress) -> list[str]:
    """Restore a backup into this instance: the database, then the media files; then check every table's
    row count and every file's checksum against the manifest. Refuses an instance that has accounts or
    posts unless `force`. Returns the problems the final check found (none: identical to the backup).
    """
    with _open_backup(path) as bundle:
        manifest = read_manifest(bundle)
        if manifest["engine"] != engine():
            raise BackupError(
                f"This backup is of a {manifest['engine']} database; this instance uses {engine()}. "
                "Restore it into the same kind of database."
            )
        if not force and not instance_is_empty():
            raise BackupError(
                "This instance has accounts or posts. Restore into an empty instance, or give --force to "
                "replace everything in it."
            )
        total = len(manifest["media"]) + 1
        progress("database", 0, total)
        with _extracted(bundle, manifest["database"]["file"]) as database:
            with database.open("rb") as handle:
                if sha256_of(handle) != manifest["database"]["sha256"]:
                    raise BackupError("The database file in the backup is damaged (checksum differs).")
            if manifest["engine"] == "sqlite":
                _restore_sqlite(database)
            else:
                _restore_pg(database)
        progress("database", 1, total)
        problems: list[str] = []
        done = 1
        for member in bundle:
            if not member.name.startswith(MEDIA_PREFIX) or not member.isfile():
                continue
            name = member.name[len(MEDIA_PREFIX) :]
            expected = manifest["media"].get(name)
            if expected is None or ".." in Path(name).parts or name.startswith("/"):
                problems.append(f"media {name}: not in the manifest, skipped")
                continue
            stream = bundle.extractfile(member)
            assert stream is not None
            data = stream.read()
            if hashlib.sha256(data).hexdigest() != expected:
                problems.append(f"media {name}: damaged in the backup, skipped")
                continue
            if default_storage.exists(name):
                default_storage.delete(name)
            saved = default_storage.save(name, File(io.BytesIO(data), name=name))
            if saved != name:
                problems.append(f"media {name}: stored as {saved}")
            done += 1
            progress("media", done, total)
    problems.extend(check_restored(manifest))
    return problems


def check_restored(manifest: dict[str, Any]) -> list[str]:
    """Compare this instance with a manifest: every table's row count and every media file's checksum."""
    connections.close_all()
    problems = compare_counts(manifest["tables"], current_counts())
    for name, expected in sorted(manifest["media"].items()):
        try:
            with default_storage.open(name, "rb") as handle:
                if sha256_of(handle) != expected:
                    problems.append(f"media {name}: checksum differs")
        except (FileNotFoundError, OSError):
            problems.append(f"media {name}: missing")
    return problems
