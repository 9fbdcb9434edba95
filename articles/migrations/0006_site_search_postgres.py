"""PostgreSQL only: the pg_trgm extension (for "Did you mean …") and a GIN index for the site search.

Both are skipped on other databases (SQLite in the embedded default), which search without them.
The index expression must stay identical to articles.search._vector() for PostgreSQL to use it.
"""

from django.contrib.postgres.operations import TrigramExtension
from django.db import migrations

INDEX = "articles_searchdocument_search_idx"
CREATE = f"""
CREATE INDEX IF NOT EXISTS {INDEX} ON articles_searchdocument USING gin ((
    setweight(to_tsvector('english'::regconfig, COALESCE(title, '')), 'A')
    || setweight(to_tsvector('english'::regconfig, COALESCE(summary, '')), 'B')
    || setweight(to_tsvector('english'::regconfig, COALESCE(body, '')), 'C')
))
"""


class PostgresTrigramExtension(TrigramExtension):
    """CREATE EXTENSION pg_trgm on PostgreSQL; nothing elsewhere (Django's own operation also checks,
    this says so where the migration is read)."""

    def database_forwards(self, app_label, schema_editor, from_state, to_state):
        if schema_editor.connection.vendor == "postgresql":
            super().database_forwards(app_label, schema_editor, from_state, to_state)

    def database_backwards(self, app_label, schema_editor, from_state, to_state):
        if schema_editor.connection.vendor == "postgresql":
            super().database_backwards(app_label, schema_editor, from_state, to_state)


def create_index(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(CREATE)


def drop_index(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(f"DROP INDEX IF EXISTS {INDEX}")


class Migration(migrations.Migration):
    dependencies = [
        ("articles", "0005_review_notes_treatment_pages_site_search"),
    ]

    operations = [
        PostgresTrigramExtension(),
        migrations.RunPython(create_index, drop_index),
    ]
