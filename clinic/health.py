"""What /healthz reports: whether the database, the cache and the Celery broker answer."""

import logging

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
