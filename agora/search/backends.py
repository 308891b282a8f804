"""The two full-text engines behind one interface: SQLite FTS5 (the embedded default) and PostgreSQL.

A backend stores a post's words (`index_post`, `reindex_all`) and answers "which posts contain these words" as
a condition on posts (`matching`); ranking the matches is the same on both (see `ranking`). It knows nothing
about who may see what: the selectors apply the visibility rule to whatever the backend matched.

Stemming: PostgreSQL stems with the post's language (`german`, `english`, `simple` otherwise) and keeps
the unstemmed words, accents folded, beside them. SQLite's FTS5 stems English with `porter`; German words are
stemmed here with Snowball into a second column, at index and at query time, so that "Demonstration" finds
"Demonstrationen" on both engines.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

import snowballstemmer
from django.core.exceptions import EmptyResultSet
from django.db import connection, transaction
from django.db.models import Q, QuerySet
from django.db.models.expressions import RawSQL

from agora.posts.models import Post
from agora.search.query import words_of

CONFIG_BY_LANGUAGE = {"de": "german", "en": "english"}
REINDEX_BATCH = 2_000
# PostgreSQL, newest matches first (see PostgresBackend.newest_matching_ids): index entries in the first
# walked slice, the longest slice walked at once, how many slices at most before the GIN index reads the
# rest, and what reading one match through the GIN index costs in entries walked (a random heap read
# against one vector test).
FIRST_WALK = 5_000
MAX_WALK = 200_000
MAX_WALKS = 8
GIN_READ_COST = 25


@dataclass(frozen=True)
class TextQuery:
    """What a query asks of a post's words: all `words` (stemmed; `prefix`, one of them, also as a prefix),
    every phrase (its words in a row) and none of `excluded` (stemmed)."""

    words: Sequence[str] = ()
    prefix: str | None = None
    phrases: Sequence[str] = ()
    excluded: Sequence[str] = field(default_factory=tuple)


def config_for(language: str) -> str:
    """The text search configuration for a post's language code ("de", "de-AT", "en-GB", ...)."""
    return CONFIG_BY_LANGUAGE.get(language.split("-")[0].lower(), "simple")


def document_text(post: Post) -> str:
    return f"{post.spoiler_text}\n{post.text}".strip()


@lru_cache(maxsize=1)
def _german() -> snowballstemmer.stemmer:
    return snowballstemmer.stemmer("german")


def german_stems(words: Iterable[str]) -> list[str]:
    return [stem for stem in _german().stemWords(list(words)) if stem]


class SearchBackend:
    """What both engines offer; see the module docstring."""

    def index_post(self, post: Post) -> None:
        raise NotImplementedError

    def reindex_all(self) -> int:
        raise NotImplementedError

    def matching(self, words: Sequence[str], prefix: str | None, phrases: Sequence[str] = ()) -> Q:
        """Posts containing every word (stemmed) and every phrase (its words in a row); `prefix`, one of
        `words`, may also match as a prefix."""
        raise NotImplementedError

    def newest_matching_ids(
        self, text: TextQuery, posts: QuerySet[Post] | None, *, below: uuid.UUID | None, limit: int
    ) -> list[uuid.UUID] | None:
        """The ids of the newest `limit` posts (newest first, below `below`) whose words match `text` and
        that are in `posts` (None: any), or None when the engine has no faster way than the condition
        `matching` gives (the caller then filters posts with it)."""
        return None


def _fts_string(word: str) -> str:
    return '"' + word.replace('"', '""') + '"'


