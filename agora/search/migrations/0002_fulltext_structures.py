"""The database-specific parts of the search index, which Django's model layer cannot describe.

SQLite: an FTS5 table (rowid = PostSearchDocument.id) with a trigger that drops a post's row when its index
entry goes (a post or account deletion cascades to the entry). PostgreSQL: a GIN index on the tsvector and the
pg_trgm (fuzzy name matching) and
unaccent (accent folding) extensions.
"""

from django.db import migrations

SQLITE_FORWARD = [
    # porter: English stemming of every token; German stems are added by the indexer in the `stems` column.
    # unicode61 remove_diacritics 2: "Muenchen"/"München" aside, "café" and "cafe" are one word.
    "CREATE VIRTUAL TABLE search_post_fts USING fts5("
    "body, stems, tokenize = 'porter unicode61 remove_diacritics 2', prefix = '2 3')",
    "CREATE TRIGGER search_post_fts_delete AFTER DELETE ON search_postsearchdocument "
    "BEGIN DELETE FROM search_post_fts WHERE rowid = old.id; END",
]
SQLITE_BACKWARD = ["DROP TRIGGER IF EXISTS search_post_fts_delete", "DROP TABLE IF EXISTS search_post_fts"]
POSTGRES_FORWARD = [
    "CREATE INDEX search_document_vector_gin ON search_postsearchdocument USING gin (vector)",
    "CREATE EXTENSION IF NOT EXISTS pg_trgm",
    # Folds accents in the unstemmed part of each vector, as SQLite's remove_diacritics does.
    "CREATE EXTENSION IF NOT EXISTS unaccent",
]
POSTGRES_BACKWARD = ["DROP INDEX IF EXISTS search_document_vector_gin"]


def _run(statements_by_vendor):
    def run(apps, schema_editor):
        for statement in statements_by_vendor.get(schema_editor.connection.vendor, []):
            schema_editor.execute(statement)

    return run


class Migration(migrations.Migration):
    dependencies = [("search", "0001_initial")]

    operations = [
        migrations.RunPython(
            _run({"sqlite": SQLITE_FORWARD, "postgresql": POSTGRES_FORWARD}),
            _run({"sqlite": SQLITE_BACKWARD, "postgresql": POSTGRES_BACKWARD}),
        )
    ]
