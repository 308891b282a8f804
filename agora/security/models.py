"""Second factor for log-ins: a TOTP authenticator per account, and one-time recovery codes (stored
hashed)."""

from __future__ import annotations

from django.conf import settings
from django.db import models

from agora.core.models import AgoraModel


class TwoFactorAuthenticator(AgoraModel):
    """An authenticator app's shared secret. Until `confirmed_at` is set (the person typed a valid code) it is
    only being set up and does not guard log-ins.
    """

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="two_factor")
    secret = models.CharField(max_length=64)
    confirmed_at = models.DateTimeField(null=True, blank=True)
    # The TOTP time step of the last accepted code: a code (or an older one) never works twice.
    last_used_step = models.BigIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return f"Authenticator of {self.user_id}"

    @property
    def is_active(self) -> bool:
        return self.confirmed_at is not None


class RecoveryCode(AgoraModel):
    """A one-time code for when the authenticator is lost; only a keyed hash of it is stored."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="recovery_codes"
    )
    code_hash = models.CharField(max_length=128)
    used_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "code_hash"], name="unique_recovery_code")]

    def __str__(self) -> str:
        return f"Recovery code of {self.user_id}"
