"""Security headers on every response, HSTS in production, and a CSP that leaves /docs working."""

import re
import secrets
from html.parser import HTMLParser
from urllib.parse import urlsplit

import pytest
from httpx import AsyncClient, Response

from intowork.core.config import Environment
from tests.security.conftest import (
    PROBE_ERROR,
    SECURITY_HEADERS,
    SQLITE_ONLY,
    client_for,
    running,
)

pytestmark = SQLITE_ONLY

HSTS = "max-age=63072000; includeSubDomains"
JSON_RESPONSES = [
    ("GET", "/api/ping", 200),
    ("GET", "/api/nowhere", 404),
    ("GET", "/api/jobs/999999", 404),
    ("GET", "/api/jobs?page=0", 422),
    ("GET", "/api/auth/me", 401),
    ("DELETE", "/api/ping", 405),
    ("GET", PROBE_ERROR, 500),
    ("POST", "/api/auth/signin", 413),
    ("GET", "/health", 200),
    ("GET", "/openapi.json", 200),
]


def csp(response: Response) -> dict[str, set[str]]:
    """The Content-Security-Policy as directive -> sources."""
    policy: dict[str, set[str]] = {}
    for directive in response.headers["Content-Security-Policy"].split(";"):
        name, *sources = directive.split()
        policy[name] = set(sources)
    return policy


async def send(http: AsyncClient, method: str, path: str) -> Response:
    # Over the body limit of these tests' settings, for the 413.
    content = b"x" * 2048 if method == "POST" else None
    return await http.request(method, path, content=content)


def assert_security_headers(response: Response) -> None:
    for name, value in SECURITY_HEADERS.items():
        assert response.headers.get(name) == value, (name, response.headers)
    assert "content-security-policy" in response.headers


class TestEveryResponse:
    async def test_json_responses_and_errors(self, make_settings) -> None:
        async with (
            running(make_settings(max_body_bytes=1024), probe=True) as app,
            client_for(app) as http,
        ):
            for method, path, status in JSON_RESPONSES:
                response = await send(http, method, path)
                assert response.status_code == status, (path, response.text)
                assert_security_headers(response)
                assert csp(response) == {"default-src": {"'none'"}, "frame-ancestors": {"'none'"}}
                assert "strict-transport-security" not in response.headers

    async def test_cors_preflight(self, make_settings) -> None:
        origin = "https://app.intowork.example"
        async with (
            running(make_settings(allowed_origins=origin)) as app,
            client_for(app) as http,
        ):
            response = await http.options(
                "/api/jobs", headers={"Origin": origin, "Access-Control-Request-Method": "GET"}
            )
            assert response.status_code == 200
            assert_security_headers(response)

    @pytest.mark.parametrize("environment", [Environment.DEVELOPMENT, Environment.TEST])
    async def test_no_hsts_outside_production(self, make_settings, environment) -> None:
        async with running(make_settings(environment=environment)) as app, client_for(app) as http:
            response = await http.get("/api/ping")
            assert_security_headers(response)
            assert "strict-transport-security" not in response.headers

    async def test_hsts_in_production(self, make_settings) -> None:
        settings = make_settings(
            environment=Environment.PRODUCTION,
            jwt_secret=secrets.token_urlsafe(36),
            max_body_bytes=1024,
            docs_enabled=True,
        )
        assert len(settings.jwt_secret_value) == 48
        async with running(settings, probe=True) as app, client_for(app) as http:
            for method, path, status in [*JSON_RESPONSES, ("GET", "/docs", 200)]:
                response = await send(http, method, path)
                assert response.status_code == status, (path, response.text)
                assert_security_headers(response)
                assert response.headers["Strict-Transport-Security"] == HSTS


class Resources(HTMLParser):
    """What a page loads: script and stylesheet URLs, icons, and whether it has inline script."""

    def __init__(self) -> None:
        super().__init__()
        self.scripts: list[str] = []
        self.styles: list[str] = []
        self.images: list[str] = []
        self.inline_script = False
        self._in_script = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = {name: value or "" for name, value in attrs}
        if tag == "script":
            if "src" in values:
                self.scripts.append(values["src"])
            self._in_script = "src" not in values
        elif tag == "link" and "stylesheet" in values.get("rel", ""):
            self.styles.append(values["href"])
        elif tag == "link" and "icon" in values.get("rel", ""):
            self.images.append(values["href"])

    def handle_endtag(self, tag: str) -> None:
        if tag == "script":
            self._in_script = False

    def handle_data(self, data: str) -> None:
        if self._in_script and data.strip():
            self.inline_script = True


def allowed(url: str, sources: set[str]) -> bool:
    parts = urlsplit(url)
    if not parts.scheme:
        return "'self'" in sources
    return f"{parts.scheme}://{parts.netloc}" in sources or parts.scheme + ":" in sources


class TestDocs:
    async def test_swagger_ui_is_allowed_everything_it_loads(self, make_settings) -> None:
        async with running(make_settings()) as app, client_for(app) as http:
            response = await http.get("/docs")
            assert response.status_code == 200
            assert "swagger-ui" in response.text
            assert_security_headers(response)
            policy = csp(response)
            page = Resources()
            page.feed(response.text)
            assert page.scripts
            assert page.styles
            assert page.inline_script
            for url in page.scripts:
                assert re.match(r"https://cdn\.jsdelivr\.net/", url), url
                assert allowed(url, policy["script-src"]), (url, policy)
            for url in page.styles:
                assert allowed(url, policy["style-src"]), (url, policy)
            for url in page.images:
                assert allowed(url, policy["img-src"]), (url, policy)
            # SwaggerUIBundle is started by an inline script, and it fetches the spec from here.
            assert "'unsafe-inline'" in policy["script-src"]
            assert "'self'" in policy["default-src"]
            assert policy["frame-ancestors"] == {"'none'"}
            assert (await http.get("/openapi.json")).status_code == 200

    async def test_only_the_docs_get_the_docs_policy(self, make_settings) -> None:
        async with running(make_settings()) as app, client_for(app) as http:
            for path in ("/docs/oauth2-redirect", "/docs/"):
                assert "https://cdn.jsdelivr.net" in csp(await http.get(path))["script-src"]
            assert "script-src" not in csp(await http.get("/openapi.json"))
