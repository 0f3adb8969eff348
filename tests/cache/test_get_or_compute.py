"""Cache.get_or_compute on each backend: single flight, failures, and a backend that goes away.

The Redis cases use the real Redis of `redis_target` (its own key prefix); the failure cases wrap
the in-process backend, whose failures can be placed exactly.
"""

import asyncio
import time
from collections.abc import AsyncIterator, Awaitable, Callable, Sequence

import pytest
from redis.asyncio import Redis
from redis.exceptions import ConnectionError as RedisConnectionError

from intowork.core import cache as cache_module
from intowork.core.cache import (
    REDIS_RETRY_SECONDS,
    Backend,
    Cache,
    MemoryBackend,
    RedisBackend,
    Scope,
)
from tests.cache.test_memory_backend import Clock
from tests.fixtures.redis import RedisTarget
from tests.fixtures.timing import wait_until_async

CONCURRENT = 100


@pytest.fixture(params=["memory", "redis"])
def redis_or_not(request: pytest.FixtureRequest) -> RedisTarget | None:
    return request.getfixturevalue("redis_target") if request.param == "redis" else None


@pytest.fixture
async def backend(redis_or_not: RedisTarget | None) -> AsyncIterator[Backend]:
    """The in-process backend, or one on the real Redis."""
    if redis_or_not is None:
        yield MemoryBackend()
        return
    target = redis_or_not
    redis = Redis.from_url(target.url)
    try:
        yield RedisBackend(redis, target.prefix)
    finally:
        await redis.aclose()


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch) -> Clock:
    fake = Clock()
    monkeypatch.setattr(cache_module, "time", fake)
    return fake


class Counting:
    """A compute function that counts its calls and holds every caller until released."""

    def __init__(self, value: bytes = b'{"jobs": []}', error: Exception | None = None) -> None:
        self.calls = 0
        self.value = value
        self.error = error
        self.started = asyncio.Event()
        self.release = asyncio.Event()

    async def __call__(self) -> bytes:
        self.calls += 1
        self.started.set()
        await self.release.wait()
        if self.error is not None:
            raise self.error
        return self.value


class Events:
    def __init__(self) -> None:
        self.hits: list[str] = []
        self.misses: list[str] = []
        self.errors = 0

    def hit(self, name: str) -> None:
        self.hits.append(name)

    def miss(self, name: str) -> None:
        self.misses.append(name)

    def error(self) -> None:
        self.errors += 1

    def duration(self, seconds: float) -> None:
        assert seconds >= 0


async def concurrently(
    count: int, call: Callable[[], Awaitable[bytes]], compute: Counting, events: Events
) -> list[bytes | BaseException]:
    """`count` calls started together; the computation is released once they all wait (each
    counted its miss, then joined the computation, with no await in between)."""
    tasks = [asyncio.ensure_future(call()) for _ in range(count)]
    await compute.started.wait()

    async def all_missed() -> bool:
        return len(events.misses) == count

    await wait_until_async(all_missed, 60, what=f"{count} callers past their cache read")
    compute.release.set()
    return await asyncio.gather(*tasks, return_exceptions=True)


