"""The bench and chaos scripts take any database name: theirs, new or empty ones are made anew;
one holding someone's tables is refused."""

import uuid

import psycopg2
import pytest
from django.conf import settings

from scripts.support.databases import reset_database

pytestmark = pytest.mark.services


@pytest.fixture
def database():
    db = settings.DATABASES["default"]
    params = {"user": db["USER"], "password": db["PASSWORD"], "host": db["HOST"] or "127.0.0.1", "port": db["PORT"]}
    name = f"any_name_{uuid.uuid4().hex[:8]}"
    url = f"postgres://{db['USER']}:{db['PASSWORD']}@{params['host']}:{db['PORT'] or 5432}/{name}"
    yield name, url, params
    conn = psycopg2.connect(dbname="postgres", **params)
    conn.autocommit = True
    with conn.cursor() as cursor:
        cursor.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    conn.close()


def tables(name, params) -> list[str]:
    conn = psycopg2.connect(dbname=name, **params)
    with conn, conn.cursor() as cursor:
        cursor.execute("SELECT table_name FROM information_schema.tables WHERE table_schema = 'public'")
        found = [row[0] for row in cursor.fetchall()]
    conn.close()
    return found


def add_table(name, params) -> None:
    conn = psycopg2.connect(dbname=name, **params)
    with conn, conn.cursor() as cursor:
        cursor.execute("CREATE TABLE precious (id int)")
    conn.close()


def test_any_new_name_is_made_and_made_anew_on_the_next_run(database):
    name, url, params = database
    reset_database(url)
    add_table(name, params)  # as a run's migrations would
    reset_database(url)
    assert tables(name, params) == []


def test_a_database_with_someone_elses_tables_is_refused(database):
    name, url, params = database
    conn = psycopg2.connect(dbname="postgres", **params)
    conn.autocommit = True
    with conn.cursor() as cursor:
        cursor.execute(f'CREATE DATABASE "{name}"')
    conn.close()
    add_table(name, params)
    with pytest.raises(SystemExit, match="refusing to drop"):
        reset_database(url)
    assert tables(name, params) == ["precious"]
