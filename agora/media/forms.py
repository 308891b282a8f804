"""Attachment fields for forms that post media (the composer): a file input and a description per slot."""

from __future__ import annotations

from django import forms
from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.utils.translation import gettext_lazy as _

from agora.media.services import MAX_ALT_TEXT

IMAGE_ACCEPT = "image/jpeg,image/png,image/gif,image/webp,image/heic,image/heif,.heic,.heif"
ACCEPT = "image/jpeg,image/png,image/gif,image/webp,image/heic,image/heif,.heic,.heif,video/mp4,video/webm"


def add_attachment_fields(form: forms.Form) -> None:
    """Add `media_N` (file) and `alt_N` (description) for each attachment slot to `form`."""
    for index in range(settings.AGORA_MEDIA_MAX_ATTACHMENTS):
        form.fields[f"media_{index}"] = forms.FileField(
            label=_("Picture or video %(number)d") % {"number": index + 1},
            required=False,
            widget=forms.ClearableFileInput(attrs={"accept": ACCEPT}),
        )
        form.fields[f"alt_{index}"] = forms.CharField(
            label=_("Description for people who cannot see it (alt text)"),
            max_length=MAX_ALT_TEXT,
            required=False,
        )


def attachment_slots(form: forms.Form) -> list[tuple[forms.BoundField, forms.BoundField]]:
    return [
        (form[f"media_{index}"], form[f"alt_{index}"])
        for index in range(settings.AGORA_MEDIA_MAX_ATTACHMENTS)
        if f"media_{index}" in form.fields
    ]


def chosen_uploads(form: forms.Form) -> list[tuple[UploadedFile, str]]:
    """The files chosen in a valid form, each with its description, in slot order."""
    chosen = []
    for index in range(settings.AGORA_MEDIA_MAX_ATTACHMENTS):
        upload = form.cleaned_data.get(f"media_{index}")
        if upload:
            chosen.append((upload, form.cleaned_data.get(f"alt_{index}", "")))
    return chosen


class ProfilePicturesForm(forms.Form):
    avatar = forms.FileField(
        label=_("Avatar"),
        required=False,
        help_text=_("Shown cropped to a square (400 x 400 pixels)."),
        widget=forms.ClearableFileInput(attrs={"accept": IMAGE_ACCEPT}),
    )
    remove_avatar = forms.BooleanField(label=_("Remove the avatar"), required=False)
    header = forms.FileField(
        label=_("Header picture"),
        required=False,
        help_text=_("Shown across the top of your profile (1500 x 500 pixels)."),
        widget=forms.ClearableFileInput(attrs={"accept": IMAGE_ACCEPT}),
    )
    remove_header = forms.BooleanField(label=_("Remove the header picture"), required=False)
