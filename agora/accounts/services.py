"""Every change to accounts and the social graph.

Sign-up, profile, follows, follow requests, blocks, mutes and account deletion.

Each service runs in one transaction and schedules its side effects (notifications) for after the commit.
"""

from __future__ import annotations

from typing import Any, Literal

from django.conf import settings
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.core.validators import MaxLengthValidator, URLValidator
from django.db import IntegrityError, transaction
from django.db.models import Count, F, OuterRef, Subquery
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext as _

from agora.accounts.models import (
    Block,
    Follow,
    FollowRequest,
    InstanceRegistration,
    Mute,
    RegistrationMode,
    User,
)
from agora.accounts.selectors import blocked_either_way
from agora.core.exceptions import NotAllowed, NotFound
from agora.notifications.models import Notification
from agora.notifications.tasks import deliver_notification

FollowOutcome = Literal["following", "requested"]

RESERVED_USERNAMES = frozenset(
    {
        "admin",
        "administrator",
        "root",
        "agora",
        "api",
        "about",
        "settings",
        "static",
        "media",
        "support",
        "moderator",
        "moderation",
        "staff",
        "help",
        "security",
        "postmaster",
        "webmaster",
        "abuse",
        "tags",
    }
)


def _notify_on_commit(*, recipient: User, actor: User, kind: str, post_id: str | None = None) -> None:
    transaction.on_commit(
        lambda: deliver_notification.enqueue(
            recipient_id=str(recipient.pk), actor_id=str(actor.pk), kind=kind, post_id=post_id
        )
    )


def register_user(
    *,
    username: str,
    email: str,
    password: str,
    accepted_terms: bool,
    language: str = "",
    allow_reserved_username: bool = False,
    reason: str = "",
    by_operator: bool = False,
) -> User:
    """Create an account. Raises ValidationError naming the field at fault.

    The instance's registration mode applies to everyone but the operator (`by_operator`: the CLI): closed
    refuses with NotAllowed; approval required creates the account inactive and pending until an admin
    approves it (`approve_registration`). Reserved names (admin, support, ...) are kept for the operator.
    """
    mode = RegistrationMode.OPEN if by_operator else registration_mode()
    if mode == RegistrationMode.CLOSED:
        raise NotAllowed(_("Registrations are closed on this server."))
    errors: dict[str, list[str]] = {}
    if len(reason) > 500:
        errors.setdefault("reason", []).append(_("Please keep the reason under 500 characters."))
    if not accepted_terms:
        errors.setdefault("accepted_terms", []).append(_("You must accept the rules and terms to sign up."))
    if username.lower() in RESERVED_USERNAMES and not allow_reserved_username:
        errors.setdefault("username", []).append(_("This username is reserved."))
    elif User.objects.filter(username__iexact=username).exists():
        errors.setdefault("username", []).append(_("This username is taken."))
    if User.objects.filter(email__iexact=email).exists():
        errors.setdefault("email", []).append(_("An account with this e-mail address exists already."))
    user = User(username=username, email=User.objects.normalize_email(email), language=language)
    try:
        validate_password(password, user)
    except ValidationError as error:
        errors.setdefault("password", []).extend(error.messages)
    try:
        # Uniqueness was checked above, case-insensitively and with friendlier messages.
        user.full_clean(exclude=["password"], validate_unique=False, validate_constraints=False)
    except ValidationError as error:
        for field, messages in error.message_dict.items():
            for message in messages:
                if message not in errors.get(field, []):
                    errors.setdefault(field, []).append(message)
    if errors:
        raise ValidationError(errors)
    user.set_password(password)
    user.terms_accepted_at = timezone.now()
    if mode == RegistrationMode.APPROVAL:
        user.is_active = False
        user.pending_approval = True
        user.signup_reason = reason
    try:
        with transaction.atomic():
            user.save()
    except IntegrityError as error:
        # Two sign-ups raced for one name; the loser gets the same answer as if it had come second.
        raise ValidationError({"username": [_("This username is taken.")]}) from error
    return user


