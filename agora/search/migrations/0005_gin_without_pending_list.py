"""PostgreSQL: write new index entries straight into the GIN index instead of its pending list.

With `fastupdate` (the default) new posts' words go to an unsorted pending list of up to 4 MB that every
search reads in full until (auto)vacuum or an unlucky insert merges it; at 1 M posts that was 250 pages per
search, and the insert that merges pays for all of them. Without it an insert updates the index itself (about
a millisecond for a post's few dozen words) and a search reads only the words it asks for. The list already
there is merged here.
"""

from django.db import migrations

INDEX = "search_document_vector_gin"


def _fastupdate(enabled: bool):
    def run(apps, schema_editor):
        if schema_editor.connection.vendor != "postgresql":
            return
        schema_editor.execute(f"ALTER INDEX {INDEX} SET (fastupdate = {'on' if enabled else 'off'})")
        if not enabled:
            schema_editor.execute(f"SELECT gin_clean_pending_list('{INDEX}'::regclass)")

    return run


class Migration(migrations.Migration):
    dependencies = [("search", "0004_trending_links")]

    operations = [migrations.RunPython(_fastupdate(False), _fastupdate(True))]
