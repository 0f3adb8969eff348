"""Rate limits on every endpoint (ARCHITECTURE.md "Rate-limit tiers"), with the `limits` library.

Counters live in Redis when REDIS_URL is set, shared by every process; otherwise, and whenever
Redis fails, in this process's memory (a Redis outage degrades the limits to per-process ones,
never to errors). After a failure Redis is retried every few seconds, so the shared counters come
back by themselves. Every tier uses a moving window: exactly `amount` requests in any `period`.
"""

import time
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from fastapi import Request
from limits import RateLimitItem, parse
from limits.aio.storage import MemoryStorage, RedisStorage
from limits.aio.strategies import MovingWindowRateLimiter
from loguru import logger
from starlette.datastructures import MutableHeaders
from starlette.routing import Route
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from intowork.core.config import Settings
from intowork.core.errors import RateLimited
from intowork.core.net import client_ip
from intowork.core.observability import metrics
from intowork.core.redis import stale_connection_retry
from intowork.core.tokens import InvalidAccessToken, decode_access_token

REDIS_RETRY_SECONDS = 5.0
REDIS_TIMEOUT_SECONDS = 0.5


class Tier(StrEnum):
    LISTING = "listing"
    DETAIL = "detail"
    MUTATION = "mutation"
    APPLY = "apply"
    DASHBOARD = "dashboard"
    SIGNIN_ACCOUNT = "signin_account"
    SIGNIN_IP = "signin_ip"
    SIGNUP = "signup"
    FORGOT_PASSWORD = "forgot_password"
    DEFAULT = "default"


@dataclass(frozen=True, slots=True)
class Decision:
    allowed: bool
    limit: int
    remaining: int
    reset_at: int
    period_seconds: int

    @property
    def headers(self) -> dict[str, str]:
        headers = {
            "X-RateLimit-Limit": str(self.limit),
            "X-RateLimit-Remaining": str(self.remaining),
            "X-RateLimit-Reset": str(self.reset_at),
        }
        if not self.allowed:
            headers["Retry-After"] = str(max(1, self.reset_at - int(time.time())))
        return headers


class RateLimiter:
    def __init__(self, settings: Settings) -> None:
        self.items: dict[Tier, RateLimitItem] = {
            tier: parse(getattr(settings, f"rate_limit_{tier.value}")) for tier in Tier
        }
        self.local = MovingWindowRateLimiter(MemoryStorage())
        self.shared: MovingWindowRateLimiter | None = None
        if settings.redis_url is not None:
            # `limits` types the options it passes on to redis-py as scalars; a Retry is fine.
            redis_options: dict[str, Any] = {"retry": stale_connection_retry()}
            self.shared = MovingWindowRateLimiter(
                RedisStorage(
                    "async+" + settings.redis_url,
                    implementation="redispy",
                    key_prefix=f"{settings.redis_key_prefix}ratelimit",
                    wrap_exceptions=True,
                    socket_timeout=REDIS_TIMEOUT_SECONDS,
                    socket_connect_timeout=REDIS_TIMEOUT_SECONDS,
                    **redis_options,
                )
            )
        self.shared_down_until = 0.0

    async def hit(self, tier: Tier, key: str) -> Decision:
        item = self.items[tier]
        limiter = self._limiter()
        try:
            allowed = await limiter.hit(item, tier.value, key)
            stats = await limiter.get_window_stats(item, tier.value, key)
        except Exception as exc:
            if limiter is self.local:
                raise
            # Redis is unreachable: count in this process until it is back.
            self.shared_down_until = time.monotonic() + REDIS_RETRY_SECONDS
            logger.bind(error=type(exc).__name__).warning("ratelimit.redis_unavailable")
            limiter = self.local
            allowed = await limiter.hit(item, tier.value, key)
            stats = await limiter.get_window_stats(item, tier.value, key)
        return Decision(
            allowed=allowed,
            limit=item.amount,
            remaining=max(0, stats.remaining),
            reset_at=int(stats.reset_time) + 1,
            period_seconds=item.get_expiry(),
        )

    def _limiter(self) -> MovingWindowRateLimiter:
        if self.shared is not None and time.monotonic() >= self.shared_down_until:
            return self.shared
        return self.local


