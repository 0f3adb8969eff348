"""Rate limits on every endpoint (ARCHITECTURE.md "Rate-limit tiers"), with the `limits` library.

Each route declares its tier, first of its dependencies: `dependencies=[RateLimit(Tier.LISTING)]`.

Counters live in Redis when REDIS_URL is set, shared by every process; otherwise, and whenever
Redis fails, in this process's memory (a Redis outage degrades the limits to per-process ones,
never to errors). After a failure Redis is retried every few seconds, so the shared counters come
back by themselves. Every tier uses a moving window: exactly `amount` requests in any `period`.

A GET carrying If-None-Match is counted once its status is known (API.md M4): a 304 is free, any
other answer is counted then and, past the limit, replaced by the usual 429.
"""

import time
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from fastapi import Request, params
from fastapi.routing import APIRoute
from limits import RateLimitItem, parse
from limits.aio.storage import MemoryStorage, RedisStorage
from limits.aio.strategies import MovingWindowRateLimiter
from limits.util import WindowStats
from loguru import logger
from starlette.datastructures import MutableHeaders
from starlette.responses import Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from intowork.core.config import Settings
from intowork.core.errors import RateLimited, error_response
from intowork.core.net import client_ip
from intowork.core.observability import metrics
from intowork.core.redis import stale_connection_retry
from intowork.core.routing import single_valued_query
from intowork.core.tokens import InvalidAccessToken, request_claims

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
    READ = "read"
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
        return await self._decide(tier, key, count=True)

    async def peek(self, tier: Tier, key: str) -> Decision:
        """Whether a request would be allowed now, without counting it."""
        return await self._decide(tier, key, count=False)

    async def _decide(self, tier: Tier, key: str, *, count: bool) -> Decision:
        item = self.items[tier]
        limiter = self._limiter()
        try:
            allowed, stats = await self._ask(limiter, item, tier, key, count=count)
        except Exception as exc:
            if limiter is self.local:
                raise
            # Redis is unreachable: count in this process until it is back.
            self.shared_down_until = time.monotonic() + REDIS_RETRY_SECONDS
            logger.bind(error=type(exc).__name__).warning("ratelimit.redis_unavailable")
            allowed, stats = await self._ask(self.local, item, tier, key, count=count)
        return Decision(
            allowed=allowed,
            limit=item.amount,
            remaining=max(0, stats.remaining),
            reset_at=int(stats.reset_time) + 1,
            period_seconds=item.get_expiry(),
        )

    @staticmethod
    async def _ask(
        limiter: MovingWindowRateLimiter,
        item: RateLimitItem,
        tier: Tier,
        key: str,
        *,
        count: bool,
    ) -> tuple[bool, WindowStats]:
        if count:
            allowed = await limiter.hit(item, tier.value, key)
            return allowed, await limiter.get_window_stats(item, tier.value, key)
        stats = await limiter.get_window_stats(item, tier.value, key)
        return stats.remaining > 0, stats

    def _limiter(self) -> MovingWindowRateLimiter:
        if self.shared is not None and time.monotonic() >= self.shared_down_until:
            return self.shared
        return self.local


def create_rate_limiter(settings: Settings) -> RateLimiter | None:
    return RateLimiter(settings) if settings.rate_limit_enabled else None


# Counted per client IP even with a token: these are what a caller does before signing in.
IP_TIERS = frozenset({Tier.SIGNUP, Tier.FORGOT_PASSWORD, Tier.SIGNIN_IP})


USER_KEY = "user:"
STATE_KEY = "rate_limit_headers"
DEFERRED_KEY = "rate_limit_deferred"


def caller_key(request: Request, settings: Settings, *, by_ip: bool) -> str:
    """The user id of a valid access token, else the client IP."""
    if not by_ip:
        authorization = request.headers.get("authorization", "")
        scheme, _, token = authorization.partition(" ")
        if scheme.lower() == "bearer" and token:
            try:
                claims = request_claims(request.scope, token.strip(), settings)
                return f"{USER_KEY}{claims.user_id}"
            except InvalidAccessToken:
                pass
    return f"ip:{client_ip(request, settings.trusted_proxies) or 'unknown'}"


@dataclass(frozen=True, slots=True)
class Deferred:
    """A conditional GET's limit, counted once its status is known (RateLimitHeadersMiddleware)."""

    limiter: RateLimiter
    tier: Tier
    key: str


async def enforce(request: Request, tier: Tier, key: str) -> None:
    limiter: RateLimiter | None = request.app.state.rate_limiter
    if limiter is None:
        return
    decision = await limiter.hit(tier, key)
    _describe(request.scope, decision)
    if not decision.allowed:
        raise refusal(tier, decision)


