"""Errors that services raise and every entry point (web, API, commands) translates the same way.

Bad input is a `django.core.exceptions.ValidationError`; these two cover the rest.
"""


class NotFound(Exception):
    """The thing does not exist, or the acting user may not see it (the two must look the same)."""


class NotAllowed(Exception):
    """The acting user may see the thing but may not do this to it."""
