"""The cache backends: Django's Redis cache reusing its clients, and an in-process cache bounded in bytes.

Django's Redis cache, reusing one Redis client per connection pool.

Django's backend builds a new `redis.Redis` object for every cache call (the connections are
pooled, the client objects are not); building one cost about 200 µs of a 500 µs cached public
page, measured in process (bench/RESULTS.md). A `redis.Redis` client is safe to share between
threads, so each pool keeps one.
"""

from django.core.cache.backends import locmem
from django.core.cache.backends import redis as django_redis


class ReusedClientRedisCacheClient(django_redis.RedisCacheClient):
    def get_client(self, key=None, *, write=False):
        pool = self._get_connection_pool(write)
        clients = self.__dict__.setdefault("_clients", {})
        client = clients.get(id(pool))
        if client is None:
            client = clients[id(pool)] = self._client(connection_pool=pool)
        return client


class RedisCache(django_redis.RedisCache):
    def __init__(self, server, params):
        super().__init__(server, params)
        self._class = ReusedClientRedisCacheClient


class BoundedMemoryCache(locmem.LocMemCache):
    """Django's in-process cache, bounded by the bytes it holds rather than by its entry count.

    LocMemCache counts entries (MAX_ENTRIES), whatever their size: 500 calendars of 6.8 MB each
    are 3.4 GB in every web process, which a reader with distinct query strings could fill. This
    keeps at most OPTIONS["MAX_BYTES"] of pickled values (keys included), dropping the least
    recently used first, and never keeps one value larger than a quarter of that.
    """

    def __init__(self, name, params):
        super().__init__(name, params)
        self.max_bytes = int(params.get("OPTIONS", {}).get("MAX_BYTES", 32 * 1024 * 1024))
        self._sizes: dict[str, int] = _sizes.setdefault(name, {})

    @property
    def bytes_held(self) -> int:
        return sum(self._sizes.values())

    def _set(self, key, value, timeout=locmem.DEFAULT_TIMEOUT):
        size = len(key) + len(value)
        self._delete(key)
        if size > self.max_bytes // 4:
            return  # too big to keep without crowding out everything else
        super()._set(key, value, timeout)
        self._sizes[key] = size
        held = self.bytes_held
        while held > self.max_bytes and self._cache:
            oldest, _value = self._cache.popitem()  # get() and set() move an entry to the front
            self._expire_info.pop(oldest, None)
            held -= self._sizes.pop(oldest, 0)

    def _cull(self):
        pass  # bounded by bytes in _set, not by MAX_ENTRIES

    def _delete(self, key):
        self._sizes.pop(key, None)
        return super()._delete(key)

    def incr(self, key, delta=1, version=None):
        value = super().incr(key, delta, version)
        made = self.make_and_validate_key(key, version=version)
        with self._lock:
            if made in self._cache:
                self._sizes[made] = len(made) + len(self._cache[made])
        return value

    def clear(self):
        with self._lock:
            self._cache.clear()
            self._expire_info.clear()
            self._sizes.clear()


_sizes: dict[str, dict[str, int]] = {}
