"""Cache-aside for hot reads (ARCHITECTURE.md "Cache"): Redis when REDIS_URL is set, else memory.

- Values are the JSON bytes of the response models, so a hit is served without the database and
  without serialising anything again.
- Invalidation bumps a version that is part of every key of its namespace (O(1), no SCAN/KEYS);
  it happens after the transaction commits, so no reader can put stale data back meanwhile.
- Concurrent misses on one key compute once per process (single flight).
- Redis errors are counted, never reach the request (the value is computed instead), and Redis
  is tried again a few seconds later, so the cache comes back by itself.
"""

import asyncio
import hashlib
import time
from collections import OrderedDict
from collections.abc import Awaitable, Callable
from enum import StrEnum
from typing import Protocol, TypeVar

from loguru import logger
from redis.asyncio import Redis
from sqlalchemy.ext.asyncio import AsyncSession

from intowork.core.db import SESSION_CACHE_KEY, after_commit

REDIS_RETRY_SECONDS = 5.0
MEMORY_MAX_ENTRIES = 10_000
T = TypeVar("T")


class Namespace(StrEnum):
    """What a version invalidates: every key built with it."""

    JOBS = "jobs"  # job list pages, job details, public company pages
    DASHBOARDS = "dashboards"  # every user's dashboard


class Ttl:
    JOB_LIST = 60
    JOB_DETAIL = 300
    COMPANY = 600
    DASHBOARD = 120


# Keys are built here and nowhere else.
def job_list_key(version: int, params: str) -> str:
    return f"jobs:v{version}:list:{_digest(params)}"


def job_detail_key(version: int, job_id: int) -> str:
    return f"jobs:v{version}:detail:{job_id}"


def company_key(version: int, company_id: int) -> str:
    return f"jobs:v{version}:company:{company_id}"


def dashboard_key(version: int, user_id: int, language: str) -> str:
    return f"dashboards:v{version}:user:{user_id}:{language}"


def _version_key(namespace: Namespace) -> str:
    return f"version:{namespace.value}"


def _digest(text: str) -> str:
    return hashlib.blake2b(text.encode(), digest_size=12).hexdigest()


class Backend(Protocol):
    async def get(self, key: str) -> bytes | None: ...

    async def set(self, key: str, value: bytes, ttl: int) -> None: ...

    async def incr(self, key: str) -> int: ...


class MemoryBackend:
    """A bounded in-process TTL cache (one process: the embedded default).

    A version bump makes every entry of the namespace's old version unreachable: those entries
    are dropped at the bump (and never stored late by a computation that started before it), so
    memory holds the live pages only, not up to `max_entries` dead ones under a steady write load.
    """

    def __init__(self, max_entries: int = MEMORY_MAX_ENTRIES) -> None:
        self.entries: OrderedDict[str, tuple[float, bytes]] = OrderedDict()
        self.counters: dict[str, int] = {}
        self.max_entries = max_entries
        # "jobs:v3" -> the keys stored under that version of the namespace.
        self.generations: dict[str, set[str]] = {}

    async def get(self, key: str) -> bytes | None:
        # Counters (versions) are kept apart: evicting one would bring old entries back.
        if key in self.counters:
            return str(self.counters[key]).encode()
        entry = self.entries.get(key)
        if entry is None:
            return None
        expires_at, value = entry
        if expires_at < time.monotonic():
            self._drop(key)
            return None
        self.entries.move_to_end(key)
        return value

    async def set(self, key: str, value: bytes, ttl: int) -> None:
        generation = _generation(key)
        if generation is not None:
            namespace, version = generation
            if version < self.counters.get(_version_key(namespace), 0):
                return  # computed before a bump: nobody can read it any more
            self.generations.setdefault(f"{namespace.value}:v{version}", set()).add(key)
        self.entries[key] = (time.monotonic() + ttl, value)
        self.entries.move_to_end(key)
        while len(self.entries) > self.max_entries:
            self._drop(next(iter(self.entries)))

    async def incr(self, key: str) -> int:
        self.counters[key] = self.counters.get(key, 0) + 1
        namespace = key.removeprefix("version:")
        if namespace != key:
            current = f"{namespace}:v{self.counters[key]}"
            for name in [n for n in self.generations if n.startswith(f"{namespace}:v")]:
                if name != current:
                    for stale in self.generations.pop(name):
                        self.entries.pop(stale, None)
        return self.counters[key]

    def _drop(self, key: str) -> None:
        del self.entries[key]
        generation = _generation(key)
        if generation is not None:
            namespace, version = generation
            keys = self.generations.get(f"{namespace.value}:v{version}")
            if keys is not None:
                keys.discard(key)


def _generation(key: str) -> tuple[Namespace, int] | None:
    """(namespace, version) of a key built by the functions above, None for others."""
    namespace, _, rest = key.partition(":v")
    version, _, _ = rest.partition(":")
    if namespace not in Namespace.__members__.values() or not version.isdigit():
        return None
    return Namespace(namespace), int(version)


