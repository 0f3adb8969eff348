"""Applying while the job changes: the insert itself refuses a job no longer published.

The job is read first (share-locked on PostgreSQL; on SQLite the read precedes the write lock),
so a close can land between that read and the insert. Simulated here: the read is made to see
the job as it was (published) while the database holds its new state.
"""

import dataclasses

import pytest
from httpx import AsyncClient
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from intowork.applications import repository
from intowork.models import EmailOutbox, Job, JobApplication, Notification
from intowork.models.enums import JobStatus
from tests.applications.conftest import (
    ALREADY_APPLIED,
    NOT_ACCEPTING,
    Actor,
    apply,
    apply_ok,
    fetch_all,
)


@pytest.fixture
def stale_job_read(monkeypatch: pytest.MonkeyPatch) -> None:
    """`get_job_to_apply` answers "published", whatever the job's status now."""
    read = repository.get_job_to_apply

    async def published(
        session: AsyncSession, job_id: int, *, candidate_user_id: int
    ) -> repository.JobToApply | None:
        job = await read(session, job_id, candidate_user_id=candidate_user_id)
        return dataclasses.replace(job, status=JobStatus.PUBLISHED) if job else None

    monkeypatch.setattr(repository, "get_job_to_apply", published)


async def nothing_written(session: AsyncSession) -> None:
    assert await fetch_all(session, select(JobApplication)) == []
    assert await fetch_all(session, select(Notification)) == []
    assert await fetch_all(session, select(EmailOutbox)) == []


class TestClosedMeanwhile:
    async def test_refused_as_not_accepting(
        self,
        client: AsyncClient,
        session: AsyncSession,
        candidate: Actor,
        job: Job,
        stale_job_read: None,
    ) -> None:
        job.status = JobStatus.CLOSED
        await session.commit()
        response = await apply(client, candidate, job.id)
        assert response.status_code == 400
        assert response.json() == NOT_ACCEPTING
        await nothing_written(session)

    async def test_not_accepting_before_already_applied(
        self,
        client: AsyncClient,
        session: AsyncSession,
        candidate: Actor,
        job: Job,
        stale_job_read: None,
    ) -> None:
        await apply_ok(client, candidate, job.id)
        job.status = JobStatus.CLOSED
        await session.commit()
        response = await apply(client, candidate, job.id)
        assert response.status_code == 400
        assert response.json() == NOT_ACCEPTING
        assert len(await fetch_all(session, select(JobApplication))) == 1


class TestPublishedTwice:
    async def test_already_applied(
        self, client: AsyncClient, session: AsyncSession, candidate: Actor, job: Job
    ) -> None:
        await apply_ok(client, candidate, job.id)
        response = await apply(client, candidate, job.id)
        assert response.status_code == 400
        assert response.json() == ALREADY_APPLIED
        assert len(await fetch_all(session, select(Notification))) == 1
