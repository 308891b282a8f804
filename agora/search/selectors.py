"""Rule-bearing reads of search and explore: posts, accounts and hashtags by query, trends, followed hashtags.

Search never widens what a viewer may see: every post result passes the one visibility rule
(`agora.posts.selectors.visible_posts_for`), and on top of it search is narrower than a timeline:

- only published posts, and no unlisted ones (held, limited and removed posts do not show; an author finds
  their own posts whatever their state);
- posts of accounts that opted out of search (`User.discoverable`) are found only by their author and by the
  people they mention; opted-out accounts are found only by themselves and the accounts following them;
- muted accounts' posts are left out, as in timelines;
- logged-out visitors can search accounts and hashtags, not post text (search must not be a scraping tool);
- one query reaches at most MAX_RESULTS posts (deep paging is capped).

Moderators use `moderator_search_posts`, which covers everything, instead.
"""

from __future__ import annotations

import math
import uuid
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any

from django.conf import settings
from django.core.signing import BadSignature, Signer
from django.db import connection
from django.db.models import (
    BooleanField,
    Case,
    Count,
    Exists,
    F,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Value,
    When,
)
from django.db.models.expressions import RawSQL
from django.db.models.functions import Lower
from django.utils import timezone
from django.utils.translation import gettext as _

from agora.accounts.models import User
from agora.accounts.selectors import (
    blocked_user_ids,
    blocker_user_ids,
    followed_user_ids,
    is_anonymous,
)
from agora.core.exceptions import NotAllowed
from agora.posts.models import Hashtag, Like, Mention, ModerationState, Post, PostHashtag, Visibility
from agora.posts.selectors import visible_posts_for, with_display_relations, without_muted
from agora.search.backends import TextQuery, get_backend
from agora.search.models import FollowedHashtag, Link, PostLink, TrendReview, TrendSettings
from agora.search.query import ParsedQuery, parse_query, words_of
from agora.search.ranking import text_scores

# Twenty pages of twenty: enough to find something, too little to walk the archive with one query.
MAX_RESULTS = 400
MAX_ACCOUNT_RESULTS = 100
# A page reads at most SEARCH_WINDOW * SEARCH_WINDOWS matching ids, in windows growing from FIRST_WINDOW (see
# _findable_newest_first): relevance ranks what the windows yield.
SEARCH_WINDOW = 500
SEARCH_WINDOWS = 4
FIRST_WINDOW = 50
# Relevance fades with age: a post this many hours old counts half as much as a new one with the same words.
RECENCY_HALF_LIFE_HOURS = 72.0

ORDER_RELEVANCE = "relevance"
ORDER_NEWEST = "newest"

# Trends: how many distinct accounts must use a tag (or share a post), and how old an account must be to
# count.
TREND_MIN_ACCOUNTS = 5
TREND_MIN_ACCOUNT_AGE = timedelta(days=7)
TREND_WINDOWS = {"day": timedelta(hours=24), "week": timedelta(days=7)}


@dataclass(frozen=True)
class SearchPage:
    """One page of post results; `next_cursor` is opaque (None on the last page or at the depth cap)."""

    items: list[Post]
    next_cursor: str | None


# Posts ---------------------------------------------------------------------------------------------------


def _lowest_id_at(moment: datetime) -> uuid.UUID:
    """The smallest id a row created at `moment` can have (ids sort by creation time, see core.ids)."""
    return uuid.UUID(int=int(moment.timestamp() * 1000) << 80)


def _none() -> Q:
    return Q(pk__in=[])


def _is_local(domain: str | None) -> bool:
    return domain is None or domain == settings.AGORA_DOMAIN.lower()


def _has_media() -> Q:
    """Posts with at least one attachment. Works once the media app relates attachments to posts as
    `media_attachments`; without it no post has media."""
    try:
        relation = Post._meta.get_field("media_attachments")
    except Exception:
        return _none()
    related_model: Any = relation.related_model
    attachments = related_model.objects.filter(**{relation.field.name: OuterRef("pk")})  # type: ignore[union-attr]
    if any(field.name == "state" for field in related_model._meta.get_fields()):
        # Only processed attachments count: a post whose upload failed or is still processing shows none.
        attachments = attachments.filter(state="ready")
    return Q(Exists(attachments))


