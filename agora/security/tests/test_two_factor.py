"""Two-factor log-in with TOTP and recovery codes; e-mail changes need the password."""

from __future__ import annotations

import time
from typing import Any

import pyotp
import pytest
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse

from agora.accounts.models import User
from agora.security import services
from agora.security.models import RecoveryCode, TwoFactorAuthenticator

pytestmark = pytest.mark.django_db

PASSWORD = "correct horse battery"


@pytest.fixture
def dora(db: None) -> User:
    return User.objects.create_user(username="dora", email="dora@example.org", password=PASSWORD)


def _enable(user: User) -> tuple[pyotp.TOTP, list[str]]:
    authenticator = services.begin_two_factor_setup(user=user)
    totp = pyotp.TOTP(authenticator.secret)
    # Confirm with the previous step's code, so that the current one is still unused for the log-in tests.
    codes = services.confirm_two_factor(user=user, password=PASSWORD, code=totp.at(time.time() - 30))
    return totp, codes


def _password_step(client: Client) -> Any:
    return client.post(reverse("web:login"), {"username": "dora", "password": PASSWORD})


def test_password_alone_does_not_log_in_when_two_factor_is_on(dora: User) -> None:
    totp, _codes = _enable(dora)
    client = Client()
    response = _password_step(client)
    assert response.status_code == 302 and response["Location"] == reverse("security:login_code")
    assert client.get(reverse("web:home")).status_code == 302  # still logged out
    assert "_auth_user_id" not in client.session

    response = client.post(reverse("security:login_code"), {"code": totp.now()})
    assert response.status_code == 302
    assert client.session["_auth_user_id"] == str(dora.pk)


def test_each_totp_code_works_once(dora: User) -> None:
    totp, _codes = _enable(dora)
    code = totp.now()
    assert services.verify_second_factor(user=dora, code=code)
    assert not services.verify_second_factor(user=dora, code=code)


def test_confirming_needs_a_valid_code_and_the_password(dora: User) -> None:
    authenticator = services.begin_two_factor_setup(user=dora)
    with pytest.raises(ValidationError):
        services.confirm_two_factor(user=dora, password=PASSWORD, code="000000")
    with pytest.raises(ValidationError):
        services.confirm_two_factor(user=dora, password="wrong", code=pyotp.TOTP(authenticator.secret).now())
    assert not services.has_two_factor(dora)


def test_recovery_codes_are_stored_hashed_and_work_once(dora: User) -> None:
    _totp, codes = _enable(dora)
    assert len(codes) == 10 and len(set(codes)) == 10
    stored = list(RecoveryCode.objects.filter(user=dora).values_list("code_hash", flat=True))
    assert not any(code.replace("-", "") in value or code in value for code in codes for value in stored)
    assert services.verify_second_factor(user=dora, code=codes[0].upper())
    assert not services.verify_second_factor(user=dora, code=codes[0])
    assert services.remaining_recovery_codes(dora) == 9


def test_five_wrong_codes_trigger_a_throttle(dora: User, rate_limits: Any) -> None:
    totp, _codes = _enable(dora)
    client = Client()
    _password_step(client)
    statuses = [client.post(reverse("security:login_code"), {"code": "123456"}).status_code for _ in range(4)]
    assert statuses == [200] * 4
    # The throttle counts every try (the confirmation above was one): now even the right code must wait.
    response = client.post(reverse("security:login_code"), {"code": totp.now()})
    assert response.status_code == 429 and int(response["Retry-After"]) > 0
    assert "_auth_user_id" not in client.session


def test_the_half_way_state_expires(dora: User, monkeypatch: pytest.MonkeyPatch) -> None:
    totp, _codes = _enable(dora)
    client = Client()
    _password_step(client)
    real_time = time.time
    monkeypatch.setattr(time, "time", lambda: real_time() + 600)
    response = client.post(reverse("security:login_code"), {"code": totp.now()})
    assert response.status_code == 302 and response["Location"] == reverse("web:login")
    assert "_auth_user_id" not in client.session


def test_settings_page_sets_up_and_turns_off_two_factor(dora: User) -> None:
    client = Client()
    client.force_login(dora)
    page = client.post(reverse("security:two_factor"), {"action": "start"})
    assert page.status_code == 200
    secret = TwoFactorAuthenticator.objects.get(user=dora).secret
    assert secret in page.content.decode()
    page = client.post(
        reverse("security:two_factor"),
        {"action": "confirm", "code": pyotp.TOTP(secret).now(), "password": PASSWORD},
    )
    assert 'data-testid="recovery-codes"' in page.content.decode()
    assert services.has_two_factor(dora)
    page = client.post(reverse("security:two_factor"), {"action": "disable", "password": "wrong"})
    assert services.has_two_factor(dora)
    client.post(reverse("security:two_factor"), {"action": "disable", "password": PASSWORD})
    assert not services.has_two_factor(dora)


def test_changing_the_email_address_needs_the_password(dora: User, alice: User) -> None:
    client = Client()
    client.force_login(dora)
    response = client.post(reverse("security:email"), {"email": "new@example.org", "password": "wrong"})
    assert response.status_code == 200 and "incorrectly" in response.content.decode()
    dora.refresh_from_db()
    assert dora.email == "dora@example.org"
    response = client.post(reverse("security:email"), {"email": alice.email.upper(), "password": PASSWORD})
    assert "used by another account" in response.content.decode()
    response = client.post(reverse("security:email"), {"email": "new@example.org", "password": PASSWORD})
    assert response.status_code == 302
    dora.refresh_from_db()
    assert dora.email == "new@example.org"