async def defer(request: Request, tier: Tier, key: str) -> None:
    """Leaves a conditional GET uncounted until its status is known: a 304 costs nothing.

    A budget already spent refuses it here, before any work, like any other request: adding
    If-None-Match is no way to make the server answer past the limit.
    """
    limiter: RateLimiter | None = request.app.state.rate_limiter
    if limiter is None:
        return
    decision = await limiter.peek(tier, key)
    _describe(request.scope, decision)
    if not decision.allowed:
        raise refusal(tier, decision)
    request.scope["state"].setdefault(DEFERRED_KEY, []).append(Deferred(limiter, tier, key))


def refusal(tier: Tier, decision: Decision) -> RateLimited:
    metrics.rate_limited(tier.value)
    logger.bind(tier=tier.value).info("ratelimit.refused")
    return RateLimited(
        "Rate limit exceeded: {amount} per {seconds} seconds",
        params={"amount": decision.limit, "seconds": decision.period_seconds},
    )


def _describe(scope: Scope, decision: Decision) -> None:
    """The tightest limit met by the request is the one its headers describe."""
    state: dict[str, Any] = scope["state"]
    current: dict[str, str] | None = state.get(STATE_KEY)
    if current is None or int(current["X-RateLimit-Remaining"]) >= decision.remaining:
        state[STATE_KEY] = decision.headers


async def _count_deferred(scope: Scope, deferred: list[Deferred]) -> Response | None:
    """Counts the deferred limits of an answer other than a 304; the 429 that replaces it when
    one of them is spent."""
    for entry in deferred:
        decision = await entry.limiter.hit(entry.tier, entry.key)
        _describe(scope, decision)
        if not decision.allowed:
            refused = refusal(entry.tier, decision)
            return error_response(
                refused.status_code, refused.detail, decision.headers, refused.params
            )
    return None


class RateLimitHeadersMiddleware:
    """Puts the X-RateLimit-* (and Retry-After) of the request on its response, errors included.

    It also counts the conditional GETs that `defer` left open, now that their status is known:
    a 304 is not counted; any other answer is, and becomes the usual 429 past the limit (the
    handler has run, but its answer is not sent).
    """

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        replaced = False

        async def send_with_headers(message: Message) -> None:
            nonlocal replaced
            if replaced:
                return
            if message["type"] == "http.response.start":
                state = scope.get("state", {})
                deferred: list[Deferred] | None = state.pop(DEFERRED_KEY, None)
                if deferred and message["status"] != 304:
                    refused = await _count_deferred(scope, deferred)
                    if refused is not None:
                        replaced = True
                        await refused(scope, receive, send)
                        return
                limits_headers = state.get(STATE_KEY)
                if limits_headers:
                    MutableHeaders(scope=message).update(limits_headers)
            await send(message)

        await self.app(scope, receive, send_with_headers)


class RouteLimit:
    """The rate limit of one route: its tier, fixed when the route is declared, so that a request
    finds its limit on its route (no lookup by path), and a renamed route keeps it."""

    def __init__(self, tier: Tier) -> None:
        self.tier = tier
        self.by_ip = tier in IP_TIERS

    def __repr__(self) -> str:
        return f"RateLimit(Tier.{self.tier.name})"

    async def __call__(self, request: Request) -> None:
        settings: Settings = request.app.state.settings
        key = caller_key(request, settings, by_ip=self.by_ip)
        tier = self.tier
        if tier is Tier.DEFAULT and request.method == "GET" and key.startswith(USER_KEY):
            # A signed-in person's reads have a budget of their own, per user (API.md M4).
            tier = Tier.READ
        if request.method == "GET" and "if-none-match" in request.headers:
            await defer(request, tier, key)
        else:
            await enforce(request, tier, key)
        # After the count: a refused request costs its caller like any other. App-wide, it would
        # run first (FastAPI solves the app's dependencies before the route's).
        await single_valued_query(request)


def RateLimit(tier: Tier) -> params.Depends:
    """A route's rate limit, first of its `dependencies`: it reads the access token before any
    other dependency does (decoded once, core/tokens.request_claims). It then refuses a repeated
    single-valued query parameter (core/routing.single_valued_query), once the request is counted.

    Operations routes (/, /health, /metrics) declare none: they are never limited.
    """
    return params.Depends(RouteLimit(tier))


def route_limit(route: APIRoute) -> RouteLimit | None:
    """The limit a route declares, if any."""
    limits = [
        depends.dependency
        for depends in route.dependencies
        if isinstance(depends.dependency, RouteLimit)
    ]
    if len(limits) > 1:
        raise ValueError(f"{route.path} declares more than one rate limit")
    return limits[0] if limits else None
