"""Rate limits: one policy table and one way to apply it, to web views now and to API endpoints later.

A policy is (scope, key, budget, window): at most `budget` requests per `window` seconds for one key, where
the key is the client's IP address (IPv6 counted per /64, so rotating addresses within one allocation does not
help) or the signed-in account. Counters are fixed windows in Django's cache under the ``ratelimit`` alias:
Redis when REDIS_URL is set (shared by every process), otherwise local memory (each worker process counts on
its own) or, with AGORA_RATELIMIT_CACHE=db, the database.

How it is applied:
- `RateLimitMiddleware` charges every request to ``read`` (GET/HEAD; ``page`` too when it asks for an older
  page), ``media`` (media files) or ``write`` (everything else);
- `rate_limited("signup")` on a view charges a named scope on top (sign-ups, log-ins, uploads, deletes);
- `charge("login_account", key)` does the same from code that knows a key the request does not show (the name
  someone tries to log in as).

Over budget, the answer is 429 with Retry-After and X-RateLimit-* headers. Budgets default to at least as
strict as Mastodon's and can be changed per scope with AGORA_RATELIMITS (see README).
"""

from __future__ import annotations

import functools
import hashlib
import ipaddress
import time
from collections.abc import Callable
from dataclasses import dataclass
from enum import StrEnum
from typing import Any, TypeVar, cast

from django.conf import settings
from django.core.cache import caches
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.template.loader import render_to_string
from django.utils.translation import gettext as _


class Key(StrEnum):
    IP = "ip"
    ACCOUNT = "account"


@dataclass(frozen=True)
class Policy:
    scope: str
    key: Key
    budget: int
    window: int  # seconds


MINUTES = 60

# The one table. Anonymous requests are counted per IP, signed-in ones per account (and writes per IP too, so
# that many fresh accounts behind one address do not multiply the budget).
DEFAULT_POLICIES: tuple[Policy, ...] = (
    Policy("read", Key.IP, 300, 5 * MINUTES),
    Policy("read", Key.ACCOUNT, 300, 5 * MINUTES),
    # Older pages (a cursor in the URL): walking history is what scrapers do.
    Policy("page", Key.IP, 300, 15 * MINUTES),
    Policy("page", Key.ACCOUNT, 300, 15 * MINUTES),
    # A timeline page shows up to 4 pictures per post in two sizes: files get a budget of their own.
    Policy("media", Key.IP, 3000, 5 * MINUTES),
    Policy("media", Key.ACCOUNT, 3000, 5 * MINUTES),
    Policy("write", Key.IP, 300, 5 * MINUTES),
    Policy("write", Key.ACCOUNT, 300, 5 * MINUTES),
    Policy("media_upload", Key.ACCOUNT, 30, 30 * MINUTES),
    Policy("media_upload", Key.IP, 60, 30 * MINUTES),
    Policy("delete", Key.ACCOUNT, 30, 30 * MINUTES),
    Policy("signup", Key.IP, 5, 30 * MINUTES),
    Policy("login", Key.IP, 25, 5 * MINUTES),
    # Keyed by the name typed in, whether or not such an account exists (so the answer reveals nothing).
    Policy("login_account", Key.ACCOUNT, 25, 60 * MINUTES),
    # Second factor: 5 wrong codes and the account waits (the password alone never gets further).
    Policy("two_factor", Key.ACCOUNT, 5, 5 * MINUTES),
    Policy("reauthenticate", Key.ACCOUNT, 10, 60 * MINUTES),
    # Surge mode (agora/screening): new and low-reputation accounts may publish only a few posts.
    Policy("post_surge", Key.ACCOUNT, 3, 10 * MINUTES),
)


def policies_for(scope: str) -> list[Policy]:
    """The policies of a scope, with the operator's overrides (AGORA_RATELIMITS) applied."""
    overrides: dict[str, tuple[int, int]] = getattr(settings, "AGORA_RATELIMITS", {})
    result = []
    for policy in DEFAULT_POLICIES:
        if policy.scope != scope:
            continue
        override = overrides.get(f"{policy.scope}:{policy.key}")
        if override is not None:
            policy = Policy(policy.scope, policy.key, override[0], override[1])
        if policy.budget > 0:
            result.append(policy)
    return result


