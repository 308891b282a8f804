"""OAuth scopes as Mastodon defines them, and how a granted scope covers a required one.

Kept free of Django imports: settings read `ALL_SCOPES` for django-oauth-toolkit.
"""

from __future__ import annotations

from collections.abc import Iterable

_READ = [
    "accounts",
    "blocks",
    "bookmarks",
    "favourites",
    "filters",
    "follows",
    "lists",
    "mutes",
    "notifications",
    "search",
    "statuses",
]
_WRITE = [
    "accounts",
    "blocks",
    "bookmarks",
    "conversations",
    "favourites",
    "filters",
    "follows",
    "lists",
    "media",
    "mutes",
    "notifications",
    "reports",
    "statuses",
]

ALL_SCOPES: dict[str, str] = {
    "read": "Read all your account's data",
    "write": "Modify all your account's data",
    "follow": "Modify account relationships (deprecated: use write:follows and friends)",
    "push": "Receive push notifications",
    "profile": "Read only your own account's basic information",
    **{f"read:{name}": f"Read your {name}" for name in _READ},
    **{f"write:{name}": f"Change your {name}" for name in _WRITE},
}

# The legacy "follow" scope grants these (as on Mastodon).
_FOLLOW_COVERS = {
    "read:blocks",
    "write:blocks",
    "read:follows",
    "write:follows",
    "read:mutes",
    "write:mutes",
}


def parse_scopes(value: str | Iterable[str] | None) -> list[str]:
    """Scopes from a space-separated string (Mastodon also accepts `+` and commas from older clients)."""
    if value is None:
        return []
    if isinstance(value, str):
        value = value.replace("+", " ").replace(",", " ").split()
    return [scope for scope in value if scope]


def unknown_scopes(scopes: Iterable[str]) -> list[str]:
    return [scope for scope in scopes if scope not in ALL_SCOPES]


def covers(granted: Iterable[str], required: str) -> bool:
    """Whether the granted scopes include `required`: itself, its parent (`read` for `read:statuses`), or
    `follow` for the relationship scopes; `profile` is covered by any read scope of accounts."""
    granted = set(granted)
    if required in granted:
        return True
    parent = required.split(":", 1)[0]
    if parent in granted:
        return True
    if required in _FOLLOW_COVERS and "follow" in granted:
        return True
    return required == "profile" and bool(granted & {"read", "read:accounts"})
