"""Web forms: they parse and present input; the rules live in the services they hand it to."""

from __future__ import annotations

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from agora.accounts.models import User
from agora.media.forms import add_attachment_fields
from agora.posts.models import Visibility


def add_service_errors(form: forms.Form, error: ValidationError) -> None:
    """Show a service's ValidationError on the form fields it names (the rest at the top of the form)."""
    if hasattr(error, "error_dict"):
        for field, messages in error.message_dict.items():
            form.add_error(field if field in form.fields else None, messages)
    else:
        form.add_error(None, error.messages)


class SignUpForm(forms.Form):
    username = forms.CharField(
        label=_("Username"), max_length=30, help_text=_("1 to 30 letters, digits or underscores.")
    )
    email = forms.EmailField(label=_("E-mail address"))
    password = forms.CharField(
        label=_("Password"), widget=forms.PasswordInput(render_value=False), min_length=8
    )
    accepted_terms = forms.BooleanField(
        label=_("I have read and accept the rules and terms of this server."), required=False
    )
    # Asked only while sign-ups need an admin's approval.
    reason = forms.CharField(
        label=_("Why do you want to join?"),
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=500,
        required=False,
    )


class LoginForm(forms.Form):
    username = forms.CharField(label=_("Username or e-mail address"), max_length=254)
    password = forms.CharField(label=_("Password"), widget=forms.PasswordInput)


class ComposeForm(forms.Form):
    text = forms.CharField(
        label=_("What's on your mind?"),
        widget=forms.Textarea(attrs={"rows": 4, "data-max-chars": settings.AGORA_MAX_POST_CHARS}),
        max_length=settings.AGORA_MAX_POST_CHARS,
    )
    spoiler_text = forms.CharField(label=_("Content warning (optional)"), max_length=200, required=False)
    visibility = forms.ChoiceField(
        label=_("Who can see this"), choices=Visibility.choices, initial=Visibility.PUBLIC
    )
    sensitive = forms.BooleanField(label=_("Mark pictures and videos as sensitive"), required=False)

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        # A post may be pictures alone; the service says when a post is empty.
        self.fields["text"].required = False
        add_attachment_fields(self)


class EditPostForm(forms.Form):
    text = forms.CharField(
        label=_("Text"),
        widget=forms.Textarea(attrs={"rows": 5, "data-max-chars": settings.AGORA_MAX_POST_CHARS}),
        max_length=settings.AGORA_MAX_POST_CHARS,
    )
    spoiler_text = forms.CharField(label=_("Content warning (optional)"), max_length=200, required=False)


class ProfileForm(forms.Form):
    display_name = forms.CharField(label=_("Display name"), max_length=50, required=False)
    bio = forms.CharField(
        label=_("Bio"), max_length=500, required=False, widget=forms.Textarea(attrs={"rows": 4})
    )
    is_locked = forms.BooleanField(
        label=_("Approve followers manually"),
        help_text=_("New followers must send a request that you approve."),
        required=False,
    )
    discoverable = forms.BooleanField(
        label=_("Let others find my account and posts in search"),
        help_text=_("When off, your account is not suggested or found by strangers in search."),
        required=False,
    )

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        for index in range(settings.AGORA_MAX_PROFILE_FIELDS):
            self.fields[f"field_{index}_name"] = forms.CharField(
                label=_("Label"), max_length=50, required=False
            )
            self.fields[f"field_{index}_value"] = forms.CharField(
                label=_("Content or link"), max_length=200, required=False
            )

    @classmethod
    def initial_for(cls, user: User) -> dict[str, object]:
        initial: dict[str, object] = {
            "display_name": user.display_name,
            "bio": user.bio,
            "is_locked": user.is_locked,
            "discoverable": user.discoverable,
        }
        for index, field in enumerate(user.profile_fields[: settings.AGORA_MAX_PROFILE_FIELDS]):
            initial[f"field_{index}_name"] = field.get("name", "")
            initial[f"field_{index}_value"] = field.get("value", "")
        return initial

    def profile_fields(self) -> list[dict[str, str]]:
        return [
            {"name": self.cleaned_data[f"field_{i}_name"], "value": self.cleaned_data[f"field_{i}_value"]}
            for i in range(settings.AGORA_MAX_PROFILE_FIELDS)
        ]

    def link_rows(self) -> list[tuple[forms.BoundField, forms.BoundField]]:
        return [
            (self[f"field_{i}_name"], self[f"field_{i}_value"])
            for i in range(settings.AGORA_MAX_PROFILE_FIELDS)
        ]


class PreferencesForm(forms.Form):
    language = forms.ChoiceField(
        label=_("Interface language"),
        choices=[("", _("Same as my browser")), *settings.LANGUAGES],
        required=False,
    )


class PasswordChangeForm(forms.Form):
    old_password = forms.CharField(label=_("Current password"), widget=forms.PasswordInput)
    new_password = forms.CharField(label=_("New password"), widget=forms.PasswordInput, min_length=8)


class DeleteAccountForm(forms.Form):
    password = forms.CharField(label=_("Your password"), widget=forms.PasswordInput)
    confirm = forms.BooleanField(
        label=_("I understand that my account, posts, likes and follows will be deleted for good."),
        required=True,
    )