def forget_session(*, session_key: str) -> None:
    from agora.accounts.models import AccountSession

    AccountSession.objects.filter(session_key=session_key).delete()


def create_account_by_operator(
    *, username: str, email: str, password: str, role: str = "user", confirmed: bool = False
) -> User:
    """The operator's sign-up (`agora accounts create`): any registration mode, reserved names allowed, a
    role from the start. Unconfirmed accounts wait for approval like sign-ups in approval mode.
    """
    if role not in User.Role.values:
        raise ValidationError({"role": [_("Unknown role.")]})
    with transaction.atomic():
        user = register_user(
            username=username,
            email=email,
            password=password,
            accepted_terms=True,
            allow_reserved_username=True,
            by_operator=True,
        )
        set_role(user=user, role=role)
        if not confirmed:
            User.objects.filter(pk=user.pk).update(is_active=False, pending_approval=True)
            user.refresh_from_db(fields=["is_active", "pending_approval"])
    return user


def registration_mode() -> RegistrationMode:
    """The instance's registration mode (open until an admin changes it)."""
    row = InstanceRegistration.objects.filter(pk=1).first()
    return RegistrationMode(row.mode) if row is not None else RegistrationMode.OPEN


def set_registration_mode(*, mode: str) -> RegistrationMode:
    if mode not in RegistrationMode.values:
        raise ValidationError({"mode": [_("Unknown registration mode.")]})
    InstanceRegistration.objects.update_or_create(pk=1, defaults={"mode": mode})
    return RegistrationMode(mode)


def approve_registration(*, user: User) -> User:
    """Let a pending sign-up in: the account becomes active."""
    with transaction.atomic():
        user = User.objects.select_for_update().get(pk=user.pk)
        if not user.pending_approval:
            raise NotAllowed(_("This account is not waiting for approval."))
        user.pending_approval = False
        user.is_active = True
        user.save(update_fields=["pending_approval", "is_active"])
    return user


def reject_registration(*, user: User) -> None:
    """Turn a pending sign-up down: the account (which never could log in or post) is deleted."""
    with transaction.atomic():
        if not User.objects.filter(pk=user.pk, pending_approval=True).exists():
            raise NotAllowed(_("This account is not waiting for approval."))
        erase_account(user=user)


def set_role(*, user: User, role: str) -> User:
    """Make an account a user, moderator or admin (admins may also use Django's admin site)."""
    if role not in User.Role.values:
        raise ValidationError({"role": [_("Unknown role.")]})
    is_admin = role == User.Role.ADMIN
    User.objects.filter(pk=user.pk).update(role=role, is_staff=is_admin, is_superuser=is_admin)
    user.refresh_from_db(fields=["role", "is_staff", "is_superuser"])
    return user


def set_account_disabled(*, user: User, disabled: bool) -> User:
    """Disable (no log-in, hidden like a suspended account) or enable an account; ends its sessions."""
    with transaction.atomic():
        User.objects.filter(pk=user.pk).update(is_active=not disabled)
        if disabled:
            end_all_sessions(user=user)
    user.refresh_from_db(fields=["is_active"])
    return user


def end_all_sessions(*, user: User, keep_session_key: str | None = None) -> int:
    """Log the account out everywhere (every web session but `keep_session_key`). Returns how many ended."""
    from django.contrib.sessions.models import Session

    from agora.accounts.models import AccountSession

    keys = set(AccountSession.objects.filter(user=user).values_list("session_key", flat=True))
    # Sessions from before sessions were recorded: find them by decoding (only the user's own id matches).
    for session in Session.objects.filter(expire_date__gt=timezone.now()).iterator():
        if session.get_decoded().get("_auth_user_id") == str(user.pk):
            keys.add(session.session_key)
    keys.discard(keep_session_key or "")
    with transaction.atomic():
        Session.objects.filter(session_key__in=keys).delete()
        AccountSession.objects.filter(user=user, session_key__in=keys).delete()
    return len(keys)


