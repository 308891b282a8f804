"""Post rows for selector and timeline tests. Written directly, so text is not parsed (pass `mentions=[...]`
to link mentioned accounts) and counters are not maintained; tests about those go through the services.
"""

from __future__ import annotations

from typing import Any

import factory

from agora.accounts.tests.factories import UserFactory
from agora.posts.models import Like, Mention, ModerationState, Post, Visibility


class PostFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Post
        skip_postgeneration_save = True

    author = factory.SubFactory(UserFactory)
    text = factory.Sequence(lambda n: f"Post number {n}")
    visibility = Visibility.PUBLIC
    moderation_state = ModerationState.PUBLISHED

    @classmethod
    def _create(cls, model_class: type[Post], *args: Any, **kwargs: Any) -> Post:
        post = model_class(*args, **kwargs)
        if post.conversation_id is None and post.repost_of_id is None:
            # As create_post does: a thread is named after its first post.
            parent = post.in_reply_to
            post.conversation_id = (parent.conversation_id or parent.pk) if parent is not None else post.pk
        post.save()
        return post

    @factory.post_generation
    def mentions(self, create: bool, extracted: list[Any] | None, **kwargs: Any) -> None:
        if create and extracted:
            Mention.objects.bulk_create([Mention(post=self, user=user) for user in extracted])


class RepostFactory(PostFactory):
    """A repost of `repost_of` by `author`, with the original's visibility as the service sets it."""

    text = ""
    repost_of = factory.SubFactory(PostFactory)
    visibility = factory.LazyAttribute(lambda repost: repost.repost_of.visibility)


class LikeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Like

    user = factory.SubFactory(UserFactory)
    post = factory.SubFactory(PostFactory)
