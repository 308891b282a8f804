"""Two-factor authentication and re-authenticated account changes.

TOTP (RFC 6238, via pyotp): 30-second steps, one step of clock drift either way, and a code never works twice
(the last accepted step is stored). Recovery codes: ten random codes shown once; only keyed hashes are stored
and each works once. Wrong codes are throttled per account (the ``two_factor`` rate-limit scope), and changes
to the second factor or the e-mail address need the password (throttled by ``reauthenticate``).
"""

from __future__ import annotations

import secrets
import time

import pyotp
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.utils import timezone
from django.utils.crypto import constant_time_compare, salted_hmac
from django.utils.translation import gettext as _

from agora.accounts.models import User
from agora.core import ratelimit
from agora.security.models import RecoveryCode, TwoFactorAuthenticator

RECOVERY_CODE_COUNT = 10
TOTP_DRIFT_STEPS = 1


def has_two_factor(user: User) -> bool:
    return TwoFactorAuthenticator.objects.filter(user=user, confirmed_at__isnull=False).exists()


def _check_password(user: User, password: str) -> None:
    ratelimit.charge("reauthenticate", account=str(user.pk))
    if not user.check_password(password):
        raise ValidationError({"password": [_("Your password was entered incorrectly.")]})


def begin_two_factor_setup(*, user: User) -> TwoFactorAuthenticator:
    """A fresh secret for the authenticator app (replacing an unconfirmed one); nothing is guarded until it is
    confirmed with `confirm_two_factor`.
    """
    authenticator, _created = TwoFactorAuthenticator.objects.get_or_create(
        user=user, defaults={"secret": pyotp.random_base32(32)}
    )
    if authenticator.is_active:
        raise ValidationError(_("Two-factor authentication is already on."))
    return authenticator


def provisioning_uri(authenticator: TwoFactorAuthenticator) -> str:
    return pyotp.TOTP(authenticator.secret).provisioning_uri(
        name=authenticator.user.username,
        issuer_name=f"{settings.AGORA_INSTANCE_NAME} ({settings.AGORA_DOMAIN})",
    )


def _matching_step(secret: str, code: str, last_used_step: int, at: float | None = None) -> int | None:
    code = "".join(code.split())
    if not code.isdigit() or len(code) != 6:
        return None
    now = time.time() if at is None else at
    totp = pyotp.TOTP(secret)
    current = int(now // totp.interval)
    for step in range(current - TOTP_DRIFT_STEPS, current + TOTP_DRIFT_STEPS + 1):
        if step > last_used_step and constant_time_compare(totp.at(step * totp.interval), code):
            return step
    return None


def confirm_two_factor(*, user: User, password: str, code: str) -> list[str]:
    """Turn two-factor authentication on with a code from the app; returns the recovery codes (shown once)."""
    _check_password(user, password)
    authenticator = TwoFactorAuthenticator.objects.filter(user=user, confirmed_at__isnull=True).first()
    if authenticator is None:
        raise ValidationError(_("Start the set-up again."))
    ratelimit.charge("two_factor", account=str(user.pk))
    step = _matching_step(authenticator.secret, code, authenticator.last_used_step)
    if step is None:
        raise ValidationError({"code": [_("That code is not right. Check the time on your device.")]})
    with transaction.atomic():
        authenticator.confirmed_at = timezone.now()
        authenticator.last_used_step = step
        authenticator.save(update_fields=["confirmed_at", "last_used_step"])
        return _replace_recovery_codes(user)


def _hash_recovery_code(user: User, code: str) -> str:
    normalised = "".join(code.split()).replace("-", "").lower()
    return salted_hmac(
        "agora.security.recovery-code", f"{user.pk}:{normalised}", algorithm="sha256"
    ).hexdigest()


def _replace_recovery_codes(user: User) -> list[str]:
    RecoveryCode.objects.filter(user=user).delete()
    codes = []
    for _index in range(RECOVERY_CODE_COUNT):
        raw = secrets.token_hex(5)  # 40 bits each, one use, throttled: guessing is hopeless
        codes.append(f"{raw[:5]}-{raw[5:]}")
    RecoveryCode.objects.bulk_create(
        [RecoveryCode(user=user, code_hash=_hash_recovery_code(user, c)) for c in codes]
    )
    return codes


def regenerate_recovery_codes(*, user: User, password: str) -> list[str]:
    _check_password(user, password)
    if not has_two_factor(user):
        raise ValidationError(_("Two-factor authentication is off."))
    with transaction.atomic():
        return _replace_recovery_codes(user)


def disable_two_factor(*, user: User, password: str) -> None:
    _check_password(user, password)
    reset_two_factor(user=user)


def reset_two_factor(*, user: User) -> bool:
    """Remove the authenticator and recovery codes (the operator's reset for a lost phone: no password).

    Returns whether there was a second factor to remove.
    """
    with transaction.atomic():
        removed, _by_model = TwoFactorAuthenticator.objects.filter(user=user).delete()
        RecoveryCode.objects.filter(user=user).delete()
    return bool(removed)


def verify_second_factor(*, user: User, code: str) -> bool:
    """Check a TOTP or recovery code at log-in; each works once. Raises RateLimited after too many tries."""
    ratelimit.charge("two_factor", account=str(user.pk))
    authenticator = TwoFactorAuthenticator.objects.filter(user=user, confirmed_at__isnull=False).first()
    if authenticator is None:
        return False
    with transaction.atomic():
        locked = TwoFactorAuthenticator.objects.select_for_update().get(pk=authenticator.pk)
        step = _matching_step(locked.secret, code, locked.last_used_step)
        if step is not None:
            locked.last_used_step = step
            locked.save(update_fields=["last_used_step"])
            return True
        used = RecoveryCode.objects.filter(
            user=user, code_hash=_hash_recovery_code(user, code), used_at__isnull=True
        ).update(used_at=timezone.now())
        return used == 1


def remaining_recovery_codes(user: User) -> int:
    return RecoveryCode.objects.filter(user=user, used_at__isnull=True).count()


def change_email(*, user: User, password: str, new_email: str) -> User:
    """Change the e-mail address (used to log in and for messages); needs the current password."""
    _check_password(user, password)
    new_email = new_email.strip()
    try:
        validate_email(new_email)
    except ValidationError as error:
        raise ValidationError({"email": [_("Enter a valid e-mail address.")]}) from error
    if User.objects.filter(email__iexact=new_email).exclude(pk=user.pk).exists():
        raise ValidationError({"email": [_("This e-mail address is used by another account.")]})
    user.email = new_email
    user.save(update_fields=["email"])
    return user
