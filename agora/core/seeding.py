"""Synthetic communities for demos, development and load tests: what `agora seed` builds.

A community here is accounts with English or German names and bios (a few locked, with pending follow
requests), a follower graph grown by preferential attachment (Zipf weights: a few accounts with thousands of
followers, most with a few dozen), and posts spread over the last 60 days: originals with hashtags and
@mentions, reply threads, reposts, likes, a mix of visibilities, a few content warnings, and the notifications
those would have caused.

Rows are written straight to the tables, not through the services: one service call per row would take hours
for 200,000 posts and would notify everyone now instead of at the posts' times. What the services would store
is reproduced instead:

- mentions and hashtags come from `parse_text` on the text, as in `posts.services`;
- a post's `conversation_id` is its own id, a reply's is its parent's, a repost has none (`create_post`,
  `repost`); one repost per account and post;
- notifications follow `notifications.services`: never to oneself, one per (recipient, actor, kind, post), a
  reply notifies the parent's author as a reply rather than as a mention, only about posts the recipient may
  see. Likes and follows older than two weeks notify only the demo and admin accounts, to keep the table the
  size a real instance's would be after some clean-up;
- ids come from `new_id_at`, so they sort like `created_at`;
- the denormalised counters are recounted from the rows at the end with the accounts services' helpers.

Everything random comes from one `random.Random(seed)`: a seed builds the same community again (apart from
the ids' random bits and the names it must skip because they are taken).
"""

from __future__ import annotations

import bisect
import itertools
import math
import random
import re
import sys
import uuid
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from django.conf import settings
from django.contrib.auth.hashers import make_password
from django.db import connection, models, transaction
from django.db.models.functions import Lower
from django.utils import timezone
from tqdm import tqdm

from agora.accounts.models import Follow, FollowRequest, User
from agora.accounts.services import RESERVED_USERNAMES, recount_follow_counters, recount_post_counters
from agora.core.ids import new_id_at
from agora.core.seed_vocabulary import EMOJI, ENGLISH, GERMAN, HOBBIES, Vocabulary
from agora.notifications.models import Notification
from agora.posts.models import Hashtag, Like, Mention, Post, PostHashtag, Visibility
from agora.posts.services import MAX_MENTIONS
from agora.posts.text import parse_text
from agora.search.services import reindex_all_posts

MINUTE_MS = 60_000
HOUR_MS = 60 * MINUTE_MS
DAY_MS = 24 * HOUR_MS

POST_WINDOW_MS = 60 * DAY_MS
# Likes and follows older than this notified only the demo and admin accounts (see the module docstring).
NOTIFY_WINDOW_MS = 14 * DAY_MS
# Notifications older than this have been read.
READ_AFTER_MS = 2 * DAY_MS
BATCH_SIZE = 5_000
SYNTHETIC_EMAIL_DOMAIN = "example.net"

# The follower graph: attachment weight (rank + 1) ** -ZIPF_EXPONENT + ZIPF_FLOOR / accounts; the floor keeps
# the long tail at a few dozen followers rather than a handful.
ZIPF_EXPONENT = 1.05
ZIPF_FLOOR = 2.0
MEDIAN_FOLLOWING = 20.0
MAX_FOLLOWING = 2_000
FOLLOW_BACK_SHARE = 0.25
FOLLOW_BACK_LIMIT = 200  # accounts with more followers than this do not follow back
LOCKED_SHARE = 0.04
GERMAN_SHARE = 0.4

# Of all post rows: reposts and replies; the rest are originals.
REPOST_SHARE = 0.12
REPLY_SHARE = 0.25
# Of the replies: the ones where someone answers a reply to their post, and threads continued by the author.
ANSWER_SHARE = 0.25
SELF_REPLY_SHARE = 0.12
CONTENT_WARNING_SHARE = 0.03
# The attention a post draws (its replies, reposts and likes): (1 + author's followers) ** APPEAL_EXPONENT
# times log-normal noise, so a few posts by popular accounts take most of it. A reply draws far less, whoever
# wrote it: with the full exponent, a popular account answering in a thread would pull every later reply into
# that one thread.
APPEAL_EXPONENT = 0.8
REPLY_APPEAL_EXPONENT = 0.3
APPEAL_SPREAD = 0.8
# Replies and reposts go to posts of the last hours, or now and then of the last days.
SHORT_ATTENTION_MS = 6 * HOUR_MS
LONG_ATTENTION_MS = 3 * DAY_MS
# Expected likes of a post: LIKE_RATE * its appeal.
LIKE_RATE = 0.15
LIKE_DELAY_MS = 5 * HOUR_MS

