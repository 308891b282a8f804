"""Rate limits: one policy table, 429 with Retry-After, separate budgets per scope and key, no bypasses."""

from __future__ import annotations

import time
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from agora.accounts.models import User
from agora.core import ratelimit
from agora.core.ids import new_id_at
from agora.posts import services as post_services

pytestmark = pytest.mark.django_db


def test_defaults_are_at_least_as_strict_as_mastodons() -> None:
    def budget(scope: str, key: ratelimit.Key) -> tuple[int, int]:
        (policy,) = [p for p in ratelimit.policies_for(scope) if p.key == key]
        return policy.budget, policy.window

    # Requests per window must not exceed Mastodon's; windows are the same length.
    assert budget("read", ratelimit.Key.ACCOUNT) == (300, 300)
    assert budget("read", ratelimit.Key.IP) == (300, 300)
    assert budget("page", ratelimit.Key.IP) == (300, 900)
    assert budget("media_upload", ratelimit.Key.ACCOUNT) == (30, 1800)
    assert budget("delete", ratelimit.Key.ACCOUNT) == (30, 1800)
    assert budget("signup", ratelimit.Key.IP) == (5, 1800)
    assert budget("login", ratelimit.Key.IP) == (25, 300)
    assert budget("login_account", ratelimit.Key.ACCOUNT) == (25, 3600)


def test_operators_can_change_a_budget(rate_limits: Any) -> None:
    rate_limits.AGORA_RATELIMITS = {"read:ip": (3, 60)}
    client = Client(REMOTE_ADDR="192.0.2.1")
    statuses = [client.get(reverse("web:public")).status_code for _ in range(4)]
    assert statuses == [200, 200, 200, 429]


def test_signed_in_reads_count_per_account_not_per_address(rate_limits: Any, alice: User, bob: User) -> None:
    rate_limits.AGORA_RATELIMITS = {"read:account": (2, 60)}
    first, second = Client(REMOTE_ADDR="192.0.2.2"), Client(REMOTE_ADDR="192.0.2.2")
    first.force_login(alice)
    second.force_login(bob)
    assert [first.get(reverse("web:public")).status_code for _ in range(3)] == [200, 200, 429]
    # Same address, other account: its own budget.
    assert second.get(reverse("web:public")).status_code == 200
    # The same account from elsewhere: still spent.
    elsewhere = Client(REMOTE_ADDR="198.51.100.7")
    elsewhere.force_login(alice)
    assert elsewhere.get(reverse("web:public")).status_code == 429


def test_429_has_retry_after_and_rate_limit_headers(rate_limits: Any) -> None:
    rate_limits.AGORA_RATELIMITS = {"read:ip": (1, 120)}
    client = Client(REMOTE_ADDR="192.0.2.3")
    ok = client.get(reverse("web:public"))
    assert ok["X-RateLimit-Limit"] == "1" and ok["X-RateLimit-Remaining"] == "0"
    limited = client.get(reverse("web:public"))
    assert limited.status_code == 429
    assert 0 < int(limited["Retry-After"]) <= 120
    assert int(limited["X-RateLimit-Reset"]) > time.time()
    assert "Too many requests" in limited.content.decode()


def test_ipv6_addresses_count_per_64_and_ipv4_mapped_as_ipv4(rate_limits: Any) -> None:
    rate_limits.AGORA_RATELIMITS = {"read:ip": (2, 60)}
    addresses = ["2001:db8:1:2::1", "2001:db8:1:2::dead:beef", "2001:db8:1:2:ffff::9"]
    assert [Client(REMOTE_ADDR=a).get(reverse("web:public")).status_code for a in addresses] == [
        200,
        200,
        429,
    ]
    assert Client(REMOTE_ADDR="2001:db8:1:3::1").get(reverse("web:public")).status_code == 200
    assert ratelimit.ip_key("::ffff:192.0.2.44") == "192.0.2.44"


def test_forwarded_for_is_believed_only_from_trusted_proxies(rate_limits: Any) -> None:
    rate_limits.AGORA_RATELIMITS = {"read:ip": (1, 60)}
    spoofing = Client(REMOTE_ADDR="192.0.2.4")
    assert spoofing.get(reverse("web:public"), HTTP_X_FORWARDED_FOR="10.0.0.1").status_code == 200
    assert spoofing.get(reverse("web:public"), HTTP_X_FORWARDED_FOR="10.0.0.2").status_code == 429

    rate_limits.AGORA_TRUSTED_PROXIES = ["127.0.0.1/32"]
    proxy = Client(REMOTE_ADDR="127.0.0.1")
    # Behind our proxy, each client has its own budget; a client's own XFF entries (left of the real one)
    # change nothing.
    assert proxy.get(reverse("web:public"), HTTP_X_FORWARDED_FOR="203.0.113.5").status_code == 200
    assert proxy.get(reverse("web:public"), HTTP_X_FORWARDED_FOR="203.0.113.6").status_code == 200
    assert proxy.get(reverse("web:public"), HTTP_X_FORWARDED_FOR="1.2.3.4, 203.0.113.5").status_code == 429


