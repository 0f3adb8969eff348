"""Cache-aside for hot reads (ARCHITECTURE.md "Cache"): Redis when REDIS_URL is set, else memory.

- Values are the JSON bytes of the response models, so a hit is served without the database and
  without serialising anything again.
- Invalidation is scoped to entities (docs/decisions.md "Entity-scoped cache invalidation"): a
  key embeds the versions of the scopes it depends on (`job:7`, `job_lists`, `user:3`...), all
  read in one round trip (MGET); a write bumps the scopes it changed, after its transaction
  commits, so no reader can put stale data back meanwhile. No SCAN/KEYS.
- Versions never go backwards: a bump sets max(current + 1, the clock in milliseconds), and a
  missing version (never set, expired after VERSION_TTL, evicted) starts at the clock, above
  every version it could have had, so an entry stored under an old version is never read again.
- Concurrent misses on one key compute once per process (single flight).
- Redis errors are counted, never reach the request (the value is computed instead), and Redis
  is tried again a few seconds later, so the cache comes back by itself.
"""

import asyncio
import dataclasses
import hashlib
import time
from collections import OrderedDict
from collections.abc import Awaitable, Callable, Sequence
from enum import Enum
from typing import Protocol, TypeVar

from loguru import logger
from redis.asyncio import Redis
from sqlalchemy.ext.asyncio import AsyncSession

from intowork.core.db import SESSION_CACHE_KEY, after_commit, after_rollback

REDIS_RETRY_SECONDS = 5.0
MEMORY_MAX_ENTRIES = 10_000
# Pages are up to tens of kB: the bytes bound the process's memory, the count its bookkeeping.
MEMORY_MAX_BYTES = 16 * 1024 * 1024
MEMORY_MAX_VERSIONS = 50_000
VERSION_TTL = 7 * 86_400  # a scope nobody wrote to for a week starts again at the clock
MAX_LOST_BUMPS = 1_000  # beyond, a Redis outage's writes are replayed as one bump of ALL
T = TypeVar("T")

# A key whose versions could not be read: never read nor stored (the value is computed).
UNCACHED = "|uncached"


class Scope:
    """What a version invalidates: every key built with it."""

    ALL = "all"  # every key (replaying too many bumps lost during a Redis outage)
    JOB_LISTS = "job_lists"  # every page of the public job list
    OPEN_JOBS = "open_jobs"  # how many jobs are published: candidates' dashboards
    STATS = "stats"  # site-wide figures: admins' dashboards

    @staticmethod
    def job(job_id: int) -> str:
        """A job's public detail."""
        return f"job:{job_id}"

    @staticmethod
    def company(company_id: int) -> str:
        """A company's public page."""
        return f"company:{company_id}"

    @staticmethod
    def user(user_id: int) -> str:
        """That user's dashboard."""
        return f"user:{user_id}"

    @staticmethod
    def applications(user_id: int) -> str:
        """That candidate's list of applications."""
        return f"applications:{user_id}"


class Ttl:
    JOB_LIST = 60
    JOB_DETAIL = 300
    COMPANY = 600
    DASHBOARD = 120
    MY_APPLICATIONS = 120


def _digest(text: str) -> str:
    return hashlib.blake2b(text.encode(), digest_size=12).hexdigest()


def query_source(query: object) -> str:
    """A query object as the stable text its cache key digests: a dataclass's fields, every one
    of them, sorted by name (nested dataclasses likewise), so a field added to a filter can never
    be left out of the key. Equal queries give equal text: normalise in the dataclass itself.
    Plain values only (a value with no stable text would silently share entries: refused)."""
    return repr(_canonical(query))


_Canonical = str | int | float | bool | None | tuple["_Canonical", ...]


def _canonical(value: object) -> _Canonical:
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        fields = sorted(dataclasses.fields(value), key=lambda field: field.name)
        return tuple((field.name, _canonical(getattr(value, field.name))) for field in fields)
    if isinstance(value, Enum):
        return _canonical(value.value)
    if isinstance(value, tuple | list):
        return tuple(_canonical(item) for item in value)
    if value is None or isinstance(value, str | int | float | bool):
        return value
    raise TypeError(f"no stable cache key for a {type(value).__name__}")


def versioned_key(base: str, scopes: Sequence[str], versions: Sequence[int]) -> str:
    """`base|scope=version|...`: a bump of any of these scopes makes the key unreachable."""
    return base + "".join(f"|{s}={v}" for s, v in zip(scopes, versions, strict=True))


def key_versions(key: str) -> list[tuple[str, int]]:
    """The (scope, version) pairs a key embeds (none for other keys)."""
    pairs = []
    for part in key.split("|")[1:]:
        scope, _, version = part.partition("=")
        if version.isdigit():
            pairs.append((scope, int(version)))
    return pairs


def _clock_ms() -> int:
    return int(time.time() * 1000)


class Backend(Protocol):
    async def get(self, key: str) -> bytes | None: ...

    async def set(self, key: str, value: bytes, ttl: int) -> None: ...

    async def versions(self, scopes: Sequence[str]) -> list[int]:
        """The current version of each scope, in one round trip (a missing one is created)."""
        ...

    async def bump(self, scopes: Sequence[str]) -> None:
        """Each scope to max(current + 1, clock in ms), in one round trip."""
        ...


