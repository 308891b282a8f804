"""The remembered web paths statuses and accounts link to answer exactly as reverse() does."""

from __future__ import annotations

import uuid

from django.urls import reverse, set_script_prefix

from agora.api.serializers import web_path


def test_web_paths_match_reverse_for_profiles_threads_and_hashtags() -> None:
    post_id = uuid.uuid4()
    assert web_path("web:profile", username="alice") == reverse("web:profile", kwargs={"username": "alice"})
    assert web_path("web:thread", username="alice", post_id=post_id) == reverse(
        "web:thread", kwargs={"username": "alice", "post_id": post_id}
    )
    for tag in ("agora", "Straße", "東京"):
        assert web_path("web:hashtag", tag=tag) == reverse("web:hashtag", kwargs={"tag": tag})
    assert web_path("web:profile", username="bob") != web_path("web:profile", username="alice")


def test_web_paths_follow_the_script_prefix() -> None:
    plain = web_path("web:profile", username="alice")
    set_script_prefix("/social/")
    try:
        prefixed = web_path("web:profile", username="alice")
        assert prefixed == reverse("web:profile", kwargs={"username": "alice"})
        assert prefixed.startswith("/social/") and prefixed != plain
    finally:
        set_script_prefix("/")
    assert web_path("web:profile", username="alice") == plain