class RedisBackend:
    def __init__(self, redis: Redis, prefix: str) -> None:
        self.redis = redis
        self.prefix = f"{prefix}cache:"

    async def get(self, key: str) -> bytes | None:
        value = await self.redis.get(self.prefix + key)
        return value.encode() if isinstance(value, str) else value

    async def set(self, key: str, value: bytes, ttl: int) -> None:
        await self.redis.set(self.prefix + key, value, ex=ttl)

    async def incr(self, key: str) -> int:
        return int(await self.redis.incr(self.prefix + key))


class CacheEvents(Protocol):
    def hit(self, name: str) -> None: ...

    def miss(self, name: str) -> None: ...

    def error(self) -> None: ...

    def duration(self, seconds: float) -> None: ...


class _NoEvents:
    def hit(self, name: str) -> None:
        pass

    def miss(self, name: str) -> None:
        pass

    def error(self) -> None:
        pass

    def duration(self, seconds: float) -> None:
        pass


class Cache:
    def __init__(self, backend: Backend, events: CacheEvents | None = None) -> None:
        self.backend = backend
        self.events: CacheEvents = events or _NoEvents()
        self.down_until = 0.0
        self.in_flight: dict[str, asyncio.Future[bytes]] = {}
        self.lost_bumps: set[Namespace] = set()

    @property
    def available(self) -> bool:
        return time.monotonic() >= self.down_until

    async def _call(self, operation: Callable[[], Awaitable[T]]) -> T | None:
        """A backend call; on failure the cache is skipped for a while, the request goes on."""
        if not self.available:
            return None
        started = time.perf_counter()
        try:
            return await operation()
        except Exception as exc:
            self.down_until = time.monotonic() + REDIS_RETRY_SECONDS
            self.events.error()
            logger.bind(error=type(exc).__name__).warning("cache.unavailable")
            return None
        finally:
            self.events.duration(time.perf_counter() - started)

    async def version(self, namespace: Namespace) -> int:
        if self.lost_bumps and self.available:
            await self._replay_lost_bumps()
        value = await self._call(lambda: self.backend.get(_version_key(namespace)))
        return int(value) if value else 0

    async def bump(self, namespace: Namespace) -> None:
        if await self._incr_version(namespace) is None:
            # Redis may come back with its data: the write must still invalidate then.
            self.lost_bumps.add(namespace)

    async def _replay_lost_bumps(self) -> None:
        for namespace in list(self.lost_bumps):
            if await self._incr_version(namespace) is None:
                return
            self.lost_bumps.discard(namespace)

    async def _incr_version(self, namespace: Namespace) -> int | None:
        key = _version_key(namespace)
        return await self._call(lambda: self.backend.incr(key))

    async def get(self, name: str, key: str) -> bytes | None:
        value = await self._call(lambda: self.backend.get(key))
        (self.events.hit if value is not None else self.events.miss)(name)
        return value

    async def set(self, key: str, value: bytes, ttl: int) -> None:
        await self._call(lambda: self.backend.set(key, value, ttl))

    async def get_or_compute(
        self, name: str, key: str, ttl: int, compute: Callable[[], Awaitable[bytes]]
    ) -> bytes:
        """The cached bytes, or `compute()` once (per process) for all concurrent callers."""
        cached = await self._call(lambda: self.backend.get(key))
        if cached is not None:
            self.events.hit(name)
            return cached
        self.events.miss(name)
        pending = self.in_flight.get(key)
        if pending is not None:
            return await asyncio.shield(pending)
        future: asyncio.Future[bytes] = asyncio.get_running_loop().create_future()
        self.in_flight[key] = future
        try:
            # Read again now that this caller owns the slot: a computation that finished while
            # our first read was in flight has stored its value.
            stored = await self._call(lambda: self.backend.get(key))
            value = stored if stored is not None else await compute()
            # Stored before leaving in_flight: a miss arriving meanwhile waits, never recomputes.
            if stored is None:
                await self._call(lambda: self.backend.set(key, value, ttl))
        except BaseException as exc:
            future.set_exception(exc)
            future.exception()  # retrieved: waiters re-raise it, nobody logs it as lost
            raise
        finally:
            self.in_flight.pop(key, None)
        future.set_result(value)
        return value


def create_cache(redis: Redis | None, prefix: str, events: CacheEvents | None = None) -> Cache:
    backend: Backend = RedisBackend(redis, prefix) if redis is not None else MemoryBackend()
    return Cache(backend, events)


def cache_of(session: AsyncSession) -> Cache | None:
    """The request's cache (set by the session dependency); None outside requests (CLI)."""
    cache: Cache | None = session.info.get(SESSION_CACHE_KEY)
    return cache


def invalidate_after_commit(session: AsyncSession, *namespaces: Namespace) -> None:
    """Bumps these namespaces once the request's transaction has committed."""
    cache = cache_of(session)
    if cache is None:
        return
    pending: set[Namespace] = session.info.setdefault("intowork.cache.pending", set())
    new = set(namespaces) - pending
    if not new:
        return
    pending.update(new)

    async def bump() -> None:
        for namespace in new:
            await cache.bump(namespace)

    after_commit(session, bump)
