"""Accounts and the social graph between them: follows, follow requests, blocks and mutes."""

from __future__ import annotations

from typing import ClassVar

from django.contrib.auth.models import AbstractUser, UserManager
from django.db import models
from django.db.models.functions import Lower
from django.utils.translation import gettext_lazy as _

from agora.accounts.validators import username_validator
from agora.core.models import AgoraModel


class AccountManager(UserManager["User"]):
    def get_by_natural_key(self, username: str | None) -> User:
        return self.get(username__iexact=username)


class User(AgoraModel, AbstractUser):
    """A person's account.

    The username is unique without regard to case (`Alice` and `alice` are one name).
    """

    class Role(models.TextChoices):
        USER = "user", _("User")
        MODERATOR = "moderator", _("Moderator")
        ADMIN = "admin", _("Admin")

    username = models.CharField(
        _("username"),
        max_length=30,
        unique=True,
        validators=[username_validator],
        help_text=_("1 to 30 letters, digits or underscores."),
        error_messages={"unique": _("This username is taken.")},
    )
    email = models.EmailField(_("email address"), unique=True)
    display_name = models.CharField(_("display name"), max_length=50, blank=True)
    bio = models.TextField(_("bio"), max_length=500, blank=True)
    profile_fields = models.JSONField(_("profile links"), default=list, blank=True)
    is_locked = models.BooleanField(
        _("approve followers manually"),
        default=False,
        help_text=_("New followers must send a request that you approve."),
    )
    discoverable = models.BooleanField(
        _("let others find my account and posts in search"),
        default=True,
        help_text=_("When off, your account is not suggested or found by strangers in search."),
    )
    role = models.CharField(max_length=16, choices=Role.choices, default=Role.USER)
    language = models.CharField(_("interface language"), max_length=8, blank=True)
    terms_accepted_at = models.DateTimeField(null=True, blank=True)
    followers_count = models.PositiveIntegerField(default=0)
    following_count = models.PositiveIntegerField(default=0)
    posts_count = models.PositiveIntegerField(default=0)
    # Sign-ups while registrations need approval wait here, inactive, until an admin approves them.
    pending_approval = models.BooleanField(default=False)
    signup_reason = models.TextField(_("why do you want to join?"), max_length=500, blank=True)

    objects: ClassVar[AccountManager] = AccountManager()  # type: ignore[misc]

    class Meta:
        constraints = [
            models.UniqueConstraint(Lower("username"), name="unique_username_ci"),
            models.UniqueConstraint(Lower("email"), name="unique_email_ci"),
        ]
        # The few widely followed accounts, whose posts home timelines merge in when read (agora/timelines):
        # without it, finding which of them someone follows reads every account's counter.
        indexes = [
            models.Index(
                fields=["followers_count"],
                name="user_widely_followed",
                condition=models.Q(followers_count__gte=1000),
            )
        ]

    def __str__(self) -> str:
        return f"@{self.username}"

    @property
    def name(self) -> str:
        return self.display_name or self.username

    @property
    def is_moderator(self) -> bool:
        return self.role in (self.Role.MODERATOR, self.Role.ADMIN) or self.is_superuser


class Follow(AgoraModel):
    follower = models.ForeignKey(User, on_delete=models.CASCADE, related_name="following_links")
    followee = models.ForeignKey(User, on_delete=models.CASCADE, related_name="follower_links")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["follower", "followee"], name="unique_follow")]
        indexes = [models.Index(fields=["followee", "follower"])]


class FollowRequest(AgoraModel):
    requester = models.ForeignKey(User, on_delete=models.CASCADE, related_name="sent_follow_requests")
    target = models.ForeignKey(User, on_delete=models.CASCADE, related_name="received_follow_requests")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["requester", "target"], name="unique_follow_request")]
        indexes = [models.Index(fields=["target", "-created_at"])]


class Block(AgoraModel):
    blocker = models.ForeignKey(User, on_delete=models.CASCADE, related_name="blocks_made")
    blocked = models.ForeignKey(User, on_delete=models.CASCADE, related_name="blocks_received")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["blocker", "blocked"], name="unique_block")]
        indexes = [models.Index(fields=["blocked", "blocker"])]


class Mute(AgoraModel):
    muter = models.ForeignKey(User, on_delete=models.CASCADE, related_name="mutes_made")
    muted = models.ForeignKey(User, on_delete=models.CASCADE, related_name="mutes_received")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["muter", "muted"], name="unique_mute")]


class RegistrationMode(models.TextChoices):
    OPEN = "open", _("Open: anyone can sign up")
    APPROVAL = "approval", _("Approval required: an admin approves each sign-up")
    CLOSED = "closed", _("Closed: nobody can sign up")


class InstanceRegistration(models.Model):
    """The instance's registration setting: one row (id 1), changed by admins in the web app."""

    id = models.PositiveSmallIntegerField(primary_key=True, default=1, editable=False)
    mode = models.CharField(max_length=16, choices=RegistrationMode.choices, default=RegistrationMode.OPEN)
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return f"Registrations: {self.mode}"


class AccountSession(AgoraModel):
    """A web log-in: which browser, from which address, when (for the person's sessions list)."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="recorded_sessions")
    session_key = models.CharField(max_length=40, unique=True)
    ip = models.GenericIPAddressField(null=True, blank=True)
    user_agent = models.CharField(max_length=300, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    last_seen_at = models.DateTimeField()

    def __str__(self) -> str:
        return f"Session of {self.user_id}"
