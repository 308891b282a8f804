from typing import Any

from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "agora.accounts"
    label = "accounts"

    def ready(self) -> None:
        from django.contrib.auth.signals import user_logged_in, user_logged_out

        user_logged_in.connect(_record_login, dispatch_uid="agora-accounts-record-login")
        user_logged_out.connect(_forget_login, dispatch_uid="agora-accounts-forget-login")


def _record_login(sender: Any, request: Any, user: Any, **kwargs: Any) -> None:
    """Every web log-in (password, second factor, sign-up) is remembered for the sessions list."""
    from agora.accounts.services import record_session
    from agora.core.ratelimit import client_ip

    session = getattr(request, "session", None)
    if request is None or session is None:
        return
    if session.session_key is None:
        session.save()
    record_session(
        user=user,
        session_key=session.session_key,
        ip=client_ip(request),
        user_agent=request.headers.get("User-Agent", ""),
    )


def _forget_login(sender: Any, request: Any, user: Any, **kwargs: Any) -> None:
    """A log-out ends the session, so its record (browser, address) goes too."""
    from agora.accounts.services import forget_session

    session = getattr(request, "session", None)
    if session is not None and session.session_key:
        forget_session(session_key=session.session_key)
