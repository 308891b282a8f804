"""Validation of account names, shared by models, forms and the post-text parser."""

from __future__ import annotations

from django.core.validators import RegexValidator
from django.utils.translation import gettext_lazy as _

USERNAME_PATTERN = r"[A-Za-z0-9_]{1,30}"

username_validator = RegexValidator(
    regex=rf"^{USERNAME_PATTERN}\Z",
    message=_("Use 1 to 30 letters, digits or underscores."),
)
