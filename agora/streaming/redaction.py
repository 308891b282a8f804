"""Keep access tokens out of server logs: streaming clients may send theirs in the query string
(`?access_token=...`, as Mastodon allows), which the ASGI server's access and connection logs would print."""

from __future__ import annotations

import logging
import re

_TOKEN = re.compile(r"(access_token=)[^&\s\"']+")
LOGGERS = ("uvicorn.access", "uvicorn.error", "gunicorn.access", "django.request")


class RedactAccessTokens(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        if "access_token=" in message:
            record.msg = _TOKEN.sub(r"\1[redacted]", message)
            record.args = ()
        return True


def install() -> None:
    for name in LOGGERS:
        logger = logging.getLogger(name)
        if not any(isinstance(existing, RedactAccessTokens) for existing in logger.filters):
            logger.addFilter(RedactAccessTokens())
