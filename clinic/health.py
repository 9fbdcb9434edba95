"""What /healthz reports: whether the database, the cache and the Celery broker answer."""

import logging
from collections.abc import Callable

import redis
from django.conf import settings
from django.core.cache import cache
from django.db import connection

logger = logging.getLogger(__name__)

OK = "ok"
DOWN = "down"


def _database() -> str:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
        cursor.fetchone()
    return OK


def _cache() -> str:
    cache.set("healthz:probe", "1", 10)
    return OK if cache.get("healthz:probe") == "1" else DOWN


def _broker() -> str:
    if settings.CELERY_TASK_ALWAYS_EAGER:
        return "eager"  # the embedded default runs tasks in process; there is no broker to ask
    client = redis.Redis.from_url(settings.CELERY_BROKER_URL, socket_connect_timeout=1, socket_timeout=1)
    try:
        client.ping()
    finally:
        client.close()
    return OK


CHECKS = {"database": _database, "cache": _cache, "broker": _broker}
# Counts other apps add to /healthz's "details" (intake: failed emails), name -> function. They
# do not make the site "down": they are for monitoring to alert on.
DETAILS: dict[str, Callable[[], int]] = {}


def details() -> dict[str, int | None]:
    """Each registered count; None if it could not be read (e.g. the database is down)."""
    counts = {}
    for name, count in DETAILS.items():
        try:
            counts[name] = count()
        except Exception as exc:  # a count that cannot be read says so instead of failing the probe
            logger.warning("healthz: %s not counted: %s", name, exc.__class__.__name__)
            counts[name] = None
    return counts


def check_all() -> dict[str, str]:
    """Each component's state: "ok" (or "eager" for the in-process broker) or "down"."""
    states = {}
    for name, probe in CHECKS.items():
        try:
            states[name] = probe()
        except Exception as exc:  # any failure to answer is "down"; the reason goes to the log
            logger.warning("healthz: %s is down: %s", name, exc.__class__.__name__)
            states[name] = DOWN
    return states
