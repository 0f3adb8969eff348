"""Two app instances sharing one Redis (and one database), as two server processes would: what
one caches the other reads, and a write through one is seen by the next read on the other."""

from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Any

import pytest
from fastapi import FastAPI
from httpx import AsyncClient

from intowork.core.config import Settings
from intowork.models.enums import UserRole
from tests.cache.conftest import (
    DASHBOARD,
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
from tests.fixtures.redis import RedisTarget
from tests.fixtures.settings import SettingsFactory
from tests.fixtures.statements import counting_statements

pytestmark = SQLITE_ONLY


@dataclass
class Instance:
    app: FastAPI
    client: AsyncClient


@dataclass
class World:
    first: Instance
    second: Instance
    employer: Actor
    candidate: Actor
    company_id: int
    job_id: int


@pytest.fixture
async def world(make_settings: SettingsFactory, redis_target: RedisTarget) -> AsyncIterator[World]:
    settings: Settings = make_settings(
        log_level="WARNING", redis_url=redis_target.url, redis_key_prefix=redis_target.prefix
    )
    async with (
        running(settings) as first_app,
        running(settings) as second_app,
        client_of(first_app) as first,
        client_of(second_app) as second,
    ):
        async with first_app.state.db.sessionmaker() as session:
            company = await make_company(session, name="Acme Industries")
            employer = await new_actor(session, settings, UserRole.EMPLOYER, company=company)
            candidate = await new_actor(session, settings, UserRole.CANDIDATE)
            job = await add_job(session, employer)
        yield World(
            first=Instance(first_app, first),
            second=Instance(second_app, second),
            employer=employer,
            candidate=candidate,
            company_id=company.id,
            job_id=job.id,
        )


async def read_cached(instance: Instance, path: str, actor: Actor | None = None) -> Any:
    """A read that must come from the shared cache: it reads no job from the database."""
    with counting_statements(instance.app) as log:
        body = await get_ok(instance.client, path, *(actor,) if actor else ())
    assert job_reads(log) == [], log
    return body


class TestSharedEntries:
    async def test_one_instance_fills_the_other_reads(self, world: World) -> None:
        company = f"/api/companies/{world.company_id}"
        for path in (JOBS, f"{JOBS}/{world.job_id}", company):
            await get_ok(world.first.client, path)
            await read_cached(world.second, path)
        await get_ok(world.first.client, DASHBOARD, world.candidate)
        await read_cached(world.second, DASHBOARD, world.candidate)


class TestWritesSeenByTheOther:
    async def test_job_writes(self, world: World) -> None:
        company = f"/api/companies/{world.company_id}"
        detail = f"{JOBS}/{world.job_id}"
        for path in (JOBS, detail, company):
            await get_ok(world.second.client, path)
            await read_cached(world.second, path)
        open_jobs = await get_ok(world.second.client, DASHBOARD, world.candidate)

        client, employer = world.first.client, world.employer
        await call_ok(client, "POST", "/api/jobs/create", employer, job_body(title="Data analyst"))
        await call_ok(client, "PUT", detail, employer, job_body(title="Renamed"))

        assert titles(await get_ok(world.second.client, JOBS)) == ["Data analyst", "Renamed"]
        assert (await get_ok(world.second.client, detail))["title"] == "Renamed"
        assert (await get_ok(world.second.client, company))["published_jobs_count"] == 2
        dashboard = await get_ok(world.second.client, DASHBOARD, world.candidate)
        assert dashboard != open_jobs

        await call_ok(client, "PATCH", f"{detail}/status", employer, {"status": "closed"})
        response = await world.second.client.get(detail)
        assert response.status_code == 404, response.text
        assert titles(await get_ok(world.second.client, JOBS)) == ["Data analyst"]

    async def test_company_rename(self, world: World) -> None:
        company = f"/api/companies/{world.company_id}"
        await get_ok(world.second.client, company)
        await get_ok(world.second.client, JOBS)
        rename = {"name": "Acme Renamed"}
        await call_ok(
            world.first.client, "PUT", "/api/companies/my-company", world.employer, rename
        )
        assert (await get_ok(world.second.client, company))["name"] == "Acme Renamed"
        page = await get_ok(world.second.client, JOBS)
        assert page["jobs"][0]["company_name"] == "Acme Renamed"

    async def test_apply(self, world: World) -> None:
        detail = f"{JOBS}/{world.job_id}"
        before = await get_ok(world.second.client, detail, world.candidate)
        assert (before["has_applied"], before["applications_count"]) == (False, 0)
        await apply_ok(world.first.client, world.candidate, world.job_id)
        after = await get_ok(world.second.client, detail, world.candidate)
        assert (after["has_applied"], after["applications_count"]) == (True, 1)
        dashboard = await get_ok(world.second.client, DASHBOARD, world.employer)
        received = {entry["title"]: entry["value"] for entry in dashboard["stats"]}
        assert received["Applications received"] == "1"
