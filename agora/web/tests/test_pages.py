"""The web app's pages and forms through Django's test client.

What a person sees, and what their input does.
"""

from __future__ import annotations

import re
from collections.abc import Callable

import pytest
from django.test import Client
from django.urls import reverse

from agora.accounts import services as account_services
from agora.accounts.models import Follow, FollowRequest, User
from agora.accounts.tests.factories import DEFAULT_PASSWORD, UserFactory
from agora.notifications.models import Notification
from agora.posts import services as post_services
from agora.posts.models import Like, Post, PostEdit, Tombstone

pytestmark = pytest.mark.django_db


def logged_in(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_sign_up_logs_in_and_requires_accepting_the_terms() -> None:
    client = Client()
    response = client.post(
        reverse("web:signup"),
        {"username": "newbie", "email": "newbie@example.org", "password": "a long and good password"},
    )
    assert response.status_code == 200
    assert "You must accept the rules and terms" in response.content.decode()
    assert not User.objects.filter(username="newbie").exists()

    response = client.post(
        reverse("web:signup"),
        {
            "username": "newbie",
            "email": "newbie@example.org",
            "password": "a long and good password",
            "accepted_terms": "on",
        },
    )
    assert response.status_code == 302
    user = User.objects.get(username="newbie")
    assert user.terms_accepted_at is not None
    assert client.get(reverse("web:home")).status_code == 200


@pytest.mark.parametrize(
    ("data", "field_message"),
    [
        ({"username": "bad name!"}, "letters, digits or underscores"),
        ({"username": "ADMIN"}, "reserved"),
        ({"username": "Taken"}, "taken"),
        ({"email": "TAKEN@example.org"}, "e-mail address exists"),
        ({"email": "not-an-email"}, "valid email"),
        ({"password": "password123"}, "too common"),
    ],
)
def test_sign_up_shows_form_errors_never_a_server_error(data: dict[str, str], field_message: str) -> None:
    UserFactory(username="taken", email="taken@example.org")
    form = {
        "username": "fresh",
        "email": "fresh@example.org",
        "password": "a long and good password",
        "accepted_terms": "on",
        **data,
    }
    response = Client().post(reverse("web:signup"), form)
    assert response.status_code == 200
    assert field_message.lower() in response.content.decode().lower()


def test_log_in_with_username_or_email_and_log_out() -> None:
    UserFactory(username="Mixed", email="mixed@example.org")
    for identifier in ("mixed", "@Mixed", "MIXED@example.org"):
        client = Client()
        response = client.post(reverse("web:login"), {"username": identifier, "password": DEFAULT_PASSWORD})
        assert response.status_code == 302, identifier
        assert client.get(reverse("web:notifications")).status_code == 200
        client.post(reverse("web:logout"))
        assert client.get(reverse("web:notifications")).status_code == 302
    response = Client().post(reverse("web:login"), {"username": "mixed", "password": "wrong"})
    assert "not right" in response.content.decode()


def test_log_in_redirects_only_to_this_site() -> None:
    UserFactory(username="safe")
    response = Client().post(
        reverse("web:login"),
        {"username": "safe", "password": DEFAULT_PASSWORD, "next": "https://evil.example/"},
    )
    assert response["Location"] == reverse("web:home")


def test_compose_publishes_and_renders_links_mentions_and_hashtags(alice: User, bob: User) -> None:
    client = logged_in(alice)
    response = client.post(
        reverse("web:compose"),
        {"text": "Hi @bob, see https://example.org/x. #News <b>bold</b>", "visibility": "public"},
    )
    assert response.status_code == 302
    html = client.get(reverse("web:public")).content.decode()
    assert 'href="/@bob"' in html
    assert 'href="/tags/news"' in html
    assert 'href="https://example.org/x"' in html
    assert "&lt;b&gt;bold&lt;/b&gt;" in html
    assert "<b>bold</b>" not in html


def test_compose_rejects_too_long_and_empty_posts_with_a_form_error(alice: User) -> None:
    client = logged_in(alice)
    response = client.post(reverse("web:compose"), {"text": "x" * 1001, "visibility": "public"})
    assert response.status_code == 200
    assert "1000" in response.content.decode()
    response = client.post(reverse("web:compose"), {"text": "   ", "visibility": "public"})
    assert response.status_code == 200
    response = client.post(reverse("web:compose"), {"text": "fine", "visibility": "everyone-ever"})
    assert response.status_code == 200
    assert not Post.objects.exists()


def test_a_thousand_multibyte_characters_fit_in_a_post(alice: User) -> None:
    client = logged_in(alice)
    response = client.post(reverse("web:compose"), {"text": "ü" * 999 + "😀", "visibility": "public"})
    assert response.status_code == 302
    assert Post.objects.get().text.endswith("😀")


def test_reply_from_thread_page_lands_in_thread(alice: User, bob: User) -> None:
    root = post_services.create_post(author=bob, text="Root post")
    client = logged_in(alice)
    thread_url = reverse("web:thread", kwargs={"username": "bob", "post_id": root.pk})
    page = client.get(thread_url).content.decode()
    assert "@bob " in page  # the reply box starts addressed to the author
    response = client.post(
        reverse("web:compose"), {"text": "@bob a reply", "visibility": "public", "in_reply_to": root.pk}
    )
    assert response["Location"] == thread_url
    assert "a reply" in client.get(thread_url).content.decode()


def test_edit_keeps_visible_history(alice: User) -> None:
    post = post_services.create_post(author=alice, text="first version")
    client = logged_in(alice)
    client.post(reverse("web:edit_post", kwargs={"post_id": post.pk}), {"text": "second version"})
    assert PostEdit.objects.filter(post=post, text="first version").exists()
    history = Client().get(reverse("web:post_history", kwargs={"username": "alice", "post_id": post.pk}))
    assert "first version" in history.content.decode()
    assert "second version" in history.content.decode()
    thread = Client().get(reverse("web:thread", kwargs={"username": "alice", "post_id": post.pk}))
    assert "edited" in thread.content.decode()


def test_only_the_author_can_edit_or_delete(alice: User, bob: User) -> None:
    post = post_services.create_post(author=alice, text="mine")
    client = logged_in(bob)
    assert client.get(reverse("web:edit_post", kwargs={"post_id": post.pk})).status_code == 404
    assert client.post(reverse("web:delete_post", kwargs={"post_id": post.pk})).status_code == 404
    assert Post.objects.filter(pk=post.pk).exists()


def test_delete_post_removes_it_for_real(alice: User) -> None:
    post = post_services.create_post(author=alice, text="regret")
    client = logged_in(alice)
    response = client.post(reverse("web:delete_post", kwargs={"post_id": post.pk}))
    assert response.status_code == 302
    assert not Post.objects.filter(pk=post.pk).exists()
    assert Tombstone.objects.filter(pk=post.pk).exists()
    assert (
        client.get(reverse("web:thread", kwargs={"username": "alice", "post_id": post.pk})).status_code == 404
    )


def test_like_and_repost_with_htmx_return_the_updated_buttons(
    alice: User, bob: User, run_on_commit: Callable
) -> None:
    post = post_services.create_post(author=bob, text="like me")
    client = logged_in(alice)
    with run_on_commit():
        response = client.post(
            reverse("web:post_action", kwargs={"post_id": post.pk, "action": "like"}), HTTP_HX_REQUEST="true"
        )
    assert response.status_code == 200
    assert 'aria-label="Unlike"' in response.content.decode()
    assert Like.objects.filter(user=alice, post=post).exists()
    with run_on_commit():
        response = client.post(
            reverse("web:post_action", kwargs={"post_id": post.pk, "action": "repost"}),
            HTTP_HX_REQUEST="true",
        )
    assert 'aria-label="Undo repost"' in response.content.decode()
    assert set(Notification.objects.filter(recipient=bob).values_list("kind", flat=True)) == {
        "like",
        "repost",
    }
    # Without JavaScript the same forms post and come back to the page.
    response = client.post(
        reverse("web:post_action", kwargs={"post_id": post.pk, "action": "unlike"}), HTTP_REFERER="/public"
    )
    assert response.status_code == 302
    assert response["Location"] == "/public"
    assert not Like.objects.filter(user=alice, post=post).exists()


def test_followers_only_post_cannot_be_reposted(alice: User, bob: User) -> None:
    account_services.follow(follower=alice, target=bob)
    post = post_services.create_post(author=bob, text="just friends", visibility="followers")
    client = logged_in(alice)
    response = client.post(reverse("web:post_action", kwargs={"post_id": post.pk, "action": "repost"}))
    assert response.status_code == 302
    assert not Post.objects.filter(repost_of=post).exists()


def test_locked_account_approves_follow_request(alice: User, run_on_commit: Callable) -> None:
    locked = UserFactory(username="private", is_locked=True)
    with run_on_commit():
        logged_in(alice).post(
            reverse("web:account_action", kwargs={"username": "private", "action": "follow"})
        )
    assert FollowRequest.objects.filter(requester=alice, target=locked).exists()
    owner = logged_in(locked)
    assert "@alice" in owner.get(reverse("web:follow_requests")).content.decode()
    assert "requested to follow you" in owner.get(reverse("web:notifications")).content.decode()
    owner.post(reverse("web:account_action", kwargs={"username": "alice", "action": "approve"}))
    assert Follow.objects.filter(follower=alice, followee=locked).exists()


def test_block_and_unblock_from_profile(alice: User, bob: User) -> None:
    account_services.follow(follower=bob, target=alice)
    client = logged_in(alice)
    client.post(reverse("web:account_action", kwargs={"username": "bob", "action": "block"}))
    assert not Follow.objects.filter(follower=bob, followee=alice).exists()
    assert "@bob" in client.get(reverse("web:settings_relationships")).content.decode()
    client.post(reverse("web:account_action", kwargs={"username": "bob", "action": "unblock"}))
    assert logged_in(bob).get(reverse("web:profile", kwargs={"username": "alice"})).status_code == 200


def test_unknown_account_action_is_404(alice: User, bob: User) -> None:
    response = logged_in(alice).post("/@bob/explode")
    assert response.status_code == 404


def test_profile_settings_save_links_and_show_them(alice: User) -> None:
    client = logged_in(alice)
    response = client.post(
        reverse("web:settings_profile"),
        {
            "display_name": "Alice A.",
            "bio": "Hello #bio",
            "field_0_name": "Website",
            "field_0_value": "https://alice.example",
            "field_1_name": "Pronouns",
            "field_1_value": "she/her",
        },
    )
    assert response.status_code == 302
    profile = client.get(reverse("web:profile", kwargs={"username": "alice"})).content.decode()
    assert "Alice A." in profile
    assert 'href="https://alice.example"' in profile
    assert "she/her" in profile
    response = client.post(reverse("web:settings_profile"), {"field_0_name": "Label without value"})
    assert response.status_code == 200
    assert "needs both" in response.content.decode()


def test_change_password_keeps_the_session(alice: User) -> None:
    client = logged_in(alice)
    response = client.post(
        reverse("web:settings_password"),
        {"old_password": DEFAULT_PASSWORD, "new_password": "an even better password"},
    )
    assert response.status_code == 302
    alice.refresh_from_db()
    assert alice.check_password("an even better password")
    assert client.get(reverse("web:notifications")).status_code == 200
    response = client.post(
        reverse("web:settings_password"), {"old_password": "wrong", "new_password": "whatever it is 123"}
    )
    assert "incorrectly" in response.content.decode()


def test_delete_account_needs_password_and_deletes_everything(alice: User, bob: User) -> None:
    post = post_services.create_post(author=alice, text="bye")
    account_services.follow(follower=alice, target=bob)
    post_services.like(user=bob, post=post)
    client = logged_in(alice)
    response = client.post(reverse("web:settings_delete"), {"password": "wrong", "confirm": "on"})
    assert response.status_code == 200
    assert User.objects.filter(pk=alice.pk).exists()
    response = client.post(reverse("web:settings_delete"), {"password": DEFAULT_PASSWORD, "confirm": "on"})
    assert response.status_code == 302
    assert not User.objects.filter(pk=alice.pk).exists()
    assert not Post.objects.filter(pk=post.pk).exists()
    assert not Follow.objects.filter(followee=bob).exists()
    bob.refresh_from_db()
    assert bob.followers_count == 0


def test_language_preference_overrides_the_browser(alice: User) -> None:
    client = logged_in(alice)
    client.post(reverse("web:settings_preferences"), {"language": "de"})
    alice.refresh_from_db()
    assert alice.language == "de"
    response = client.get(reverse("web:public"), HTTP_ACCEPT_LANGUAGE="en")
    assert response["Content-Language"] == "de"
    response = client.post(reverse("web:settings_preferences"), {"language": "klingon"})
    assert response.status_code == 200


def test_timeline_pages_with_cursor_and_htmx_fragment(alice: User) -> None:
    for number in range(25):
        post_services.create_post(author=alice, text=f"numbered post {number:02d}")
    client = Client()
    first = client.get(reverse("web:public")).content.decode()
    assert "numbered post 24" in first and "numbered post 05" in first and "numbered post 04" not in first
    cursor = re.search(r'href="\?before=([0-9a-f-]{36})"', first)
    assert cursor is not None
    fragment = client.get(f"{reverse('web:public')}?before={cursor.group(1)}", HTTP_HX_REQUEST="true")
    body = fragment.content.decode()
    assert "<html" not in body
    assert "numbered post 04" in body and "numbered post 00" in body and "numbered post 05" not in body
    assert client.get(f"{reverse('web:public')}?before=garbage").status_code == 200


def test_notifications_page_marks_read_and_badge_counts(
    alice: User, bob: User, run_on_commit: Callable
) -> None:
    with run_on_commit():
        account_services.follow(follower=bob, target=alice)
    client = logged_in(alice)
    assert '<span class="badge"' in client.get(reverse("web:public")).content.decode()
    page = client.get(reverse("web:notifications")).content.decode()
    assert "followed you" in page
    assert '<span class="badge"' not in client.get(reverse("web:public")).content.decode()


def test_no_sequential_integer_appears_in_any_link(alice: User, bob: User, run_on_commit: Callable) -> None:
    with run_on_commit():
        account_services.follow(follower=alice, target=bob)
        post = post_services.create_post(author=bob, text="hello @alice #topic")
        post_services.like(user=alice, post=post)
        post_services.create_post(author=alice, text="@bob reply", in_reply_to=post)
    client = logged_in(alice)
    pages = [
        reverse("web:home"),
        reverse("web:public"),
        reverse("web:notifications"),
        reverse("web:profile", kwargs={"username": "bob"}),
        reverse("web:thread", kwargs={"username": "bob", "post_id": post.pk}),
        reverse("web:hashtag", kwargs={"tag": "topic"}),
    ]
    for url in pages:
        html = client.get(url).content.decode()
        for link in re.findall(r'(?:href|action|hx-post|hx-get)="([^"]+)"', html):
            for segment in re.split(r"[/?=&#]", link):
                assert not segment.isdigit(), f"{link} on {url}"