class SQLiteBackend(SearchBackend):
    def _stems_column(self, config: str, text: str) -> str:
        return " ".join(german_stems(words_of(text))) if config == "german" else ""

    def index_post(self, post: Post) -> None:
        config = config_for(post.language)
        text = document_text(post)
        with connection.cursor() as cursor:
            cursor.execute(
                "INSERT INTO search_postsearchdocument (post_id, config, indexed_at) VALUES (%s, %s, "
                "strftime('%%Y-%%m-%%d %%H:%%M:%%f', 'now')) ON CONFLICT (post_id) DO UPDATE SET "
                "config = excluded.config, indexed_at = excluded.indexed_at RETURNING id",
                [post.pk.hex, config],
            )
            (document_id,) = cursor.fetchone()
            cursor.execute("DELETE FROM search_post_fts WHERE rowid = %s", [document_id])
            cursor.execute(
                "INSERT INTO search_post_fts (rowid, body, stems) VALUES (%s, %s, %s)",
                [document_id, text, self._stems_column(config, text)],
            )

    def reindex_all(self) -> int:
        total = 0
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute("DELETE FROM search_postsearchdocument")
            cursor.execute("DELETE FROM search_post_fts")
            posts = Post.objects.filter(repost_of__isnull=True).order_by("id")
            last: uuid.UUID | None = None
            while True:
                batch_query = posts if last is None else posts.filter(id__gt=last)
                batch = list(
                    batch_query.values_list("id", "language", "text", "spoiler_text")[:REINDEX_BATCH]
                )
                if not batch:
                    break
                last = batch[-1][0]
                cursor.executemany(
                    "INSERT INTO search_postsearchdocument (post_id, config, indexed_at) VALUES "
                    "(%s, %s, strftime('%%Y-%%m-%%d %%H:%%M:%%f', 'now'))",
                    [(post_id.hex, config_for(language)) for post_id, language, _t, _s in batch],
                )
                cursor.execute(
                    "SELECT post_id, id FROM search_postsearchdocument WHERE post_id >= %s AND post_id <= %s",
                    [batch[0][0].hex, last.hex],
                )
                document_ids = dict(cursor.fetchall())
                rows = []
                for post_id, language, text, spoiler_text in batch:
                    body = f"{spoiler_text}\n{text}".strip()
                    stems = self._stems_column(config_for(language), body)
                    rows.append((document_ids[post_id.hex], body, stems))
                cursor.executemany(
                    "INSERT INTO search_post_fts (rowid, body, stems) VALUES (%s, %s, %s)", rows
                )
                total += len(batch)
        return total

    def _expression(self, words: Sequence[str], prefix: str | None, phrases: Sequence[str] = ()) -> str:
        # A quoted string of several words is an FTS5 phrase: the words next to each other, in order.
        clauses = [
            f"body : {_fts_string(' '.join(words_of(phrase)))}" for phrase in phrases if words_of(phrase)
        ]
        for word in words:
            quoted = _fts_string(word)
            stems = german_stems([word])
            forms = [f"body : {quoted}"] + [f"stems : {_fts_string(stem)}" for stem in stems]
            if word == prefix:
                forms += [f"body : {quoted} *"] + [f"stems : {_fts_string(stem)} *" for stem in stems]
            clauses.append("(" + " OR ".join(forms) + ")")
        return " AND ".join(clauses)

    def matching(self, words: Sequence[str], prefix: str | None, phrases: Sequence[str] = ()) -> Q:
        return Q(
            pk__in=RawSQL(
                "SELECT post_id FROM search_postsearchdocument WHERE id IN "
                "(SELECT rowid FROM search_post_fts WHERE search_post_fts MATCH %s)",
                [self._expression(words, prefix, phrases)],
            )
        )


