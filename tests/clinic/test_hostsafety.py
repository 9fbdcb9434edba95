"""The suite leaves other people's Redis keys alone (tests/cache.py, tests/hostsafety.py)."""

import json

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
    broker.hset(
        "unacked", mapping={"ours-tag": json.dumps([{}, "", queue]), "their-tag": json.dumps([{}, "", "celery"])}
    )
    broker.zadd("unacked_index", {"ours-tag": 1, "their-tag": 1})
    cache.set("leftover", 1)
    sentinels = Sentinels(settings.REDIS_URL)
    sentinels.plant()
    try:
        remove_run_keys()
        assert not broker.exists(queue)
        assert broker.smembers(binding) == {b"another-run\x06\x16\x06\x16another-run"}
        assert not broker.hexists("unacked", "ours-tag") and broker.hexists("unacked", "their-tag")
        assert broker.zscore("unacked_index", "ours-tag") is None and broker.zscore("unacked_index", "their-tag")
        assert not raw_cache.keys(f"{settings.CACHES['default']['KEY_PREFIX']}:*")
        assert sentinels.missing() == []
    finally:
        broker.delete(binding)
        broker.hdel("unacked", "their-tag")
        broker.zrem("unacked_index", "their-tag")
        sentinels.remove()
    assert len(sentinels.missing()) == sentinels.count >= 16
