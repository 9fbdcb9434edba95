"""PostgreSQL databases for the site, the scripts and the tests: created if missing, or reset."""


def _server(url: str):
    """(an autocommit connection to the server's `postgres` database, the parsed `url`)."""
    import environ

    config = environ.Env.db_url_config(url)
    conn = _connect(config, "postgres")
    conn.autocommit = True
    return conn, config


def _connect(config: dict, dbname: str):
    import psycopg2

    return psycopg2.connect(
        dbname=dbname,
        user=config["USER"] or None,
        password=config["PASSWORD"] or None,
        host=config["HOST"] or None,
        port=config["PORT"] or None,
    )


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


# Written on every database reset_database makes, so a later run knows it may drop it again.
SCRIPT_DATABASE_COMMENT = "made by scripts/support (make bench / make chaos): dropped and made anew on each run"


def reset_database(url: str) -> None:
    """Drop and create the PostgreSQL database named in `url`, whatever its name, if it is the
    scripts' own (made by an earlier run), new or empty; refuse one that holds someone's tables."""
    import environ
    from psycopg2 import sql

    name = environ.Env.db_url_config(url)["NAME"]
    conn, config = _server(url)
    try:
        with conn.cursor() as cursor:
            cursor.execute("SELECT shobj_description(oid, 'pg_database') FROM pg_database WHERE datname = %s", [name])
            row = cursor.fetchone()
            if row is not None and row[0] != SCRIPT_DATABASE_COMMENT and _has_tables(config):
                raise SystemExit(
                    f"refusing to drop {name!r}: it holds tables and was not made by these scripts; "
                    "name a new or empty database"
                )
            cursor.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))
            cursor.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
            cursor.execute(
                sql.SQL("COMMENT ON DATABASE {} IS {}").format(
                    sql.Identifier(name), sql.Literal(SCRIPT_DATABASE_COMMENT)
                )
            )
    finally:
        conn.close()


def _has_tables(config: dict) -> bool:
    conn = _connect(config, config["NAME"])
    try:
        with conn.cursor() as cursor:
            cursor.execute(
                "SELECT EXISTS (SELECT 1 FROM information_schema.tables "
                "WHERE table_schema NOT IN ('pg_catalog', 'information_schema'))"
            )
            return cursor.fetchone()[0]
    finally:
        conn.close()