@dataclass(frozen=True)
class Outcome:
    policy: Policy
    count: int
    reset_at: int

    @property
    def allowed(self) -> bool:
        return self.count <= self.policy.budget

    @property
    def remaining(self) -> int:
        return max(0, self.policy.budget - self.count)

    def retry_after(self) -> int:
        return max(1, self.reset_at - int(_clock()))


class RateLimited(Exception):
    """Raised by `charge` when a budget is spent; entry points answer 429."""

    def __init__(self, outcome: Outcome) -> None:
        super().__init__(f"rate limit {outcome.policy.scope}:{outcome.policy.key} exceeded")
        self.outcome = outcome


def _trusted_proxies() -> list[ipaddress.IPv4Network | ipaddress.IPv6Network]:
    return [ipaddress.ip_network(value, strict=False) for value in settings.AGORA_TRUSTED_PROXIES]


def client_ip(request: HttpRequest) -> str:
    """The client's address: REMOTE_ADDR, or, only when that is a trusted proxy, the nearest untrusted address
    in X-Forwarded-For (clients can write anything into that header; only our own proxies are believed).
    """
    remote = request.META.get("REMOTE_ADDR", "") or "0.0.0.0"
    proxies = _trusted_proxies()

    def trusted(value: str) -> bool:
        try:
            address = ipaddress.ip_address(value)
        except ValueError:
            return False
        return any(address in network for network in proxies)

    if proxies and trusted(remote):
        forwarded = [part.strip() for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")]
        for candidate in reversed([part for part in forwarded if part]):
            if not trusted(candidate):
                remote = candidate
                break
    return remote


def ip_key(address: str) -> str:
    """IPv4 as is; IPv6 by its /64 (one household or server usually holds a whole /64)."""
    try:
        parsed = ipaddress.ip_address(address)
    except ValueError:
        return address[:64]
    if isinstance(parsed, ipaddress.IPv6Address):
        if parsed.ipv4_mapped is not None:
            return str(parsed.ipv4_mapped)
        return str(ipaddress.ip_network(f"{parsed}/64", strict=False))
    return str(parsed)


def _clock() -> float:
    """Seconds since the epoch, for the windows (tests pin it, so that no window ends during a test)."""
    return time.time()


def _hit(policy: Policy, identity: str) -> Outcome:
    cache = caches["ratelimit"]
    now = int(_clock())
    window_start = now - now % policy.window
    digest = hashlib.sha256(identity.encode()).hexdigest()[:32]
    cache_key = f"rl:{settings.AGORA_RATELIMIT_PREFIX}:{policy.scope}:{policy.key}:{digest}:{window_start}"
    # add() is a no-op when the key exists; incr() is atomic on Redis and locked in local memory.
    cache.add(cache_key, 0, timeout=policy.window + 1)
    try:
        count = cache.incr(cache_key)
    except ValueError:  # expired between add and incr
        cache.set(cache_key, 1, timeout=policy.window + 1)
        count = 1
    return Outcome(policy=policy, count=count, reset_at=window_start + policy.window)


def enabled() -> bool:
    return bool(getattr(settings, "AGORA_RATELIMITS_ENABLED", True))


def charge(scope: str, *, ip: str | None = None, account: str | None = None) -> Outcome | None:
    """Count one request against every policy of `scope` whose key is given; raise RateLimited if any budget
    is spent. Returns the tightest outcome (for headers), or None when nothing applied.
    """
    if not enabled():
        return None
    tightest: Outcome | None = None
    for policy in policies_for(scope):
        identity = ip if policy.key == Key.IP else account
        if identity is None:
            continue
        outcome = _hit(policy, identity)
        if not outcome.allowed:
            raise RateLimited(outcome)
        if tightest is None or outcome.remaining < tightest.remaining:
            tightest = outcome
    return tightest


def charge_request(request: HttpRequest, scope: str, *, ip_always: bool = False) -> Outcome | None:
    """Charge `scope` for this request: per account when signed in, else per IP (or both with `ip_always`)."""
    user = getattr(request, "user", None)
    account = str(user.pk) if user is not None and user.is_authenticated else None
    ip = ip_key(client_ip(request)) if account is None or ip_always else None
    return charge(scope, ip=ip, account=account)


def too_many_requests(request: HttpRequest, error: RateLimited) -> HttpResponse:
    """The 429 answer: a short page (or plain text for htmx/API callers) with the standard headers."""
    outcome = error.outcome
    retry_after = outcome.retry_after()
    message = _("Too many requests. Please wait %(seconds)d seconds and try again.") % {
        "seconds": retry_after
    }
    if request.path.startswith("/api/"):
        # Mastodon's error shape for the client API (agora/api).
        response: HttpResponse = JsonResponse({"error": "Too many requests"}, status=429)
    elif request.headers.get("HX-Request") or request.path.startswith("/media/"):
        response = HttpResponse(message, status=429, content_type="text/plain; charset=utf-8")
    else:
        response = HttpResponse(
            render_to_string("429.html", {"message": message}, request=request), status=429
        )
    response["Retry-After"] = str(retry_after)
    add_headers(response, outcome)
    return response


def add_headers(response: HttpResponse, outcome: Outcome | None) -> None:
    if outcome is None:
        return
    response["X-RateLimit-Limit"] = str(outcome.policy.budget)
    response["X-RateLimit-Remaining"] = str(outcome.remaining)
    response["X-RateLimit-Reset"] = str(outcome.reset_at)


ViewFunc = TypeVar("ViewFunc", bound=Callable[..., HttpResponse])


def rate_limited(
    scope: str, *, methods: tuple[str, ...] = ("POST",), ip_always: bool = True
) -> Callable[[ViewFunc], ViewFunc]:
    """Decorate a view so that requests with one of `methods` are charged to `scope` (per IP always, and per
    account when signed in) before the view runs.
    """

    def decorator(view: ViewFunc) -> ViewFunc:
        @functools.wraps(view)
        def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            if request.method in methods:
                try:
                    charge_request(request, scope, ip_always=ip_always)
                except RateLimited as error:
                    return too_many_requests(request, error)
            return view(request, *args, **kwargs)

        return cast(ViewFunc, wrapper)

    return decorator


class RateLimitMiddleware:
    """Charge every request to its general scope: reads, older pages, media files, writes."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.path.startswith(settings.STATIC_URL):
            return self.get_response(request)
        try:
            outcome = self._charge(request)
        except RateLimited as error:
            return too_many_requests(request, error)
        if _too_deep_for_visitors(request):
            if request.path.startswith("/api/"):
                return JsonResponse({"error": "Log in to read further back"}, status=401)
            from django.contrib.auth.views import redirect_to_login

            return redirect_to_login(request.get_full_path())
        response = self.get_response(request)
        add_headers(response, outcome)
        return response

    def _charge(self, request: HttpRequest) -> Outcome | None:
        if request.method in ("GET", "HEAD", "OPTIONS"):
            if request.path.startswith(settings.MEDIA_URL):
                return charge_request(request, "media")
            outcome = charge_request(request, "read")
            if "before" in request.GET or "max_id" in request.GET:  # max_id: the client API's cursor
                outcome = charge_request(request, "page") or outcome
            return outcome
        return charge_request(request, "write", ip_always=True)


def _too_deep_for_visitors(request: HttpRequest) -> bool:
    """Visitors without an account may page back AGORA_ANONYMOUS_HISTORY_DAYS into any list; older pages need
    an account (ids carry their creation time, so the cursor tells how deep a request reaches).
    """
    user = getattr(request, "user", None)
    if user is not None and user.is_authenticated:
        return False
    from agora.core.ids import id_timestamp_ms
    from agora.core.pagination import parse_cursor

    cursor = parse_cursor(request.GET.get("before") or request.GET.get("max_id"))
    if cursor is None:
        return False
    oldest_ms = (time.time() - settings.AGORA_ANONYMOUS_HISTORY_DAYS * 86400) * 1000
    return id_timestamp_ms(cursor) < oldest_ms