def _phrase(phrase: str) -> Q:
    return Q(text__icontains=phrase) | Q(spoiler_text__icontains=phrase)


def _account_ids(username: str) -> QuerySet[User, Any]:
    """The id of the account with this name, as a subquery using the case-insensitive unique index."""
    return (
        User.objects.annotate(name_lower=Lower("username")).filter(name_lower=username.lower()).values("id")
    )


def query_condition(parsed: ParsedQuery) -> Q:
    """Everything the query asks of a post, as one condition (no visibility: callers add the rule)."""
    backend = get_backend()
    condition = Q()
    if parsed.text_words:
        condition &= backend.matching(parsed.words, parsed.prefix, parsed.phrases)
    for word in parsed.excluded_words:
        condition &= ~backend.matching([word], None)
    return condition & _other_conditions(parsed)


def _text_query(parsed: ParsedQuery) -> TextQuery:
    return TextQuery(
        words=parsed.words, prefix=parsed.prefix, phrases=parsed.phrases, excluded=parsed.excluded_words
    )


def _other_conditions(parsed: ParsedQuery, *, skip_hashtag: str | None = None) -> Q:
    """What the query asks of a post besides the words the index matches (and excludes), and besides the
    hashtag `skip_hashtag` when the caller reads that tag's posts itself."""
    condition = Q()
    for phrase in parsed.phrases:
        # The engines match the phrase's words in a row; the text must also hold it as written.
        condition &= _phrase(phrase)
    for tag in parsed.hashtags:
        if tag == skip_hashtag:
            continue
        # An IN over the tag's links walks the hashtag index instead of testing every post.
        condition &= Q(pk__in=PostHashtag.objects.filter(hashtag__name=tag).values("post_id"))
    for tag in parsed.excluded_hashtags:
        condition &= ~Q(Exists(PostHashtag.objects.filter(post_id=OuterRef("pk"), hashtag__name=tag)))
    for username, domain in parsed.mentions:
        if not _is_local(domain):
            return _none()  # no federation yet: nobody here mentions remote accounts
        condition &= Q(pk__in=Mention.objects.filter(user_id__in=_account_ids(username)).values("post_id"))
    for username, domain in parsed.authors:
        if not _is_local(domain):
            return _none()
        condition &= Q(author_id__in=_account_ids(username))
    if parsed.has_media:
        condition &= _has_media()
    if parsed.before is not None:
        condition &= Q(created_at__lt=datetime(*parsed.before.timetuple()[:3], tzinfo=UTC))
    if parsed.after is not None:
        day_after = parsed.after + timedelta(days=1)
        condition &= Q(created_at__gte=datetime(*day_after.timetuple()[:3], tzinfo=UTC))
    for phrase in parsed.excluded_phrases:
        condition &= ~_phrase(phrase)
    return condition


def search_rule(viewer: User) -> Q:
    """What search adds to the visibility rule for a logged-in viewer (see the module docstring)."""
    own = Q(author_id=viewer.pk)
    mentioned = Q(Exists(Mention.objects.filter(post_id=OuterRef("pk"), user_id=viewer.pk)))
    listed = Q(moderation_state=ModerationState.PUBLISHED) & ~Q(visibility=Visibility.UNLISTED)
    return own | (listed & (Q(author__discoverable=True) | mentioned))


def _parse(query: str | ParsedQuery) -> ParsedQuery:
    return query if isinstance(query, ParsedQuery) else parse_query(query)


def _require_viewer(viewer: User | None) -> User:
    if is_anonymous(viewer):
        raise NotAllowed(
            _("Log in to search posts. Hashtags and accounts can be searched without an account.")
        )
    assert viewer is not None
    return viewer


def _matching_posts(parsed: ParsedQuery) -> QuerySet[Post]:
    """Posts (not reposts) that match the query, before any rule about who may see them."""
    if parsed.is_empty:
        return Post.objects.none()
    return Post.objects.filter(repost_of__isnull=True).filter(query_condition(parsed))


