"""Fixtures every test may use: fast password hashing, on-commit side effects on demand, named accounts."""

from __future__ import annotations

import functools
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