def record_session(*, user: User, session_key: str, ip: str, user_agent: str) -> None:
    """Remember a log-in (which browser, from where, when) for the person's sessions list; records of the
    person's sessions that have ended meanwhile (expired, cleared) go.
    """
    from django.contrib.sessions.models import Session

    from agora.accounts.models import AccountSession

    live = Session.objects.filter(expire_date__gt=timezone.now()).values("session_key")
    AccountSession.objects.filter(user=user).exclude(session_key__in=live).delete()
    AccountSession.objects.update_or_create(
        session_key=session_key,
        defaults={
            "user": user,
            "ip": ip or None,
            "user_agent": user_agent[:300],
            "last_seen_at": timezone.now(),
        },
    )


def clean_profile_fields(raw_fields: list[dict[str, str]]) -> list[dict[str, str]]:
    """Profile links as name/value pairs: blanks dropped, lengths bounded, at most
    AGORA_MAX_PROFILE_FIELDS of them.
    """
    fields = []
    for raw in raw_fields:
        name = (raw.get("name") or "").strip()
        value = (raw.get("value") or "").strip()
        if not name and not value:
            continue
        if not name or not value:
            raise ValidationError({"profile_fields": [_("Each link needs both a label and a value.")]})
        if len(name) > 50 or len(value) > 200:
            raise ValidationError({"profile_fields": [_("Labels may have 50 characters, values 200.")]})
        fields.append({"name": name, "value": value})
    if len(fields) > settings.AGORA_MAX_PROFILE_FIELDS:
        raise ValidationError(
            {"profile_fields": [_("At most %(count)d links.") % {"count": settings.AGORA_MAX_PROFILE_FIELDS}]}
        )
    return fields


def is_web_link(value: str) -> bool:
    try:
        URLValidator(schemes=["http", "https"])(value)
    except ValidationError:
        return False
    return True


def update_profile(*, user: User, **changes: Any) -> User:
    """Change display name, bio, profile links, locked and discoverable flags and interface language.

    Unlocking an account approves its pending follow requests, as followers expect.
    """
    allowed = {"display_name", "bio", "profile_fields", "is_locked", "discoverable", "language"}
    unknown = set(changes) - allowed
    if unknown:
        raise ValueError(f"update_profile cannot change {sorted(unknown)}")
    if "profile_fields" in changes:
        changes["profile_fields"] = clean_profile_fields(changes["profile_fields"])
    if "language" in changes and changes["language"] not in {"", *dict(settings.LANGUAGES)}:
        raise ValidationError({"language": [_("Unknown language.")]})
    if "bio" in changes:
        # A TextField's max_length binds only forms, not full_clean, so the service enforces it itself.
        try:
            MaxLengthValidator(User._meta.get_field("bio").max_length)(changes["bio"])
        except ValidationError as error:
            raise ValidationError({"bio": error.messages}) from error
    from agora.screening.services import record_profile_screening, screen_profile

    # A display name or bio that reads as a threat is refused here (a form error; nothing is saved).
    screened = screen_profile(user=user, changes=changes)
    with transaction.atomic():
        user = User.objects.select_for_update().get(pk=user.pk)
        was_locked = user.is_locked
        for field, value in changes.items():
            setattr(user, field, value)
        user.full_clean(exclude=["password"])
        user.save(update_fields=[*changes])
        record_profile_screening(user=user, screened=screened)
        if was_locked and not user.is_locked:
            for request in FollowRequest.objects.filter(target=user).select_related("requester"):
                approve_follow_request(user=user, requester=request.requester)
    return user


def change_password(*, user: User, old_password: str, new_password: str) -> None:
    if not user.check_password(old_password):
        raise ValidationError({"old_password": [_("Your current password was entered incorrectly.")]})
    try:
        validate_password(new_password, user)
    except ValidationError as error:
        raise ValidationError({"new_password": error.messages}) from error
    user.set_password(new_password)
    user.save(update_fields=["password"])