def _findable(viewer: User, posts: QuerySet[Post]) -> QuerySet[Post]:
    """The visibility rule, search's own rule and mutes, applied to `posts`."""
    return without_muted(viewer, visible_posts_for(viewer, posts).filter(search_rule(viewer)))


def searchable_posts(viewer: User | None, query: str | ParsedQuery) -> QuerySet[Post]:
    """The posts matching the query that the viewer may find, unordered, as one query (for counts and
    tests; pages come from `search_posts`). NotAllowed for logged-out visitors; a ValidationError for a
    malformed query."""
    return _findable(_require_viewer(viewer), _matching_posts(_parse(query)))


def _matching_window(parsed: ParsedQuery, below: uuid.UUID | None, size: int) -> list[uuid.UUID]:
    """The ids of the newest `size` posts matching the query below `below`, newest first.

    The cheapest way in depends on the query: words are found by the engine its own way (on PostgreSQL,
    see `PostgresBackend.newest_matching_ids`), given the query's other conditions as a set of posts; a
    hashtag by walking that tag's newest links; anything else by filtering posts with the whole condition.
    """
    if parsed.is_empty:
        return []
    if parsed.text_words:
        others = _other_conditions(parsed)
        posts = Post.objects.filter(others) if others else None
        found = get_backend().newest_matching_ids(_text_query(parsed), posts, below=below, limit=size)
        if found is not None:
            return found
    elif parsed.hashtags:
        # The tag's id as a constant lets the planner walk the tag's links by post id (hashtag_recent_posts)
        # instead of walking all posts and looking each one up.
        tag_id = Hashtag.objects.filter(name=parsed.hashtags[0]).values_list("id", flat=True).first()
        if tag_id is None:
            return []
        links = PostHashtag.objects.filter(hashtag_id=tag_id)
        if below is not None:
            links = links.filter(post_id__lt=below)
        others = _other_conditions(parsed, skip_hashtag=parsed.hashtags[0])
        if others:
            links = links.filter(post__in=Post.objects.filter(others).values("id"))
        return list(links.order_by("-post_id").values_list("post_id", flat=True)[:size])
    matching = _matching_posts(parsed)
    if below is not None:
        matching = matching.filter(id__lt=below)
    return list(matching.order_by("-id").values_list("id", flat=True)[:size])


def _one_of(ids: list[uuid.UUID]) -> Q:
    """Posts with these ids. On PostgreSQL as one array parameter: a thousand placeholders cost more to
    build, send and parse than the query takes to run."""
    if connection.vendor == "postgresql":
        return Q(RawSQL('"posts_post"."id" = ANY(%s::uuid[])', (ids,), output_field=BooleanField()))
    return Q(pk__in=ids)


