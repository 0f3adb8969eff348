"""Job views off the read path (jobs/views.py): buffered in memory or Redis, written in batches
by the flusher, once each, at shutdown too. Both databases; Redis where Redis is the point."""

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

import pytest
from fastapi import FastAPI
from httpx import ASGITransport, AsyncClient
from prometheus_client import REGISTRY
from pydantic import ValidationError
from redis.asyncio import Redis
from sqlalchemy.ext.asyncio import AsyncSession

from intowork.core.config import Settings
from intowork.jobs import repository
from intowork.jobs.views import FLUSH_BATCH, JobViews
from intowork.main import create_app
from intowork.models import Job
from tests.fixtures.redis import RedisTarget
from tests.fixtures.settings import SettingsFactory, app_settings
from tests.fixtures.statements import counting_statements
from tests.fixtures.timing import app_lifespan, wait_until_async
from tests.jobs.conftest import Actor, add_job, fetch_job

# Nothing listens there: connections are refused at once.
DEAD_REDIS = "redis://127.0.0.1:1/0"
FLUSHED = "intowork_job_views_flushed_total"
FAILURES = "intowork_job_view_flush_failures_total"


def metric(name: str) -> float:
    return REGISTRY.get_sample_value(name) or 0.0


async def stored_views(session: AsyncSession, job_id: int) -> int:
    job = await fetch_job(session, job_id)
    assert job is not None
    await session.commit()  # a fresh snapshot next time
    return job.views_count


@pytest.fixture
async def job(session: AsyncSession, owner: Actor) -> Job:
    assert owner.employer is not None
    return await add_job(session, owner.employer)


@pytest.fixture
async def redis(redis_target: RedisTarget) -> AsyncIterator[Redis]:
    client = Redis.from_url(redis_target.url)
    yield client
    await client.aclose()


def buffer(app: FastAPI, redis: Redis | None = None, prefix: str = "") -> JobViews:
    """Another process's buffer on the same database (and the same Redis, if given)."""
    return JobViews(app.state.db.sessionmaker, redis, prefix)


@asynccontextmanager
async def running(settings: Settings) -> AsyncIterator[AsyncClient]:
    """A whole app (its own lifespan, so its own shutdown flush) and a client of it."""
    application = create_app(settings)
    async with app_lifespan(application):
        transport = ASGITransport(app=application, raise_app_exceptions=False)
        async with AsyncClient(transport=transport, base_url="http://testserver") as http:
            yield http