class MemoryBackend:
    """A bounded in-process TTL cache (one process: the embedded default).

    A bump makes every entry built on the scope's old version unreachable: those entries are
    dropped at the bump (and never stored late by a computation that started before it), so
    memory holds live pages only. Versions are bounded too (MEMORY_MAX_VERSIONS, VERSION_TTL):
    a dropped version takes its entries with it and raises `floor`, under which no version
    ever starts again.
    """

    def __init__(
        self,
        max_entries: int = MEMORY_MAX_ENTRIES,
        max_versions: int = MEMORY_MAX_VERSIONS,
        max_bytes: int = MEMORY_MAX_BYTES,
    ) -> None:
        self.entries: OrderedDict[str, tuple[float, bytes]] = OrderedDict()
        self.max_entries = max_entries
        self.max_bytes = max_bytes
        self.size = 0  # bytes of the stored values
        # scope -> (expires at, version), least recently used first.
        self.scopes: OrderedDict[str, tuple[float, int]] = OrderedDict()
        self.max_versions = max_versions
        self.floor = 0
        # "job:7=1733..." -> the keys stored under that version of the scope.
        self.dependents: dict[str, set[str]] = {}

    async def get(self, key: str) -> bytes | None:
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
        pairs = key_versions(key)
        for scope, version in pairs:
            if self._live_version(scope) != version:
                return  # computed before a bump: nobody can read it any more
        self._drop(key)  # a replaced value leaves the byte count first
        for scope, version in pairs:
            self.dependents.setdefault(f"{scope}={version}", set()).add(key)
        now = time.monotonic()
        self.entries[key] = (now + ttl, value)
        self.size += len(value)
        # Expired entries nobody reads again would otherwise wait for the bounds below.
        while self.entries and (oldest := next(iter(self.entries.items())))[1][0] < now:
            self._drop(oldest[0])
        while len(self.entries) > self.max_entries or self.size > self.max_bytes:
            self._drop(next(iter(self.entries)))

    async def versions(self, scopes: Sequence[str]) -> list[int]:
        found = []
        for scope in scopes:
            version = self._live_version(scope)
            if version is None:
                version = max(_clock_ms(), self.floor + 1)
                self._store_version(scope, version)
            found.append(version)
        return found

    async def bump(self, scopes: Sequence[str]) -> None:
        for scope in scopes:
            current = self._live_version(scope)
            if current is not None:
                self._drop_dependents(scope, current)
            base = current if current is not None else self.floor
            self._store_version(scope, max(base + 1, _clock_ms(), self.floor + 1))

    def _live_version(self, scope: str) -> int | None:
        stored = self.scopes.get(scope)
        if stored is None:
            return None
        expires_at, version = stored
        if expires_at < time.monotonic():
            self._forget_version(scope)
            return None
        self.scopes.move_to_end(scope)
        return version

    def _store_version(self, scope: str, version: int) -> None:
        self.scopes[scope] = (time.monotonic() + VERSION_TTL, version)
        self.scopes.move_to_end(scope)
        while len(self.scopes) > self.max_versions:
            self._forget_version(next(iter(self.scopes)))

    def _forget_version(self, scope: str) -> None:
        _, version = self.scopes.pop(scope)
        self.floor = max(self.floor, version)
        self._drop_dependents(scope, version)

    def _drop_dependents(self, scope: str, version: int) -> None:
        for stale in self.dependents.pop(f"{scope}={version}", ()):
            self._drop(stale)

    def _drop(self, key: str) -> None:
        entry = self.entries.pop(key, None)
        if entry is None:
            return
        self.size -= len(entry[1])
        for scope, version in key_versions(key):
            name = f"{scope}={version}"
            keys = self.dependents.get(name)
            if keys is not None:
                keys.discard(key)
                if not keys:
                    del self.dependents[name]


# Both run inside Redis, atomically, on its own clock (TIME), shared by every process. KEYS[1] is
# the highest version ever given (no expiry): a version starts above it and above the clock, so
# not even a burst of bumps that ran ahead of the clock can be issued twice.
_START_LUA = """
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local start = math.max(now, tonumber(redis.call('GET', KEYS[1]) or '0') + 1)
"""
_VERSIONS_LUA = (
    _START_LUA
    + """
local found = {}
for i = 2, #KEYS do
  if redis.call('SET', KEYS[i], string.format('%d', start), 'NX', 'EX', ARGV[1]) then
    redis.call('SET', KEYS[1], string.format('%d', start))
  end
  found[i - 1] = redis.call('GET', KEYS[i])
end
return found
"""
)
_BUMP_LUA = (
    _START_LUA
    + """
for i = 2, #KEYS do
  local new = math.max(tonumber(redis.call('GET', KEYS[i]) or '0') + 1, start)
  redis.call('SET', KEYS[i], string.format('%d', new), 'EX', ARGV[1])
  redis.call('SET', KEYS[1], string.format('%d', new))
  start = new + 1
end
return #KEYS
"""
)


