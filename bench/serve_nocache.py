"""`intowork serve` with the response cache switched off, for the uncached runs of bench/run.py.

    python bench/serve_nocache.py --port 8101

The real app (`intowork.main.create_app`, the same settings from the environment, the same
middleware), started by uvicorn with the same options as `intowork serve`; only, once the
lifespan has started, `app.state.cache` is set to None: the session dependency then hands the
services no cache, and every request reaches the database. Nothing in src/ changes.
"""

import argparse
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import uvicorn
from fastapi import FastAPI

from intowork.core.config import get_settings
from intowork.core.observability.logging import configure_logging
from intowork.main import create_app as create_real_app


def create_app() -> FastAPI:
    app = create_real_app()
    inner = app.router.lifespan_context

    @asynccontextmanager
    async def lifespan(started: FastAPI) -> AsyncIterator[None]:
        async with inner(started):
            started.state.cache = None
            yield

    app.router.lifespan_context = lifespan
    return app


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, required=True)
    args = parser.parse_args()
    configure_logging(get_settings())
    uvicorn.run(
        create_app(),
        host=args.host,
        port=args.port,
        log_config=None,
        access_log=False,
        proxy_headers=False,
        server_header=False,
    )


if __name__ == "__main__":
    main()
