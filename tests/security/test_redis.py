"""Counters shared through Redis, and what happens when Redis goes away and comes back.

One database: the limiter never queries it. The restart test runs its own redis-server on a
free port, never the machine's.
"""

import asyncio
import time
import uuid

from httpx import AsyncClient

from intowork.core.ratelimit import REDIS_RETRY_SECONDS
from tests.fixtures.redis import OwnRedis, RedisTarget
from tests.fixtures.settings import SettingsFactory
from tests.security.conftest import (
    SQLITE_ONLY,
    assert_counted,
    assert_limit,
    assert_refused,
    client_for,
    running,
)

pytestmark = SQLITE_ONLY

UNREACHABLE_REDIS = "redis://127.0.0.1:1/0"


async def ping(http: AsyncClient) -> int:
    """One GET /api/ping (default tier); the remaining count, after checking it did not fail."""
    response = await http.get("/api/ping")
    assert response.status_code in {200, 429}, response.text
    return int(response.headers["X-RateLimit-Remaining"])


class TestSharedThroughRedis:
    async def test_two_instances_stop_at_the_same_limit(
        self, make_settings: SettingsFactory, redis_target: RedisTarget
    ) -> None:
        settings = make_settings(
            rate_limit_enabled=True,
            rate_limit_listing="4/minute",
            redis_url=redis_target.url,
            redis_key_prefix=redis_target.prefix,
        )
        async with (
            running(settings) as first_app,
            running(settings) as second_app,
            client_for(first_app) as first,
            client_for(second_app) as second,
        ):
            clients = [first, second]
            await assert_limit(lambda n: clients[n % 2].get("/api/jobs"), 4)
            assert_refused(await second.get("/api/jobs"), 4, 60)


class TestRedisUnreachable:
    async def test_per_process_limits_and_no_error(self, make_settings: SettingsFactory) -> None:
        settings = make_settings(
            rate_limit_enabled=True, rate_limit_listing="3/minute", redis_url=UNREACHABLE_REDIS
        )
        async with (
            running(settings) as first_app,
            running(settings) as second_app,
            client_for(first_app) as first,
            client_for(second_app) as second,
        ):
            await assert_limit(lambda _: first.get("/api/jobs"), 3)
            # The other process counts on its own: nothing to share them through.
            await assert_limit(lambda _: second.get("/api/jobs"), 3)


class TestRedisRestart:
    async def test_killed_then_back(
        self, make_settings: SettingsFactory, own_redis: OwnRedis
    ) -> None:
        settings = make_settings(
            rate_limit_enabled=True,
            rate_limit_default="4/minute",
            redis_url=own_redis.url,
            redis_key_prefix=f"intowork-test:{uuid.uuid4().hex}:",
        )
        async with (
            running(settings) as first_app,
            running(settings) as second_app,
            client_for(first_app) as first,
            client_for(second_app) as second,
        ):
            assert await ping(first) == 3
            assert await ping(second) == 2, "both instances count in Redis"

            own_redis.kill()
            # Each process falls back to a counter of its own, from zero: no 500, limits hold.
            await assert_limit(lambda _: first.get("/api/ping"), 4)
            await assert_limit(lambda _: second.get("/api/ping"), 4)
            outage_ended = time.monotonic()

            own_redis.start()
            await asyncio.sleep(
                max(0.0, outage_ended + REDIS_RETRY_SECONDS + 0.3 - time.monotonic())
            )
            # Redis (empty: no persistence) counts for both instances again.
            assert await ping(first) == 3
            assert await ping(second) == 2
            assert await ping(first) == 1
            assert_counted(await second.get("/api/ping"), 4, 0)
            assert_refused(await first.get("/api/ping"), 4, 60)