class RedisBackend:
    def __init__(self, redis: Redis, prefix: str) -> None:
        self.redis = redis
        self.prefix = f"{prefix}cache:"
        self.version_prefix = f"{prefix}cache:version:"
        self.highest = f"{prefix}cache:highest-version"
        self._create_versions = redis.register_script(_VERSIONS_LUA)
        self._bump = redis.register_script(_BUMP_LUA)

    async def get(self, key: str) -> bytes | None:
        value = await self.redis.get(self.prefix + key)
        return value.encode() if isinstance(value, str) else value

    async def set(self, key: str, value: bytes, ttl: int) -> None:
        await self.redis.set(self.prefix + key, value, ex=ttl)

    async def versions(self, scopes: Sequence[str]) -> list[int]:
        keys = [self.version_prefix + scope for scope in scopes]
        values = await self.redis.mget(keys)
        if None in values:  # first use of a scope (or expired): a second trip, once a week
            values = await self._create_versions(keys=[self.highest, *keys], args=[VERSION_TTL])
        return [int(value) for value in values if value is not None]

    async def bump(self, scopes: Sequence[str]) -> None:
        keys = [self.version_prefix + scope for scope in scopes]
        await self._bump(keys=[self.highest, *keys], args=[VERSION_TTL])


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
        self.lost_bumps: set[str] = set()

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

    # Keys are built here and nowhere else: each embeds the versions of what it shows.
    async def key(self, base: str, *scopes: str) -> str:
        """`base` with the current versions of ALL and `scopes`, read in one round trip."""
        if self.lost_bumps and self.available:
            await self._replay_lost_bumps()
        depends = (Scope.ALL, *scopes)
        versions = await self._call(lambda: self.backend.versions(depends))
        if versions is None or self.lost_bumps:
            return base + UNCACHED  # unknown versions: no entry may be trusted nor stored
        return versioned_key(base, depends, versions)

    async def job_list_key(self, query: object) -> str:
        """A page of the public list: `query` is everything that shapes it (`query_source`)."""
        return await self.key(f"job_list:{_digest(query_source(query))}", Scope.JOB_LISTS)

    async def job_detail_key(self, job_id: int) -> str:
        return await self.key(f"job_detail:{job_id}", Scope.job(job_id))

    async def company_key(self, company_id: int) -> str:
        return await self.key(f"company:{company_id}", Scope.company(company_id))

    async def dashboard_key(self, user_id: int, language: str, *, shows: Sequence[str] = ()) -> str:
        """`shows`: the shared figures this role's dashboard has (OPEN_JOBS, STATS)."""
        return await self.key(f"dashboard:{user_id}:{language}", Scope.user(user_id), *shows)

    async def my_applications_key(self, user_id: int, params: str) -> str:
        base = f"my_applications:{user_id}:{_digest(params)}"
        return await self.key(base, Scope.applications(user_id))

    async def bump(self, *scopes: str) -> None:
        if not scopes:
            return
        if not await self._bumped(scopes):
            # Redis may come back with its data: the write must still invalidate then.
            self._lose(scopes)

    async def _bumped(self, scopes: Sequence[str]) -> bool:
        async def bump() -> bool:
            await self.backend.bump(scopes)
            return True

        return await self._call(bump) is not None

    def _lose(self, scopes: Sequence[str]) -> None:
        self.lost_bumps.update(scopes)
        if len(self.lost_bumps) > MAX_LOST_BUMPS:
            self.lost_bumps = {Scope.ALL}

    async def _replay_lost_bumps(self) -> None:
        scopes = sorted(self.lost_bumps)
        if not await self._bumped(scopes):
            return
        self.lost_bumps.difference_update(scopes)

    async def get(self, name: str, key: str) -> bytes | None:
        value = None if key.endswith(UNCACHED) else await self._call(lambda: self.backend.get(key))
        (self.events.hit if value is not None else self.events.miss)(name)
        return value

    async def set(self, key: str, value: bytes, ttl: int) -> None:
        if not key.endswith(UNCACHED):
            await self._call(lambda: self.backend.set(key, value, ttl))

    async def get_or_compute(
        self, name: str, key: str, ttl: int, compute: Callable[[], Awaitable[bytes]]
    ) -> bytes:
        """The cached bytes, or `compute()` once (per process) for all concurrent callers."""
        if key.endswith(UNCACHED):
            self.events.miss(name)
            return await compute()
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


_PENDING = "intowork.cache.pending"


def invalidate_after_commit(session: AsyncSession, *scopes: str) -> None:
    """Bumps these scopes, all in one round trip, once the request's transaction committed."""
    cache = cache_of(session)
    if cache is None or not scopes:
        return
    pending: set[str] | None = session.info.get(_PENDING)
    if pending is None:
        pending = session.info[_PENDING] = set()

        async def bump() -> None:
            scopes = sorted(session.info.pop(_PENDING, ()))
            await cache.bump(*scopes)

        def forget() -> None:
            session.info.pop(_PENDING, None)

        after_commit(session, bump)
        after_rollback(session, forget)
    pending.update(scopes)
