"""Scope versions: one round trip for all the versions of a key, and never backwards, even when
a version key is deleted (expired or evicted). On the in-process backend and a real Redis."""

from collections.abc import AsyncIterator, Sequence
from typing import Any

import pytest
from redis.asyncio import Redis

from intowork.core.cache import VERSION_TTL, Cache, MemoryBackend, RedisBackend, Scope
from tests.fixtures.redis import RedisTarget


class Counting(MemoryBackend):
    """The in-process backend, counting its calls by name."""

    def __init__(self) -> None:
        super().__init__()
        self.calls: list[str] = []

    async def versions(self, scopes: Sequence[str]) -> list[int]:
        self.calls.append("versions")
        return await super().versions(scopes)

    async def bump(self, scopes: Sequence[str]) -> None:
        self.calls.append("bump")
        await super().bump(scopes)


@pytest.fixture
async def redis(redis_target: RedisTarget) -> AsyncIterator[Redis]:
    client = Redis.from_url(redis_target.url)
    yield client
    await client.aclose()


class Commands:
    """Every command a Redis client sends (a pipeline-free client: one command, one trip)."""

    def __init__(self, redis: Redis, monkeypatch: pytest.MonkeyPatch) -> None:
        self.names: list[str] = []
        send = redis.execute_command

        async def counted(*args: Any, **options: Any) -> Any:
            self.names.append(str(args[0]).upper())
            return await send(*args, **options)

        monkeypatch.setattr(redis, "execute_command", counted)


async def test_a_key_reads_its_versions_in_one_call() -> None:
    backend = Counting()
    cache = Cache(backend)
    await cache.dashboard_key(1, "en", shows=[Scope.OPEN_JOBS])
    assert backend.calls == ["versions"]
    await cache.bump(Scope.JOB_LISTS, Scope.job(1), Scope.user(1))
    assert backend.calls == ["versions", "bump"], "a write's scopes in one call"


async def test_redis_reads_versions_in_one_mget(
    redis: Redis, redis_target: RedisTarget, monkeypatch: pytest.MonkeyPatch
) -> None:
    cache = Cache(RedisBackend(redis, redis_target.prefix))
    first = await cache.dashboard_key(1, "en", shows=[Scope.OPEN_JOBS])  # creates them
    await cache.bump(Scope.user(2))  # loads the script into Redis
    commands = Commands(redis, monkeypatch)
    assert await cache.dashboard_key(1, "en", shows=[Scope.OPEN_JOBS]) == first
    assert commands.names == ["MGET"]
    await cache.bump(Scope.user(1), Scope.OPEN_JOBS)
    assert commands.names[1:] == ["EVALSHA"], "a write's scopes in one script call"
    assert await cache.dashboard_key(1, "en", shows=[Scope.OPEN_JOBS]) != first


async def test_redis_version_keys_expire(redis: Redis, redis_target: RedisTarget) -> None:
    cache = Cache(RedisBackend(redis, redis_target.prefix))
    await cache.job_detail_key(7)
    await cache.bump(Scope.job(8))
    for scope in (Scope.job(7), Scope.job(8)):
        ttl = await redis.ttl(f"{redis_target.prefix}cache:version:{scope}")
        assert VERSION_TTL - 60 < ttl <= VERSION_TTL, scope


@pytest.fixture(params=["memory", "redis"])
def target_or_not(request: pytest.FixtureRequest) -> RedisTarget | None:
    return request.getfixturevalue("redis_target") if request.param == "redis" else None


@pytest.fixture
async def backend(target_or_not: RedisTarget | None) -> AsyncIterator[MemoryBackend | RedisBackend]:
    if target_or_not is None:
        yield MemoryBackend()
        return
    client = Redis.from_url(target_or_not.url)
    yield RedisBackend(client, target_or_not.prefix)
    await client.aclose()


async def test_never_backwards_after_a_version_key_is_deleted(
    backend: MemoryBackend | RedisBackend,
) -> None:
    cache = Cache(backend)
    old = await cache.job_detail_key(7)
    await cache.set(old, b"old detail", 300)
    for _ in range(20):  # many bumps in the same millisecond run ahead of the clock
        await cache.bump(Scope.job(7))
    [high] = await backend.versions([Scope.job(7)])
    if isinstance(backend, RedisBackend):
        await backend.redis.delete(f"{backend.version_prefix}{Scope.job(7)}")
    else:
        backend._forget_version(Scope.job(7))
    [again] = await backend.versions([Scope.job(7)])
    assert again > high, "a deleted version starts again above every version given"
    new = await cache.job_detail_key(7)
    assert new != old
    assert await cache.get("job_detail", new) is None
    await cache.bump(Scope.job(7))
    [bumped] = await backend.versions([Scope.job(7)])
    assert bumped > again
