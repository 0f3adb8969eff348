"""Conditional requests and rate limits (API.md M4): a 304 is not counted, any other answer to a
conditional GET is (a 429 past the limit, whole), and a script that does not revalidate still
meets each tier at its default rate."""

import asyncio

import pytest
from httpx import AsyncClient, Response
from prometheus_client import REGISTRY

from intowork.core.config import Settings
from intowork.core.ratelimit import RateLimit, Tier
from intowork.models import User
from intowork.models.enums import UserRole
from tests.fixtures.settings import SettingsFactory
from tests.fixtures.timing import app_lifespan
from tests.fixtures.tokens import bearer_header
from tests.security.conftest import (
    add_user,
    assert_counted,
    assert_limit,
    assert_refused,
    build_app,
    client_for,
    running,
)
from tests.security.limiter_clock import install_limiter_clock

CVS = "/api/candidates/cvs"
DASHBOARD = "/api/dashboard"
RECENT_JOBS = "/api/jobs/stats/recent"
SLOW = "/api/probe/slow"
STALE = '"not-the-current-tag"'


def refused_total(tier: str) -> float:
    return REGISTRY.get_sample_value("intowork_rate_limited_total", {"tier": tier}) or 0.0


async def revalidate(
    http: AsyncClient, path: str, headers: dict[str, str], etag: str, sent: str | None = None
) -> Response:
    """A revalidation that gets its 304 (`sent`: the If-None-Match, `etag` by default)."""
    response = await http.get(path, headers={**headers, "If-None-Match": sent or etag})
    assert response.status_code == 304, response.text
    assert response.content == b""
    assert response.headers["ETag"] == etag
    return response


class TestRevalidationIsFree:
    @pytest.mark.parametrize(("path", "limit"), [(CVS, 600), (DASHBOARD, 30)])
    async def test_a_304_leaves_the_budget_alone(
        self, limited_settings, path: str, limit: int
    ) -> None:
        """Generic validators (CVs) and a route's own (dashboard) alike."""
        settings = limited_settings()
        async with running(settings) as app, client_for(app) as http:
            headers = bearer_header(await add_user(app), settings)
            first = await http.get(path, headers=headers)
            assert_counted(first, limit, limit - 1)
            etag = first.headers["ETag"]
            for tag in (etag, f"W/{etag}", f'"other", {etag}', "*"):
                response = await revalidate(http, path, headers, etag, sent=tag)
                assert_counted(response, limit, limit - 1)
            assert_counted(await http.get(path, headers=headers), limit, limit - 2)

    async def test_a_stale_tag_is_counted(self, limited_settings) -> None:
        settings = limited_settings()
        async with running(settings) as app, client_for(app) as http:
            headers = bearer_header(await add_user(app), settings)
            assert_counted(await http.get(CVS, headers=headers), 600, 599)
            stale = await http.get(CVS, headers={**headers, "If-None-Match": STALE})
            assert stale.status_code == 200
            assert_counted(stale, 600, 598)

    async def test_anonymous_revalidation_is_free_too(self, limited_settings) -> None:
        async with running(limited_settings()) as app, client_for(app) as http:
            first = await http.get(RECENT_JOBS)
            assert_counted(first, 300, 299)
            assert first.headers["Cache-Control"] == "public, max-age=0, must-revalidate"
            assert_counted(await revalidate(http, RECENT_JOBS, {}, first.headers["ETag"]), 300, 299)

    async def test_errors_of_conditional_requests_are_counted(self, limited_settings) -> None:
        settings = limited_settings()
        async with running(settings) as app, client_for(app) as http:
            employer = bearer_header(await add_user(app, UserRole.EMPLOYER), settings)
            for remaining in (599, 598):
                response = await http.get(CVS, headers={**employer, "If-None-Match": STALE})
                assert response.status_code == 403
                assert_counted(response, 600, remaining)


