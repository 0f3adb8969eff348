"""The shared Redis client, created in the lifespan when REDIS_URL is set."""

from typing import Annotated

from fastapi import Depends, Request
from redis.asyncio import Redis
from redis.asyncio.retry import Retry
from redis.backoff import NoBackoff
from redis.exceptions import ConnectionError as RedisConnectionError

from intowork.core.config import Settings

REDIS_TIMEOUT_SECONDS = 2.0


def stale_connection_retry() -> Retry:
    """One immediate retry on a connection error, none on a timeout.

    After Redis restarts, every connection pooled before is dead, and redis-py finds out only by
    using it: without a retry each of them fails one call, and each such failure makes the cache
    or the limiter skip Redis for another few seconds. Retried at once on a fresh connection, the
    call succeeds when Redis is back and fails just as fast when it is not (refused). A timeout
    is not retried: a hung Redis must cost a request one timeout, not two.
    """
    return Retry(NoBackoff(), retries=1, supported_errors=(RedisConnectionError,))


def create_redis(settings: Settings) -> Redis | None:
    if settings.redis_url is None:
        return None
    return Redis.from_url(
        settings.redis_url,
        socket_timeout=REDIS_TIMEOUT_SECONDS,
        socket_connect_timeout=REDIS_TIMEOUT_SECONDS,
        health_check_interval=30,
        retry=stale_connection_retry(),
        decode_responses=False,
    )


async def get_redis(request: Request) -> Redis | None:
    redis: Redis | None = request.app.state.redis
    return redis


RedisDep = Annotated[Redis | None, Depends(get_redis)]