# Relative posting activity by UTC hour: quiet nights in Europe, busy evenings.
_HOURLY = (
    0.30,
    0.20,
    0.14,
    0.12,
    0.14,
    0.25,
    0.50,
    0.75,
    0.85,
    0.85,
    0.85,
    0.90,
    0.95,
    0.90,
    0.85,
    0.85,
    0.90,
    0.95,
    1.00,
    1.00,
    0.95,
    0.85,
    0.65,
    0.45,
)
_SLOT = re.compile(r"\{(\w+)\}")
_ORIGINAL_VISIBILITIES = (Visibility.PUBLIC, Visibility.UNLISTED, Visibility.FOLLOWERS, Visibility.MENTIONED)
_ORIGINAL_WEIGHTS = (0.83, 0.09, 0.05, 0.03)
_LOCKED_WEIGHTS = (0.30, 0.10, 0.57, 0.03)
_REPLY_WEIGHTS = (0.89, 0.06, 0.02, 0.03)
_OPEN = frozenset({Visibility.PUBLIC, Visibility.UNLISTED})
# Umlauts and the like, as people write them in a username.
_FOLD = str.maketrans(
    {"ä": "ae", "ö": "oe", "ü": "ue", "Ä": "Ae", "Ö": "Oe", "Ü": "Ue", "ß": "ss", "\u0131": "i"}
)


class SeedError(Exception):
    """The community cannot be seeded as asked (a login name that is taken, too few accounts)."""


@dataclass(frozen=True)
class Login:
    """An account one can sign in to, made by `--demo`."""

    username: str
    password: str
    email: str
    display_name: str
    bio: str
    is_admin: bool


DEMO_LOGIN = Login(
    "demo",
    "demo-password",
    "demo@example.org",
    "Demo Account",
    "The demo account. Everyone here is made up; look around, post, follow, like.",
    is_admin=False,
)
ADMIN_LOGIN = Login(
    "admin",
    "admin-password",
    "admin@example.org",
    "Agora Admin",
    "Runs this instance. Moderation questions welcome.",
    is_admin=True,
)


@dataclass(frozen=True)
class SeedPlan:
    """What to build. `now` defaults to the current time; `progress` shows one bar per phase on stderr."""

    users: int = 200
    posts: int = 3000
    seed: int = 0
    demo: bool = False
    only_if_empty: bool = False
    now: datetime | None = None
    progress: bool = False


@dataclass
class SeedReport:
    """What was built (row counts), and the logins made."""

    seed: int
    users: int = 0
    follows: int = 0
    follow_requests: int = 0
    posts: int = 0
    replies: int = 0
    reposts: int = 0
    hashtags: int = 0
    mentions: int = 0
    likes: int = 0
    notifications: int = 0
    logins: list[Login] = field(default_factory=list)


@dataclass(slots=True)
class _Account:
    id: uuid.UUID
    username: str
    vocabulary: Vocabulary
    joined_ms: int
    is_locked: bool
    interests: tuple[str, ...]
    is_login: bool = False
    popularity: float = 0.0
    activity: float = 0.0
    following: list[int] = field(default_factory=list)
    followers: list[int] = field(default_factory=list)


@dataclass(slots=True)
class _Post:
    id: uuid.UUID
    author: int
    ms: int
    visibility: str
    conversation_id: uuid.UUID
    mentioned: tuple[int, ...]
    appeal: float
    parent_author: int | None


@dataclass
class _Pool:
    """Posts to reply to or repost: recent ones, picked in proportion to their appeal."""

    indexes: list[int] = field(default_factory=list)
    times: list[int] = field(default_factory=list)
    cumulative: list[float] = field(default_factory=list)

    def add(self, index: int, ms: int, weight: float) -> None:
        self.indexes.append(index)
        self.times.append(ms)
        self.cumulative.append((self.cumulative[-1] if self.cumulative else 0.0) + weight)

    def pick(self, rng: random.Random, ms: int, window_ms: int) -> int:
        """One of the posts of the last `window_ms` before `ms` (the latest post when there are none)."""
        first = min(bisect.bisect_left(self.times, ms - window_ms), len(self.times) - 1)
        low = self.cumulative[first - 1] if first else 0.0
        position = bisect.bisect_right(self.cumulative, rng.uniform(low, self.cumulative[-1]), first)
        return self.indexes[min(position, len(self.indexes) - 1)]


# (recipient, actor, kind, post id, time in ms); recipient and actor are indexes into the account list.
_Note = tuple[int, int, str, uuid.UUID | None, int]


@dataclass
class _Community:
    """The state the phases share while the community grows."""

    rng: random.Random
    now_ms: int
    progress: bool
    accounts: list[_Account] = field(default_factory=list)
    posts: list[_Post] = field(default_factory=list)
    notes: list[_Note] = field(default_factory=list)
    hashtag_ids: dict[str, uuid.UUID] = field(default_factory=dict)
    cumulative_activity: list[float] = field(default_factory=list)

    def notify(self, recipient: int, actor: int, kind: str, post_id: uuid.UUID | None, ms: int) -> None:
        if recipient != actor:
            self.notes.append((recipient, actor, kind, post_id, ms))

    def notify_if_recent(
        self, recipient: int, actor: int, kind: str, post_id: uuid.UUID | None, ms: int
    ) -> None:
        if ms >= self.now_ms - NOTIFY_WINDOW_MS or self.accounts[recipient].is_login:
            self.notify(recipient, actor, kind, post_id, ms)


