"""PostgreSQL databases for the site, the scripts and the tests: created if missing, or reset."""

import re


def _server(url: str):
    """(an autocommit connection to the server's `postgres` database, the parsed `url`)."""
    import environ
    import psycopg2

    config = environ.Env.db_url_config(url)
    conn = psycopg2.connect(
        dbname="postgres",
        user=config["USER"] or None,
        password=config["PASSWORD"] or None,
        host=config["HOST"] or None,
        port=config["PORT"] or None,
    )
    conn.autocommit = True
    return conn, config


def ensure_database(url: str) -> str | None:
    """Create the PostgreSQL database named in `url` if it does not exist; its name if it was created.

    Does nothing (None) for a URL that is not PostgreSQL. Safe to rerun.
    """
    import environ
    from psycopg2 import sql

    if not environ.Env.db_url_config(url)["ENGINE"].endswith("postgresql"):
        return None
    conn, config = _server(url)
    try:
        with conn.cursor() as cursor:
            cursor.execute("SELECT 1 FROM pg_database WHERE datname = %s", [config["NAME"]])
            if cursor.fetchone() is not None:
                return None
            cursor.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(config["NAME"])))
            return config["NAME"]
    finally:
        conn.close()


def reset_database(url: str) -> None:
    """Drop and create the PostgreSQL database named in `url` (a script's own, never the site's)."""
    import environ
    from psycopg2 import sql

    name = environ.Env.db_url_config(url)["NAME"]
    if not re.fullmatch(r"clinic_(bench|chaos)[a-z0-9_]*", name):
        raise SystemExit(f"refusing to drop {name!r}: the scripts only reset clinic_bench* / clinic_chaos* databases")
    conn, _ = _server(url)
    try:
        with conn.cursor() as cursor:
            cursor.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))
            cursor.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    finally:
        conn.close()
