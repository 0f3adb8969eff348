"""Prometheus metrics (ARCHITECTURE.md "Metrics"): every name is defined here, and only here.

Labels are bounded by construction: route templates (never paths), status classes, enum values,
cache names. No label ever holds a user, candidate, job or company id, an e-mail or an IP.

Several workers (`intowork serve --workers N`, gunicorn): prometheus_client's multiprocess mode,
chosen by prometheus_client itself when PROMETHEUS_MULTIPROC_DIR is set before it is imported.
Each worker then writes its values to files in that directory and /metrics sums them, whichever
worker answers the scrape.
"""

import asyncio
import hmac
import time
from collections.abc import Iterable, Iterator
from typing import Any, Literal

from prometheus_client import (
    REGISTRY,
    CollectorRegistry,
    Counter,
    Gauge,
    Histogram,
    disable_created_metrics,
    generate_latest,
    values,
)
from prometheus_client.core import GaugeMetricFamily, Metric
from prometheus_client.multiprocess import MultiProcessCollector
from sqlalchemy import event
from sqlalchemy.engine import Engine
from sqlalchemy.ext.asyncio import AsyncEngine

from intowork.models.enums import ApplicationStatus, JobStatus, UserRole

# prometheus_client decided at import time, from PROMETHEUS_MULTIPROC_DIR; follow its decision.
MULTIPROCESS = values.ValueClass is not values.MutexValue
# The `_created` series double every counter and histogram for no use on a dashboard.
disable_created_metrics()  # type: ignore[no-untyped-call]

UNMATCHED_ROUTE = "unmatched"
OTHER = "other"
HTTP_METHODS = frozenset({"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"})
CacheName = Literal["job_list", "job_detail", "company", "dashboard", "my_applications"]
CACHE_NAMES: tuple[CacheName, ...] = (
    "job_list",
    "job_detail",
    "company",
    "dashboard",
    "my_applications",
)

# HTTP: the middleware observes every request (core/observability/middleware.py).
HTTP_REQUEST_DURATION = Histogram(
    "intowork_http_request_duration_seconds",
    "Time from the request's arrival to its last response byte.",
    ("method", "route", "status"),
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0),
)
# By method only: the route is known after routing, the status after the handler, and
# resolving the route a second time up front would cost more than the rest of the middleware.
HTTP_REQUESTS_IN_PROGRESS = Gauge(
    "intowork_http_requests_in_progress",
    "Requests being served now.",
    ("method",),
    multiprocess_mode="livesum",
)

# Business events: the services count them through core/db.py's after_commit, so a request
# whose transaction rolls back or fails to commit counts nothing. A failed sign-in is an
# attempt, not a write: counted at once.
USERS_REGISTERED = Counter(
    "intowork_users_registered_total", "Accounts created by sign-up.", ("role",)
)
SIGNINS = Counter("intowork_signins_total", "Sign-in attempts by result.", ("result",))
JOBS_CREATED = Counter("intowork_jobs_created_total", "Jobs created (draft or published).")
JOBS_PUBLISHED = Counter(
    "intowork_jobs_published_total", "Jobs published, at creation or by a status change."
)
JOBS_CLOSED = Counter("intowork_jobs_closed_total", "Jobs closed by their employer.")
APPLICATIONS_SUBMITTED = Counter(
    "intowork_applications_submitted_total", "Applications submitted by candidates."
)
APPLICATION_STATUS_CHANGES = Counter(
    "intowork_application_status_changes_total",
    "Applications moved through the pipeline.",
    ("from_status", "to_status"),
)
CV_UPLOADS = Counter("intowork_cv_uploads_total", "CVs uploaded.")
CV_UPLOAD_SIZE = Histogram(
    "intowork_cv_upload_size_bytes",
    "Size of the uploaded CVs.",
    buckets=(10e3, 50e3, 100e3, 250e3, 500e3, 1e6, 2.5e6, 5e6, 10e6),
)
EMAILS_SENT = Counter("intowork_emails_sent_total", "E-mails delivered by the outbox worker.")
EMAILS_FAILED = Counter(
    "intowork_emails_failed_total", "E-mails the outbox worker gave up on after every attempt."
)
EMAILS_RETRIED = Counter(
    "intowork_emails_retried_total", "E-mail attempts that failed and were scheduled again."
)
EMAILS_SKIPPED = Counter(
    "intowork_emails_skipped_total",
    "Password-reset requests finished without an e-mail (no account that may reset).",
)

