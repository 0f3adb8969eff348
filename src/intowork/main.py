"""The application factory: lifespan, middleware order, error handlers, routers."""

import os
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import anyio
from fastapi import FastAPI
from fastapi.middleware.cors import CORSMiddleware
from loguru import logger

from intowork import __version__
from intowork.admin.router import router as admin_router
from intowork.applications.router import router as applications_router
from intowork.auth.router import router as auth_router
from intowork.candidates.router import router as candidates_router
from intowork.companies.router import router as companies_router
from intowork.core.cache import create_cache
from intowork.core.config import Settings, get_settings
from intowork.core.db import create_database
from intowork.core.errors import UnhandledErrorMiddleware, register_error_handlers
from intowork.core.heap import freeze_startup_heap, unfreeze_heap
from intowork.core.http_cache import ConditionalGetMiddleware
from intowork.core.i18n import CONTENT_LANGUAGE, LanguageMiddleware
from intowork.core.middleware import (
    BodySizeLimitMiddleware,
    SecurityHeadersMiddleware,
    streamed_paths,
)
from intowork.core.observability import metrics
from intowork.core.observability.logging import configure_logging
from intowork.core.observability.middleware import REQUEST_ID_HEADER, ObservabilityMiddleware
from intowork.core.ratelimit import RateLimitHeadersMiddleware, create_rate_limiter
from intowork.core.redis import create_redis
from intowork.core.routing import (
    AllowHeaderMiddleware,
    PathNormalisationMiddleware,
)
from intowork.core.storage import create_storage
from intowork.cvs.router import router as cvs_router
from intowork.dashboard.router import router as dashboard_router
from intowork.email.templates import get_renderer, install_composer
from intowork.email.worker import start_embedded_worker
from intowork.employers.router import router as employers_router
from intowork.jobs.router import router as jobs_router
from intowork.jobs.views import JobViews
from intowork.notifications.router import router as notifications_router
from intowork.openapi import install as install_openapi
from intowork.system.router import api_router as system_api_router
from intowork.system.router import operations_router
from intowork.system.service import log_schema_state
from intowork.users.router import router as users_router

DESCRIPTION = """
IntoWork is a recruitment platform: candidates find jobs and apply with their CV, employers
publish jobs for their company and move applicants through a hiring pipeline, admins keep the
place clean.

Authenticate with `Authorization: Bearer <access_token>`; every error body is `{"detail": ...}`.
"""

EXPOSED_HEADERS = [
    REQUEST_ID_HEADER,
    "X-RateLimit-Limit",
    "X-RateLimit-Remaining",
    "X-RateLimit-Reset",
    "Retry-After",
    "Content-Disposition",
    "ETag",
    CONTENT_LANGUAGE,
]


@asynccontextmanager
async def lifespan(app: FastAPI) -> AsyncIterator[None]:
    settings: Settings = app.state.settings
    app.state.db = create_database(settings)
    # The templates are read from disk once, here, off the event loop.
    await anyio.to_thread.run_sync(get_renderer)
    install_composer(app.state.db.sessionmaker, settings)
    app.state.redis = create_redis(settings)
    app.state.cache = create_cache(
        app.state.redis, settings.redis_key_prefix, events=metrics.CACHE_EVENTS
    )
    app.state.job_views = JobViews(
        app.state.db.sessionmaker, app.state.redis, settings.redis_key_prefix
    )
    app.state.job_views.start(settings.view_flush_seconds)
    app.state.storage = create_storage(settings)
    app.state.rate_limiter = create_rate_limiter(settings)
    app.state.email_worker = (
        start_embedded_worker(app.state.db.sessionmaker, settings)
        if settings.email_worker_in_process
        else None
    )
    await log_schema_state(app.state.db)
    if settings.is_production and settings.metrics_token is None:
        logger.bind(hint="set METRICS_TOKEN, or keep /metrics off the public network").warning(
            "metrics.open"
        )
    logger.bind(environment=settings.environment.value).info("app.started")
    gc_thresholds = freeze_startup_heap() if settings.gc_freeze else None
    try:
        yield
    finally:
        if gc_thresholds is not None:
            unfreeze_heap(gc_thresholds)
        # First of the services: the last flush needs Redis and the database.
        await app.state.job_views.stop()
        if app.state.email_worker is not None:
            await app.state.email_worker.stop()
        if app.state.redis is not None:
            await app.state.redis.aclose()
        await app.state.db.dispose()
        metrics.mark_process_dead(os.getpid())
        logger.info("app.stopped")


def create_app(settings: Settings | None = None) -> FastAPI:
    settings = settings or get_settings()
    configure_logging(settings)
    app = FastAPI(
        title="IntoWork API",
        version=__version__,
        description=DESCRIPTION,
        docs_url="/docs" if settings.docs_enabled else None,
        redoc_url="/redoc" if settings.docs_enabled else None,
        openapi_url="/openapi.json" if settings.docs_enabled else None,
        lifespan=lifespan,
        redirect_slashes=False,
    )
    app.state.settings = settings
    register_error_handlers(app)
    app.include_router(operations_router)
    app.include_router(system_api_router)
    app.include_router(auth_router)
    app.include_router(companies_router)
    app.include_router(employers_router)
    app.include_router(jobs_router)
    app.include_router(candidates_router)
    app.include_router(cvs_router)
    app.include_router(applications_router)
    app.include_router(notifications_router)
    app.include_router(admin_router)
    app.include_router(users_router)
    app.include_router(dashboard_router)
    install_openapi(app)

    # Added innermost first: request id, access log and metrics wrap everything (inside the
    # trailing-slash rewrite, which copies the scope: the router's choice must land in theirs),
    # CORS wraps every error.
    app.add_middleware(AllowHeaderMiddleware)
    app.add_middleware(
        BodySizeLimitMiddleware,
        max_bytes=settings.max_body_bytes,
        exempt=streamed_paths(app.routes),
    )
    app.add_middleware(UnhandledErrorMiddleware)
    # Inside the rate-limit headers: a conditional GET is counted unless this answers 304.
    app.add_middleware(ConditionalGetMiddleware)
    app.add_middleware(RateLimitHeadersMiddleware)
    app.add_middleware(
        CORSMiddleware,
        allow_origins=settings.allowed_origins or [],
        allow_origin_regex=settings.allowed_origin_regex,
        allow_credentials=True,
        allow_methods=["GET", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"],
        allow_headers=["Authorization", "Content-Type", "If-None-Match", REQUEST_ID_HEADER],
        expose_headers=EXPOSED_HEADERS,
    )
    # Outside CORS, so that the preflight answers CORS gives itself carry them too.
    app.add_middleware(SecurityHeadersMiddleware, hsts=settings.is_production)
    app.add_middleware(LanguageMiddleware, default=settings.default_language)
    app.add_middleware(ObservabilityMiddleware)
    app.add_middleware(PathNormalisationMiddleware)
    return app