def _findable_newest_first(
    viewer: User, parsed: ParsedQuery, *, below: uuid.UUID | None, want: int, fields: tuple[str, ...]
) -> tuple[list[tuple[Any, ...]], uuid.UUID | None]:
    """Up to `want` rows (`fields`) of matching posts the viewer may find, newest first, below `below`.

    Read like the timelines: a cheap query takes a window of matching ids from the index, the full rules run
    on that window only. So the cost is bounded however many posts match and however the planner would
    weigh the rules against the text match. The first window holds a few more matches than `want` (most
    matches are findable), each further one as many as the share found so far suggests, up to
    SEARCH_WINDOW * SEARCH_WINDOWS matches in all. Returns the rows and, when the windows ran out before
    `want` rows were found, the id to continue below (None when nothing more matches).
    """
    rows: list[tuple[Any, ...]] = []
    cursor = below
    # Reposts have no index entries, but the engines' own ways need not know that.
    findable = _findable(viewer, Post.objects.filter(repost_of__isnull=True))
    budget = SEARCH_WINDOW * SEARCH_WINDOWS
    size = min(max(want * 5 // 4, FIRST_WINDOW), budget)
    while budget > 0:
        ids = _matching_window(parsed, cursor, size)
        if not ids:
            return rows, None
        found = list(findable.filter(_one_of(ids)).order_by("-id").values_list(*fields)[: want - len(rows)])
        rows += found
        if len(rows) >= want or len(ids) < size:
            return rows, None
        cursor = ids[-1]
        budget -= size
        # The next window: enough matches for the rows still wanted, at the share of this window's matches
        # the viewer could find (and a little more).
        share = max(len(found) / len(ids), 0.05)
        size = min(max(math.ceil((want - len(rows)) / share * 1.2), FIRST_WINDOW), budget)
    return rows, cursor


_CURSOR_SIGNER = Signer(salt="agora.search.cursor")


def _encode_cursor(shown: int, last_id: uuid.UUID | None) -> str:
    """An opaque, signed cursor: a forged one cannot skip the depth cap by claiming fewer results shown."""
    return _CURSOR_SIGNER.sign(f"{shown}.{last_id or ''}")


def _decode_cursor(cursor: str | None) -> tuple[int, uuid.UUID | None]:
    """(results already shown, id to continue below); a junk or tampered cursor counts as the first page."""
    if not cursor:
        return 0, None
    try:
        shown, _dot, last = _CURSOR_SIGNER.unsign(cursor).partition(".")
        return max(int(shown), 0), (uuid.UUID(last) if last else None)
    except (BadSignature, ValueError):
        return 0, None


def search_posts(
    viewer: User | None,
    query: str | ParsedQuery,
    *,
    order: str = ORDER_RELEVANCE,
    cursor: str | None = None,
    limit: int | None = None,
) -> SearchPage:
    """One page of posts for the query, by relevance (text score fading with age) or newest first.

    Relevance ranks the newest MAX_RESULTS findable matches (among the newest SEARCH_WINDOW * SEARCH_WINDOWS
    matches); newest-first walks them by id. Either way a query reaches no further than MAX_RESULTS posts.
    """
    limit = min(limit or settings.AGORA_PAGE_SIZE, 40)
    searcher = _require_viewer(viewer)
    parsed = _parse(query)
    shown, last_id = _decode_cursor(cursor)
    if shown >= MAX_RESULTS:
        return SearchPage(items=[], next_cursor=None)
    take = min(limit, MAX_RESULTS - shown)
    if order == ORDER_NEWEST:
        rows, resume = _findable_newest_first(searcher, parsed, below=last_id, want=take + 1, fields=("id",))
        page_ids = [row[0] for row in rows[:take]]
        next_id = page_ids[-1] if len(rows) > take else resume
        has_more = next_id is not None and shown + take < MAX_RESULTS
        next_cursor = _encode_cursor(shown + len(page_ids), next_id) if has_more else None
    else:
        rows, _resume = _findable_newest_first(
            searcher,
            parsed,
            below=None,
            want=MAX_RESULTS,
            fields=("id", "created_at", "spoiler_text", "text"),
        )
        scores = text_scores(
            parsed.text_words, parsed.prefix, {row[0]: f"{row[2]}\n{row[3]}" for row in rows}
        )
        now = timezone.now()

        def rank(row: tuple[Any, ...]) -> tuple[float, uuid.UUID]:
            post_id, created_at = row[0], row[1]
            age_hours = max((now - created_at).total_seconds() / 3600, 0.0)
            decay = 1.0 / (1.0 + age_hours / RECENCY_HALF_LIFE_HOURS)
            # A post the engine matched by a stem this scorer does not know still counts a little.
            text_score = (scores.get(post_id) or 0.1) if scores else 1.0
            return text_score * decay, post_id

        ranked = sorted(rows, key=rank, reverse=True)
        page_ids = [row[0] for row in ranked[shown : shown + take]]
        next_cursor = _encode_cursor(shown + take, None) if shown + take < len(ranked) else None
    by_id = {post.pk: post for post in with_display_relations(Post.objects.filter(pk__in=page_ids), viewer)}
    return SearchPage(
        items=[by_id[post_id] for post_id in page_ids if post_id in by_id], next_cursor=next_cursor
    )


# Accounts and hashtags -----------------------------------------------------------------------------------


def findable_accounts(viewer: User | None) -> QuerySet[User]:
    """Active accounts the viewer may find: discoverable ones, plus (opted out) themselves and whom they
    follow; never across a block."""
    accounts = User.objects.filter(is_active=True)
    if is_anonymous(viewer):
        return accounts.filter(discoverable=True)
    assert viewer is not None
    return (
        accounts.filter(Q(discoverable=True) | Q(pk=viewer.pk) | Q(pk__in=followed_user_ids(viewer)))
        .exclude(pk__in=blocked_user_ids(viewer))
        .exclude(pk__in=blocker_user_ids(viewer))
    )


def search_accounts(viewer: User | None, query: str, *, limit: int = 20, offset: int = 0) -> list[User]:
    """Accounts whose username, display name or bio contain every word; exact and prefix username matches
    first, then by followers. `@name@this.domain` is a local username; other domains find nothing yet."""
    names: list[str] = []
    for token in query.split()[:6]:
        if token.startswith("@") or token.count("@") == 1:
            username, _at, domain = token.lstrip("@").partition("@")
            if domain and not _is_local(domain.lower()):
                return []
            token = username
        names += words_of(token)
    if not names or offset >= MAX_ACCOUNT_RESULTS:
        return []
    condition = Q()
    for word in names:
        word_condition = (
            Q(username__icontains=word) | Q(display_name__icontains=word) | Q(bio__icontains=word)
        )
        condition &= word_condition
    first = names[0]
    accounts = findable_accounts(viewer)
    if connection.vendor == "postgresql" and len(names) == 1 and len(first) >= 3:
        from django.contrib.postgres.search import TrigramSimilarity

        # Typos in names ("alcie") still find the account, by trigram similarity.
        accounts = accounts.annotate(similarity=TrigramSimilarity("username", first))
        condition |= Q(similarity__gt=0.4)
    accounts = accounts.filter(condition).annotate(
        name_match=Case(
            When(username__iexact=first, then=Value(0)),
            When(username__istartswith=first, then=Value(1)),
            When(display_name__istartswith=first, then=Value(2)),
            default=Value(3),
            output_field=IntegerField(),
        )
    )
    end = min(offset + limit, MAX_ACCOUNT_RESULTS)
    return list(accounts.order_by("name_match", "-followers_count", "username")[offset:end])


def _publicly_used() -> Q:
    """A hashtag that some public, published post of an active account carries (others would leak words
    from followers-only posts)."""
    return Q(
        Exists(
            PostHashtag.objects.filter(
                hashtag_id=OuterRef("pk"),
                post__visibility=Visibility.PUBLIC,
                post__moderation_state=ModerationState.PUBLISHED,
                post__author__is_active=True,
            )
        )
    )


def search_hashtags(query: str, *, limit: int = 20) -> list[Hashtag]:
    """Hashtags starting with (or else containing) the query's first word, exact match first."""
    words = words_of(query.replace("#", " "))
    if not words:
        return []
    word = words[0]
    return list(
        Hashtag.objects.filter(Q(name__startswith=word) | Q(name__contains=word))
        .filter(_publicly_used())
        .annotate(
            match=Case(
                When(name=word, then=Value(0)),
                When(name__startswith=word, then=Value(1)),
                default=Value(2),
                output_field=IntegerField(),
            )
        )
        .order_by("match", "name")[: min(limit, 40)]
    )


def followed_hashtag_ids(viewer: User) -> QuerySet[FollowedHashtag, Any]:
    return FollowedHashtag.objects.filter(user=viewer).values("hashtag_id")


def is_following_hashtag(viewer: User | None, name: str) -> bool:
    if is_anonymous(viewer):
        return False
    return FollowedHashtag.objects.filter(user=viewer, hashtag__name=name.lower()).exists()


def followed_hashtags(viewer: User) -> QuerySet[Hashtag]:
    return Hashtag.objects.filter(followers__user=viewer).order_by("name")


# Trends --------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class TrendingTag:
    hashtag: Hashtag
    accounts: int
    review: str | None


def _window(window: str) -> tuple[uuid.UUID, datetime]:
    now = timezone.now()
    since = now - TREND_WINDOWS.get(window, TREND_WINDOWS["day"])
    return _lowest_id_at(since), now - TREND_MIN_ACCOUNT_AGE


def _eligible_posts(window: str, prefix: str = "post__") -> dict[str, Any]:
    """Filters for posts that may count toward a trend: public, published, of the window, by an active,
    discoverable account older than the minimum age (`prefix` is the path from the counted model)."""
    lowest_id, joined_before = _window(window)
    return {
        f"{prefix}id__gte": lowest_id,
        f"{prefix}visibility": Visibility.PUBLIC,
        f"{prefix}moderation_state": ModerationState.PUBLISHED,
        f"{prefix}author__is_active": True,
        f"{prefix}author__discoverable": True,
        f"{prefix}author__date_joined__lt": joined_before,
    }


def _trend_rows(
    links: type[PostHashtag] | type[PostLink], subject: str, *, window: str, limit: int, for_review: bool
) -> list[tuple[Any, int, str | None]]:
    """(subject id, distinct accounts, review status) of the subjects (hashtag or link) used in the most
    eligible posts by distinct accounts, most first. Hidden subjects never trend; with "review trends
    first" only approved ones do; `for_review` (the moderators' page) lists every candidate instead."""
    field = f"{subject}_id"
    rows = list(
        links.objects.filter(**_eligible_posts(window))  # type: ignore[attr-defined]
        .values(field)
        # Distinct accounts, not posts: one account posting a tag or link fifty times counts once.
        .annotate(accounts=Count("post__author_id", distinct=True))
        .filter(accounts__gte=TREND_MIN_ACCOUNTS)
        .order_by("-accounts", field)[: 100 if for_review else limit * 3]
    )
    reviews = dict(
        TrendReview.objects.filter(**{f"{field}__in": [row[field] for row in rows]}).values_list(
            field, "status"
        )
    )
    review_first = TrendSettings.current().review_first
    trends = []
    for row in rows:
        status = reviews.get(row[field])
        hidden = status == TrendReview.Status.HIDDEN
        unapproved = review_first and status != TrendReview.Status.APPROVED
        if for_review or not (hidden or unapproved):
            trends.append((row[field], row["accounts"], status))
    return trends if for_review else trends[:limit]


def trending_hashtags(*, window: str = "day", limit: int = 10, for_review: bool = False) -> list[TrendingTag]:
    """Hashtags used by the most distinct established accounts in the window, in public published posts."""
    rows = _trend_rows(PostHashtag, "hashtag", window=window, limit=limit, for_review=for_review)
    hashtags = Hashtag.objects.in_bulk([row[0] for row in rows])
    return [
        TrendingTag(hashtag=hashtags[tag_id], accounts=accounts, review=status)
        for tag_id, accounts, status in rows
    ]


@dataclass(frozen=True)
class TrendingPost:
    post: Post
    accounts: int
    review: str | None


def _post_candidates(window: str) -> dict[uuid.UUID, int]:
    """Posts of the window by the number of distinct established accounts that liked or reposted them."""
    _lowest_id, joined_before = _window(window)
    likes = (
        Like.objects.filter(
            user__date_joined__lt=joined_before, user__is_active=True, **_eligible_posts(window)
        )
        .exclude(user_id=F("post__author_id"))
        .values("post_id")
        .annotate(accounts=Count("user_id", distinct=True))
        .filter(accounts__gte=TREND_MIN_ACCOUNTS)
    )
    counts: dict[uuid.UUID, int] = {
        row["post_id"]: row["accounts"] for row in likes.order_by("-accounts")[:200]
    }
    reposts = (
        Post.objects.filter(
            **_eligible_posts(window, "repost_of__"),
            author__date_joined__lt=joined_before,
            author__is_active=True,
        )
        .values("repost_of_id")
        .annotate(accounts=Count("author_id", distinct=True))
        .order_by("-accounts")[:200]
    )
    for row in reposts:
        counts[row["repost_of_id"]] = counts.get(row["repost_of_id"], 0) + row["accounts"]
    return {post_id: accounts for post_id, accounts in counts.items() if accounts >= TREND_MIN_ACCOUNTS}


def trending_posts(
    viewer: User | None, *, window: str = "day", limit: int = 10, for_review: bool = False
) -> list[TrendingPost]:
    """Posts the most distinct established accounts liked or reposted in the window, visible to the viewer."""
    counts = _post_candidates(window)
    reviews = dict(TrendReview.objects.filter(post_id__in=list(counts)).values_list("post_id", "status"))
    review_first = TrendSettings.current().review_first
    eligible = [
        post_id
        for post_id in counts
        if for_review
        or not (
            reviews.get(post_id) == TrendReview.Status.HIDDEN
            or (review_first and reviews.get(post_id) != TrendReview.Status.APPROVED)
        )
    ]
    posts = with_display_relations(visible_posts_for(viewer, Post.objects.filter(pk__in=eligible)), viewer)
    if not for_review:
        posts = without_muted(viewer, posts)
    ranked = sorted(posts, key=lambda post: (counts[post.pk], post.pk), reverse=True)
    return [
        TrendingPost(post=post, accounts=counts[post.pk], review=reviews.get(post.pk)) for post in ranked
    ][: (100 if for_review else limit)]


@dataclass(frozen=True)
class TrendingLink:
    link: Link
    accounts: int
    review: str | None


def trending_links(*, window: str = "day", limit: int = 10, for_review: bool = False) -> list[TrendingLink]:
    """Web addresses shared by the most distinct established accounts in the window, in public published
    posts, by the same rules as hashtags."""
    rows = _trend_rows(PostLink, "link", window=window, limit=limit, for_review=for_review)
    links = Link.objects.in_bulk([row[0] for row in rows])
    return [
        TrendingLink(link=links[link_id], accounts=accounts, review=status)
        for link_id, accounts, status in rows
    ]


# Moderators ----------------------------------------------------------------------------------------------


def moderator_search_posts(
    moderator: User,
    *,
    text: str = "",
    author: str = "",
    since: date | None = None,
    until: date | None = None,
    states: list[str] | None = None,
    screening_score: str = "",
    min_score: float | None = None,
    cursor: str | None = None,
    limit: int = 50,
) -> SearchPage:
    """Every post, whatever its state or audience, by words (the same query syntax), author, time range,
    state and screening score (posts a classifier gave at least `min_score` for `screening_score`), newest
    first. Moderators and admins only."""
    if not moderator.is_moderator:
        raise NotAllowed(_("Only moderators can search all content."))
    parsed = parse_query(text)
    posts = Post.objects.filter(repost_of__isnull=True).filter(query_condition(parsed))
    if author:
        posts = posts.filter(author_id__in=_account_ids(author.lstrip("@")))
    if since is not None:
        posts = posts.filter(created_at__gte=datetime(*since.timetuple()[:3], tzinfo=UTC))
    if until is not None:
        posts = posts.filter(
            created_at__lt=datetime(*(until + timedelta(days=1)).timetuple()[:3], tzinfo=UTC)
        )
    if states:
        posts = posts.filter(moderation_state__in=states)
    if screening_score and min_score is not None:
        from agora.moderation.models import ScreeningResult

        # Score names are the classifier's (e.g. "violence"); the form allows only word characters.
        screened = ScreeningResult.objects.filter(
            case__post_id=OuterRef("pk"), **{f"scores__{screening_score}__gte": min_score}
        )
        posts = posts.filter(Exists(screened))
    _shown, last_id = _decode_cursor(cursor)
    if last_id is not None:
        posts = posts.filter(id__lt=last_id)
    rows = list(with_display_relations(posts, moderator).order_by("-id")[: limit + 1])
    next_cursor = _encode_cursor(0, rows[limit - 1].pk) if len(rows) > limit else None
    return SearchPage(items=rows[:limit], next_cursor=next_cursor)