def seed_community(plan: SeedPlan) -> SeedReport | None:
    """Build a synthetic community in one transaction and return what was built.

    Returns None, building nothing, when `plan.only_if_empty` is set and there are accounts already. Raises
    SeedError when the plan cannot be carried out (a login name taken, fewer than two accounts asked for).
    Sends no notifications, e-mails or tasks: the notifications it creates are rows, as if delivered long ago.
    """
    if plan.users < 2:
        raise SeedError("A community needs at least 2 accounts.")
    if plan.posts < 0:
        raise SeedError("The number of posts cannot be negative.")
    now = plan.now or timezone.now()
    community = _Community(
        rng=random.Random(plan.seed), now_ms=int(now.timestamp() * 1000), progress=plan.progress
    )
    report = SeedReport(seed=plan.seed)
    with transaction.atomic(), _larger_sqlite_cache():
        if plan.only_if_empty and User.objects.exists():
            return None
        report.logins = _create_accounts(community, plan)
        report.users = len(community.accounts)
        report.follows, report.follow_requests = _create_follow_graph(community)
        _assign_activity(community)
        _create_posts(community, plan.posts, report)
        report.likes = _create_likes(community)
        report.notifications = _create_notifications(community)
        with _bar(community, "counters", 2, unit=" steps") as bar:
            recount_follow_counters()
            bar.update()
            recount_post_counters()
            bar.update()
        # The rows went in past the services, which index posts as they are written: index them all now.
        with _bar(community, "search index", 1, unit=" steps") as bar:
            reindex_all_posts()
            bar.update()
    # Fresh statistics after a bulk load, so the query planner knows the tables' real shape.
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    return report


# Accounts ---------------------------------------------------------------------------------------------------


def _create_accounts(community: _Community, plan: SeedPlan) -> list[Login]:
    rng, now_ms = community.rng, community.now_ms
    taken_names = set(User.objects.annotate(lowered=Lower("username")).values_list("lowered", flat=True))
    taken_emails = set(User.objects.annotate(lowered=Lower("email")).values_list("lowered", flat=True))
    logins = [ADMIN_LOGIN, DEMO_LOGIN] if plan.demo else []
    for login in logins:
        if login.username in taken_names or login.email in taken_emails:
            raise SeedError(
                f"There is an account named {login.username} (or with {login.email}) already; "
                "seed without --demo, or into an empty database."
            )
    taken_names |= RESERVED_USERNAMES | {login.username for login in logins}
    unusable_password = make_password(None)
    rows: list[tuple[Any, ...]] = []

    for login in logins:
        joined_ms = now_ms - (3 * 365 + 2 if login.is_admin else 120) * DAY_MS
        vocabulary = ENGLISH
        account = _Account(
            id=new_id_at(joined_ms),
            username=login.username,
            vocabulary=vocabulary,
            joined_ms=joined_ms,
            is_locked=False,
            interests=_pick_interests(rng, vocabulary),
            is_login=True,
        )
        community.accounts.append(account)
        role = User.Role.ADMIN if login.is_admin else User.Role.USER
        # The admin login is what `agora createadmin` makes: role admin, staff and superuser.
        rows.append(
            (
                account.id,
                make_password(login.password),
                login.username,
                login.email,
                login.display_name,
                login.bio,
                [],
                False,
                role,
                login.is_admin,
                login.is_admin,
                "en",
                _at(joined_ms),
                _at(joined_ms),
                None,
            )
        )

    for _ in range(plan.users):
        vocabulary = GERMAN if rng.random() < GERMAN_SHARE else ENGLISH
        first, last = rng.choice(vocabulary.first_names), rng.choice(vocabulary.last_names)
        username = _unique_username(rng, _handle(rng, vocabulary, first, last), taken_names, taken_emails)
        joined_ms = rng.randint(now_ms - 3 * 365 * DAY_MS, now_ms - POST_WINDOW_MS - DAY_MS)
        account = _Account(
            id=new_id_at(joined_ms),
            username=username,
            vocabulary=vocabulary,
            joined_ms=joined_ms,
            is_locked=rng.random() < LOCKED_SHARE,
            interests=_pick_interests(rng, vocabulary),
        )
        community.accounts.append(account)
        last_login = _at(now_ms - rng.randint(0, 14 * DAY_MS)) if rng.random() < 0.6 else None
        rows.append(
            (
                account.id,
                unusable_password,
                username,
                f"{username.lower()}@{SYNTHETIC_EMAIL_DOMAIN}",
                _display_name(rng, first, last, username),
                _bio(rng, account),
                _profile_fields(rng, account),
                account.is_locked,
                User.Role.USER,
                False,
                False,
                vocabulary.code if rng.random() < 0.5 else "",
                _at(joined_ms),
                _at(joined_ms),
                last_login,
            )
        )

    fields = (
        "id",
        "password",
        "username",
        "email",
        "display_name",
        "bio",
        "profile_fields",
        "is_locked",
        "role",
        "is_staff",
        "is_superuser",
        "language",
        "date_joined",
        "terms_accepted_at",
        "last_login",
    )
    with _bar(community, "accounts", len(rows)) as bar:
        for chunk in _batched(rows):
            _insert(User, fields, chunk)
            bar.update(len(chunk))
    _assign_popularity(community, has_logins=bool(logins))
    return logins


def _ascii_name(name: str) -> str:
    folded = name.translate(_FOLD)
    return re.sub(r"[^A-Za-z0-9_]", "", folded)


