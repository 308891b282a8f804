"""Registration modes (open, approval required, closed), the approval queue, and the sign-up rate limit."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.test import Client

from agora.accounts.models import RegistrationMode, User
from agora.accounts.services import register_user, registration_mode, set_registration_mode
from agora.accounts.tests.factories import UserFactory
from agora.core.exceptions import NotAllowed

pytestmark = pytest.mark.django_db

PASSWORD = "a long enough password"


def sign_up(client: Client, username: str, **extra: str) -> Any:
    data = {
        "username": username,
        "email": f"{username}@example.org",
        "password": PASSWORD,
        "accepted_terms": "on",
        **extra,
    }
    return client.post("/signup", data)


@pytest.fixture
def admin(db: None) -> User:
    return UserFactory(username="boss", role=User.Role.ADMIN)


def test_registrations_are_open_until_an_admin_changes_them() -> None:
    assert registration_mode() == RegistrationMode.OPEN
    user = register_user(username="newbie", email="n@example.org", password=PASSWORD, accepted_terms=True)
    assert user.is_active and not user.pending_approval


def test_closed_registrations_refuse_every_sign_up_but_the_operators() -> None:
    set_registration_mode(mode="closed")
    with pytest.raises(NotAllowed, match="closed"):
        register_user(username="newbie", email="n@example.org", password=PASSWORD, accepted_terms=True)
    assert not User.objects.filter(username="newbie").exists()
    operator_made = register_user(
        username="staff1", email="s@example.org", password=PASSWORD, accepted_terms=True, by_operator=True
    )
    assert operator_made.is_active


def test_approval_mode_keeps_the_account_inactive_with_its_reason() -> None:
    set_registration_mode(mode="approval")
    user = register_user(
        username="newbie", email="n@example.org", password=PASSWORD, accepted_terms=True, reason="I knit."
    )
    assert not user.is_active and user.pending_approval and user.signup_reason == "I knit."


def test_unknown_mode_is_a_validation_error() -> None:
    with pytest.raises(ValidationError):
        set_registration_mode(mode="sometimes")


def test_web_sign_up_shows_closed_registrations_as_a_form_error() -> None:
    set_registration_mode(mode="closed")
    client = Client()
    assert b'data-testid="registrations-closed"' in client.get("/signup").content
    response = sign_up(client, "newbie")
    assert response.status_code == 200
    assert "Registrations are closed" in response.content.decode()
    assert not User.objects.filter(username="newbie").exists()


def test_web_sign_up_in_approval_mode_waits_then_an_admin_approves(admin: User) -> None:
    set_registration_mode(mode="approval")
    visitor = Client()
    response = sign_up(visitor, "newbie", reason="Friends are here.")
    assert response.status_code == 302
    assert not visitor.get("/").wsgi_request.user.is_authenticated  # not logged in while pending
    assert not Client().login(username="newbie", password=PASSWORD)

    staff = Client()
    staff.force_login(admin)
    queue = staff.get("/admin/registrations").content.decode()
    assert 'data-testid="pending-newbie"' in queue and "Friends are here." in queue
    assert staff.post("/admin/registrations/newbie/approve").status_code == 302
    assert Client().login(username="newbie", password=PASSWORD)


def test_admin_rejects_a_pending_sign_up(admin: User) -> None:
    set_registration_mode(mode="approval")
    sign_up(Client(), "spammer")
    staff = Client()
    staff.force_login(admin)
    staff.post("/admin/registrations/spammer/reject")
    assert not User.objects.filter(username="spammer").exists()


def test_admin_sets_the_mode_on_the_settings_page_and_others_may_not(admin: User, alice: User) -> None:
    staff = Client()
    staff.force_login(admin)
    assert staff.post("/admin/registrations", {"mode": "closed"}).status_code == 302
    assert registration_mode() == RegistrationMode.CLOSED
    person = Client()
    person.force_login(alice)
    assert person.get("/admin/registrations").status_code == 403
    assert person.post("/admin/registrations", {"mode": "open"}).status_code == 403
    assert registration_mode() == RegistrationMode.CLOSED


def test_five_sign_ups_per_half_hour_from_one_address(rate_limits: Any) -> None:
    client = Client()
    for n in range(5):
        assert sign_up(client, f"person{n}").status_code == 302
        client.logout()
    assert sign_up(client, "person5").status_code == 429
    assert User.objects.filter(username__startswith="person").count() == 5