class PostgresBackend(SearchBackend):
    # The post's own configuration stems; the `simple` part keeps the words as written, for other languages.
    VECTOR_SQL = "to_tsvector(%s::regconfig, %s) || to_tsvector('simple', unaccent(%s))"

    def index_post(self, post: Post) -> None:
        config = config_for(post.language)
        text = document_text(post)
        with connection.cursor() as cursor:
            cursor.execute(
                "INSERT INTO search_postsearchdocument (post_id, config, vector, indexed_at) "
                f"VALUES (%s, %s, {self.VECTOR_SQL}, now()) ON CONFLICT (post_id) DO UPDATE SET "
                "config = EXCLUDED.config, vector = EXCLUDED.vector, indexed_at = EXCLUDED.indexed_at",
                [post.pk, config, config, text, text],
            )

    def reindex_all(self) -> int:
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute("DELETE FROM search_postsearchdocument")
            cursor.execute(
                "INSERT INTO search_postsearchdocument (post_id, config, vector, indexed_at) "
                "SELECT id, c.config, "
                "to_tsvector(c.config::regconfig, c.body) || to_tsvector('simple', unaccent(c.body)), "
                "now() FROM (SELECT id, CASE split_part(lower(language), '-', 1) WHEN 'de' THEN 'german' "
                "WHEN 'en' THEN 'english' ELSE 'simple' END AS config, "
                "trim(both E'\\n' from spoiler_text || E'\\n' || text) AS body "
                "FROM posts_post WHERE repost_of_id IS NULL) AS c"
            )
            return cursor.rowcount

    def _tsquery(
        self, words: Sequence[str], prefix: str | None, phrases: Sequence[str] = ()
    ) -> tuple[str, list[str]]:
        # Phrases match the unstemmed (`simple`) part of the vector, which keeps the words' positions.
        parts: list[str] = ["phraseto_tsquery('simple', unaccent(%s))" for _phrase in phrases]
        params: list[str] = list(phrases)
        for word in words:
            forms = [
                "plainto_tsquery('english', %s)",
                "plainto_tsquery('german', %s)",
                "plainto_tsquery('simple', unaccent(%s))",
            ]
            params += [word, word, word]
            if word == prefix:
                forms.append("to_tsquery('simple', unaccent(%s))")
                params.append("'" + word.replace("'", "''") + "':*")
            parts.append("(" + " || ".join(forms) + ")")
        return " && ".join(parts), params

    def _constant(self, text: TextQuery) -> str:
        """The tsquery for `text`, built by the database's own parsers and stemmers and used as a constant:
        with a constant the planner can weigh it against the index statistics, which it cannot do for an
        expression."""
        return self._constant_and_size(text)[0]

    def _constant_and_size(self, text: TextQuery) -> tuple[str, float]:
        """The constant tsquery (see `_constant`) and the planner's estimate of the indexed posts, in one
        round trip."""
        tsquery, params = self._tsquery(text.words, text.prefix, text.phrases)
        for word in text.excluded:
            excluded, excluded_params = self._tsquery([word], None)
            tsquery = f"({tsquery}) && !!({excluded})"
            params += excluded_params
        with connection.cursor() as cursor:
            cursor.execute(
                f"SELECT ({tsquery})::text, (SELECT reltuples FROM pg_class "
                "WHERE oid = 'search_postsearchdocument'::regclass)",
                params,
            )
            constant, documents = cursor.fetchone()
        return str(constant), float(documents or 0)

    def matching(self, words: Sequence[str], prefix: str | None, phrases: Sequence[str] = ()) -> Q:
        constant = self._constant(TextQuery(words=words, prefix=prefix, phrases=phrases))
        return Q(
            pk__in=RawSQL(
                "SELECT post_id FROM search_postsearchdocument WHERE vector @@ %s::tsquery", [constant]
            )
        )

    def newest_matching_ids(
        self, text: TextQuery, posts: QuerySet[Post] | None, *, below: uuid.UUID | None, limit: int
    ) -> list[uuid.UUID] | None:
        """The newest matches, found by whichever way is cheap for this query, decided by measuring.

        The planner cannot know how many posts match several words, a phrase or a word with exclusions (it
        multiplies guesses), and with a LIMIT a wrong guess is costly: it walks the newest index entries
        testing each vector until `limit` match, through the whole index when almost none do (words that
        never meet, such as a German and an English one: half a second at 1M posts), or it reads every
        match from the GIN index and sorts them when thousands match. So this walks a slice of the newest
        entries first (a bounded cost: the walk cannot use the GIN index), measures how densely they match,
        and then either walks a slice just long enough to find the rest, or, when matches are rare, reads the
        rest from the GIN index, which then returns few rows.
        """
        posts_sql, posts_params = "", []
        if posts is not None:
            try:
                sql, params = posts.order_by().values("id").query.sql_with_params()
            except EmptyResultSet:
                return []
            posts_sql, posts_params = sql, list(params)
        constant, documents = self._constant_and_size(text)
        found: list[uuid.UUID] = []
        upper = below
        walked = 0
        slice_size = FIRST_WALK
        for _slice in range(MAX_WALKS):
            matches, lower = self._walk(
                constant, posts_sql, posts_params, upper, slice_size, limit - len(found)
            )
            found += matches
            if len(found) >= limit or lower is None:
                return found
            upper = lower
            walked += slice_size
            # The density of the slice just walked, not of all walked so far: words bunched in the newest
            # posts (a topic of the day) must not keep the walk going through older ones without them.
            density = len(matches) / slice_size
            needed = limit - len(found)
            left = max(float(documents or 0) - walked, 0.0)
            # Walking on costs one step per entry until `needed` more match; the GIN index one random read
            # per match in the rest of the index.
            if density == 0 or needed / density > GIN_READ_COST * density * left:
                break
            slice_size = min(max(int(needed / density * 1.5), FIRST_WALK), MAX_WALK)
        in_posts = f" AND post_id IN ({posts_sql})" if posts_sql else ""
        with connection.cursor() as cursor:
            # Materialised, the matches are found without the LIMIT, so the planner reads the GIN index.
            cursor.execute(
                "WITH matches AS MATERIALIZED (SELECT post_id FROM search_postsearchdocument WHERE "
                "vector @@ %s::tsquery"
                + (" AND post_id < %s" if upper else "")
                + in_posts
                + ") SELECT post_id FROM matches ORDER BY post_id DESC LIMIT %s",
                [constant, *([upper] if upper else []), *posts_params, limit - len(found)],
            )
            return found + [row[0] for row in cursor.fetchall()]

    @staticmethod
    def _walk(
        constant: str,
        posts_sql: str,
        posts_params: list[Any],
        upper: uuid.UUID | None,
        size: int,
        limit: int,
    ) -> tuple[list[uuid.UUID], uuid.UUID | None]:
        """Up to `limit` matches among the `size` newest index entries below `upper`, and the last entry of
        that slice (None when the slice reached the oldest entry), in one pass that stops at the
        `limit`th match. Testing each vector (coalesce() hides the column from the GIN index) bounds the cost
        by the slice, whatever the planner would guess about the query."""
        # OFFSET 0 keeps the test a per-row probe of the posts' primary key, made only for entries whose
        # words match; without it the planner may build a hash of every post that meets the conditions.
        in_posts = (
            f" AND EXISTS (SELECT 1 FROM ({posts_sql}) AS wanted WHERE wanted.id = slice.post_id OFFSET 0)"
            if posts_sql
            else ""
        )
        sql = (
            "SELECT post_id, matched, position FROM (SELECT post_id, matched, "
            "row_number() OVER (ORDER BY post_id DESC) AS position FROM (SELECT post_id, "
            "(coalesce(vector, ''::tsvector) @@ %s::tsquery" + in_posts + ") AS matched FROM "
            "(SELECT post_id, vector FROM search_postsearchdocument"
            + (" WHERE post_id < %s" if upper else "")
            + " ORDER BY post_id DESC LIMIT %s) AS slice) AS tested) AS walked "
            "WHERE matched OR position = %s ORDER BY post_id DESC LIMIT %s"
        )
        params = [constant, *posts_params, *([upper] if upper else []), size, size, limit + 1]
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            rows = cursor.fetchall()
        matches = [post_id for post_id, matched, _position in rows if matched][:limit]
        lower = next((post_id for post_id, _matched, position in rows if position == size), None)
        return matches, lower


def get_backend() -> SearchBackend:
    """The engine for the database in use."""
    return PostgresBackend() if connection.vendor == "postgresql" else SQLiteBackend()
