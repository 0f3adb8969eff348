"""Per-request cost of the observability middleware (request id, access log, HTTP metrics).

    .venv/bin/python bench/middleware_overhead.py
    .venv/bin/python bench/middleware_overhead.py --requests 5000 --rounds 9

The same app is built twice from `create_app` with production settings (JSON logs, written by
loguru's background thread to /dev/null), once as is and once without `ObservabilityMiddleware`;
everything else (CORS, security headers, rate-limit headers, body cap, error handling, the
routes' dependencies) stays. Both are driven in-process by httpx over ASGI, one request at a time,
the two alternating round after round; the cost is the difference of the medians of the CPU time
per request (client included, the same on both sides).

Two routes, neither touching the database: `/health` (its access line is DEBUG, below the
production level: metrics and request id only) and `/api/ping` (an INFO access line per request:
the full cost, JSON formatting and queueing included).
"""

import argparse
import asyncio
import logging
import secrets
import statistics
import sys
import tempfile
import time
from pathlib import Path

from asgi_lifespan import LifespanManager
from fastapi import FastAPI
from httpx import ASGITransport, AsyncClient
from loguru import logger

from intowork.core.config import Environment, Settings
from intowork.core.observability.middleware import ObservabilityMiddleware
from intowork.main import create_app

PATHS = ("/health", "/api/ping")
WARM_UP = 200


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--requests", type=int, default=3000, help="per round and app (3000)")
    parser.add_argument("--rounds", type=int, default=7, help="alternating rounds (7)")
    return parser.parse_args()


def build(settings: Settings, *, observed: bool) -> FastAPI:
    app = create_app(settings)
    if not observed:
        # The middleware stack is built on the first request: removing it now is enough.
        app.user_middleware = [
            m for m in app.user_middleware if m.cls is not ObservabilityMiddleware
        ]
    return app


async def per_request_us(client: AsyncClient, path: str, requests: int) -> float:
    # CPU time of the process (every thread, the log writer's included), not wall time: what
    # the requests cost, whatever else the machine is doing meanwhile.
    started = time.process_time()
    for _ in range(requests):
        response = await client.get(path)
        assert response.status_code == 200, response.text
    return (time.process_time() - started) / requests * 1e6


async def main() -> None:
    args = parse_args()
    with tempfile.TemporaryDirectory() as scratch:
        settings = Settings(
            _env_file=None,  # type: ignore[call-arg]
            environment=Environment.PRODUCTION,
            jwt_secret=secrets.token_urlsafe(36),
            data_dir=Path(scratch),
            database_url=f"sqlite:///{scratch}/bench.db",
            rate_limit_enabled=False,
            log_level="INFO",
        )
        real_stdout = sys.stdout
        with open("/dev/null", "w") as devnull:  # noqa: ASYNC230 - once, before measuring
            sys.stdout = devnull  # the production JSON sink writes here
            try:
                apps = {"with": build(settings, observed=True)}
                apps["without"] = build(settings, observed=False)
                # httpx logs each call the benchmark makes: not the app's cost.
                logging.getLogger("httpx").setLevel(logging.WARNING)
                results = await run(apps, args.requests, args.rounds)
            finally:
                await logger.complete()
                logger.remove()
                sys.stdout = real_stdout
    print(f"{args.rounds} rounds x {args.requests} requests per app and path")
    print("median CPU time per request, microseconds (the client's share included)")
    print(f"{'path':<12}{'without':>10}{'with':>10}{'cost':>10}")
    for path in PATHS:
        without = statistics.median(results["without", path])
        with_ = statistics.median(results["with", path])
        print(f"{path:<12}{without:>10.1f}{with_:>10.1f}{with_ - without:>10.1f}")


async def run(
    apps: dict[str, FastAPI], requests: int, rounds: int
) -> dict[tuple[str, str], list[float]]:
    results: dict[tuple[str, str], list[float]] = {}
    async with LifespanManager(apps["with"]), LifespanManager(apps["without"]):
        clients = {
            name: AsyncClient(transport=ASGITransport(app=app), base_url="http://bench")
            for name, app in apps.items()
        }
        for client in clients.values():
            for path in PATHS:
                await per_request_us(client, path, WARM_UP)
        for _ in range(rounds):
            for path in PATHS:
                for name, client in clients.items():
                    sample = await per_request_us(client, path, requests)
                    results.setdefault((name, path), []).append(sample)
        for client in clients.values():
            await client.aclose()
    return results


if __name__ == "__main__":
    asyncio.run(main())
