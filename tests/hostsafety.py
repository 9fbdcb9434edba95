"""The suite shares its host: it touches only the Redis keys and /tmp folders it wrote itself.

A pytest plugin (loaded from tests/conftest.py):
- Before the run, a sentinel key goes into every database of the Redis server in REDIS_URL; after
  the run each must still be there, or the run fails and says which database lost it. This proves
  that nothing in the suite emptied a database (FLUSHDB, the stock cache.clear()) or deleted keys
  that were not its own.
- After the run, the run's own keys are deleted: the cache keys under its KEY_PREFIX, and the Celery
  queues and bindings whose names hold the run's queue name (tests/settings.py: `test-<random>`;
  tests that start their own worker name their queue after it with `run_queue()`). The run's
  temporary folder (/tmp/clinic-tests-*) is removed at exit by tests/settings.py.
"""

import json
import uuid
from urllib.parse import urlsplit, urlunsplit

import pytest
from django.conf import settings

SENTINEL_TTL = 6 * 3600  # a crashed run's sentinels expire by themselves


def run_queue(suffix: str) -> str:
    """A Celery queue name for one test's own worker, cleaned up with the run's keys."""
    return f"{settings.CELERY_TASK_DEFAULT_QUEUE}-{suffix}"


def _server(url: str, db: int | None = None):
    """A client for the Redis at `url`, or for database `db` of that server (the URL's own db wins
    over a `db=` argument in redis-py, so the path is replaced)."""
    import redis

    if db is not None:
        url = urlunsplit(urlsplit(url)._replace(path=f"/{db}"))
    return redis.Redis.from_url(url, socket_connect_timeout=2, socket_timeout=5)


def database_count(client) -> int:
    try:
        return int(client.config_get("databases")["databases"])
    except Exception:  # CONFIG may be renamed or refused on a managed Redis: the default is 16
        return 16


def delete_matching(client, pattern: str) -> int:
    """Delete the keys matching `pattern` (SCAN, never KEYS or FLUSHDB); how many went."""
    deleted = 0
    batch = []
    for key in client.scan_iter(match=pattern, count=500):
        batch.append(key)
        if len(batch) == 500:
            deleted += client.delete(*batch)
            batch = []
    if batch:
        deleted += client.delete(*batch)
    return deleted


def cache_location_and_prefix() -> tuple[str, str] | None:
    cache = settings.CACHES["default"]
    if not cache["BACKEND"].endswith("RedisCache"):
        return None
    return cache["LOCATION"], cache.get("KEY_PREFIX", "")


def remove_run_keys() -> None:
    """The run's cache keys, and its Celery queues, bindings and unacknowledged tasks on the broker.

    Kombu's own bookkeeping keys that every Celery client of the database shares (e.g.
    `_kombu.binding_deadlines`) stay: another worker on the same database may be using them."""
    if not settings.REDIS_URL:
        return
    located = cache_location_and_prefix()
    if located and located[1]:
        location, prefix = located
        delete_matching(_server(location), f"{prefix}:*")
    queue = settings.CELERY_TASK_DEFAULT_QUEUE
    broker = _server(settings.REDIS_URL)
    delete_matching(broker, f"*{queue}*")
    # Kombu's shared binding sets (e.g. the control mailbox's) list each worker once: remove only
    # the members naming this run's workers, never the set.
    for key in broker.scan_iter(match="_kombu.binding.*", count=500):
        if broker.type(key) != b"set":
            continue
        ours = [member for member in broker.smembers(key) if queue.encode() in member]
        if ours:
            broker.srem(key, *ours)
    # Tasks a killed worker had not acknowledged (the worker-fault tests): kombu keeps them in one
    # hash for every queue of the database, each entry [message, exchange, routing key].
    for tag, entry in broker.hscan_iter("unacked", count=500):
        try:
            routing_key = json.loads(entry)[2]
        except (ValueError, IndexError, TypeError):
            continue
        if queue in routing_key:
            broker.hdel("unacked", tag)
            broker.zrem("unacked_index", tag)


class Sentinels:
    """One key in every database of a Redis server, set before the run and checked after it."""

    def __init__(self, url: str):
        self.url = url
        self.key = f"clinic-tests-sentinel:{uuid.uuid4().hex}"
        self.count = database_count(_server(url))
        self.flushes_before = self.flushes()

    def flushes(self) -> int:
        """FLUSHDB and FLUSHALL calls the server has answered (from any client), if it says."""
        try:
            stats = _server(self.url).info("commandstats")
        except Exception:
            return 0
        return sum(stats.get(f"cmdstat_{name}", {}).get("calls", 0) for name in ("flushdb", "flushall"))

    def plant(self) -> None:
        for db in range(self.count):
            _server(self.url, db).set(self.key, "the test suite must leave this key alone", ex=SENTINEL_TTL)

    def missing(self) -> list[int]:
        return [db for db in range(self.count) if not _server(self.url, db).exists(self.key)]

    def remove(self) -> None:
        for db in range(self.count):
            _server(self.url, db).delete(self.key)


_sentinels: Sentinels | None = None
_problems: list[str] = []


def pytest_sessionstart(session):
    global _sentinels
    if settings.REDIS_URL:
        _sentinels = Sentinels(settings.REDIS_URL)
        _sentinels.plant()


@pytest.hookimpl(trylast=True)
def pytest_sessionfinish(session, exitstatus):
    global _sentinels
    remove_run_keys()
    if _sentinels is None:
        return
    sentinels, _sentinels = _sentinels, None
    missing = sentinels.missing()
    flushes = sentinels.flushes() - sentinels.flushes_before
    sentinels.remove()
    if missing:
        _problems.append(
            f"keys this suite did not write were deleted: the sentinel key is gone from Redis database(s) "
            f"{missing} of {settings.REDIS_URL.rsplit('/', 1)[0]} ({flushes} FLUSHDB/FLUSHALL calls reached the "
            "server during the run, from this suite or another client)"
        )
        session.exitstatus = pytest.ExitCode.TESTS_FAILED


def pytest_terminal_summary(terminalreporter):
    for problem in _problems:
        terminalreporter.write_line(f"ERROR: {problem}", red=True, bold=True)