class TestMemoryBuffer:
    async def test_reads_add_up_in_one_window(
        self, client: AsyncClient, session: AsyncSession, app: FastAPI, job: Job
    ) -> None:
        before = metric(FLUSHED)
        for _ in range(3):
            assert (await client.get(f"/api/jobs/{job.id}")).status_code == 200
        assert await stored_views(session, job.id) == 0
        assert await app.state.job_views.flush() == 3
        assert await stored_views(session, job.id) == 3
        assert metric(FLUSHED) - before == 3
        assert await app.state.job_views.flush() == 0, "flushed once"
        assert await stored_views(session, job.id) == 3

    async def test_one_update_per_batch(
        self, session: AsyncSession, app: FastAPI, job: Job
    ) -> None:
        views = buffer(app)
        # Ids no job has (deleted meanwhile, say) fill the batches around the real one.
        for job_id in range(job.id + 1, job.id + 2 * FLUSH_BATCH + 2):
            await views.add(job_id)
        await views.add(job.id)
        with counting_statements(app) as log:
            assert await views.flush() == 2 * FLUSH_BATCH + 2
        updates = [s for s in log.statements if s.upper().startswith("UPDATE")]
        assert len(updates) == 3, log
        assert await stored_views(session, job.id) == 1

    async def test_deleted_job_does_not_break_the_flush(
        self,
        client: AsyncClient,
        session: AsyncSession,
        app: FastAPI,
        owner: Actor,
        job: Job,
    ) -> None:
        assert owner.employer is not None
        doomed = await add_job(session, owner.employer, title="Doomed")
        for job_id in (job.id, doomed.id, doomed.id):
            assert (await client.get(f"/api/jobs/{job_id}")).status_code == 200
        response = await client.delete(f"/api/jobs/{doomed.id}", headers=owner.headers)
        assert response.status_code == 204, response.text
        failures = metric(FAILURES)
        assert await app.state.job_views.flush() == 3
        assert metric(FAILURES) == failures
        assert await stored_views(session, job.id) == 1
        assert await fetch_job(session, doomed.id) is None

    async def test_failed_write_puts_the_views_back(
        self, session: AsyncSession, app: FastAPI, job: Job, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        views = buffer(app)
        await views.add(job.id)
        await views.add(job.id)

        async def broken(_session: AsyncSession, _counts: dict[int, int]) -> None:
            raise RuntimeError("database gone")

        failures = metric(FAILURES)
        with monkeypatch.context() as patch:
            patch.setattr(repository, "add_views", broken)
            assert await views.flush() == 0
        assert metric(FAILURES) - failures == 1
        assert views.pending == {job.id: 2}
        assert await stored_views(session, job.id) == 0
        assert await views.flush() == 2
        assert await stored_views(session, job.id) == 2

    async def test_shutdown_flushes(
        self, make_settings: SettingsFactory, session: AsyncSession, job: Job
    ) -> None:
        async with running(make_settings()) as http:
            for _ in range(2):
                assert (await http.get(f"/api/jobs/{job.id}")).status_code == 200
        assert await stored_views(session, job.id) == 2

    async def test_the_flusher_runs_on_its_own(
        self, make_settings: SettingsFactory, session: AsyncSession, job: Job
    ) -> None:
        async with running(make_settings(view_flush_seconds=0.05)) as http:
            assert (await http.get(f"/api/jobs/{job.id}")).status_code == 200

            async def written() -> bool:
                return await stored_views(session, job.id) == 1

            await wait_until_async(written, 30, what="the periodic flush")


class TestRedisBuffer:
    async def test_counted_in_redis(
        self,
        make_settings: SettingsFactory,
        session: AsyncSession,
        redis_target: RedisTarget,
        redis: Redis,
        job: Job,
    ) -> None:
        settings = make_settings(redis_url=redis_target.url, redis_key_prefix=redis_target.prefix)
        key = f"{redis_target.prefix}job_views"
        async with running(settings) as http:
            for _ in range(3):
                assert (await http.get(f"/api/jobs/{job.id}")).status_code == 200
            assert await redis.hget(key, str(job.id)) == b"3"
            assert await stored_views(session, job.id) == 0
        assert await stored_views(session, job.id) == 3, "flushed at shutdown"
        assert await redis.exists(key) == 0

    async def test_two_processes_flush_each_view_once(
        self,
        session: AsyncSession,
        app: FastAPI,
        redis_target: RedisTarget,
        redis: Redis,
        owner: Actor,
        job: Job,
    ) -> None:
        assert owner.employer is not None
        other = await add_job(session, owner.employer, title="Other")
        first = buffer(app, redis, redis_target.prefix)
        second = buffer(app, Redis.from_url(redis_target.url), redis_target.prefix)
        try:
            for _ in range(5):
                await first.add(job.id)
                await second.add(job.id)
                await second.add(other.id)
            written = [await first.flush(), await second.flush()]
            assert sorted(written) == [0, 15]
            await first.add(job.id)
            assert await second.flush() == 1
            assert await first.flush() == 0
        finally:
            assert second.redis is not None
            await second.redis.aclose()
        assert await stored_views(session, job.id) == 11
        assert await stored_views(session, other.id) == 5

    async def test_views_survive_a_restart(
        self,
        session: AsyncSession,
        app: FastAPI,
        redis_target: RedisTarget,
        redis: Redis,
        job: Job,
    ) -> None:
        """A process that dies unflushed leaves its views in Redis for the next one."""
        await buffer(app, redis, redis_target.prefix).add(job.id)
        assert await buffer(app, redis, redis_target.prefix).flush() == 1
        assert await stored_views(session, job.id) == 1

    async def test_views_counted_during_a_flush_wait(
        self,
        session: AsyncSession,
        app: FastAPI,
        redis_target: RedisTarget,
        redis: Redis,
        job: Job,
        monkeypatch: pytest.MonkeyPatch,
    ) -> None:
        views = buffer(app, redis, redis_target.prefix)
        await views.add(job.id)
        write = repository.add_views

        async def slow(db: AsyncSession, counts: dict[int, int]) -> None:
            await views.add(job.id)  # a read arriving mid-flush
            await write(db, counts)

        with monkeypatch.context() as patch:
            patch.setattr(repository, "add_views", slow)
            assert await views.flush() == 1
        assert await stored_views(session, job.id) == 1
        assert await views.flush() == 1
        assert await stored_views(session, job.id) == 2

    async def test_failed_write_goes_back_to_redis(
        self,
        session: AsyncSession,
        app: FastAPI,
        redis_target: RedisTarget,
        redis: Redis,
        job: Job,
        monkeypatch: pytest.MonkeyPatch,
    ) -> None:
        views = buffer(app, redis, redis_target.prefix)
        await views.add(job.id)

        async def broken(_session: AsyncSession, _counts: dict[int, int]) -> None:
            raise RuntimeError("database gone")

        with monkeypatch.context() as patch:
            patch.setattr(repository, "add_views", broken)
            assert await views.flush() == 0
        assert await redis.hget(f"{redis_target.prefix}job_views", str(job.id)) == b"1"
        assert views.pending == {}
        assert await buffer(app, redis, redis_target.prefix).flush() == 1
        assert await stored_views(session, job.id) == 1


class TestRedisOutage:
    async def test_views_fall_back_to_memory(
        self, session: AsyncSession, app: FastAPI, job: Job
    ) -> None:
        dead = Redis.from_url(DEAD_REDIS, socket_connect_timeout=1)
        try:
            views = buffer(app, dead, "x:")
            await views.add(job.id)
            await views.add(job.id)
            assert views.pending == {job.id: 2}
            assert await views.flush() == 2
        finally:
            await dead.aclose()
        assert await stored_views(session, job.id) == 2

    async def test_the_read_never_fails(
        self, make_settings: SettingsFactory, session: AsyncSession, job: Job
    ) -> None:
        settings = make_settings(redis_url=DEAD_REDIS, log_level="ERROR")
        async with running(settings) as http:
            for _ in range(2):
                response = await http.get(f"/api/jobs/{job.id}")
                assert response.status_code == 200, response.text
        assert await stored_views(session, job.id) == 2, "kept in memory, flushed at shutdown"


class TestSetting:
    def test_default_is_five_seconds(self) -> None:
        assert Settings.model_fields["view_flush_seconds"].default == 5.0

    @pytest.mark.parametrize("seconds", [0, -1, "soon"])
    def test_must_be_a_positive_number(self, tmp_path: Path, seconds: object) -> None:
        with pytest.raises(ValidationError, match="view_flush_seconds"):
            app_settings(data_dir=tmp_path, view_flush_seconds=seconds)

    def test_fractions_allowed(self, tmp_path: Path) -> None:
        assert app_settings(data_dir=tmp_path, view_flush_seconds="0.5").view_flush_seconds == 0.5
