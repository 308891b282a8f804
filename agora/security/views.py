"""Pages for the second log-in step, two-factor settings and changing the e-mail address."""

from __future__ import annotations

import time

from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from agora.accounts.models import User
from agora.core.ratelimit import RateLimited, too_many_requests
from agora.security import services
from agora.security.forms import CodeForm, ConfirmTwoFactorForm, EmailChangeForm, PasswordOnlyForm
from agora.web.forms import add_service_errors
from agora.web.middleware import safe_next_url

PENDING_KEY = "security:pending_login"
# The password step is good for this long; then the person starts over.
PENDING_SECONDS = 300


def start_second_step(request: HttpRequest, user: User) -> HttpResponse | None:
    """Called by the log-in page after a correct password: when the account has a second factor, remember who
    is half-way in (not logged in!) and send them to the code page; otherwise None.
    """
    if not services.has_two_factor(user):
        return None
    request.session.cycle_key()
    request.session[PENDING_KEY] = {
        "user_id": str(user.pk),
        "backend": getattr(user, "backend", "agora.accounts.backends.UsernameOrEmailBackend"),
        "at": time.time(),
        "next": safe_next_url(request, default="web:home"),
    }
    return redirect("security:login_code")


@require_http_methods(["GET", "POST"])
def login_code(request: HttpRequest) -> HttpResponse:
    pending = request.session.get(PENDING_KEY)
    if not pending or time.time() - pending["at"] > PENDING_SECONDS:
        request.session.pop(PENDING_KEY, None)
        return redirect("web:login")
    user = User.objects.filter(pk=pending["user_id"], is_active=True).first()
    if user is None:
        request.session.pop(PENDING_KEY, None)
        return redirect("web:login")
    form = CodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            accepted = services.verify_second_factor(user=user, code=form.cleaned_data["code"])
        except RateLimited as error:
            return too_many_requests(request, error)
        if accepted:
            del request.session[PENDING_KEY]
            login(request, user, backend=pending["backend"])
            return redirect(pending["next"])
        form.add_error("code", _("That code is not right (each code works only once)."))
    return render(request, "security/login_code.html", {"form": form})


@login_required
@require_http_methods(["GET", "POST"])
def two_factor_settings(request: HttpRequest) -> HttpResponse:
    viewer: User = request.user  # type: ignore[assignment]
    action = request.POST.get("action", "")
    context: dict[str, object] = {"section": "security", "nav": "settings"}
    enabled = services.has_two_factor(viewer)
    try:
        if request.method == "POST" and action == "start" and not enabled:
            services.begin_two_factor_setup(user=viewer)
        elif request.method == "POST" and action == "confirm" and not enabled:
            confirm_form = ConfirmTwoFactorForm(request.POST)
            context["confirm_form"] = confirm_form
            if confirm_form.is_valid():
                try:
                    context["recovery_codes"] = services.confirm_two_factor(
                        user=viewer,
                        password=confirm_form.cleaned_data["password"],
                        code=confirm_form.cleaned_data["code"],
                    )
                    enabled = True
                    messages.success(request, _("Two-factor authentication is on."))
                except ValidationError as error:
                    add_service_errors(confirm_form, error)
        elif request.method == "POST" and action in {"disable", "recovery"} and enabled:
            password_form = PasswordOnlyForm(request.POST)
            context["password_form"] = password_form
            if password_form.is_valid():
                try:
                    if action == "disable":
                        services.disable_two_factor(
                            user=viewer, password=password_form.cleaned_data["password"]
                        )
                        messages.success(request, _("Two-factor authentication is off."))
                        return redirect("security:two_factor")
                    context["recovery_codes"] = services.regenerate_recovery_codes(
                        user=viewer, password=password_form.cleaned_data["password"]
                    )
                except ValidationError as error:
                    add_service_errors(password_form, error)
    except RateLimited as error:
        return too_many_requests(request, error)
    from agora.security.models import TwoFactorAuthenticator

    pending = TwoFactorAuthenticator.objects.filter(user=viewer, confirmed_at__isnull=True).first()
    if pending is not None and not enabled:
        context["setup_secret"] = pending.secret
        context["setup_uri"] = services.provisioning_uri(pending)
        context.setdefault("confirm_form", ConfirmTwoFactorForm())
    context.setdefault("password_form", PasswordOnlyForm())
    context["enabled"] = enabled
    if enabled:
        context["remaining_codes"] = services.remaining_recovery_codes(viewer)
    return render(request, "security/two_factor.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def email_settings(request: HttpRequest) -> HttpResponse:
    viewer: User = request.user  # type: ignore[assignment]
    form = EmailChangeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.change_email(
                user=viewer, password=form.cleaned_data["password"], new_email=form.cleaned_data["email"]
            )
        except RateLimited as error:
            return too_many_requests(request, error)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("Your e-mail address is changed."))
            return redirect("security:email")
    return render(
        request,
        "security/email.html",
        {"form": form, "section": "email", "nav": "settings", "current": viewer.email},
    )
