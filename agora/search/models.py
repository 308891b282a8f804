"""Search and explore: the full-text index of posts, followed hashtags, and moderators' review of trends.

The index holds only what is needed to *find* a post (its words); who may see it is decided at query time by
the one visibility rule, so a post that is held, limited or removed later needs no re-indexing.
"""

from __future__ import annotations

from django.conf import settings
from django.contrib.postgres.search import SearchVectorField
from django.db import models
from django.utils.translation import gettext_lazy as _

from agora.core.models import AgoraModel
from agora.posts.models import Hashtag, Post


class PostSearchDocument(models.Model):
    """A post's entry in the full-text index.

    The integer id never leaves the server: it is the rowid of the post's row in the SQLite FTS5 table
    `search_post_fts` (which a trigger empties when this row goes, so deleting a post, or its author,
    removes it from the index at once). On PostgreSQL `vector` holds the tsvector (GIN-indexed); on SQLite
    the column stays empty.
    """

    id = models.BigAutoField(primary_key=True)
    post = models.OneToOneField(Post, on_delete=models.CASCADE, related_name="search_document")
    # The text search configuration the post was stemmed with: german, english or simple.
    config = models.CharField(max_length=16, default="simple")
    vector = SearchVectorField(null=True)
    indexed_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return f"Index entry of {self.post_id}"


class FollowedHashtag(AgoraModel):
    """A hashtag whose public posts appear in the user's home timeline."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="followed_hashtags"
    )
    hashtag = models.ForeignKey(Hashtag, on_delete=models.CASCADE, related_name="followers")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "hashtag"], name="unique_followed_hashtag")]

    def __str__(self) -> str:
        return f"{self.user_id} follows #{self.hashtag_id}"


class Link(AgoraModel):
    """A web address shared in posts, normalised (see `agora.search.links`), for trending links."""

    url = models.URLField(max_length=2000)
    # The URL itself can be longer than an index entry may be; its SHA-256 keeps it unique.
    url_hash = models.CharField(max_length=64, unique=True)
    domain = models.CharField(max_length=253)
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return self.url


class PostLink(models.Model):
    """A link in a post's text. Written with the post's index entry; goes with the post."""

    post = models.ForeignKey(Post, on_delete=models.CASCADE, related_name="shared_links")
    link = models.ForeignKey(Link, on_delete=models.CASCADE, related_name="post_links")

    class Meta:
        constraints = [models.UniqueConstraint(fields=["post", "link"], name="unique_post_link")]

    def __str__(self) -> str:
        return f"{self.link_id} in {self.post_id}"


class TrendReview(AgoraModel):
    """A moderator's verdict on a trending hashtag, post or link: approved (may trend) or hidden (never
    trends)."""

    class Status(models.TextChoices):
        APPROVED = "approved", _("Approved")
        HIDDEN = "hidden", _("Hidden")

    hashtag = models.OneToOneField(
        Hashtag, null=True, blank=True, on_delete=models.CASCADE, related_name="trend_review"
    )
    post = models.OneToOneField(
        Post, null=True, blank=True, on_delete=models.CASCADE, related_name="trend_review"
    )
    link = models.OneToOneField(
        Link, null=True, blank=True, on_delete=models.CASCADE, related_name="trend_review"
    )
    status = models.CharField(max_length=16, choices=Status.choices)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    reviewed_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=models.Q(hashtag__isnull=False, post__isnull=True, link__isnull=True)
                | models.Q(hashtag__isnull=True, post__isnull=False, link__isnull=True)
                | models.Q(hashtag__isnull=True, post__isnull=True, link__isnull=False),
                name="trend_review_one_subject",
            )
        ]

    def __str__(self) -> str:
        return f"{self.status}: {self.hashtag_id or self.post_id or self.link_id}"


class TrendSettings(models.Model):
    """The instance's trend policy (one row). With `review_first`, only approved tags, posts and links
    trend."""

    review_first = models.BooleanField(
        _("review trends first"),
        default=False,
        help_text=_("Only hashtags, posts and links a moderator approved appear in trends."),
    )

    def __str__(self) -> str:
        return "Trend settings"

    @classmethod
    def current(cls) -> TrendSettings:
        settings_row, _created = cls.objects.get_or_create(pk=1)
        return settings_row
