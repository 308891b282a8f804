"""Template helpers for posts and accounts; post text goes through the one renderer in agora.posts.text."""

from __future__ import annotations

from django import template
from django.urls import reverse
from django.utils.safestring import SafeString, mark_safe

from agora.accounts.models import User
from agora.accounts.services import is_web_link
from agora.posts.models import Post
from agora.posts.text import render_post_html

register = template.Library()


@register.filter
def post_html(post: Post) -> SafeString:
    """The post's text as safe HTML, linking only accounts the post really mentions."""
    mentioned = {user.username.lower(): user.username for user in post.mentions.all()}
    mentioned[post.author.username.lower()] = post.author.username

    def mention_url(username: str) -> str | None:
        stored = mentioned.get(username.lower())
        return reverse("web:profile", kwargs={"username": stored}) if stored else None

    def hashtag_url(tag: str) -> str:
        return reverse("web:hashtag", kwargs={"tag": tag})

    return mark_safe(render_post_html(post.text, mention_url=mention_url, hashtag_url=hashtag_url))


@register.filter
def bio_html(account: User) -> SafeString:
    """A bio renders like post text: links and hashtags, no HTML of its own."""
    return mark_safe(
        render_post_html(
            account.bio,
            mention_url=lambda username: reverse("web:profile", kwargs={"username": username}),
            hashtag_url=lambda tag: reverse("web:hashtag", kwargs={"tag": tag}),
        )
    )


@register.filter
def is_link(value: str) -> bool:
    return is_web_link(value)


@register.filter
def initial(account: User) -> str:
    return (account.display_name or account.username)[:1].upper()


@register.filter
def avatar_hue(account: User) -> int:
    """A stable colour per account for the letter avatar (until media uploads bring pictures)."""
    return account.pk.int % 360 if account.pk else 0


@register.simple_tag
def thread_url(post: Post) -> str:
    return reverse("web:thread", kwargs={"username": post.author.username, "post_id": post.pk})
