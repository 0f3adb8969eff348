"""The in-process cache: entries expire after their TTL, and the number of entries is bounded.

Time is travelled by replacing the cache module's clock (its `time.monotonic`), never by sleeping,
and never by patching the global `time` module (the event loop reads that clock too).
"""

import time

import pytest

from intowork.core import cache as cache_module
from intowork.core.cache import (
    Cache,
    MemoryBackend,
    Namespace,
    dashboard_key,
    job_detail_key,
    job_list_key,
)


class Clock:
    """Stands in for the `time` module inside core/cache.py: a monotonic clock we move by hand."""

    def __init__(self) -> None:
        self.now = 1_000.0

    def monotonic(self) -> float:
        return self.now

    def perf_counter(self) -> float:
        return time.perf_counter()

    def advance(self, seconds: float) -> None:
        self.now += seconds


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch) -> Clock:
    fake = Clock()
    monkeypatch.setattr(cache_module, "time", fake)
    return fake


class TestTtl:
    async def test_entry_lives_until_its_ttl(self, clock: Clock) -> None:
        backend = MemoryBackend()
        await backend.set("key", b"value", ttl=2)
        clock.advance(1.9)
        assert await backend.get("key") == b"value"
        clock.advance(0.1)
        assert await backend.get("key") == b"value", "alive up to its expiry instant"

    async def test_expired_entry_is_gone(self, clock: Clock) -> None:
        backend = MemoryBackend()
        await backend.set("key", b"value", ttl=2)
        clock.advance(2.01)
        assert await backend.get("key") is None
        assert "key" not in backend.entries, "an expired entry is dropped when read"

    async def test_set_again_renews_the_ttl(self, clock: Clock) -> None:
        backend = MemoryBackend()
        await backend.set("key", b"old", ttl=2)
        clock.advance(1.5)
        await backend.set("key", b"new", ttl=2)
        clock.advance(1.5)
        assert await backend.get("key") == b"new"

    async def test_versions_do_not_expire(self, clock: Clock) -> None:
        backend = MemoryBackend()
        assert await backend.incr("version:jobs") == 1
        assert await backend.incr("version:jobs") == 2
        clock.advance(10 * 365 * 86_400)
        assert await backend.get("version:jobs") == b"2"

    async def test_get_or_compute_recomputes_after_expiry(self, clock: Clock) -> None:
        cache = Cache(MemoryBackend())
        calls: list[int] = []

        async def compute() -> bytes:
            calls.append(1)
            return f"page {len(calls)}".encode()

        assert await cache.get_or_compute("job_list", "k", 60, compute) == b"page 1"
        clock.advance(59)
        assert await cache.get_or_compute("job_list", "k", 60, compute) == b"page 1"
        clock.advance(2)
        assert await cache.get_or_compute("job_list", "k", 60, compute) == b"page 2"
        assert len(calls) == 2


class TestSizeBound:
    async def test_oldest_entries_are_evicted(self) -> None:
        backend = MemoryBackend(max_entries=3)
        for name in "abcde":
            await backend.set(name, name.encode(), ttl=60)
        assert len(backend.entries) == 3
        assert [await backend.get(name) for name in "abcde"] == [None, None, b"c", b"d", b"e"]

    async def test_least_recently_read_goes_first(self) -> None:
        backend = MemoryBackend(max_entries=3)
        for name in "abc":
            await backend.set(name, name.encode(), ttl=60)
        assert await backend.get("a") == b"a"  # a is now the most recently used
        await backend.set("d", b"d", ttl=60)
        assert await backend.get("b") is None
        assert [await backend.get(name) for name in "acd"] == [b"a", b"c", b"d"]

    async def test_default_bound(self) -> None:
        backend = MemoryBackend()
        for n in range(cache_module.MEMORY_MAX_ENTRIES + 50):
            await backend.set(f"k{n}", b"x", ttl=60)
        assert len(backend.entries) == cache_module.MEMORY_MAX_ENTRIES
        assert await backend.get("k0") is None
        assert await backend.get(f"k{cache_module.MEMORY_MAX_ENTRIES + 49}") == b"x"

    async def test_versions_are_never_evicted(self) -> None:
        """Evicting a version would bring the entries of an older version back into use."""
        cache = Cache(MemoryBackend(max_entries=2))
        await cache.bump(Namespace.JOBS)
        await cache.bump(Namespace.JOBS)
        for n in range(10):
            await cache.set(f"filler{n}", b"x", ttl=60)
        assert await cache.version(Namespace.JOBS) == 2
        assert job_list_key(2, "p") != job_list_key(0, "p")


class TestOutdatedVersions:
    """Entries of a version a bump replaced can never be read again: they are dropped at the
    bump, so under a steady write load memory holds live pages, not thousands of dead ones."""

    async def test_dropped_at_the_bump(self) -> None:
        backend = MemoryBackend()
        cache = Cache(backend)
        for n in range(50):
            await cache.set(job_list_key(0, f"page {n}"), b"x" * 1000, ttl=60)
        await cache.set(dashboard_key(0, 1, "en"), b"mine", ttl=60)
        await cache.bump(Namespace.JOBS)
        assert list(backend.entries) == [dashboard_key(0, 1, "en")], "only the other namespace's"
        await cache.set(job_list_key(1, "page 1"), b"new", ttl=60)
        assert await cache.get("list", job_list_key(1, "page 1")) == b"new"

    async def test_a_late_store_of_an_old_version_is_not_kept(self) -> None:
        """A computation that started before the bump stores under the old version: unreachable."""
        backend = MemoryBackend()
        cache = Cache(backend)
        version = await cache.version(Namespace.JOBS)
        await cache.bump(Namespace.JOBS)
        await cache.set(job_detail_key(version, 7), b"stale", ttl=300)
        assert backend.entries == {}

    async def test_steady_writes_keep_memory_flat(self) -> None:
        backend = MemoryBackend()
        cache = Cache(backend)
        for write in range(200):
            version = await cache.version(Namespace.JOBS)
            for page in range(20):
                await cache.set(job_list_key(version, f"{write} {page}"), b"x", ttl=60)
            await cache.bump(Namespace.JOBS)
        assert len(backend.entries) == 0
        assert list(backend.generations) == []

    async def test_evicted_keys_leave_their_generation(self) -> None:
        backend = MemoryBackend(max_entries=3)
        for n in range(10):
            await backend.set(job_list_key(0, str(n)), b"x", ttl=60)
        assert backend.generations == {"jobs:v0": set(backend.entries)}
