"""CORS and the docs' CSP in a real browser: Debian's Chromium, headless, driven by Playwright.

The API runs under uvicorn on a free local port; two pages are served from two other local
origins, only the first of which is in ALLOWED_ORIGINS. `make test` installs Chromium when it can;
without it (or without the playwright package) these tests skip, or fail when
TEST_REQUIRE_SERVICES=1.
"""

import importlib.util
import threading
from collections.abc import AsyncIterator, Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest
import uvicorn

from tests.fixtures.services import service_missing
from tests.fixtures.timing import SERVER_START_SECONDS, patient, wait_until
from tests.security.conftest import INTERNAL_ERROR, PROBE_ERROR, SQLITE_ONLY, build_app

pytestmark = SQLITE_ONLY

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
# Waits in the page (Playwright's default, 30 s; the docs page starts in about 2 s under load).
PAGE_SECONDS = 30
PAGE = b"<!doctype html><html><head><title>IntoWork front end</title></head><body></body></html>"
# Runs in the page: the fetch's outcome as the page's own script sees it.
FETCH = """async ([url, init]) => {
    try {
        const response = await fetch(url, init);
        return {
            status: response.status,
            body: await response.json(),
            requestId: response.headers.get("X-Request-ID"),
            limit: response.headers.get("X-RateLimit-Limit"),
        };
    } catch (error) {
        return {error: error.name, message: error.message};
    }
}"""
# Stands in for Swagger UI from jsDelivr (no Internet here): starts like it, loads the spec.
SWAGGER_STUB = """
window.SwaggerUIBundle = function (config) {
    fetch(config.url).then((r) => r.json()).then((spec) => {
        document.body.setAttribute("data-spec-title", spec.info.title);
    });
    return {};
};
SwaggerUIBundle.presets = {apis: {}};
SwaggerUIBundle.SwaggerUIStandalonePreset = {};
"""
RECORD_CSP_VIOLATIONS = """
window.cspViolations = [];
document.addEventListener("securitypolicyviolation", (event) => {
    window.cspViolations.push(event.violatedDirective + " " + event.blockedURI);
});
"""


class PageHandler(BaseHTTPRequestHandler):
    def do_GET(self) -> None:
        self.send_response(200)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(len(PAGE)))
        self.end_headers()
        self.wfile.write(PAGE)

    def log_message(self, format: str, *args: Any) -> None:
        pass