# Cache: fed by core/cache.py through CACHE_EVENTS.
CACHE_HITS = Counter("intowork_cache_hits_total", "Cache reads that found a value.", ("cache",))
CACHE_MISSES = Counter("intowork_cache_misses_total", "Cache reads that found nothing.", ("cache",))
CACHE_ERRORS = Counter(
    "intowork_cache_errors_total", "Cache backend calls that failed (Redis unreachable...)."
)
CACHE_OPERATION_DURATION = Histogram(
    "intowork_cache_operation_duration_seconds",
    "Duration of one cache backend call.",
    buckets=(0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.5),
)

# Database.
DB_QUERY_DURATION = Histogram(
    "intowork_db_query_duration_seconds",
    "Duration of one SQL statement, as the driver ran it.",
    buckets=(0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5),
)
POOL_GAUGES = (
    ("intowork_db_pool_size", "Connections the pool keeps (DB_POOL_SIZE).", "size"),
    ("intowork_db_pool_checked_out", "Connections in use by requests now.", "checkedout"),
    ("intowork_db_pool_overflow", "Connections open beyond the pool size now.", "overflow"),
)

# Job views: counted off the read path, written in batches (jobs/views.py).
JOB_VIEWS_FLUSHED = Counter(
    "intowork_job_views_flushed_total", "Job views written to the database by the flusher."
)
JOB_VIEW_FLUSH_FAILURES = Counter(
    "intowork_job_view_flush_failures_total",
    "Batches of job views whose write failed (their views are pending again).",
)

RATE_LIMITED = Counter(
    "intowork_rate_limited_total", "Requests refused with 429, by tier.", ("tier",)
)

# Series that exist from the start at 0, so dashboards and rate() see them before the first event.
for _role in (UserRole.CANDIDATE, UserRole.EMPLOYER):
    USERS_REGISTERED.labels(role=_role.value)
for _result in ("success", "failure"):
    SIGNINS.labels(result=_result)
for _cache in CACHE_NAMES:
    CACHE_HITS.labels(cache=_cache)
    CACHE_MISSES.labels(cache=_cache)


def user_registered(role: UserRole) -> None:
    USERS_REGISTERED.labels(role=role.value).inc()


def signin_attempted(*, success: bool) -> None:
    SIGNINS.labels(result="success" if success else "failure").inc()


def job_created(status: JobStatus) -> None:
    """A new job; created as published, it is a publication too."""
    JOBS_CREATED.inc()
    if status is JobStatus.PUBLISHED:
        JOBS_PUBLISHED.inc()


def job_status_changed(to_status: JobStatus) -> None:
    if to_status is JobStatus.PUBLISHED:
        JOBS_PUBLISHED.inc()
    elif to_status is JobStatus.CLOSED:
        JOBS_CLOSED.inc()


def application_submitted() -> None:
    APPLICATIONS_SUBMITTED.inc()


def application_status_changed(
    from_status: ApplicationStatus, to_status: ApplicationStatus
) -> None:
    APPLICATION_STATUS_CHANGES.labels(
        from_status=from_status.value, to_status=to_status.value
    ).inc()


def cv_uploaded(size_bytes: int) -> None:
    CV_UPLOADS.inc()
    CV_UPLOAD_SIZE.observe(size_bytes)


def email_sent() -> None:
    EMAILS_SENT.inc()


def email_failed() -> None:
    EMAILS_FAILED.inc()


def email_retried() -> None:
    EMAILS_RETRIED.inc()


def email_skipped() -> None:
    EMAILS_SKIPPED.inc()


def job_views_flushed(views: int) -> None:
    JOB_VIEWS_FLUSHED.inc(views)


def job_view_flush_failed() -> None:
    JOB_VIEW_FLUSH_FAILURES.inc()


def rate_limited(tier: str) -> None:
    RATE_LIMITED.labels(tier=tier).inc()


class CacheMetrics:
    """core/cache.py's `CacheEvents`, as metrics: `create_cache(..., events=CACHE_EVENTS)`."""

    @staticmethod
    def _name(name: str) -> str:
        return name if name in CACHE_NAMES else OTHER

    def hit(self, name: str) -> None:
        CACHE_HITS.labels(cache=self._name(name)).inc()

    def miss(self, name: str) -> None:
        CACHE_MISSES.labels(cache=self._name(name)).inc()

    def error(self) -> None:
        CACHE_ERRORS.inc()

    def duration(self, seconds: float) -> None:
        CACHE_OPERATION_DURATION.observe(seconds)


