"""Admin pages of accounts: the registration mode and the queue of sign-ups waiting for approval."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_POST

from agora.accounts import selectors, services
from agora.accounts.models import RegistrationMode, User
from agora.core.exceptions import NotFound


class RegistrationModeForm(forms.Form):
    mode = forms.ChoiceField(
        label=gettext_lazy("Who can sign up"), choices=RegistrationMode.choices, widget=forms.RadioSelect
    )


def _admin(request: HttpRequest) -> User:
    user: User = request.user  # type: ignore[assignment]
    if not (user.role == User.Role.ADMIN or user.is_superuser):
        raise PermissionDenied
    return user


@login_required
@require_http_methods(["GET", "POST"])
def registrations(request: HttpRequest) -> HttpResponse:
    _admin(request)
    form = RegistrationModeForm(request.POST or None, initial={"mode": services.registration_mode()})
    if request.method == "POST" and form.is_valid():
        services.set_registration_mode(mode=form.cleaned_data["mode"])
        messages.success(request, _("The registration setting is saved."))
        return redirect("accounts:registrations")
    context = {
        "form": form,
        "pending": selectors.accounts_for_operator(pending=True),
        "nav": "admin",
    }
    return render(request, "accounts/registrations.html", context)


@login_required
@require_POST
def decide_registration(request: HttpRequest, username: str, action: str) -> HttpResponse:
    _admin(request)
    account = selectors.accounts_for_operator(pending=True).filter(username__iexact=username).first()
    if account is None:
        raise NotFound(username)
    if action == "approve":
        services.approve_registration(user=account)
        messages.success(request, _("@%(name)s can now use their account.") % {"name": account.username})
    else:
        services.reject_registration(user=account)
        messages.success(request, _("The sign-up of @%(name)s was turned down.") % {"name": account.username})
    return redirect("accounts:registrations")
