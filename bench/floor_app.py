"""The floor of bench/run.py: what one core serves with nothing but FastAPI and uvicorn.

    python bench/floor_app.py --port 8100 --body /tmp/jobs20.json [--pg postgresql://...]

- GET /health: a tiny dict (the floor of the app's /health).
- GET /floor/dicts: the memory floor of issue 18: the 20-job page the real job list returned,
  held in memory as plain dicts and lists and returned through FastAPI's default encoder (an
  untyped endpoint: `jsonable_encoder`, then `JSONResponse`'s `json.dumps`).
- GET /floor/typed: the same dicts from an endpoint typed `-> dict[str, Any]` (its response
  field validates and serialises through pydantic, then `json.dumps`): a much higher floor,
  reported beside the other for reference.
- GET /floor/json: the same page as stored bytes, kept in memory (no encoding at all).
- GET /floor/asyncpg: one raw asyncpg query (20 rows from generate_series) through a small pool,
  returned as JSON; only with --pg (PostgreSQL reachable).

Started like `intowork serve`: uvicorn, one worker, uvloop/httptools when installed, no access
log, no server header.
"""

import argparse
import json
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import uvicorn
from fastapi import FastAPI, Response

QUERY = "SELECT g AS id, 'job ' || g AS title FROM generate_series(1, 20) AS g"


def build(body: bytes, pg_url: str | None) -> FastAPI:
    state: dict[str, Any] = {}

    @asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        if pg_url:
            import asyncpg  # only when asked: the JSON floor needs no database driver

            state["pool"] = await asyncpg.create_pool(pg_url, min_size=2, max_size=5)
        try:
            yield
        finally:
            if "pool" in state:
                await state["pool"].close()

    app = FastAPI(lifespan=lifespan, docs_url=None, redoc_url=None, openapi_url=None)

    @app.get("/health")
    async def health() -> dict[str, str]:
        return {"status": "healthy"}

    page: dict[str, Any] = json.loads(body)

    @app.get("/floor/dicts")
    async def floor_dicts():  # type: ignore[no-untyped-def]  # untyped: the default encoder
        return page

    @app.get("/floor/typed")
    async def floor_typed() -> dict[str, Any]:
        return page

    @app.get("/floor/json")
    async def floor_json() -> Response:
        return Response(body, media_type="application/json")

    @app.get("/floor/asyncpg")
    async def floor_asyncpg() -> Response:
        async with state["pool"].acquire() as connection:
            rows = await connection.fetch(QUERY)
        return Response(json.dumps([dict(row) for row in rows]), media_type="application/json")

    return app


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--body", type=Path, required=True, help="the JSON body to serve")
    parser.add_argument("--pg", help="a PostgreSQL URL for the asyncpg floor")
    args = parser.parse_args()
    app = build(args.body.read_bytes(), args.pg)
    uvicorn.run(
        app,
        host=args.host,
        port=args.port,
        log_level="warning",
        access_log=False,
        server_header=False,
        proxy_headers=False,
    )


if __name__ == "__main__":
    main()