def test_loopback_is_not_exempt(rate_limits: Any) -> None:
    rate_limits.AGORA_RATELIMITS = {"read:ip": (1, 60)}
    client = Client(REMOTE_ADDR="127.0.0.1")
    assert [client.get(reverse("web:public")).status_code for _ in range(2)] == [200, 429]


def test_path_variants_share_one_budget(rate_limits: Any) -> None:
    rate_limits.AGORA_RATELIMITS = {"read:ip": (2, 60)}
    client = Client(REMOTE_ADDR="192.0.2.5")
    assert client.get("/public?junk=1").status_code == 200
    assert client.get("/public/").status_code in (301, 404)
    assert client.get("/PUBLIC").status_code == 429


def test_sign_ups_are_limited_per_address(rate_limits: Any) -> None:
    client = Client(REMOTE_ADDR="192.0.2.6")
    statuses = []
    for index in range(6):
        client.logout()
        response = client.post(
            reverse("web:signup"),
            {
                "username": f"newbie{index}",
                "email": f"newbie{index}@example.org",
                "password": "a long and good password",
                "accepted_terms": "on",
            },
        )
        statuses.append(response.status_code)
    assert statuses == [302] * 5 + [429]
    assert User.objects.filter(username__startswith="newbie").count() == 5


def test_log_ins_are_limited_per_address_and_per_account_without_revealing_accounts(
    rate_limits: Any, alice: User
) -> None:
    def attempt(client: Client, username: str) -> int:
        return client.post(reverse("web:login"), {"username": username, "password": "wrong"}).status_code

    many_addresses = [Client(REMOTE_ADDR=f"192.0.2.{100 + n}") for n in range(26)]
    # Per account: 25 an hour, whichever addresses they come from; a name that does not exist gets the same.
    assert [attempt(c, "alice") for c in many_addresses] == [200] * 25 + [429]
    assert [attempt(c, "nobody-here") for c in many_addresses] == [200] * 25 + [429]
    # Per address: 25 per 5 minutes, whatever names are tried.
    one = Client(REMOTE_ADDR="198.51.100.50")
    assert [attempt(one, f"user{n}") for n in range(26)][-2:] == [200, 429]


def test_anonymous_visitors_cannot_page_deep_into_history(alice: User, settings: Any) -> None:
    settings.AGORA_ANONYMOUS_HISTORY_DAYS = 30
    post_services.create_post(author=alice, text="fresh")
    old_cursor = new_id_at(int((time.time() - 40 * 86400) * 1000))
    recent_cursor = new_id_at(int((time.time() - 2 * 86400) * 1000))
    visitor = Client()
    response = visitor.get(reverse("web:public"), {"before": str(old_cursor)})
    assert response.status_code == 302 and response["Location"].startswith(reverse("web:login"))
    assert (
        visitor.get(
            reverse("web:profile", kwargs={"username": "alice"}), {"before": str(old_cursor)}
        ).status_code
        == 302
    )
    assert visitor.get(reverse("web:public"), {"before": str(recent_cursor)}).status_code == 200
    member = Client()
    member.force_login(alice)
    assert member.get(reverse("web:public"), {"before": str(old_cursor)}).status_code == 200


def test_media_uploads_are_limited_per_account(rate_limits: Any, alice: User) -> None:
    from agora.media.tests import samples

    rate_limits.AGORA_RATELIMITS = {"media_upload:account": (2, 60)}
    client = Client()
    client.force_login(alice)
    statuses = [
        client.post(
            reverse("media:upload"), {"file": samples.upload("x.jpg", samples.HTML_AS_JPEG)}
        ).status_code
        for _ in range(3)
    ]
    assert statuses == [422, 422, 429]


def test_password_guessing_through_the_password_change_form_is_throttled(
    rate_limits: Any, alice: User
) -> None:
    client = Client()
    client.force_login(alice)
    statuses = [
        client.post(
            reverse("web:settings_password"),
            {"old_password": f"guess{n}", "new_password": "a new long password"},
        ).status_code
        for n in range(11)
    ]
    assert statuses == [200] * 10 + [429]