class TestSingleFlight:
    async def test_concurrent_misses_compute_once(self, backend: Backend) -> None:
        events = Events()
        cache = Cache(backend, events)
        compute = Counting()
        results = await concurrently(
            CONCURRENT, lambda: cache.get_or_compute("job_list", "k", 60, compute), compute, events
        )
        assert results == [compute.value] * CONCURRENT
        assert compute.calls == 1
        assert cache.in_flight == {}

    async def test_later_reads_are_hits(self, backend: Backend) -> None:
        events = Events()
        cache = Cache(backend, events)
        compute = Counting()
        compute.release.set()
        await cache.get_or_compute("job_list", "k", 60, compute)
        assert await cache.get_or_compute("job_list", "k", 60, compute) == compute.value
        assert compute.calls == 1
        assert (events.misses, events.hits) == (["job_list"], ["job_list"])

    async def test_keys_compute_apart(self, backend: Backend) -> None:
        cache = Cache(backend)
        first, second = Counting(b"first"), Counting(b"second")
        first.release.set()
        second.release.set()
        results = await asyncio.gather(
            cache.get_or_compute("job_list", "a", 60, first),
            cache.get_or_compute("job_list", "b", 60, second),
        )
        assert results == [b"first", b"second"]
        assert (first.calls, second.calls) == (1, 1)

    async def test_error_reaches_every_waiter_and_nothing_is_cached(self, backend: Backend) -> None:
        events = Events()
        cache = Cache(backend, events)
        failing = Counting(error=RuntimeError("database down"))
        results = await concurrently(
            CONCURRENT, lambda: cache.get_or_compute("job_list", "k", 60, failing), failing, events
        )
        assert failing.calls == 1
        assert all(isinstance(result, RuntimeError) for result in results), results
        assert {str(result) for result in results} == {"database down"}
        assert await backend.get("k") is None
        assert cache.in_flight == {}
        # The next reader computes again, and that value is kept.
        working = Counting(b"recovered")
        working.release.set()
        assert await cache.get_or_compute("job_list", "k", 60, working) == b"recovered"
        assert await backend.get("k") == b"recovered"

    async def test_miss_during_the_store_does_not_compute_again(self) -> None:
        """A miss arriving while the value is being written waits for it (it used to compute
        again: the key left in_flight before the write, and the backend did not have it yet)."""
        store_started, store_may_finish = asyncio.Event(), asyncio.Event()

        class SlowStore(MemoryBackend):
            async def set(self, key: str, value: bytes, ttl: int) -> None:
                store_started.set()
                await store_may_finish.wait()
                await super().set(key, value, ttl)

        cache = Cache(SlowStore())
        compute = Counting()
        compute.release.set()
        first = asyncio.ensure_future(cache.get_or_compute("job_list", "k", 60, compute))
        await store_started.wait()
        second = asyncio.ensure_future(cache.get_or_compute("job_list", "k", 60, compute))
        await asyncio.sleep(0.01)
        store_may_finish.set()
        assert await asyncio.gather(first, second) == [compute.value] * 2
        assert compute.calls == 1

    async def test_miss_answered_before_the_store_does_not_compute_again(self) -> None:
        stored = asyncio.Event()

        class SlowReply(MemoryBackend):
            """Reads are answered at once, but this caller resumes only after the store (a
            busy event loop handling a hundred Redis replies)."""

            hold_replies = False

            async def get(self, key: str) -> bytes | None:
                value = await super().get(key)
                if self.hold_replies:
                    await stored.wait()
                return value

            async def set(self, key: str, value: bytes, ttl: int) -> None:
                await super().set(key, value, ttl)
                stored.set()

        backend = SlowReply()
        cache = Cache(backend)
        compute = Counting()
        first = asyncio.ensure_future(cache.get_or_compute("job_list", "k", 60, compute))
        await compute.started.wait()
        backend.hold_replies = True
        second = asyncio.ensure_future(cache.get_or_compute("job_list", "k", 60, compute))
        await asyncio.sleep(0.01)
        compute.release.set()
        assert await asyncio.gather(first, second) == [compute.value] * 2
        assert compute.calls == 1


class Flaky(MemoryBackend):
    """The in-process backend, failing like an unreachable Redis while `down` is set."""

    def __init__(self) -> None:
        super().__init__()
        self.down = False
        self.calls = 0

    def _touch(self) -> None:
        self.calls += 1
        if self.down:
            raise RedisConnectionError("Connection refused")

    async def get(self, key: str) -> bytes | None:
        self._touch()
        return await super().get(key)

    async def set(self, key: str, value: bytes, ttl: int) -> None:
        self._touch()
        await super().set(key, value, ttl)

    async def versions(self, scopes: Sequence[str]) -> list[int]:
        self._touch()
        return await super().versions(scopes)

    async def bump(self, scopes: Sequence[str]) -> None:
        self._touch()
        await super().bump(scopes)