def follow(*, follower: User, target: User) -> FollowOutcome:
    """Follow `target`, or ask to when the account is locked. Following twice is harmless."""
    if follower.pk == target.pk:
        raise NotAllowed(_("You cannot follow yourself."))
    if not target.is_active or blocked_either_way(follower, target):
        raise NotFound(target.username)
    with transaction.atomic():
        if Follow.objects.filter(follower=follower, followee=target).exists():
            return "following"
        # The caller's copy may be stale; whether a request is needed is decided by the stored setting.
        if User.objects.filter(pk=target.pk, is_locked=True).exists():
            _row, created = FollowRequest.objects.get_or_create(requester=follower, target=target)
            if created:
                _notify_on_commit(recipient=target, actor=follower, kind=Notification.Kind.FOLLOW_REQUEST)
            return "requested"
        _create_follow(follower=follower, followee=target)
    return "following"


def _create_follow(*, follower: User, followee: User) -> None:
    _row, created = Follow.objects.get_or_create(follower=follower, followee=followee)
    if created:
        User.objects.filter(pk=follower.pk).update(following_count=F("following_count") + 1)
        User.objects.filter(pk=followee.pk).update(followers_count=F("followers_count") + 1)
        _notify_on_commit(recipient=followee, actor=follower, kind=Notification.Kind.FOLLOW)


def _delete_follow(*, follower: User, followee: User) -> None:
    deleted, _by_model = Follow.objects.filter(follower=follower, followee=followee).delete()
    if deleted:
        User.objects.filter(pk=follower.pk, following_count__gt=0).update(
            following_count=F("following_count") - 1
        )
        User.objects.filter(pk=followee.pk, followers_count__gt=0).update(
            followers_count=F("followers_count") - 1
        )


def unfollow(*, follower: User, target: User) -> None:
    """Stop following `target`, or withdraw a pending request."""
    with transaction.atomic():
        _delete_follow(follower=follower, followee=target)
        FollowRequest.objects.filter(requester=follower, target=target).delete()
        Notification.objects.filter(
            recipient=target, actor=follower, kind=Notification.Kind.FOLLOW_REQUEST
        ).delete()


def approve_follow_request(*, user: User, requester: User) -> None:
    with transaction.atomic():
        deleted, _by_model = FollowRequest.objects.filter(requester=requester, target=user).delete()
        if not deleted:
            raise NotFound(requester.username)
        Notification.objects.filter(
            recipient=user, actor=requester, kind=Notification.Kind.FOLLOW_REQUEST
        ).delete()
        _create_follow(follower=requester, followee=user)


def reject_follow_request(*, user: User, requester: User) -> None:
    with transaction.atomic():
        deleted, _by_model = FollowRequest.objects.filter(requester=requester, target=user).delete()
        if not deleted:
            raise NotFound(requester.username)
        Notification.objects.filter(
            recipient=user, actor=requester, kind=Notification.Kind.FOLLOW_REQUEST
        ).delete()


def remove_follower(*, user: User, follower: User) -> None:
    """Make `follower` stop following `user` (a soft block)."""
    with transaction.atomic():
        _delete_follow(follower=follower, followee=user)


def block(*, blocker: User, target: User) -> None:
    """Block `target`: both stop seeing each other, follows and requests both ways end."""
    if blocker.pk == target.pk:
        raise NotAllowed(_("You cannot block yourself."))
    with transaction.atomic():
        Block.objects.get_or_create(blocker=blocker, blocked=target)
        _delete_follow(follower=blocker, followee=target)
        _delete_follow(follower=target, followee=blocker)
        FollowRequest.objects.filter(requester=blocker, target=target).delete()
        FollowRequest.objects.filter(requester=target, target=blocker).delete()
        Notification.objects.filter(recipient=blocker, actor=target).delete()
        Notification.objects.filter(recipient=target, actor=blocker).delete()


def unblock(*, blocker: User, target: User) -> None:
    Block.objects.filter(blocker=blocker, blocked=target).delete()


def mute(*, muter: User, target: User) -> None:
    """Hide `target`'s posts and notifications from `muter` without telling anyone."""
    if muter.pk == target.pk:
        raise NotAllowed(_("You cannot mute yourself."))
    Mute.objects.get_or_create(muter=muter, muted=target)