@contextmanager
def page_origin() -> Iterator[str]:
    """A tiny page served from an origin of its own (a free local port)."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), PageHandler)
    thread = threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)


@contextmanager
def api_server(settings: Any) -> Iterator[str]:
    """The API (with the probe route) under uvicorn on a free port, in a thread of its own."""
    config = uvicorn.Config(
        build_app(settings, probe=True), host="127.0.0.1", port=0, log_config=None
    )
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()

    def started() -> bool:
        assert thread.is_alive(), "uvicorn stopped while starting"
        return server.started

    wait_until(started, SERVER_START_SECONDS, what="uvicorn started", interval=0.02)
    port = server.servers[0].sockets[0].getsockname()[1]
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=patient(30))


@pytest.fixture(scope="module")
def chromium_path() -> Path:
    if not CHROMIUM.exists():
        service_missing(
            f"the browser tests need Debian's chromium at {CHROMIUM} "
            "(`make test` installs it as root: apt-get install chromium)"
        )
    if importlib.util.find_spec("playwright") is None:
        service_missing("the browser tests need the playwright package (the dev extra)")
    return CHROMIUM


@pytest.fixture(scope="module")
async def browser(chromium_path: Path) -> AsyncIterator[Any]:
    from playwright.async_api import async_playwright  # only once it is known to be there

    async with async_playwright() as playwright:
        chromium = await playwright.chromium.launch(
            executable_path=str(chromium_path), args=CHROMIUM_ARGS, headless=True
        )
        yield chromium
        await chromium.close()


@pytest.fixture
def origins() -> Iterator[tuple[str, str]]:
    """The allowed page origin and another one."""
    with page_origin() as allowed, page_origin() as other:
        yield allowed, other


@pytest.fixture
def api(make_settings, origins: tuple[str, str]) -> Iterator[str]:
    settings = make_settings(allowed_origins=origins[0], rate_limit_enabled=True)
    with api_server(settings) as url:
        yield url


async def fetch_from(browser: Any, origin: str, url: str, **init: Any) -> dict[str, Any]:
    """What a script on a page of `origin` gets from fetch(url, init)."""
    context = await browser.new_context()
    try:
        page = await context.new_page()
        await page.goto(origin + "/")
        result: dict[str, Any] = await page.evaluate(FETCH, [url, init])
        return result
    finally:
        await context.close()


class TestCredentialedFetch:
    async def test_from_the_allowed_origin_the_page_reads_body_and_headers(
        self, browser, api: str, origins: tuple[str, str]
    ) -> None:
        result = await fetch_from(browser, origins[0], f"{api}/api/ping", credentials="include")
        assert result.get("status") == 200, result
        assert result["body"]["ping"] == "pong"
        assert len(result["requestId"]) == 36, "X-Request-ID is exposed to the page"
        assert result["limit"] == "300", "X-RateLimit-Limit is exposed to the page"

    async def test_a_preflighted_request_goes_through(
        self, browser, api: str, origins: tuple[str, str]
    ) -> None:
        result = await fetch_from(
            browser,
            origins[0],
            f"{api}/api/auth/me",
            credentials="include",
            headers={"Authorization": "Bearer not-a-token", "X-Request-ID": "browser-1"},
        )
        assert result.get("status") == 401, result
        assert result["body"] == {"detail": "Invalid or expired token"}
        assert result["requestId"] == "browser-1"

    async def test_from_another_origin_the_browser_blocks_it(
        self, browser, api: str, origins: tuple[str, str]
    ) -> None:
        result = await fetch_from(browser, origins[1], f"{api}/api/ping", credentials="include")
        assert result.get("error") == "TypeError", result

    async def test_a_500_is_readable_by_the_allowed_origin(
        self, browser, api: str, origins: tuple[str, str]
    ) -> None:
        result = await fetch_from(browser, origins[0], api + PROBE_ERROR, credentials="include")
        assert result.get("status") == 500, result
        assert result["body"] == INTERNAL_ERROR


class TestDocsPolicy:
    async def test_swagger_ui_loads_and_starts_under_the_csp(self, browser, api: str) -> None:
        context = await browser.new_context()
        try:
            page = await context.new_page()
            await page.add_init_script(RECORD_CSP_VIOLATIONS)

            async def stand_in_for_the_internet(route: Any) -> None:
                url = route.request.url
                if url.startswith(api):
                    await route.continue_()
                elif url.endswith(".js"):
                    await route.fulfill(body=SWAGGER_STUB, content_type="text/javascript")
                elif url.endswith(".css"):
                    await route.fulfill(body="#swagger-ui {}", content_type="text/css")
                else:
                    await route.fulfill(status=404, body="")

            await page.route("**/*", stand_in_for_the_internet)
            await page.goto(f"{api}/docs")
            # The jsDelivr script ran, then the inline script, which fetched the spec.
            await page.wait_for_selector(
                "body[data-spec-title]", state="attached", timeout=patient(PAGE_SECONDS) * 1000
            )
            title = await page.get_attribute("body", "data-spec-title")
            assert title == "IntoWork API"
            assert await page.evaluate("window.cspViolations") == []

            # The policy is in force: a script from anywhere else is refused.
            await page.evaluate(
                """() => { const s = document.createElement("script");
                s.src = "https://evil.example/x.js"; document.head.appendChild(s); }"""
            )
            refused = "window.cspViolations.some((v) => v.includes('evil.example'))"
            await page.wait_for_function(refused, timeout=patient(PAGE_SECONDS) * 1000)
        finally:
            await context.close()
