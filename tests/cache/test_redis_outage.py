"""Redis goes away mid-test and comes back: every request still answers, with the truth, and the
cache is used again once Redis is back (after the cache's retry delay).

The killed Redis is a redis-server of this test's own, on a free port, in a temporary directory
and without persistence: the machine's Redis is never touched. One database: the point is Redis.
"""

import asyncio
import time
import uuid
from typing import Any

from fastapi import FastAPI
from httpx import AsyncClient

from intowork.core.cache import REDIS_RETRY_SECONDS
from intowork.core.observability import metrics
from intowork.models.enums import UserRole
from tests.cache.conftest import (
    DASHBOARD,
    EMPLOYER_APPLICATIONS,
    JOBS,
    SQLITE_ONLY,
    Actor,
    add_job,
    apply_ok,
    call_ok,
    client_of,
    get_ok,
    job_body,
    job_reads,
    new_actor,
    running,
    titles,
)
from tests.fixtures.factories import make_company
from tests.fixtures.redis import OwnRedis
from tests.fixtures.settings import SettingsFactory
from tests.fixtures.statements import counting_statements

pytestmark = SQLITE_ONLY

UNREACHABLE_REDIS = "redis://127.0.0.1:1/0"
# A request during the outage waits for no Redis timeout: a refused connection fails at once,
# and after the first failure the cache is not asked at all for REDIS_RETRY_SECONDS.
OUTAGE_REQUEST_BUDGET_SECONDS = 2.0


async def read(app: FastAPI, client: AsyncClient, path: str, actor: Actor | None = None) -> Any:
    """A read that must answer 200 quickly; returns (body, how many job reads it ran)."""
    started = time.monotonic()
    with counting_statements(app) as log:
        body = await get_ok(client, path, *(actor,) if actor else ())
    assert time.monotonic() - started < OUTAGE_REQUEST_BUDGET_SECONDS, path
    return body, len(job_reads(log))


def stat(dashboard: dict[str, Any], title: str) -> str:
    return {entry["title"]: entry["value"] for entry in dashboard["stats"]}[title]


class TestRedisKilled:
    async def test_answers_throughout_then_caches_again(
        self, make_settings: SettingsFactory, own_redis: OwnRedis
    ) -> None:
        settings = make_settings(
            log_level="WARNING",
            redis_url=own_redis.url,
            redis_key_prefix=f"intowork-test:{uuid.uuid4().hex}:",
        )
        async with running(settings) as app, client_of(app) as client:
            async with app.state.db.sessionmaker() as session:
                company = await make_company(session, name="Acme Industries")
                employer = await new_actor(session, settings, UserRole.EMPLOYER, company=company)
                candidate = await new_actor(session, settings, UserRole.CANDIDATE)
                job = await add_job(session, employer)
            detail, company_page = f"{JOBS}/{job.id}", f"/api/companies/{company.id}"

            # Redis up: the second read of each comes from the cache.
            for path in (JOBS, detail, company_page):
                await read(app, client, path)
                assert (await read(app, client, path))[1] == 0
            errors_before = metrics.CACHE_ERRORS._value.get()

            own_redis.kill()

            # Reads: 200, right, from the database every time.
            for _ in range(2):
                page, queried = await read(app, client, JOBS)
                assert (titles(page), queried) == (["Backend engineer"], 2)
                body, queried = await read(app, client, detail)
                assert (body["title"], queried) == ("Backend engineer", 1)
                body, _ = await read(app, client, company_page)
                assert body["published_jobs_count"] == 1
                body, _ = await read(app, client, DASHBOARD, candidate)
                assert stat(body, "Open jobs") == "1"
            assert metrics.CACHE_ERRORS._value.get() > errors_before, "errors are counted"

            # Writes: accepted, and seen by the next read.
            await call_ok(client, "POST", "/api/jobs/create", employer, job_body(title="New"))
            await call_ok(client, "PUT", detail, employer, job_body(title="Renamed"))
            assert titles((await read(app, client, JOBS))[0]) == ["New", "Renamed"]
            application_id = await apply_ok(client, candidate, job.id)
            body, _ = await read(app, client, detail, candidate)
            assert (body["has_applied"], body["applications_count"]) == (True, 1)
            status_path = f"{EMPLOYER_APPLICATIONS}/{application_id}/status"
            await call_ok(client, "PUT", status_path, employer, {"status": "interview"})
            body, _ = await read(app, client, DASHBOARD, candidate)
            assert (stat(body, "Interviews"), stat(body, "Open jobs")) == ("1", "2")
            await call_ok(client, "PUT", "/api/companies/my-company", employer, {"name": "Renco"})
            body, _ = await read(app, client, company_page)
            assert (body["name"], body["published_jobs_count"]) == ("Renco", 2)
            outage_ended = time.monotonic()

            own_redis.start()
            await asyncio.sleep(
                max(0.0, outage_ended + REDIS_RETRY_SECONDS + 0.3 - time.monotonic())
            )

            # Redis back (empty): filled by the next read, used by the one after.
            page, queried = await read(app, client, JOBS)
            assert (titles(page), page["jobs"][1]["company_name"], queried) == (
                ["New", "Renamed"],
                "Renco",
                2,
            )
            assert await read(app, client, JOBS) == (page, 0)
            for path in (detail, company_page):
                await read(app, client, path)
                assert (await read(app, client, path))[1] == 0
            await read(app, client, DASHBOARD, candidate)
            with counting_statements(app) as log:
                await get_ok(client, DASHBOARD, candidate)
            assert log.count == 1, log  # the caller's own user row only


class TestRedisUnreachableFromTheStart:
    async def test_served_from_the_database(self, make_settings: SettingsFactory) -> None:
        settings = make_settings(log_level="WARNING", redis_url=UNREACHABLE_REDIS)
        async with running(settings) as app, client_of(app) as client:
            async with app.state.db.sessionmaker() as session:
                company = await make_company(session)
                employer = await new_actor(session, settings, UserRole.EMPLOYER, company=company)
                job = await add_job(session, employer)
            for _ in range(2):
                assert (await read(app, client, JOBS))[1] == 2
                assert (await read(app, client, f"{JOBS}/{job.id}"))[1] == 1
            await call_ok(client, "PUT", f"{JOBS}/{job.id}", employer, job_body(title="Renamed"))
            assert titles((await read(app, client, JOBS))[0]) == ["Renamed"]
