"""Forms of the data, import and developer settings pages."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from agora.portability.models import ImportJob

SCOPE_CHOICES = [
    ("read", _("read: see your posts, timelines, notifications and lists")),
    ("write", _("write: post, like, repost and change your account")),
    ("follow", _("follow: follow, block and mute accounts")),
    ("push", _("push: receive push notifications")),
]


class ImportForm(forms.Form):
    kind = forms.ChoiceField(label=_("What to import"), choices=ImportJob.Kind.choices)
    mode = forms.ChoiceField(
        label=_("How"), choices=ImportJob.Mode.choices, initial=ImportJob.Mode.MERGE, widget=forms.RadioSelect
    )
    file = forms.FileField(
        label=_("CSV file"),
        help_text=_("An export from this server or from Mastodon (following_accounts.csv, ...)."),
    )


class ApplicationForm(forms.Form):
    name = forms.CharField(label=_("Application name"), max_length=100)
    website = forms.URLField(label=_("Website"), required=False, max_length=500, assume_scheme="https")
    scopes = forms.MultipleChoiceField(
        label=_("Scopes"),
        choices=SCOPE_CHOICES,
        initial=["read"],
        widget=forms.CheckboxSelectMultiple,
    )
