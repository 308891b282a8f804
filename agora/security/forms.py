"""Forms for the second factor and re-authenticated changes; the rules live in services.py."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _


class PasswordField(forms.CharField):
    def __init__(self, **kwargs: object) -> None:
        super().__init__(label=_("Current password"), widget=forms.PasswordInput, **kwargs)  # type: ignore[arg-type]


class CodeForm(forms.Form):
    code = forms.CharField(
        label=_("Code from your authenticator app, or a recovery code"),
        max_length=20,
        widget=forms.TextInput(
            attrs={"autocomplete": "one-time-code", "inputmode": "numeric", "autofocus": True}
        ),
    )


class ConfirmTwoFactorForm(forms.Form):
    code = forms.CharField(
        label=_("Code from your authenticator app"),
        max_length=10,
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "numeric"}),
    )
    password = PasswordField()


class PasswordOnlyForm(forms.Form):
    password = PasswordField()


class EmailChangeForm(forms.Form):
    email = forms.EmailField(label=_("New e-mail address"))
    password = PasswordField()
