"""The suite leaves other people's Redis keys alone (tests/cache.py, tests/hostsafety.py)."""

import pytest
import redis
from django.conf import settings
from django.core.cache import cache

from tests.hostsafety import Sentinels, remove_run_keys, run_queue

pytestmark = pytest.mark.services


def test_cache_clear_deletes_only_this_runs_keys():
    raw = redis.Redis.from_url(settings.CACHES["default"]["LOCATION"])
    foreign = f"someone-else:{run_queue('foreign')}"
    raw.set(foreign, "keep me", ex=600)
    try:
        cache.set("ours", "drop me")
        cache.clear()
        assert cache.get("ours") is None
        assert raw.get(foreign) == b"keep me"
    finally:
        raw.delete(foreign)


def test_after_the_run_only_the_runs_queues_and_cache_keys_go():
    broker = redis.Redis.from_url(settings.REDIS_URL)
    raw_cache = redis.Redis.from_url(settings.CACHES["default"]["LOCATION"])
    queue, binding = run_queue("leftover"), "_kombu.binding.test-hostsafety-shared"
    broker.rpush(queue, "a task")
    broker.sadd(binding, f"{queue}\x06\x16\x06\x16{queue}", "another-run\x06\x16\x06\x16another-run")
    cache.set("leftover", 1)
    sentinels = Sentinels(settings.REDIS_URL)
    sentinels.plant()
    try:
        remove_run_keys()
        assert not broker.exists(queue)
        assert broker.smembers(binding) == {b"another-run\x06\x16\x06\x16another-run"}
        assert not raw_cache.keys(f"{settings.CACHES['default']['KEY_PREFIX']}:*")
        assert sentinels.missing() == []
    finally:
        broker.delete(binding)
        sentinels.remove()
    assert len(sentinels.missing()) == sentinels.count >= 16