def create_rate_limiter(settings: Settings) -> RateLimiter | None:
    return RateLimiter(settings) if settings.rate_limit_enabled else None


UNLIMITED_PATHS = frozenset({"/", "/health", "/health/ready", "/metrics", "/docs", "/openapi.json"})
IP_TIERS = frozenset({Tier.SIGNUP, Tier.FORGOT_PASSWORD, Tier.SIGNIN_IP})


def tier_for(method: str, path: str) -> Tier | None:
    """The tier of a route (by its path template), or None for operations routes."""
    if path in UNLIMITED_PATHS or path.startswith("/docs"):
        return None
    if path == "/api/auth/signin":
        return Tier.SIGNIN_IP
    if path == "/api/auth/signup":
        return Tier.SIGNUP
    # Its own counter: three sign-ups from one address must not lock its users out of resets.
    if path == "/api/auth/forgot-password":
        return Tier.FORGOT_PASSWORD
    if path.startswith("/api/dashboard"):
        return Tier.DASHBOARD
    if method == "POST" and path == "/api/applications/my/applications":
        return Tier.APPLY
    if method == "GET" and (path == "/api/jobs" or path.startswith("/api/notifications")):
        return Tier.LISTING
    if method == "GET" and path == "/api/jobs/{job_id}":
        return Tier.DETAIL
    if method in {"POST", "PUT", "PATCH", "DELETE"}:
        return Tier.MUTATION
    return Tier.DEFAULT


def caller_key(request: Request, settings: Settings, *, by_ip: bool) -> str:
    """The user id of a valid access token, else the client IP."""
    if not by_ip:
        authorization = request.headers.get("authorization", "")
        scheme, _, token = authorization.partition(" ")
        if scheme.lower() == "bearer" and token:
            try:
                return f"user:{decode_access_token(token.strip(), settings).user_id}"
            except InvalidAccessToken:
                pass
    return f"ip:{client_ip(request, settings.trusted_proxies) or 'unknown'}"


STATE_KEY = "rate_limit_headers"


async def enforce(request: Request, tier: Tier, key: str) -> None:
    limiter: RateLimiter | None = request.app.state.rate_limiter
    if limiter is None:
        return
    decision = await limiter.hit(tier, key)
    # The tightest limit met by this request is the one its headers describe.
    current: dict[str, str] | None = request.scope["state"].get(STATE_KEY)
    if current is None or int(current["X-RateLimit-Remaining"]) >= decision.remaining:
        request.scope["state"][STATE_KEY] = decision.headers
    if not decision.allowed:
        metrics.rate_limited(tier.value)
        logger.bind(tier=tier.value).info("ratelimit.refused")
        raise RateLimited(
            "Rate limit exceeded: {amount} per {seconds} seconds",
            params={"amount": decision.limit, "seconds": decision.period_seconds},
        )


class RateLimitHeadersMiddleware:
    """Puts the X-RateLimit-* (and Retry-After) of the request on its response, errors included."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                limits_headers = scope.get("state", {}).get(STATE_KEY)
                if limits_headers:
                    MutableHeaders(scope=message).update(limits_headers)
            await send(message)

        await self.app(scope, receive, send_with_headers)


async def rate_limit_route(request: Request) -> None:
    """App-wide dependency: every route's tier, from its path template."""
    route = request.scope.get("route")
    if not isinstance(route, Route):
        return
    tier = tier_for(request.method, route.path)
    if tier is None:
        return
    settings: Settings = request.app.state.settings
    await enforce(request, tier, caller_key(request, settings, by_ip=tier in IP_TIERS))
