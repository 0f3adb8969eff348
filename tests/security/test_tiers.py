"""Each rate-limit tier refuses request N+1 in its window, and not before (API.md 1.6).

Counters in Redis, as in production; test_limit_keys.py also runs on in-process counters.
"""

import asyncio
import uuid

from httpx import AsyncClient, Response

from intowork.models.enums import UserRole
from tests.fixtures.factories import DEFAULT_PASSWORD, STRONG_PASSWORD
from tests.fixtures.tokens import bearer_header
from tests.security.conftest import (
    OTHER_PEER,
    add_job,
    add_user,
    assert_counted,
    assert_limit,
    assert_refused,
    client_for,
    running,
)

APPLY = "/api/applications/my/applications"


async def signin(http: AsyncClient, email: str, password: str = DEFAULT_PASSWORD) -> Response:
    return await http.post("/api/auth/signin", json={"email": email, "password": password})


async def signup(http: AsyncClient) -> Response:
    body = {
        "email": f"new-{uuid.uuid4().hex[:10]}@example.com",
        "password": STRONG_PASSWORD,
        "first_name": "Grace",
        "last_name": "Hopper",
        "role": "candidate",
    }
    return await http.post("/api/auth/signup", json=body)


class TestEachTier:
    async def test_listing_per_ip(self, shared_settings) -> None:
        settings = shared_settings(rate_limit_listing="3/minute")
        async with running(settings) as app, client_for(app) as http:
            await assert_limit(lambda _: http.get("/api/jobs"), 3)
            # The other tiers keep their own counters.
            assert_counted(await http.get("/api/ping"), 300, 299)
            assert_counted(await http.get("/api/jobs/999999"), 120, 119)

    async def test_notifications_are_listing(self, shared_settings) -> None:
        settings = shared_settings(rate_limit_listing="3/minute")
        async with running(settings) as app, client_for(app) as http:
            headers = bearer_header(await add_user(app), settings)
            await assert_limit(lambda _: http.get("/api/notifications", headers=headers), 3)

    async def test_detail(self, shared_settings) -> None:
        settings = shared_settings(rate_limit_detail="3/minute")
        async with running(settings) as app, client_for(app) as http:
            job = await add_job(app)
            await assert_limit(lambda _: http.get(f"/api/jobs/{job.id}"), 3)
            assert_counted(await http.get("/api/jobs"), 60, 59)

    async def test_mutation_per_user(self, shared_settings) -> None:
        settings = shared_settings(rate_limit_mutation="3/minute")
        async with running(settings) as app, client_for(app) as http:
            headers = bearer_header(await add_user(app), settings)
            path = "/api/notifications/mark-all-read"
            await assert_limit(lambda _: http.put(path, headers=headers), 3)

    async def test_apply_per_user(self, shared_settings) -> None:
        settings = shared_settings(rate_limit_apply="3/minute")
        async with running(settings) as app, client_for(app) as http:
            job = await add_job(app)
            headers = bearer_header(await add_user(app), settings)
            statuses: list[int] = []

            async def apply(_: int) -> Response:
                response = await http.post(APPLY, json={"job_id": job.id}, headers=headers)
                statuses.append(response.status_code)
                return response

            await assert_limit(apply, 3)
            # The application is made once and its repeats are refused: all of them count.
            assert statuses == [201, 400, 400, 429]

    async def test_dashboard_per_user(self, shared_settings) -> None:
        settings = shared_settings(rate_limit_dashboard="3/minute")
        async with running(settings) as app, client_for(app) as http:
            headers = bearer_header(await add_user(app), settings)
            await assert_limit(lambda _: http.get("/api/dashboard", headers=headers), 3)

    async def test_signin_per_ip(self, shared_settings) -> None:
        settings = shared_settings(rate_limit_signin_ip="3/minute")
        async with (
            running(settings) as app,
            client_for(app) as http,
            client_for(app, OTHER_PEER) as other,
        ):
            await assert_limit(lambda n: signin(http, f"nobody{n}@example.com"), 3)
            assert (await signin(other, "nobody9@example.com")).status_code == 401

    async def test_signin_per_account(self, shared_settings) -> None:
        settings = shared_settings(rate_limit_signin_account="3/minute")
        async with running(settings) as app, client_for(app) as http:
            user = await add_user(app)

            async def wrong_password_from_a_new_ip(index: int) -> Response:
                async with client_for(app, f"198.51.100.{index + 1}") as fresh:
                    return await signin(fresh, user.email, "Wrong-password-1!")

            await assert_limit(wrong_password_from_a_new_ip, 3)
            # Even the right password waits: the account is throttled, not the caller.
            assert_refused(await signin(http, user.email), 3, 60)
            assert (await signin(http, "someone-else@example.com")).status_code == 401

    async def test_signup_per_ip(self, shared_settings) -> None:
        settings = shared_settings(rate_limit_signup="3/minute")
        async with (
            running(settings) as app,
            client_for(app) as http,
            client_for(app, OTHER_PEER) as other,
        ):
            await assert_limit(lambda _: signup(http), 3)
            assert (await signup(other)).status_code == 201

    async def test_forgot_password_per_ip(self, shared_settings) -> None:
        settings = shared_settings(rate_limit_forgot_password="3/minute")
        async with running(settings) as app, client_for(app) as http:
            path = "/api/auth/forgot-password"
            await assert_limit(lambda n: http.post(path, json={"email": f"a{n}@example.com"}), 3)

    async def test_signups_leave_resets_alone(self, shared_settings) -> None:
        """Issue 16 item 9: a user who signed up three times can still ask for a reset."""
        settings = shared_settings(rate_limit_signup="3/minute")
        async with running(settings) as app, client_for(app) as http:
            await assert_limit(lambda _: signup(http), 3)
            path = "/api/auth/forgot-password"
            response = await http.post(path, json={"email": "a@example.com"})
            assert response.status_code == 200

    async def test_default_anonymous(self, shared_settings) -> None:
        settings = shared_settings(rate_limit_default="3/minute")
        async with running(settings) as app, client_for(app) as http:
            await assert_limit(lambda _: http.get("/api/ping"), 3)

    async def test_read_signed_in(self, shared_settings) -> None:
        """A signed-in GET of the default tier uses the per-user read budget (API.md M4)."""
        settings = shared_settings(rate_limit_read="3/minute")
        async with running(settings) as app, client_for(app) as http:
            headers = bearer_header(await add_user(app, UserRole.EMPLOYER), settings)
            await assert_limit(lambda _: http.get("/api/auth/me", headers=headers), 3)
            # Anonymous reads and signed-in writes keep their own tiers.
            assert_counted(await http.get("/api/ping"), 300, 299)
            path = "/api/notifications/mark-all-read"
            assert_counted(await http.put(path, headers=headers), 30, 29)


class TestMovingWindow:
    async def test_a_slot_frees_when_the_oldest_hit_leaves_the_window(
        self, shared_settings
    ) -> None:
        settings = shared_settings(rate_limit_default="2/second")
        async with running(settings) as app, client_for(app) as http:
            refused = await assert_limit(lambda _: http.get("/api/ping"), 2, seconds=1)
            # Whole seconds, rounded up: a client that waits that long is never refused.
            assert refused.headers["Retry-After"] in {"1", "2"}
            await asyncio.sleep(1.1)
            assert_counted(await http.get("/api/ping"), 2, 1)


class TestRefusedByValidation:
    async def test_a_repeated_parameter_is_counted(self, shared_settings) -> None:
        """`?page=1&page=2` is refused after the count: a refusal costs like any request."""
        settings = shared_settings(rate_limit_listing="2/minute")
        async with running(settings) as app, client_for(app) as http:
            repeated = await http.get("/api/jobs?page=1&page=2")
            assert repeated.status_code == 422, repeated.text
            assert_counted(repeated, 2, 1)
            assert_counted(await http.get("/api/jobs"), 2, 0)
            assert_refused(await http.get("/api/jobs?page=1&page=2"), 2, 60)
