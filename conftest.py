"""Fixtures every test may use: fast password hashing, on-commit side effects on demand, named accounts."""

from __future__ import annotations

import functools
import os
import shutil
import time
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager
from typing import Any

import pytest
from django_tasks import TaskResult, TaskResultStatus
from django_tasks.signals import task_finished

from agora.accounts.models import User
from agora.accounts.tests.factories import UserFactory


@pytest.fixture(autouse=True)
def fast_password_hashing(settings: Any) -> None:
    """Argon2 (the configured default, see test_register_user_hashes_passwords_with_argon2_by_default) is slow
    on purpose; tests hash with MD5 so that hundreds of accounts cost nothing.
    """
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def static_files_from_finders(settings: Any) -> None:
    """Serve static files from the apps' folders, never from a manifest that `agora serve` left in data/."""
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }
    settings.WHITENOISE_USE_FINDERS = True


@pytest.fixture(scope="session")
def media_root(tmp_path_factory: pytest.TempPathFactory) -> Any:
    return tmp_path_factory.mktemp("media")


@pytest.fixture(autouse=True)
def media_in_temporary_folders(settings: Any, media_root: Any, tmp_path: Any) -> None:
    """Uploads and staged files go to a temporary folder, never into data/. Each test has its own staging
    folder: a test that leaves an upload unprocessed must not make another's "nothing was staged" fail."""
    settings.MEDIA_ROOT = media_root / "stored"
    settings.AGORA_MEDIA_STAGING_DIR = tmp_path / "staging"


@pytest.fixture(autouse=True)
def screening_without_trained_model(settings: Any, tmp_path_factory: pytest.TempPathFactory) -> None:
    """Tests screen with the pattern layer only, whatever model `agora screening train` left in data/."""
    settings.AGORA_SCREENING_MODEL_DIR = tmp_path_factory.getbasetemp() / "no-screening-model"
    settings.AGORA_SCREENING_SHIPPED_MODEL_DIR = ""
    settings.AGORA_SCREENING_THRESHOLDS = {}


@pytest.fixture(autouse=True)
def rate_limits_off(settings: Any) -> None:
    """The suite makes many requests from one address; tests of the limits turn them on (`rate_limits`)."""
    settings.AGORA_RATELIMITS_ENABLED = False


@pytest.fixture
def rate_limits(settings: Any, monkeypatch: pytest.MonkeyPatch) -> Any:
    """Rate limits on, with this test's own counters (earlier tests and runs, e.g. in Redis, do not count)."""
    import secrets

    settings.AGORA_RATELIMITS_ENABLED = True
    settings.AGORA_RATELIMIT_PREFIX = f"test-{secrets.token_hex(8)}"
    # Counters are fixed windows: a test that ran across a window's end would see its counts start over. The
    # limiter's clock starts just after a day's boundary (every window divides a day) and runs on from there.
    started = time.time()
    pinned = (int(started) // 86400 + 1) * 86400 + 1
    monkeypatch.setattr("agora.core.ratelimit._clock", lambda: pinned + (time.time() - started))
    return settings


@pytest.fixture(autouse=True)
def tasks_run_immediately(settings: Any) -> None:
    """Tasks run in the test's process right after commit (`run_on_commit`), and home timelines read from the
    database, whatever AGORA_TASKS and REDIS_URL say; tests of workers and of Redis timelines opt in
    (agora/core/tests/test_workers.py, agora/timelines/tests/).
    """
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
    settings.AGORA_TIMELINES_REDIS_URL = ""


@pytest.fixture(autouse=True)
def fail_on_failed_tasks() -> Iterator[None]:
    """The immediate task backend records a task's exception instead of raising it; surface it here so that a
    broken notification task fails the test that triggered it.
    """
    failures: list[TaskResult[Any]] = []

    def record(sender: object, task_result: TaskResult[Any], **kwargs: Any) -> None:
        if task_result.status == TaskResultStatus.FAILED:
            failures.append(task_result)

    task_finished.connect(record, dispatch_uid="agora-tests-failed-tasks")
    yield
    task_finished.disconnect(dispatch_uid="agora-tests-failed-tasks")
    assert not failures, "\n".join(error.traceback for result in failures for error in result.errors)


@pytest.fixture
def run_on_commit(
    django_capture_on_commit_callbacks: Callable[..., AbstractContextManager[Any]],
) -> Callable[[], AbstractContextManager[Any]]:
    """`with run_on_commit(): service(...)` runs what the service scheduled for after commit (notifications).

    Tests run inside a transaction that is rolled back, so on-commit callbacks would otherwise never run.
    """
    return functools.partial(django_capture_on_commit_callbacks, execute=True)


@pytest.fixture
def alice(db: None) -> User:
    return UserFactory(username="alice")


@pytest.fixture
def bob(db: None) -> User:
    return UserFactory(username="bob")


@pytest.fixture
def carol(db: None) -> User:
    return UserFactory(username="carol")


@pytest.fixture
def moderator(db: None) -> User:
    return UserFactory(username="mod", role=User.Role.MODERATOR)


# Browser tests (any app): a real headless Chromium, launched once per test module.
CHROMIUM_CANDIDATES = ("/usr/bin/chromium", "/usr/bin/chromium-browser", "/usr/bin/google-chrome")


def _chromium_path() -> str | None:
    configured = os.environ.get("AGORA_CHROMIUM")
    if configured:
        return configured
    for candidate in CHROMIUM_CANDIDATES:
        if shutil.which(candidate):
            return candidate
    return None


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    executable = _chromium_path()
    if executable is None:
        if os.environ.get("AGORA_REQUIRE_BROWSER"):
            pytest.fail("AGORA_REQUIRE_BROWSER is set but no Chromium was found (install Debian's chromium).")
        pytest.skip("no Chromium on this machine (install Debian's chromium to run the browser tests)")
    # Playwright's sync API runs an event loop in this thread; Django's ORM (used by the test for set-up and
    # assertions) refuses to run beside one unless told that this is deliberate.
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        instance = playwright.chromium.launch(
            executable_path=executable,
            headless=True,
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-quic",
                "--no-first-run",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
            ],
        )
        yield instance
        instance.close()
