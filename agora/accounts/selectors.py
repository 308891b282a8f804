"""Reads about accounts and the social graph that carry rules (who is blocked, who may be found)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db.models import Q, QuerySet

from agora.accounts.models import Block, Follow, FollowRequest, Mute, User
from agora.core.exceptions import NotFound


def is_anonymous(viewer: User | None) -> bool:
    return viewer is None or not viewer.is_authenticated


def blocked_either_way(a: User | None, b: User | None) -> bool:
    if is_anonymous(a) or is_anonymous(b):
        return False
    assert a is not None and b is not None
    return Block.objects.filter(Q(blocker=a, blocked=b) | Q(blocker=b, blocked=a)).exists()


def blocked_user_ids(viewer: User) -> QuerySet[Block, Any]:
    """Ids of accounts this viewer blocked (a subquery, not a list)."""
    return Block.objects.filter(blocker=viewer).values("blocked_id")


def blocker_user_ids(viewer: User) -> QuerySet[Block, Any]:
    """Ids of accounts that blocked this viewer."""
    return Block.objects.filter(blocked=viewer).values("blocker_id")


def muted_user_ids(viewer: User) -> QuerySet[Mute, Any]:
    return Mute.objects.filter(muter=viewer).values("muted_id")


def followed_user_ids(viewer: User) -> QuerySet[Follow, Any]:
    return Follow.objects.filter(follower=viewer).values("followee_id")


def get_visible_account(viewer: User | None, username: str) -> User:
    """The active account with this username, unless it and the viewer block each other (then: NotFound)."""
    account = User.objects.filter(username__iexact=username, is_active=True).first()
    if account is None or blocked_either_way(viewer, account):
        raise NotFound(username)
    return account


@dataclass(frozen=True)
class Relationship:
    """How the viewer stands to another account, for profile buttons and (later) the API."""

    following: bool = False
    followed_by: bool = False
    requested: bool = False
    requested_by: bool = False
    blocking: bool = False
    muting: bool = False
    is_self: bool = False


def relationship_between(viewer: User | None, other: User) -> Relationship:
    if is_anonymous(viewer):
        return Relationship()
    assert viewer is not None
    if viewer.pk == other.pk:
        return Relationship(is_self=True)
    return Relationship(
        following=Follow.objects.filter(follower=viewer, followee=other).exists(),
        followed_by=Follow.objects.filter(follower=other, followee=viewer).exists(),
        requested=FollowRequest.objects.filter(requester=viewer, target=other).exists(),
        requested_by=FollowRequest.objects.filter(requester=other, target=viewer).exists(),
        blocking=Block.objects.filter(blocker=viewer, blocked=other).exists(),
        muting=Mute.objects.filter(muter=viewer, muted=other).exists(),
    )


def followers_of(viewer: User | None, account: User) -> QuerySet[Follow]:
    """Follow links into `account`, without accounts that block or are blocked by the viewer."""
    links = Follow.objects.filter(followee=account, follower__is_active=True).select_related("follower")
    if not is_anonymous(viewer):
        assert viewer is not None
        links = links.exclude(follower_id__in=blocked_user_ids(viewer)).exclude(
            follower_id__in=blocker_user_ids(viewer)
        )
    return links


def following_of(viewer: User | None, account: User) -> QuerySet[Follow]:
    links = Follow.objects.filter(follower=account, followee__is_active=True).select_related("followee")
    if not is_anonymous(viewer):
        assert viewer is not None
        links = links.exclude(followee_id__in=blocked_user_ids(viewer)).exclude(
            followee_id__in=blocker_user_ids(viewer)
        )
    return links


def pending_follow_requests(user: User) -> QuerySet[FollowRequest]:
    return FollowRequest.objects.filter(target=user, requester__is_active=True).select_related("requester")


def blocked_accounts(user: User) -> QuerySet[Block]:
    return Block.objects.filter(blocker=user).select_related("blocked")


def muted_accounts(user: User) -> QuerySet[Mute]:
    return Mute.objects.filter(muter=user).select_related("muted")


def accounts_for_operator(
    *, role: str | None = None, pending: bool = False, disabled: bool = False, search: str | None = None
) -> QuerySet[User, User]:
    """Accounts for the operator's list (`agora accounts list`, the approval queue), oldest first."""
    accounts = User.objects.all()
    if role:
        accounts = accounts.filter(role=role)
    if pending:
        accounts = accounts.filter(pending_approval=True)
    if disabled:
        accounts = accounts.filter(is_active=False, pending_approval=False)
    if search:
        accounts = accounts.filter(Q(username__icontains=search) | Q(email__icontains=search))
    return accounts.order_by("date_joined", "id")
