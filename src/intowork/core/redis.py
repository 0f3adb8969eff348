"""The shared Redis client, created in the lifespan when REDIS_URL is set."""

from typing import Annotated

from fastapi import Depends, Request
from redis.asyncio import Redis

from intowork.core.config import Settings

REDIS_TIMEOUT_SECONDS = 2.0


def create_redis(settings: Settings) -> Redis | None:
    if settings.redis_url is None:
        return None
    return Redis.from_url(
        settings.redis_url,
        socket_timeout=REDIS_TIMEOUT_SECONDS,
        socket_connect_timeout=REDIS_TIMEOUT_SECONDS,
        health_check_interval=30,
        decode_responses=False,
    )


def get_redis(request: Request) -> Redis | None:
    redis: Redis | None = request.app.state.redis
    return redis


RedisDep = Annotated[Redis | None, Depends(get_redis)]