def fixed(value: bytes) -> Callable[[], Awaitable[bytes]]:
    async def compute() -> bytes:
        return value

    return compute


class TestBackendFailure:
    async def test_error_never_reaches_the_caller(self, clock: Clock) -> None:
        backend, events = Flaky(), Events()
        cache = Cache(backend, events)
        backend.down = True
        assert await cache.get_or_compute("job_list", "k", 60, fixed(b"fresh")) == b"fresh"
        key = await cache.job_list_key("page 1")
        assert key.endswith(cache_module.UNCACHED), "versions unknown: nothing may be trusted"
        await cache.bump(Scope.JOB_LISTS)
        assert events.errors == 1, "the first failure marks the backend down"
        assert cache.lost_bumps == {Scope.JOB_LISTS}

    async def test_skipped_for_a_while_then_tried_again(self, clock: Clock) -> None:
        backend = Flaky()
        cache = Cache(backend)
        backend.down = True
        await cache.get_or_compute("job_list", "k", 60, fixed(b"one"))
        calls = backend.calls
        backend.down = False
        clock.advance(REDIS_RETRY_SECONDS - 0.1)
        assert await cache.get_or_compute("job_list", "k", 60, fixed(b"two")) == b"two"
        assert backend.calls == calls, "not tried again within the retry delay"
        clock.advance(0.2)
        assert await cache.get_or_compute("job_list", "k", 60, fixed(b"three")) == b"three"
        assert await cache.get_or_compute("job_list", "k", 60, fixed(b"four")) == b"three"
        assert backend.calls > calls

    async def test_failure_during_compute_window_is_survived(self, clock: Clock) -> None:
        """Redis answers the read, then fails on the write: the value still reaches the caller."""
        backend = Flaky()
        cache = Cache(backend)

        async def compute() -> bytes:
            backend.down = True
            return b"value"

        assert await cache.get_or_compute("job_list", "k", 60, compute) == b"value"
        assert not cache.available

    async def test_write_during_an_outage_is_seen_after_it(self, clock: Clock) -> None:
        backend = Flaky()
        cache = Cache(backend)
        key = await cache.job_list_key("page 1")
        await cache.get_or_compute("job_list", key, 60, fixed(b"before the write"))

        backend.down = True
        await cache.bump(Scope.JOB_LISTS)  # a job was written: invalidate_after_commit
        backend.down = False
        clock.advance(REDIS_RETRY_SECONDS + 0.1)

        key = await cache.job_list_key("page 1")
        page = await cache.get_or_compute("job_list", key, 60, fixed(b"after the write"))
        assert page == b"after the write"
        assert cache.lost_bumps == set(), "replayed"

    async def test_too_many_lost_bumps_become_one_of_everything(self, clock: Clock) -> None:
        backend = Flaky()
        cache = Cache(backend)
        other = await cache.job_detail_key(1)
        await cache.set(other, b"old detail", 60)
        backend.down = True
        for job_id in range(cache_module.MAX_LOST_BUMPS + 1):
            await cache.bump(Scope.job(job_id + 1000))
        assert cache.lost_bumps == {Scope.ALL}, "bounded"
        backend.down = False
        clock.advance(REDIS_RETRY_SECONDS + 0.1)
        assert await cache.get("job_detail", await cache.job_detail_key(1)) is None


async def test_redis_values_come_back_as_bytes(redis_target: RedisTarget) -> None:
    redis = Redis.from_url(redis_target.url, decode_responses=True)
    try:
        backend = RedisBackend(redis, redis_target.prefix)
        await backend.set("k", b"caf\xc3\xa9", ttl=5)
        assert await backend.get("k") == "café".encode()
        [version] = await backend.versions(["v"])
        assert version >= int(time.time() * 1000) - 5_000, "a new version starts at the clock"
        await backend.bump(["v"])
        [bumped] = await backend.versions(["v"])
        assert bumped > version
        assert 0 < await redis.ttl(f"{redis_target.prefix}cache:k") <= 5
    finally:
        await redis.aclose()
