"""Template helpers for media: the composer's attachment slots, profile pictures."""

from __future__ import annotations

from django import forms, template

from agora.accounts.models import User
from agora.media import selectors
from agora.media.forms import attachment_slots as _attachment_slots
from agora.media.models import MediaFile

register = template.Library()


@register.filter
def attachment_slots(form: forms.Form) -> list[tuple[forms.BoundField, forms.BoundField]]:
    return _attachment_slots(form)


@register.simple_tag
def profile_images(account: User) -> dict[str, MediaFile]:
    """`{% profile_images account as images %}`: the account's avatar and header files, if any."""
    return selectors.profile_images(account)
