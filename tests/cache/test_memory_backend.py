"""The in-process cache: entries expire after their TTL; their number and bytes are bounded.

Time is travelled by replacing the cache module's clock (its `time.monotonic`), never by sleeping,
and never by patching the global `time` module (the event loop reads that clock too).
"""

import time

import pytest

from intowork.core import cache as cache_module
from intowork.core.cache import VERSION_TTL, Cache, MemoryBackend, Scope


class Clock:
    """Stands in for the `time` module inside core/cache.py: clocks we move by hand."""

    def __init__(self) -> None:
        self.now = 1_000.0
        self.epoch = 1_765_000_000.0  # time.time()

    def monotonic(self) -> float:
        return self.now

    def time(self) -> float:
        return self.epoch + self.now

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

    async def test_versions_expire_but_never_go_backwards(self, clock: Clock) -> None:
        backend = MemoryBackend()
        [first] = await backend.versions(["job:1"])
        await backend.bump(["job:1"])
        await backend.bump(["job:1"])
        [bumped] = await backend.versions(["job:1"])
        assert bumped > first
        clock.advance(VERSION_TTL + 1)
        [renewed] = await backend.versions(["job:1"])
        assert "job:1" in backend.scopes
        assert renewed > bumped, "starts again above the clock"

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

    async def test_bytes_are_bounded(self) -> None:
        """10,000 job pages of 13 kB and more would hold hundreds of MiB: the bytes bound it too."""
        backend = MemoryBackend(max_bytes=10)
        for name in "abcd":
            await backend.set(name, name.encode() * 4, ttl=60)
        assert backend.size == 8
        assert [await backend.get(name) for name in "abcd"] == [None, None, b"cccc", b"dddd"]

    async def test_replacing_a_value_counts_it_once(self) -> None:
        backend = MemoryBackend()
        await backend.set("a", b"12345", ttl=60)
        await backend.set("a", b"12", ttl=60)
        assert backend.size == 2
        assert await backend.get("a") == b"12"

    async def test_expired_entries_are_swept_on_write(self, clock: Clock) -> None:
        backend = MemoryBackend()
        await backend.set("old", b"x" * 100, ttl=1)
        clock.advance(2)
        await backend.set("new", b"y", ttl=60)
        assert "old" not in backend.entries, "never read again, yet gone"
        assert backend.size == 1

    async def test_an_evicted_version_never_comes_back_lower(self, clock: Clock) -> None:
        """Evicting a version drops its entries, and its scope starts again above it."""
        backend = MemoryBackend(max_versions=2)
        cache = Cache(backend)
        key = await cache.job_detail_key(1)  # ALL and job:1
        await cache.set(key, b"detail", ttl=60)
        for _ in range(5):
            await backend.bump(["job:1"])  # same clock instant: +1 each time
        [high] = await backend.versions(["job:1"])
        await backend.versions(["job:2", "job:3"])  # evicts ALL and job:1
        assert "job:1" not in backend.scopes
        assert backend.entries == {}, "its entries went with it"
        [again] = await backend.versions(["job:1"])
        assert again > high
        assert await cache.get("job_detail", await cache.job_detail_key(1)) is None


class TestOutdatedVersions:
    """Entries of a version a bump replaced can never be read again: they are dropped at the
    bump, so under a steady write load memory holds live pages, not thousands of dead ones."""

    async def test_dropped_at_the_bump_others_kept(self, clock: Clock) -> None:
        backend = MemoryBackend()
        cache = Cache(backend)
        for n in range(50):
            await cache.set(await cache.job_list_key(f"page {n}"), b"x" * 1000, ttl=60)
        detail = await cache.job_detail_key(7)
        await cache.set(detail, b"job 7", ttl=60)
        dashboard = await cache.dashboard_key(1, "en")
        await cache.set(dashboard, b"mine", ttl=60)
        await cache.bump(Scope.JOB_LISTS)
        assert list(backend.entries) == [detail, dashboard], "only the lists went"
        await cache.bump(Scope.job(8))
        assert await cache.get("job_detail", await cache.job_detail_key(7)) == b"job 7"
        await cache.bump(Scope.job(7))
        assert await cache.get("job_detail", await cache.job_detail_key(7)) is None
        assert await cache.get("dashboard", await cache.dashboard_key(1, "en")) == b"mine"
        page = await cache.job_list_key("page 1")
        await cache.set(page, b"new", ttl=60)
        assert await cache.get("list", page) == b"new"

    async def test_a_late_store_of_an_old_version_is_not_kept(self, clock: Clock) -> None:
        """A computation that started before the bump stores under the old version: unreachable."""
        backend = MemoryBackend()
        cache = Cache(backend)
        key = await cache.job_detail_key(7)
        await cache.bump(Scope.job(7))
        await cache.set(key, b"stale", ttl=300)
        assert backend.entries == {}

    async def test_steady_writes_keep_memory_flat(self, clock: Clock) -> None:
        backend = MemoryBackend()
        cache = Cache(backend)
        for write in range(200):
            for page in range(20):
                await cache.set(await cache.job_list_key(f"{write} {page}"), b"x", ttl=60)
            await cache.bump(Scope.JOB_LISTS)
        assert len(backend.entries) == 0
        assert backend.dependents == {}

    async def test_evicted_keys_leave_their_dependents(self, clock: Clock) -> None:
        backend = MemoryBackend(max_entries=3)
        cache = Cache(backend)
        for n in range(10):
            await cache.set(await cache.job_list_key(str(n)), b"x", ttl=60)
        assert {name: len(keys) for name, keys in backend.dependents.items()} == {
            f"{Scope.ALL}={backend.scopes[Scope.ALL][1]}": 3,
            f"{Scope.JOB_LISTS}={backend.scopes[Scope.JOB_LISTS][1]}": 3,
        }