CACHE_EVENTS = CacheMetrics()


# Database instrumentation -------------------------------------------------------------------

QUERY_STARTED = "_intowork_query_started"


def instrument_engine(engine: AsyncEngine) -> None:
    """Query durations from cursor events; in multiprocess mode, pool gauges kept in files."""
    sync_engine = engine.sync_engine
    event.listen(sync_engine, "before_cursor_execute", _before_cursor_execute)
    event.listen(sync_engine, "after_cursor_execute", _after_cursor_execute)
    if MULTIPROCESS:
        _PoolFiles(sync_engine).listen()


def _before_cursor_execute(
    _conn: Any, _cursor: Any, _statement: str, _params: Any, context: Any, _many: bool
) -> None:
    # On the execution context: one per statement, so a failed one leaves nothing behind.
    if context is not None:
        setattr(context, QUERY_STARTED, time.perf_counter())


def _after_cursor_execute(
    _conn: Any, _cursor: Any, _statement: str, _params: Any, context: Any, _many: bool
) -> None:
    started = getattr(context, QUERY_STARTED, None)
    if started is not None:
        DB_QUERY_DURATION.observe(time.perf_counter() - started)


def _read_pool(pool: Any) -> Iterator[tuple[str, str, float]]:
    """What this pool can tell (a SQLite or null pool may lack some numbers)."""
    for name, documentation, method_name in POOL_GAUGES:
        method = getattr(pool, method_name, None)
        if callable(method):
            value = float(method())
            # QueuePool counts its overflow from -pool_size up: below zero means "none".
            yield name, documentation, max(0.0, value)


class PoolCollector:
    """The pool of one engine, read at scrape time (single-process mode)."""

    def __init__(self, engine: AsyncEngine) -> None:
        self.engine = engine

    def collect(self) -> Iterator[Metric]:
        for name, documentation, value in _read_pool(self.engine.sync_engine.pool):
            yield GaugeMetricFamily(name, documentation, value=value)


class _PoolFiles:
    """Multiprocess mode: each worker keeps its pool's numbers in its own gauge files, summed at
    scrape time. The scraping worker can only read its own pool, so the numbers are written
    whenever they change (each checkout and checkin), just after SQLAlchemy has finished the
    change (the event fires before the connection is back in the pool).
    """

    gauges = {
        name: Gauge(name, documentation, registry=None, multiprocess_mode="livesum")
        for name, documentation, _ in POOL_GAUGES
    }

    def __init__(self, sync_engine: Engine) -> None:
        self.sync_engine = sync_engine

    def listen(self) -> None:
        for name in ("checkout", "checkin"):
            event.listen(self.sync_engine.pool, name, self._changed)
        self.refresh()

    def _changed(self, *_args: Any) -> None:
        try:
            asyncio.get_running_loop().call_soon(self.refresh)
        except RuntimeError:  # outside the event loop (a connection collected by the GC)
            self.refresh()

    def refresh(self) -> None:
        for name, _, value in _read_pool(self.sync_engine.pool):
            self.gauges[name].set(value)


# Exposition -----------------------------------------------------------------------------------


class _Collectors:
    def __init__(self, collectors: Iterable[Any]) -> None:
        self.collectors = collectors

    def collect(self) -> Iterator[Metric]:
        for collector in self.collectors:
            yield from collector.collect()


def render_metrics(engine: AsyncEngine) -> bytes:
    """The text exposition (format 0.0.4): this process's metrics, or every worker's."""
    if MULTIPROCESS:
        registry = CollectorRegistry()
        MultiProcessCollector(registry)  # type: ignore[no-untyped-call]
        return generate_latest(registry)
    return generate_latest(_Collectors((REGISTRY, PoolCollector(engine))))


def valid_metrics_token(expected: str, authorization: str | None) -> bool:
    """`Authorization: Bearer <METRICS_TOKEN>`, compared in constant time."""
    scheme, _, presented = (authorization or "").partition(" ")
    return scheme.lower() == "bearer" and hmac.compare_digest(
        presented.strip().encode(), expected.encode()
    )


def mark_process_dead(pid: int) -> None:
    """A worker stopping: its live gauges (in progress, pool) stop counting in the sums."""
    if MULTIPROCESS:
        from prometheus_client import multiprocess

        multiprocess.mark_process_dead(pid)  # type: ignore[no-untyped-call]
