"""A GIN index for PostgreSQL full-text search over title, summary and body text.

The expression must stay identical to articles.search.SEARCH_VECTOR for PostgreSQL to use it.
Other databases (SQLite in the embedded default) search without an index.
"""

from django.db import migrations

INDEX = "articles_article_search_idx"
CREATE = f"""
CREATE INDEX IF NOT EXISTS {INDEX} ON articles_article USING gin ((
    setweight(to_tsvector('english'::regconfig, COALESCE(title, '')), 'A')
    || setweight(to_tsvector('english'::regconfig, COALESCE(summary, '')), 'B')
    || setweight(to_tsvector('english'::regconfig, COALESCE(body_text, '')), 'C')
))
"""


def create_index(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(CREATE)


def drop_index(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(f"DROP INDEX IF EXISTS {INDEX}")


class Migration(migrations.Migration):

    dependencies = [
        ("articles", "0002_rendering_and_images"),
    ]

    operations = [migrations.RunPython(create_index, drop_index)]
