"""Create the PostgreSQL database named in DATABASE_URL if it does not exist yet (make serve, .ci/run)."""

import os
import sys

import environ
import psycopg2
from psycopg2 import sql

config = environ.Env.db_url_config(os.environ["DATABASE_URL"])
if not config["ENGINE"].endswith("postgresql"):
    sys.exit(0)
conn = psycopg2.connect(
    dbname="postgres",
    user=config["USER"] or None,
    password=config["PASSWORD"] or None,
    host=config["HOST"] or None,
    port=config["PORT"] or None,
)
conn.autocommit = True
with conn.cursor() as cursor:
    cursor.execute("SELECT 1 FROM pg_database WHERE datname = %s", [config["NAME"]])
    if cursor.fetchone() is None:
        cursor.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(config["NAME"])))
        print(f"created database {config['NAME']}")
conn.close()