def _handle(rng: random.Random, vocabulary: Vocabulary, first: str, last: str) -> str:
    first, last = _ascii_name(first), _ascii_name(last)
    roll = rng.random()
    if roll < 0.25:
        handle = first.lower()
    elif roll < 0.45:
        handle = f"{first}_{last}".lower()
    elif roll < 0.60:
        handle = f"{first}{last}".lower()
    elif roll < 0.70:
        handle = f"{first[0]}{last}".lower()
    elif roll < 0.80:
        handle = f"{first}{last}"
    elif roll < 0.90:
        handle = f"{rng.choice(vocabulary.handle_words)}_{first.lower()}"
    else:
        handle = f"{rng.choice(vocabulary.handle_words)}{rng.choice(vocabulary.handle_words)}"
    return handle[:30]


def _unique_username(rng: random.Random, handle: str, taken_names: set[str], taken_emails: set[str]) -> str:
    """The handle, or the handle with a number appended when the name (or its e-mail address) is taken."""

    def free(name: str) -> bool:
        lowered = name.lower()
        return lowered not in taken_names and f"{lowered}@{SYNTHETIC_EMAIL_DOMAIN}" not in taken_emails

    name = handle
    number = rng.randint(2, 99)
    while not free(name):
        suffix = str(number)
        name = handle[: 30 - len(suffix)] + suffix
        number += 1
    taken_names.add(name.lower())
    return name


def _display_name(rng: random.Random, first: str, last: str, username: str) -> str:
    roll = rng.random()
    if roll < 0.55:
        return f"{first} {last}"
    if roll < 0.70:
        return first
    if roll < 0.80:
        return f"{first} {last[0]}."
    if roll < 0.92:
        return f"{first} {rng.choice(EMOJI)}"
    return username


def _pick_interests(rng: random.Random, vocabulary: Vocabulary) -> tuple[str, ...]:
    weights = [(rank + 1) ** -0.5 for rank in range(len(vocabulary.hashtags))]
    return tuple(dict.fromkeys(rng.choices(vocabulary.hashtags, weights=weights, k=3)))


def _bio(rng: random.Random, account: _Account) -> str:
    if rng.random() < 0.15:
        return ""
    vocabulary = account.vocabulary
    interests = account.interests
    values = {
        "job": rng.choice(vocabulary.jobs),
        "city": rng.choice(vocabulary.cities),
        "hobby": rng.choice(HOBBIES[vocabulary.code]),
        "interest_a": f"#{interests[0]}",
        "interest_b": f"#{interests[-1]}" if len(interests) > 1 else f"#{vocabulary.hashtags[0]}",
    }
    return _SLOT.sub(lambda match: values[match.group(1)], rng.choice(vocabulary.bio_templates))


def _profile_fields(rng: random.Random, account: _Account) -> list[dict[str, str]]:
    if rng.random() >= 0.25:
        return []
    label = "Webseite" if account.vocabulary is GERMAN else "Website"
    return [{"name": label, "value": f"https://{account.username.lower()}.{SYNTHETIC_EMAIL_DOMAIN}"}]


