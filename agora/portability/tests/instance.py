"""A throwaway Agora instance driven from the backup tests: each call runs in its own process with its own
data folder and database (AGORA_DATA_DIR, DATABASE_URL), as a real server and `agora backup` would.

    python -m agora.portability.tests.instance setup | write STOP COUNT | facts
"""

from __future__ import annotations

import hashlib
import json
import os
import sys
import time
from pathlib import Path
from typing import Any


def _django() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "agora.settings")
    import django

    django.setup()


def setup() -> None:
    """Migrate, seed a small community, and give alice pictures and a writer to follow."""
    from django.core.files.uploadedfile import SimpleUploadedFile
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    with open(os.devnull, "w") as quiet:
        call_command("seed", users=15, posts=80, seed=11, verbosity=0, stdout=quiet, stderr=quiet)
    from agora.accounts import services as accounts
    from agora.accounts.models import User
    from agora.media import services as media
    from agora.media.tests.samples import jpeg_with_gps, png_with_xmp_location
    from agora.posts.services import create_post

    alice = accounts.register_user(
        username="alice", email="alice@example.org", password="a long password", accepted_terms=True
    )
    writer = accounts.register_user(
        username="writer", email="writer@example.org", password="a long password", accepted_terms=True
    )
    accounts.follow(follower=alice, target=writer)
    for other in User.objects.exclude(pk__in=[alice.pk, writer.pk])[:8]:
        accounts.follow(follower=alice, target=other)
    for n, sample in enumerate([jpeg_with_gps(), png_with_xmp_location(), jpeg_with_gps((400, 300), 1)]):
        kind = "image/png" if sample[:4] == b"\x89PNG" else "image/jpeg"
        uploads = media.upload_post_media(
            owner=alice, uploads=[(SimpleUploadedFile(f"p{n}.img", sample, kind), f"picture {n}")]
        )
        create_post(author=alice, text=f"picture {n}", media_ids=[upload.pk for upload in uploads])


def write(stop: str, count: str) -> None:
    """Post as `writer` until the file `stop` exists, recording how many posts were written in `count`."""
    from agora.accounts.models import User
    from agora.posts.services import create_post

    writer = User.objects.get(username="writer")
    written = 0
    while not Path(stop).exists():
        create_post(author=writer, text=f"live post {written}")
        written += 1
        # Replaced in one step, so that the test never reads a half-written number.
        Path(count + ".tmp").write_text(str(written))
        os.replace(count + ".tmp", count)
        time.sleep(0.005)


def facts() -> dict[str, Any]:
    """What the tests compare: every table's row count, alice's whole home timeline, media checksums."""
    from django.core.files.storage import default_storage

    from agora.accounts.models import User
    from agora.media.models import MediaFile
    from agora.portability.backup import current_counts
    from agora.timelines.selectors import home_timeline

    alice = User.objects.get(username="alice")
    timeline: list[str] = []
    cursor = None
    while True:
        page = home_timeline(alice, before=cursor)
        timeline.extend(str(post.pk) for post in page)
        if page.next_cursor is None:
            break
        cursor = page.next_cursor
    media = {}
    for name in MediaFile.objects.values_list("storage_name", flat=True):
        with default_storage.open(name, "rb") as handle:
            media[name] = hashlib.sha256(handle.read()).hexdigest()
    from agora.posts.models import Post

    return {
        "tables": current_counts(),
        "home_timeline": timeline,
        "media": media,
        "writer_posts": [
            str(pk) for pk in Post.objects.filter(author__username="writer").values_list("pk", flat=True)
        ],
    }


if __name__ == "__main__":
    _django()
    command = sys.argv[1]
    if command == "setup":
        setup()
    elif command == "write":
        write(sys.argv[2], sys.argv[3])
    elif command == "facts":
        print(json.dumps(facts()))
