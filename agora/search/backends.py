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
from functools import lru_cache

import snowballstemmer
from django.db import connection, transaction
from django.db.models import Q
from django.db.models.expressions import RawSQL

from agora.posts.models import Post
from agora.search.query import words_of

CONFIG_BY_LANGUAGE = {"de": "german", "en": "english"}
REINDEX_BATCH = 2_000


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

    def matching(self, words: Sequence[str], prefix: str | None, phrases: Sequence[str] = ()) -> Q:
        # The query is built by the database's own parsers and stemmers first, then used as a constant: with
        # a constant the planner can weigh it against the index statistics (a rare word: read the GIN
        # index; a common one: walk the newest posts), which it cannot do for an expression.
        tsquery, params = self._tsquery(words, prefix, phrases)
        with connection.cursor() as cursor:
            cursor.execute(f"SELECT ({tsquery})::text", params)
            (constant,) = cursor.fetchone()
        return Q(
            pk__in=RawSQL(
                "SELECT post_id FROM search_postsearchdocument WHERE vector @@ %s::tsquery", [constant]
            )
        )


def get_backend() -> SearchBackend:
    """The engine for the database in use."""
    return PostgresBackend() if connection.vendor == "postgresql" else SQLiteBackend()
