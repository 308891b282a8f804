"""Security headers and cookies on every page."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from agora.accounts.models import User

pytestmark = pytest.mark.django_db

TEMPLATES = Path(__file__).resolve().parents[2]


def _csp(response: Any) -> dict[str, str]:
    directives = {}
    for part in response["Content-Security-Policy"].split(";"):
        name, _sep, value = part.strip().partition(" ")
        directives[name] = value
    return directives


@pytest.mark.parametrize("url", ["/public", "/login", "/about", "/no-such-page"])
def test_every_page_has_a_strict_csp_and_the_other_headers(url: str) -> None:
    response = Client().get(url)
    csp = _csp(response)
    assert csp["script-src"] == "'self'"
    assert "unsafe-inline" not in csp["script-src"] and "unsafe-eval" not in csp["script-src"]
    assert csp["default-src"] == "'none'"
    assert csp["object-src"] == "'none'"
    assert csp["base-uri"] == "'none'"
    assert csp["frame-ancestors"] == "'none'"
    assert csp["form-action"] == "'self'"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"
    assert response["X-Frame-Options"] == "DENY"
    assert "geolocation=()" in response["Permissions-Policy"]
    assert "camera=()" in response["Permissions-Policy"] and "microphone=()" in response["Permissions-Policy"]


def test_hsts_and_secure_cookies_on_https(settings: Any, alice: User) -> None:
    settings.SECURE_HSTS_SECONDS = 31536000
    settings.SESSION_COOKIE_SECURE = True
    response = Client().get("/public", secure=True)
    assert response["Strict-Transport-Security"].startswith("max-age=31536000")
    alice.set_password("pw-12345678")
    alice.save()
    client = Client()
    login = client.post(reverse("web:login"), {"username": "alice", "password": "pw-12345678"}, secure=True)
    cookie = login.cookies[settings.SESSION_COOKIE_NAME]
    assert cookie["secure"] and cookie["httponly"] and cookie["samesite"] == "Lax"


def test_https_settings_use_a_host_only_session_cookie() -> None:
    from agora import settings as agora_settings

    if agora_settings.AGORA_HTTPS:
        assert agora_settings.SESSION_COOKIE_NAME.startswith("__Host-")
        assert agora_settings.SESSION_COOKIE_SECURE and agora_settings.SECURE_HSTS_SECONDS >= 31536000
    assert agora_settings.SESSION_COOKIE_HTTPONLY
    assert agora_settings.SESSION_COOKIE_SAMESITE == "Lax"


def test_no_template_has_inline_scripts_or_event_handlers() -> None:
    offenders = []
    for template in TEMPLATES.glob("*/templates/**/*.html"):
        text = template.read_text()
        for match in re.finditer(r"<script\b[^>]*>", text):
            if "src=" not in match.group(0):
                offenders.append(f"{template}: {match.group(0)}")
        if re.search(r"\son[a-z]+\s*=", text):
            offenders.append(f"{template}: inline event handler")
        if "javascript:" in text:
            offenders.append(f"{template}: javascript: URL")
    assert offenders == []
