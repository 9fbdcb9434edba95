"""The tests' Redis cache: `clear()` deletes only this run's keys, never the whole database.

Django's RedisCache.clear() is FLUSHDB, which on a shared Redis would also empty a running site's
cache and anything else kept in that database. Tests keep calling `cache.clear()` to start from an
empty cache; with this backend (tests/settings.py) that removes the keys under the run's
KEY_PREFIX only, found with SCAN.
"""

from django.core.cache.backends.redis import RedisCache

from tests.hostsafety import delete_matching


class PrefixOnlyRedisCache(RedisCache):
    def __init__(self, server, params):
        super().__init__(server, params)
        if not self.key_prefix:
            raise ValueError("PrefixOnlyRedisCache needs a KEY_PREFIX: clear() deletes the keys under it")

    def clear(self):
        delete_matching(self._cache.get_client(write=True), f"{self.key_prefix}:*")
        return True