def unmute(*, muter: User, target: User) -> None:
    Mute.objects.filter(muter=muter, muted=target).delete()


def delete_account(*, user: User, password: str) -> None:
    """Delete the account and everything it made: posts (with their replies' links), likes, reposts, follows,
    blocks, mutes, notifications. Only tombstones (ids and time) remain.
    """
    if not user.check_password(password):
        raise ValidationError({"password": [_("Your password was entered incorrectly.")]})
    erase_account(user=user)


def erase_account(*, user: User) -> None:
    """The deletion itself, for `delete_account` and for the operator (`agora accounts delete`)."""
    from agora.posts.models import Like, Post, Tombstone

    with transaction.atomic():
        post_ids = list(Post.objects.filter(author=user).values_list("id", flat=True))
        touched_posts = (
            set(Like.objects.filter(user=user).values_list("post_id", flat=True))
            | set(
                Post.objects.filter(author=user, repost_of__isnull=False).values_list(
                    "repost_of_id", flat=True
                )
            )
            | set(
                Post.objects.filter(author=user, in_reply_to__isnull=False).values_list(
                    "in_reply_to_id", flat=True
                )
            )
        )
        touched_users = set(Follow.objects.filter(follower=user).values_list("followee_id", flat=True)) | set(
            Follow.objects.filter(followee=user).values_list("follower_id", flat=True)
        )
        # Others' reposts of these posts go with them (cascade) and leave tombstones too, as in delete_post.
        repost_ids = list(
            Post.objects.filter(repost_of__author=user).exclude(author=user).values_list("id", flat=True)
        )
        Tombstone.record(Tombstone.Kind.POST, [*post_ids, *repost_ids])
        Tombstone.record(Tombstone.Kind.ACCOUNT, [user.pk])
        from agora.media.services import delete_media_of_account
        from agora.portability.services import delete_archive_files_of

        delete_media_of_account(user)
        delete_archive_files_of(user)
        user.delete()
        recount_post_counters(touched_posts - set(post_ids))
        recount_follow_counters(touched_users)


def recount_follow_counters(user_ids: set[Any] | None = None) -> None:
    """Set followers/following/posts counters from the rows (all accounts when `user_ids` is None)."""
    users = User.objects.all() if user_ids is None else User.objects.filter(pk__in=user_ids)
    from agora.posts.models import Post

    users.update(
        followers_count=Coalesce(
            Subquery(
                Follow.objects.filter(followee=OuterRef("pk"))
                .values("followee")
                .annotate(n=Count("id"))
                .values("n")
            ),
            0,
        ),
        following_count=Coalesce(
            Subquery(
                Follow.objects.filter(follower=OuterRef("pk"))
                .values("follower")
                .annotate(n=Count("id"))
                .values("n")
            ),
            0,
        ),
        posts_count=Coalesce(
            Subquery(
                Post.objects.filter(author=OuterRef("pk"), repost_of__isnull=True)
                .values("author")
                .annotate(n=Count("id"))
                .values("n")
            ),
            0,
        ),
    )


def recount_post_counters(post_ids: set[Any] | None = None) -> None:
    """Set replies/reposts/likes counters from the rows (all posts when `post_ids` is None)."""
    from agora.posts.models import Like, Post

    posts = Post.objects.all() if post_ids is None else Post.objects.filter(pk__in=post_ids)
    posts.update(
        replies_count=Coalesce(
            Subquery(
                Post.objects.filter(in_reply_to=OuterRef("pk"))
                .values("in_reply_to")
                .annotate(n=Count("id"))
                .values("n")
            ),
            0,
        ),
        reposts_count=Coalesce(
            Subquery(
                Post.objects.filter(repost_of=OuterRef("pk"))
                .values("repost_of")
                .annotate(n=Count("id"))
                .values("n")
            ),
            0,
        ),
        likes_count=Coalesce(
            Subquery(
                Like.objects.filter(post=OuterRef("pk")).values("post").annotate(n=Count("id")).values("n")
            ),
            0,
        ),
    )