class TestConditionalRequestsPastTheLimit:
    async def test_a_spent_budget_refuses_before_the_handler(self, limited_settings) -> None:
        settings = limited_settings(rate_limit_dashboard="3/minute")
        async with running(settings) as app, client_for(app) as http:
            headers = bearer_header(await add_user(app), settings)
            etag = (await http.get(DASHBOARD, headers=headers)).headers["ETag"]
            for _ in range(2):
                await http.get(DASHBOARD, headers=headers)
            before = refused_total("dashboard")
            # Even the current tag: If-None-Match is no way past a spent budget.
            for tag in (STALE, etag):
                response = await http.get(DASHBOARD, headers={**headers, "If-None-Match": tag})
                assert_refused(response, 3, 60)
                assert "ETag" not in response.headers
            assert refused_total("dashboard") == before + 2

    async def test_spent_while_the_handler_ran_gives_the_full_429(self, limited_settings) -> None:
        """The conditional request is let in with one request left; another takes it while the
        handler runs; its 200 is then counted, refused, and never sent."""
        settings: Settings = limited_settings(rate_limit_read="2/minute")
        entered, release = asyncio.Event(), asyncio.Event()

        async def slow() -> dict[str, str]:
            entered.set()
            await release.wait()
            return {"secret": "never sent"}

        app = build_app(settings)
        app.add_api_route(SLOW, slow, methods=["GET"], dependencies=[RateLimit(Tier.DEFAULT)])
        async with app_lifespan(app), client_for(app) as http:
            headers = bearer_header(await add_user(app), settings)
            assert_counted(await http.get("/api/auth/me", headers=headers), 2, 1)
            conditional = asyncio.create_task(
                http.get(SLOW, headers={**headers, "If-None-Match": STALE})
            )
            await entered.wait()
            assert_counted(await http.get("/api/auth/me", headers=headers), 2, 0)
            before = refused_total("read")
            release.set()
            response = await conditional
        assert_refused(response, 2, 60)
        assert "secret" not in response.text
        assert "ETag" not in response.headers
        assert refused_total("read") == before + 1

    async def test_the_429_speaks_the_callers_language(self, limited_settings) -> None:
        settings = limited_settings(rate_limit_read="1/minute")
        async with running(settings) as app, client_for(app) as http:
            headers = {**bearer_header(await add_user(app), settings), "Accept-Language": "fr"}
            await http.get(CVS, headers=headers)
            response = await http.get(CVS, headers={**headers, "If-None-Match": STALE})
        assert response.status_code == 429
        assert response.json() == {"detail": "Trop de requêtes : 1 par 60 secondes"}


class TestAScriptThatDoesNotRevalidate:
    """The default limits, no override: hammering one route is refused at its tier's rate. The
    limiter's clock stands still, so no request leaves the window however slow the machine."""

    @pytest.fixture
    def default_settings(self, make_settings: SettingsFactory) -> Settings:
        return make_settings(rate_limit_enabled=True, log_level="WARNING")

    @pytest.mark.parametrize(("path", "limit"), [(DASHBOARD, 30), (CVS, 600)])
    async def test_signed_in(
        self,
        default_settings: Settings,
        monkeypatch: pytest.MonkeyPatch,
        path: str,
        limit: int,
    ) -> None:
        install_limiter_clock(monkeypatch)
        async with running(default_settings) as app, client_for(app) as http:
            headers = bearer_header(await add_user(app), default_settings)
            await assert_limit(lambda _: http.get(path, headers=headers), limit)

    async def test_anonymous(
        self, default_settings: Settings, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        install_limiter_clock(monkeypatch)
        async with running(default_settings) as app, client_for(app) as http:
            await assert_limit(lambda _: http.get(RECENT_JOBS), 300)

    async def test_one_users_reads_leave_anothers_alone(
        self, default_settings: Settings, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        install_limiter_clock(monkeypatch)
        async with running(default_settings) as app, client_for(app) as http:
            users: list[User] = [await add_user(app), await add_user(app)]
            first, second = (bearer_header(user, default_settings) for user in users)
            await assert_limit(lambda _: http.get(DASHBOARD, headers=first), 30)
            assert_counted(await http.get(DASHBOARD, headers=second), 30, 29)
