"""Who a limit counts, which responses carry X-RateLimit-*, and turning limits off.

On in-process counters and on Redis; one database (no query changes what is counted).
"""

from collections import Counter

from intowork.models.enums import UserRole
from tests.fixtures.factories import DEFAULT_PASSWORD
from tests.fixtures.tokens import bearer_header
from tests.security.conftest import (
    OTHER_PEER,
    SQLITE_ONLY,
    add_user,
    assert_counted,
    assert_limit,
    assert_refused,
    assert_unlimited,
    client_for,
    running,
)

pytestmark = SQLITE_ONLY

OPERATIONS = ["/", "/health", "/health/", "/health/ready", "/openapi.json", "/docs"]
EVERY_TIER_ONE_A_MINUTE = {
    f"rate_limit_{tier}": "1/minute"
    for tier in (
        "listing",
        "detail",
        "mutation",
        "apply",
        "dashboard",
        "signin_account",
        "signin_ip",
        "signup",
        "default",
    )
}


class TestKeys:
    async def test_signed_in_users_from_one_ip_have_their_own_counters(
        self, limited_settings
    ) -> None:
        settings = limited_settings(rate_limit_listing="2/minute")
        async with running(settings) as app:
            first = bearer_header(await add_user(app), settings)
            second = bearer_header(await add_user(app, UserRole.EMPLOYER), settings)
            async with client_for(app) as http:
                await assert_limit(lambda _: http.get("/api/jobs", headers=first), 2)
                assert_counted(await http.get("/api/jobs", headers=second), 2, 1)
                assert_counted(await http.get("/api/jobs"), 2, 1)

    async def test_one_user_is_one_counter_whatever_the_ip(self, limited_settings) -> None:
        settings = limited_settings(rate_limit_listing="2/minute")
        async with running(settings) as app:
            headers = bearer_header(await add_user(app), settings)
            async with client_for(app) as http, client_for(app, OTHER_PEER) as other:
                assert_counted(await http.get("/api/jobs", headers=headers), 2, 1)
                assert_counted(await other.get("/api/jobs", headers=headers), 2, 0)
                assert_refused(await other.get("/api/jobs", headers=headers), 2, 60)

    async def test_anonymous_callers_are_counted_per_ip(self, limited_settings) -> None:
        async with (
            running(limited_settings(rate_limit_listing="2/minute")) as app,
            client_for(app) as http,
            client_for(app, OTHER_PEER) as other,
        ):
            await assert_limit(lambda _: http.get("/api/jobs"), 2)
            assert_counted(await other.get("/api/jobs"), 2, 1)

    async def test_an_invalid_token_counts_against_the_ip(self, limited_settings) -> None:
        async with (
            running(limited_settings(rate_limit_listing="2/minute")) as app,
            client_for(app) as http,
        ):
            assert_counted(await http.get("/api/jobs"), 2, 1)
            garbage = {"Authorization": "Bearer not-a-token"}
            assert_counted(await http.get("/api/jobs", headers=garbage), 2, 0)
            assert_refused(await http.get("/api/jobs", headers=garbage), 2, 60)


class TestResponsesUnderALimit:
    async def test_errors_carry_the_headers_too(self, limited_settings) -> None:
        async with running(limited_settings()) as app, client_for(app) as http:
            used: Counter[int] = Counter()
            for path, status, limit in [
                ("/api/jobs", 200, 60),
                ("/api/jobs/", 200, 60),
                ("/api/jobs?page=0", 422, 60),
                ("/api/jobs/999999", 404, 120),
                ("/api/auth/me", 401, 300),
                ("/api/dashboard", 401, 30),
            ]:
                response = await http.get(path)
                assert response.status_code == status, (path, response.text)
                used[limit] += 1
                assert_counted(response, limit, limit - used[limit])

    async def test_sign_in_headers_describe_the_tighter_limit(self, limited_settings) -> None:
        settings = limited_settings(
            rate_limit_signin_ip="10/minute", rate_limit_signin_account="2/minute"
        )
        async with running(settings) as app, client_for(app) as http:
            body = {"email": "someone@example.com", "password": DEFAULT_PASSWORD}
            assert_counted(await http.post("/api/auth/signin", json=body), 2, 1)
            assert_counted(await http.post("/api/auth/signin", json=body), 2, 0)
            assert_refused(await http.post("/api/auth/signin", json=body), 2, 60)
            other = {"email": "other@example.com", "password": DEFAULT_PASSWORD}
            # The IP has 6 requests left, the new account 1: the headers show the account's.
            assert_counted(await http.post("/api/auth/signin", json=other), 2, 1)


class TestOperationsRoutes:
    async def test_never_limited_and_without_headers(self, limited_settings) -> None:
        async with (
            running(limited_settings(**EVERY_TIER_ONE_A_MINUTE)) as app,
            client_for(app) as http,
        ):
            for path in OPERATIONS:
                for _ in range(3):
                    response = await http.get(path)
                    assert response.status_code == 200, (path, response.text)
                    assert_unlimited(response)
            # They did not use up the caller's default budget either.
            assert_counted(await http.get("/api/ping"), 1, 0)


class TestDisabled:
    async def test_no_limit_and_no_headers(self, make_settings) -> None:
        settings = make_settings(rate_limit_enabled=False, **EVERY_TIER_ONE_A_MINUTE)
        async with running(settings) as app, client_for(app) as http:
            body = {"email": "someone@example.com", "password": DEFAULT_PASSWORD}
            for _ in range(3):
                for response in (
                    await http.get("/api/ping"),
                    await http.get("/api/jobs"),
                    await http.get("/api/auth/me"),
                    await http.post("/api/auth/signin", json=body),
                    await http.post("/api/auth/forgot-password", json={"email": body["email"]}),
                ):
                    assert response.status_code in {200, 401}, response.text
                    assert_unlimited(response)
