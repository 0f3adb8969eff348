"""CORS at the HTTP level: the allow-list, the preview-deployment regex, errors included."""

import pytest
from httpx import Response

from tests.security.conftest import (
    INTERNAL_ERROR,
    PROBE_ERROR,
    SQLITE_ONLY,
    client_for,
    running,
)

pytestmark = SQLITE_ONLY

FRONTEND = "https://app.intowork.example"
PREVIEW_REGEX = r"https://intowork-[a-z0-9-]+\.vercel\.app"
METHODS = {"GET", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"}
EXPOSED = {
    "x-request-id",
    "x-ratelimit-limit",
    "x-ratelimit-remaining",
    "x-ratelimit-reset",
    "retry-after",
    "content-disposition",
}


@pytest.fixture
def cors_settings(make_settings):
    def make(**overrides):
        values = {
            "allowed_origins": f" {FRONTEND} ,, http://localhost:3000 ",
            "allowed_origin_regex": PREVIEW_REGEX,
            "rate_limit_enabled": True,
            "max_body_bytes": 1024,
        }
        return make_settings(**{**values, **overrides})

    return make


def split(value: str) -> set[str]:
    return {item.strip().lower() for item in value.split(",") if item.strip()}


def assert_allowed(response: Response, origin: str) -> None:
    assert response.headers.get("access-control-allow-origin") == origin, response.headers
    assert response.headers["access-control-allow-credentials"] == "true"
    assert "origin" in split(response.headers.get("vary", ""))


def assert_readable(response: Response, origin: str) -> None:
    """A simple (non-preflight) response the page at `origin` may read, with its headers."""
    assert_allowed(response, origin)
    assert split(response.headers["access-control-expose-headers"]) >= EXPOSED


def assert_not_allowed(response: Response) -> None:
    # Starlette sends Allow-Credentials and Expose-Headers to every origin; without
    # Allow-Origin the browser still withholds the response (see test_browser_cors.py).
    assert "access-control-allow-origin" not in response.headers


def preflight(method: str, origin: str) -> dict[str, str]:
    return {
        "Origin": origin,
        "Access-Control-Request-Method": method,
        "Access-Control-Request-Headers": "authorization, content-type, x-request-id",
    }


class TestOrigins:
    @pytest.mark.parametrize(
        "origin",
        [
            FRONTEND,
            "http://localhost:3000",
            "https://intowork-git-feature-login-acme.vercel.app",
            "https://intowork-3f9a1b2c.vercel.app",
        ],
    )
    async def test_allowed_origin_is_echoed_with_credentials(
        self, cors_settings, origin: str
    ) -> None:
        async with running(cors_settings()) as app, client_for(app) as http:
            response = await http.get("/api/ping", headers={"Origin": origin})
            assert response.status_code == 200
            assert_readable(response, origin)

    @pytest.mark.parametrize(
        "origin",
        [
            "https://evil.example",
            "http://app.intowork.example",
            "https://app.intowork.example.evil.example",
            "https://intowork-x.vercel.app.evil.example",
            "https://evil-intowork-x.vercel.app",
            "http://intowork-x.vercel.app",
            "https://intowork-.vercel.app",
            "null",
        ],
    )
    async def test_other_origins_get_no_cors_headers(self, cors_settings, origin: str) -> None:
        async with running(cors_settings()) as app, client_for(app) as http:
            response = await http.get("/api/ping", headers={"Origin": origin})
            assert_not_allowed(response)
            refused = await http.options("/api/jobs/1", headers=preflight("PUT", origin))
            assert refused.status_code == 400
            assert_not_allowed(refused)

    async def test_without_a_regex_only_the_list_counts(self, cors_settings) -> None:
        async with (
            running(cors_settings(allowed_origin_regex=None)) as app,
            client_for(app) as http,
        ):
            preview = "https://intowork-git-main.vercel.app"
            assert_not_allowed(await http.get("/api/ping", headers={"Origin": preview}))
            assert_allowed(await http.get("/api/ping", headers={"Origin": FRONTEND}), FRONTEND)


class TestPreflight:
    @pytest.mark.parametrize("origin", [FRONTEND, "https://intowork-pr-12.vercel.app"])
    async def test_allows_the_methods_and_headers_of_the_api(
        self, cors_settings, origin: str
    ) -> None:
        async with running(cors_settings()) as app, client_for(app) as http:
            for method in sorted(METHODS - {"OPTIONS"}):
                response = await http.options("/api/jobs/1", headers=preflight(method, origin))
                assert response.status_code == 200, response.text
                assert_allowed(response, origin)
                assert split(response.headers["access-control-allow-methods"]) == {
                    name.lower() for name in METHODS
                }
                assert split(response.headers["access-control-allow-headers"]) >= {
                    "authorization",
                    "content-type",
                    "x-request-id",
                }


class TestErrorsCarryCors:
    async def test_500_429_401_404_413(self, cors_settings) -> None:
        settings = cors_settings(rate_limit_default="1/minute")
        async with running(settings, probe=True) as app, client_for(app) as http:
            origin = {"Origin": FRONTEND}
            crashed = await http.get(PROBE_ERROR, headers=origin)
            assert crashed.status_code == 500
            assert crashed.json() == INTERNAL_ERROR
            assert_readable(crashed, FRONTEND)

            # The probe used up the default tier's one request.
            limited = await http.get("/api/ping", headers=origin)
            assert limited.status_code == 429
            assert "Retry-After" in limited.headers
            assert_readable(limited, FRONTEND)

            unauthenticated = await http.get("/api/notifications", headers=origin)
            assert unauthenticated.status_code == 401
            assert_readable(unauthenticated, FRONTEND)

            missing = await http.get("/api/nowhere", headers=origin)
            assert missing.status_code == 404
            assert_readable(missing, FRONTEND)

            too_large = await http.post("/api/auth/signup", content=b"x" * 2048, headers=origin)
            assert too_large.status_code == 413
            assert_readable(too_large, FRONTEND)