def _assign_popularity(community: _Community, *, has_logins: bool) -> None:
    """Zipf weights over a random ranking; the admin account ranks third, the demo account in the top 2.5%."""
    rng, accounts = community.rng, community.accounts
    count = len(accounts)
    ranks = list(range(count))
    rng.shuffle(ranks)
    if has_logins:
        # accounts[0] is admin, accounts[1] is demo (see _create_accounts).
        for index, wanted in ((0, min(2, count - 1)), (1, min(max(4, count // 40), count - 1))):
            holder = ranks.index(wanted)
            ranks[holder], ranks[index] = ranks[index], wanted
    floor = ZIPF_FLOOR / count
    for account, rank in zip(accounts, ranks, strict=True):
        account.popularity = (rank + 1) ** -ZIPF_EXPONENT + floor


# The follower graph -----------------------------------------------------------------------------------------


def _create_follow_graph(community: _Community) -> tuple[int, int]:
    """Follows by preferential attachment, some followed back, and pending requests to locked accounts."""
    rng, accounts, now_ms = community.rng, community.accounts, community.now_ms
    count = len(accounts)
    population = range(count)
    cumulative = list(itertools.accumulate(account.popularity for account in accounts))
    # A small community follows less, or everyone would follow everyone and no one would stand out.
    median = max(1.0, min(MEDIAN_FOLLOWING, count / 10))
    follow_back_limit = min(FOLLOW_BACK_LIMIT, count / 10)
    following_sets: list[set[int]] = [set() for _ in population]

    for follower, account in enumerate(accounts):
        wanted = min(count - 1, MAX_FOLLOWING, max(1, round(rng.lognormvariate(math.log(median), 0.9))))
        if account.is_login:
            wanted = min(count - 1, max(wanted, 60))
        chosen = following_sets[follower]
        for _attempt in range(6):
            missing = wanted - len(chosen)
            if missing <= 0:
                break
            for followee in rng.choices(population, cum_weights=cumulative, k=missing + missing // 4 + 2):
                if followee != follower and followee not in chosen and len(chosen) < wanted:
                    chosen.add(followee)
                    account.following.append(followee)

    in_degree = [0] * count
    for account in accounts:
        for followee in account.following:
            in_degree[followee] += 1
    for follower in population:
        for followee in list(accounts[follower].following):
            if (
                in_degree[followee] <= follow_back_limit
                and follower not in following_sets[followee]
                and rng.random() < FOLLOW_BACK_SHARE
            ):
                following_sets[followee].add(follower)
                accounts[followee].following.append(follower)

    follows: list[tuple[Any, ...]] = []
    for follower, account in enumerate(accounts):
        for followee in account.following:
            accounts[followee].followers.append(follower)
            start = max(account.joined_ms, accounts[followee].joined_ms)
            ms = rng.randint(start, now_ms - MINUTE_MS)
            follows.append((new_id_at(ms), account.id, accounts[followee].id, _at(ms)))
            community.notify_if_recent(followee, follower, Notification.Kind.FOLLOW, None, ms)

    requests: list[tuple[Any, ...]] = []
    for target, account in enumerate(accounts):
        if not account.is_locked:
            continue
        requesters: dict[int, None] = {}
        wanted = rng.randint(1, 4)
        for _attempt in range(wanted * 3):
            requester = rng.randrange(count)
            if requester != target and target not in following_sets[requester]:
                requesters[requester] = None
            if len(requesters) == wanted:
                break
        for requester in requesters:
            ms = now_ms - rng.randint(HOUR_MS, 10 * DAY_MS)
            requests.append((new_id_at(ms), accounts[requester].id, account.id, _at(ms)))
            community.notify(target, requester, Notification.Kind.FOLLOW_REQUEST, None, ms)

    with _bar(community, "follows", len(follows) + len(requests)) as bar:
        for chunk in _batched(follows):
            _insert(Follow, ("id", "follower_id", "followee_id", "created_at"), chunk)
            bar.update(len(chunk))
        for chunk in _batched(requests):
            _insert(FollowRequest, ("id", "requester_id", "target_id", "created_at"), chunk)
            bar.update(len(chunk))
    return len(follows), len(requests)


def _assign_activity(community: _Community) -> None:
    """How much each account posts: log-normal, more for accounts with many followers, some lurkers."""
    rng = community.rng
    for account in community.accounts:
        activity = rng.lognormvariate(0.0, 1.0) * (1 + math.log1p(len(account.followers)) / 3)
        account.activity = activity * 0.05 if rng.random() < 0.15 else activity
    # The demo and admin accounts post about twice as much as most, so their profiles are neither empty nor
    # the whole timeline.
    typical = sorted(account.activity for account in community.accounts)[len(community.accounts) // 2]
    for account in community.accounts:
        if account.is_login:
            account.activity = 2 * typical
    community.cumulative_activity = list(itertools.accumulate(a.activity for a in community.accounts))


# Posts, replies, reposts ------------------------------------------------------------------------------------


@dataclass
class _PostRows:
    """Rows waiting to be written, flushed every BATCH_SIZE posts."""

    posts: list[tuple[Any, ...]] = field(default_factory=list)
    hashtags: list[tuple[Any, ...]] = field(default_factory=list)
    mentions: list[tuple[Any, ...]] = field(default_factory=list)
    post_hashtags: list[tuple[Any, ...]] = field(default_factory=list)

    def flush(self) -> None:
        _insert(Hashtag, ("id", "name", "created_at"), self.hashtags)
        _insert(
            Post,
            (
                "id",
                "author_id",
                "text",
                "spoiler_text",
                "sensitive",
                "visibility",
                "language",
                "in_reply_to_id",
                "conversation_id",
                "repost_of_id",
                "created_at",
            ),
            self.posts,
        )
        _insert(Mention, ("post_id", "user_id"), self.mentions)
        _insert(PostHashtag, ("post_id", "hashtag_id"), self.post_hashtags)
        self.posts, self.hashtags, self.mentions, self.post_hashtags = [], [], [], []


def _create_posts(community: _Community, count: int, report: SeedReport) -> None:
    rng, accounts = community.rng, community.accounts
    community.hashtag_ids = dict(Hashtag.objects.values_list("name", "id"))
    hashtags_before = len(community.hashtag_ids)
    name_index = {account.username.lower(): index for index, account in enumerate(accounts)}
    times = _post_times(rng, count, community.now_ms)
    authors = rng.choices(range(len(accounts)), cum_weights=community.cumulative_activity, k=count)
    # Indexes into community.posts: what anyone may see and reply to, of those the thread starters (what gets
    # reposted), and the replies to someone else's post (which that someone may answer).
    open_posts, open_roots, answerable = _Pool(), _Pool(), _Pool()
    reposted: set[tuple[int, int]] = set()
    rows = _PostRows()

    with _bar(community, "posts", count) as bar:
        for ms, author in zip(times, authors, strict=True):
            roll = rng.random()
            window = SHORT_ATTENTION_MS if rng.random() < 0.7 else LONG_ATTENTION_MS
            if (
                roll < REPOST_SHARE
                and open_roots.indexes
                and _add_repost(community, rows, ms, author, open_roots.pick(rng, ms, window), reposted)
            ):
                report.reposts += 1
            else:
                if REPOST_SHARE <= roll < REPOST_SHARE + REPLY_SHARE and open_posts.indexes:
                    if answerable.indexes and rng.random() < ANSWER_SHARE:
                        parent = community.posts[answerable.pick(rng, ms, SHORT_ATTENTION_MS)]
                        assert parent.parent_author is not None
                        replier = parent.parent_author
                    else:
                        parent = community.posts[open_posts.pick(rng, ms, window)]
                        replier = _choose_replier(community, author, parent)
                    _add_reply(community, rows, name_index, ms, replier, parent)
                    report.replies += 1
                else:
                    _add_original(community, rows, name_index, ms, author)
                index = len(community.posts) - 1
                post = community.posts[index]
                if post.visibility in _OPEN:
                    open_posts.add(index, ms, post.appeal)
                    if post.parent_author is None:
                        open_roots.add(index, ms, post.appeal)
                    elif post.parent_author != post.author:
                        answerable.add(index, ms, 1.0)
            if len(rows.posts) >= BATCH_SIZE:
                rows.flush()
            bar.update()
        rows.flush()
    report.posts = count
    report.mentions = sum(len(post.mentioned) for post in community.posts)
    report.hashtags = len(community.hashtag_ids) - hashtags_before


def _post_times(rng: random.Random, count: int, now_ms: int) -> list[int]:
    """`count` distinct times (ms) over the last 60 days, busier in the evening than at night, in order."""
    start, end = now_ms - POST_WINDOW_MS, now_ms - MINUTE_MS
    times: list[int] = []
    while len(times) < count:
        ms = rng.randint(start, end)
        if rng.random() < _HOURLY[(ms // HOUR_MS) % 24]:
            times.append(ms)
    times.sort()
    # Distinct milliseconds keep the ids' order exactly the order of creation (a reply after its parent).
    for index in range(1, count):
        if times[index] <= times[index - 1]:
            times[index] = times[index - 1] + 1
    return times


def _add_original(
    community: _Community, rows: _PostRows, name_index: dict[str, int], ms: int, author: int
) -> None:
    rng, accounts = community.rng, community.accounts
    account = accounts[author]
    vocabulary = account.vocabulary
    weights = _LOCKED_WEIGHTS if account.is_locked else _ORIGINAL_WEIGHTS
    visibility = rng.choices(_ORIGINAL_VISIBILITIES, weights=weights)[0]
    targets = _mention_targets(community, author, 1 if visibility == Visibility.MENTIONED else 0)
    parts = [_sentence(rng, vocabulary)]
    if rng.random() < 0.35:
        parts.append(_sentence(rng, vocabulary))
    if visibility == Visibility.MENTIONED:
        parts.insert(0, " ".join(f"@{accounts[target].username}" for target in targets))
    else:
        for target in targets:
            parts.append(rng.choice(vocabulary.mention_phrases).format(name=accounts[target].username))
    if rng.random() < 0.06:
        parts.append(f"https://example.org/notes/{rng.randrange(1000, 99999)}")
    text = " ".join(parts)
    if rng.random() < 0.4:
        text += "\n\n" + " ".join(f"#{tag}" for tag in _pick_tags(rng, account))
    spoiler = rng.choice(vocabulary.content_warnings) if rng.random() < CONTENT_WARNING_SHARE else ""
    post_id = new_id_at(ms)
    _add_post(community, rows, name_index, post_id, author, ms, text, spoiler, visibility, None, post_id)


def _mention_targets(community: _Community, author: int, at_least: int) -> list[int]:
    """Accounts an original post mentions: usually none, else one or two, mostly ones the author follows."""
    rng, accounts = community.rng, community.accounts
    wanted = at_least if at_least else (rng.choice((1, 1, 2)) if rng.random() < 0.15 else 0)
    targets: dict[int, None] = {}
    following = accounts[author].following
    for _attempt in range(wanted * 4):
        if len(targets) >= wanted:
            break
        if following and rng.random() < 0.8:
            target = rng.choice(following)
        else:
            target = rng.choices(range(len(accounts)), cum_weights=community.cumulative_activity)[0]
        if target != author:
            targets[target] = None
    return list(targets)


def _pick_tags(rng: random.Random, account: _Account) -> list[str]:
    vocabulary = account.vocabulary
    tags: dict[str, str] = {}
    for _ in range(rng.choice((1, 1, 1, 2, 2, 3))):
        if rng.random() < 0.6:
            tag = rng.choice(account.interests)
        else:
            weights = [(rank + 1) ** -0.9 for rank in range(len(vocabulary.hashtags))]
            tag = rng.choices(vocabulary.hashtags, weights=weights)[0]
        # People do not all spell a tag alike; it is one hashtag all the same.
        tags.setdefault(tag.lower(), tag.lower() if rng.random() < 0.15 else tag)
    return list(tags.values())


def _choose_replier(community: _Community, author: int, parent: _Post) -> int:
    """Who replies to `parent`: now and then its author (a thread), often a follower, else `author`."""
    rng = community.rng
    followers = community.accounts[parent.author].followers
    if rng.random() < SELF_REPLY_SHARE:
        return parent.author
    if followers and rng.random() < 0.55:
        return rng.choice(followers)
    return author


def _add_reply(
    community: _Community, rows: _PostRows, name_index: dict[str, int], ms: int, author: int, parent: _Post
) -> None:
    rng, accounts = community.rng, community.accounts
    vocabulary = accounts[author].vocabulary
    if author == parent.author:
        visibility = parent.visibility
        text = rng.choice(vocabulary.thread_openers) + _sentence(rng, vocabulary)
    else:
        visibility = (
            Visibility.UNLISTED
            if parent.visibility == Visibility.UNLISTED
            else rng.choices(_ORIGINAL_VISIBILITIES, weights=_REPLY_WEIGHTS)[0]
        )
        # Like Mastodon, a reply starts with the parent's author and some of the people the parent mentioned.
        others = [index for index in parent.mentioned if index not in (author, parent.author)]
        addressed = [parent.author, *others[: rng.choice((0, 0, 1, 2))]]
        text = " ".join(f"@{accounts[index].username}" for index in addressed)
        text += " " + rng.choice(vocabulary.replies)
        if rng.random() < 0.3:
            text += " " + _sentence(rng, vocabulary)
    if rng.random() < 0.1:
        text += " " + " ".join(f"#{tag}" for tag in _pick_tags(rng, accounts[author]))
    spoiler = rng.choice(vocabulary.content_warnings) if rng.random() < CONTENT_WARNING_SHARE else ""
    _add_post(
        community,
        rows,
        name_index,
        new_id_at(ms),
        author,
        ms,
        text,
        spoiler,
        visibility,
        parent,
        parent.conversation_id,
    )


def _add_post(
    community: _Community,
    rows: _PostRows,
    name_index: dict[str, int],
    post_id: uuid.UUID,
    author: int,
    ms: int,
    text: str,
    spoiler_text: str,
    visibility: str,
    parent: _Post | None,
    conversation_id: uuid.UUID,
) -> None:
    """Store a post or reply with its mentions and hashtags as `create_post` would, and its notifications."""
    accounts = community.accounts
    parsed = parse_text(text, settings.AGORA_DOMAIN)
    mentioned: list[int] = []
    for name in parsed.mentioned_usernames[:MAX_MENTIONS]:
        index = name_index.get(name)
        if index is not None and index != author:
            mentioned.append(index)
    created_at = _at(ms)
    rows.posts.append(
        (
            post_id,
            accounts[author].id,
            text,
            spoiler_text,
            bool(spoiler_text),
            visibility,
            accounts[author].vocabulary.code,
            parent.id if parent else None,
            conversation_id,
            None,
            created_at,
        )
    )
    for index in mentioned:
        rows.mentions.append((post_id, accounts[index].id))
    for tag in parsed.hashtags:
        hashtag_id = community.hashtag_ids.get(tag)
        if hashtag_id is None:
            hashtag_id = community.hashtag_ids[tag] = new_id_at(ms)
            rows.hashtags.append((hashtag_id, tag, created_at))
        rows.post_hashtags.append((post_id, hashtag_id))
    exponent = APPEAL_EXPONENT if parent is None else REPLY_APPEAL_EXPONENT
    noise = community.rng.lognormvariate(0.0, APPEAL_SPREAD)
    appeal = (1 + len(accounts[author].followers)) ** exponent * noise
    parent_author = None if parent is None else parent.author
    community.posts.append(
        _Post(post_id, author, ms, visibility, conversation_id, tuple(mentioned), appeal, parent_author)
    )
    # As notify_about_post: the parent's author hears of a reply as a reply, everyone else named as a mention.
    for index in mentioned:
        if parent is None or index != parent.author:
            community.notify(index, author, Notification.Kind.MENTION, post_id, ms)
    if parent is not None:
        community.notify(parent.author, author, Notification.Kind.REPLY, post_id, ms)


def _add_repost(
    community: _Community,
    rows: _PostRows,
    ms: int,
    author: int,
    original_index: int,
    reposted: set[tuple[int, int]],
) -> bool:
    """A repost of the original by `author` (or another active account); False when none could be found."""
    rng, accounts = community.rng, community.accounts
    original = community.posts[original_index]
    for _attempt in range(3):
        if author != original.author and (author, original_index) not in reposted:
            break
        author = rng.choices(range(len(accounts)), cum_weights=community.cumulative_activity)[0]
    else:
        return False
    reposted.add((author, original_index))
    post_id = new_id_at(ms)
    author_id, visibility = accounts[author].id, original.visibility
    rows.posts.append((post_id, author_id, "", "", False, visibility, "", None, None, original.id, _at(ms)))
    community.notify(original.author, author, Notification.Kind.REPOST, original.id, ms)
    return True


def _sentence(rng: random.Random, vocabulary: Vocabulary) -> str:
    template = rng.choice(vocabulary.post_templates)
    return _SLOT.sub(lambda match: rng.choice(vocabulary.slots[match.group(1)]), template)


# Likes and notifications ------------------------------------------------------------------------------------


def _create_likes(community: _Community) -> int:
    """Likes on posts anyone may see, mostly by the author's followers, as many as the post's appeal."""
    rng, accounts, now_ms = community.rng, community.accounts, community.now_ms
    population = range(len(accounts))
    likeable = [post for post in community.posts if post.visibility in _OPEN]
    rows: list[tuple[Any, ...]] = []
    total = 0
    with _bar(community, "likes", len(likeable), unit=" posts") as bar:
        for post in likeable:
            author = accounts[post.author]
            wanted = min(int(LIKE_RATE * post.appeal + rng.random()), len(accounts) - 1)
            if wanted:
                from_followers = min(len(author.followers), wanted * 4 // 5)
                likers = dict.fromkeys(rng.sample(author.followers, from_followers))
                for _attempt in range(3):
                    missing = wanted - len(likers)
                    if missing <= 0:
                        break
                    drawn = rng.choices(population, cum_weights=community.cumulative_activity, k=missing)
                    for liker in drawn:
                        if liker != post.author:
                            likers[liker] = None
                for liker in likers:
                    ms = min(now_ms - 1_000, post.ms + 1 + int(rng.expovariate(1 / LIKE_DELAY_MS)))
                    rows.append((new_id_at(ms), accounts[liker].id, post.id, _at(ms)))
                    community.notify_if_recent(post.author, liker, Notification.Kind.LIKE, post.id, ms)
            if len(rows) >= BATCH_SIZE:
                _insert(Like, ("id", "user_id", "post_id", "created_at"), rows)
                total += len(rows)
                rows = []
            bar.update()
        _insert(Like, ("id", "user_id", "post_id", "created_at"), rows)
    return total + len(rows)


def _create_notifications(community: _Community) -> int:
    accounts, now_ms = community.accounts, community.now_ms
    community.notes.sort(key=lambda note: note[4])
    read_before = now_ms - READ_AFTER_MS
    fields = ("id", "recipient_id", "actor_id", "kind", "post_id", "created_at", "is_read")
    with _bar(community, "notifications", len(community.notes)) as bar:
        for chunk in _batched(community.notes):
            _insert(
                Notification,
                fields,
                [
                    (
                        new_id_at(ms),
                        accounts[recipient].id,
                        accounts[actor].id,
                        kind,
                        post_id,
                        _at(ms),
                        ms < read_before,
                    )
                    for recipient, actor, kind, post_id, ms in chunk
                ],
            )
            bar.update(len(chunk))
    return len(community.notes)


# Writing ----------------------------------------------------------------------------------------------------


def _insert(model: type[models.Model], field_names: Sequence[str], rows: Sequence[Sequence[Any]]) -> None:
    """INSERT plain rows with one executemany; fields not named take their defaults.

    Faster than bulk_create (no model instance per row, no 999-parameter batches on SQLite), and it keeps the
    given `created_at`, which bulk_create would overwrite (auto_now_add). Each value goes through its field's
    get_db_prep_save, so SQLite and PostgreSQL get what the ORM would give them.
    """
    if not rows:
        return
    meta = model._meta
    by_name = {model_field.name: model_field for model_field in meta.concrete_fields}
    by_name |= {model_field.attname: model_field for model_field in meta.concrete_fields}
    named = [by_name[name] for name in field_names]
    rest = [
        model_field
        for model_field in meta.concrete_fields
        if model_field not in named and not isinstance(model_field, models.AutoField)
    ]
    defaults = tuple(f.get_db_prep_save(f.get_default(), connection) for f in rest)
    columns = ", ".join(connection.ops.quote_name(model_field.column) for model_field in [*named, *rest])
    placeholders = ", ".join(["%s"] * (len(named) + len(rest)))
    sql = f"INSERT INTO {connection.ops.quote_name(meta.db_table)} ({columns}) VALUES ({placeholders})"
    preparers = [model_field.get_db_prep_save for model_field in named]
    params = [
        (*(prepare(value, connection) for prepare, value in zip(preparers, row, strict=True)), *defaults)
        for row in rows
    ]
    with connection.cursor() as cursor:
        cursor.executemany(sql, params)


@contextmanager
def _larger_sqlite_cache() -> Iterator[None]:
    """A 256 MiB page cache on SQLite while seeding (the default is 2 MiB): the follow and like indexes grow
    far beyond that, and a page evicted in the middle of the transaction is written twice.
    """
    if connection.vendor != "sqlite":
        yield
        return
    with connection.cursor() as cursor:
        cursor.execute("PRAGMA cache_size")
        (previous,) = cursor.fetchone()
        cursor.execute("PRAGMA cache_size = -262144")
    try:
        yield
    finally:
        with connection.cursor() as cursor:
            cursor.execute(f"PRAGMA cache_size = {int(previous)}")


def _batched(rows: Sequence[Any]) -> Iterable[Sequence[Any]]:
    for start in range(0, len(rows), BATCH_SIZE):
        yield rows[start : start + BATCH_SIZE]


def _at(ms: int) -> datetime:
    return datetime.fromtimestamp(ms / 1000, tz=UTC)


def _bar(community: _Community, phase: str, total: int, unit: str = " rows") -> tqdm[Any]:
    return tqdm(
        total=total,
        desc=phase,
        unit=unit,
        file=sys.stderr,
        disable=not community.progress,
        dynamic_ncols=True,
        mininterval=0.5,
    )
