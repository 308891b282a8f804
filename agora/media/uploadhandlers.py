"""An upload handler that stops reading a file once it is larger than any media Agora accepts.

Django would otherwise spool any size of upload to a temporary file before a view can look at it; this cuts
the transfer off early, so an oversized or endless upload cannot fill the disk. (A reverse proxy's body limit,
e.g. nginx's client_max_body_size, is the first line; this is the second.)
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.files.uploadhandler import FileUploadHandler, StopUpload

# Multipart framing and form fields on top of the files themselves.
SLACK_BYTES = 64 * 1024


def largest_allowed_file() -> int:
    return max(settings.AGORA_MEDIA_MAX_IMAGE_BYTES, settings.AGORA_MEDIA_MAX_VIDEO_BYTES)


class SizeLimitedUploadHandler(FileUploadHandler):
    """First in FILE_UPLOAD_HANDLERS: counts each file's bytes and stops the upload past the limit, marking
    the request (`request.upload_too_large`) so that views can say why the file is missing.
    """

    received = 0

    def new_file(self, *args: Any, **kwargs: Any) -> None:
        super().new_file(*args, **kwargs)
        self.received = 0

    def receive_data_chunk(self, raw_data: bytes, start: int) -> bytes:
        self.received += len(raw_data)
        if self.received > largest_allowed_file() + SLACK_BYTES:
            if self.request is not None:
                self.request.upload_too_large = True  # type: ignore[attr-defined]
            raise StopUpload(connection_reset=True)
        return raw_data

    def file_complete(self, file_size: int) -> None:
        return None
