"""POST /api/applications/my/applications (API.md 5, P1)."""

import asyncio
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from httpx import AsyncClient
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from intowork.models import ApplicationStatusHistory, Job, JobApplication, Notification
from intowork.models.enums import EmailTemplate, JobStatus, NotificationType
from tests.applications.conftest import (
    ALREADY_APPLIED,
    ANONYMOUS,
    AUTH_REQUIRED,
    CANDIDATE_APPLICATION_KEYS,
    CANDIDATE_REQUIRED,
    CV_NOT_FOUND,
    JOB_NOT_FOUND,
    JOB_SUMMARY_KEYS,
    NOT_ACCEPTING,
    Actor,
    add_job,
    admin_actor,
    application_row,
    apply,
    apply_ok,
    candidate_actor,
    emails_to,
    employer_actor,
    fetch_all,
    history_of,
    notifications_of,
    utc,
)
from tests.cvs.conftest import upload_cv_ok


class TestApplyAuthorization:
    async def test_anonymous(self, client: AsyncClient, job: Job) -> None:
        response = await apply(client, ANONYMOUS, job.id)
        assert response.status_code == 401
        assert response.json() == AUTH_REQUIRED

    async def test_employer(self, client: AsyncClient, employer: Actor, job: Job) -> None:
        response = await apply(client, employer, job.id)
        assert response.status_code == 403
        assert response.json() == CANDIDATE_REQUIRED

    async def test_admin(self, client: AsyncClient, session: AsyncSession, job: Job) -> None:
        response = await apply(client, await admin_actor(client, session), job.id)
        assert response.status_code == 403
        assert response.json() == CANDIDATE_REQUIRED

    async def test_refused_callers_leave_no_row(
        self, client: AsyncClient, session: AsyncSession, employer: Actor, job: Job
    ) -> None:
        await apply(client, ANONYMOUS, job.id)
        await apply(client, employer, job.id)
        assert await fetch_all(session, select(JobApplication)) == []


class TestApplyCreated:
    async def test_exact_body(self, client: AsyncClient, candidate: Actor, job: Job) -> None:
        before = datetime.now(UTC)
        response = await apply(client, candidate, job.id)
        assert response.status_code == 201, response.text
        body = response.json()
        assert set(body) == CANDIDATE_APPLICATION_KEYS
        assert set(body["job"]) == JOB_SUMMARY_KEYS
        applied_at = utc(body.pop("applied_at"))
        assert (
            before - timedelta(seconds=5) <= applied_at <= datetime.now(UTC) + timedelta(seconds=5)
        )
        assert candidate.candidate is not None
        assert body == {
            "id": body["id"],
            "job_id": job.id,
            "candidate_id": candidate.candidate.id,
            "status": "applied",
            "notes": None,
            "cover_letter": None,
            "cv_id": None,
            "job": {
                "id": job.id,
                "title": "Data engineer",
                "company_name": "Acme Industries",
                "location": "Lyon",
                "location_type": "hybrid",
                "job_type": "contract",
                "salary_min": 40000,
                "salary_max": 55000,
                "currency": "USD",
            },
        }

    async def test_row_stored(
        self, client: AsyncClient, session: AsyncSession, candidate: Actor, job: Job
    ) -> None:
        body = await apply_ok(client, candidate, job.id, cover_letter="I build pipelines.")
        assert body["cover_letter"] == "I build pipelines."
        row = await application_row(session, body["id"])
        assert row is not None
        assert candidate.candidate is not None
        assert (row.job_id, row.candidate_id, row.status.value) == (
            job.id,
            candidate.candidate.id,
            "applied",
        )
        assert row.cover_letter == "I build pipelines."
        assert row.notes is None

    async def test_nullable_job_fields(
        self, client: AsyncClient, session: AsyncSession, candidate: Actor, employer: Actor
    ) -> None:
        bare = await add_job(session, employer, title="Bare")
        body = await apply_ok(client, candidate, bare.id)
        assert body["job"] == {
            "id": bare.id,
            "title": "Bare",
            "company_name": "Acme Industries",
            "location": None,
            "location_type": "on_site",
            "job_type": "full_time",
            "salary_min": None,
            "salary_max": None,
            "currency": "EUR",
        }

    async def test_initial_history_row(
        self, client: AsyncClient, session: AsyncSession, candidate: Actor, job: Job
    ) -> None:
        body = await apply_ok(client, candidate, job.id)
        history = await history_of(session, body["id"])
        assert len(history) == 1
        assert history[0].from_status is None
        assert history[0].to_status.value == "applied"
        assert candidate.user is not None
        assert history[0].changed_by_user_id == candidate.user.id

    async def test_unknown_keys_ignored(
        self, client: AsyncClient, candidate: Actor, job: Job
    ) -> None:
        body = await apply_ok(client, candidate, job.id, status="accepted", notes="hired")
        assert (body["status"], body["notes"]) == ("applied", None)


class TestApplyRefused:
    async def test_missing_job(
        self, client: AsyncClient, session: AsyncSession, candidate: Actor
    ) -> None:
        response = await apply(client, candidate, 999_999)
        assert response.status_code == 404
        assert response.json() == JOB_NOT_FOUND

    @pytest.mark.parametrize("status", [JobStatus.DRAFT, JobStatus.CLOSED, JobStatus.ARCHIVED])
    async def test_job_not_published(
        self,
        client: AsyncClient,
        session: AsyncSession,
        candidate: Actor,
        employer: Actor,
        status: JobStatus,
    ) -> None:
        unpublished = await add_job(session, employer, status=status)
        response = await apply(client, candidate, unpublished.id)
        assert response.status_code == 400
        assert response.json() == NOT_ACCEPTING
        assert await fetch_all(session, select(JobApplication)) == []

    async def test_twice(
        self, client: AsyncClient, session: AsyncSession, candidate: Actor, job: Job
    ) -> None:
        await apply_ok(client, candidate, job.id)
        response = await apply(client, candidate, job.id, cover_letter="Again")
        assert response.status_code == 400
        assert response.json() == ALREADY_APPLIED
        rows = await fetch_all(session, select(JobApplication))
        assert len(rows) == 1
        assert rows[0].cover_letter is None

    async def test_two_candidates_same_job(
        self, client: AsyncClient, session: AsyncSession, candidate: Actor, job: Job
    ) -> None:
        await apply_ok(client, candidate, job.id)
        await apply_ok(client, await candidate_actor(client, session), job.id)

    @pytest.mark.parametrize(
        "body",
        [{}, {"job_id": "abc"}, {"job_id": None}, {"job_id": 1, "cv_id": "abc"}],
        ids=["missing", "text", "null", "cv-text"],
    )
    async def test_malformed_body(
        self, client: AsyncClient, candidate: Actor, job: Job, body: dict[str, Any]
    ) -> None:
        response = await client.post(
            "/api/applications/my/applications", json=body, headers=candidate.headers
        )
        assert response.status_code == 422

    async def test_cover_letter_too_long(
        self, client: AsyncClient, candidate: Actor, job: Job
    ) -> None:
        assert (
            await apply(client, candidate, job.id, cover_letter="x" * 20_001)
        ).status_code == 422
        await apply_ok(client, candidate, job.id, cover_letter="x" * 20_000)


class TestApplyCv:
    async def test_explicit_cv(self, client: AsyncClient, candidate: Actor, job: Job) -> None:
        first = await upload_cv_ok(client, candidate, filename="first.pdf")
        await upload_cv_ok(client, candidate, filename="second.pdf")
        body = await apply_ok(client, candidate, job.id, cv_id=first["cv_id"])
        assert body["cv_id"] == first["cv_id"]

    async def test_latest_cv_by_default(
        self, client: AsyncClient, session: AsyncSession, candidate: Actor, job: Job
    ) -> None:
        await upload_cv_ok(client, candidate, filename="first.pdf")
        latest = await upload_cv_ok(client, candidate, filename="second.pdf")
        body = await apply_ok(client, candidate, job.id)
        assert body["cv_id"] == latest["cv_id"]
        row = await application_row(session, body["id"])
        assert row is not None
        assert row.cv_id == latest["cv_id"]

    async def test_no_cv(self, client: AsyncClient, candidate: Actor, job: Job) -> None:
        assert (await apply_ok(client, candidate, job.id))["cv_id"] is None

    async def test_cv_of_another_candidate(
        self, client: AsyncClient, session: AsyncSession, candidate: Actor, job: Job
    ) -> None:
        other = await candidate_actor(client, session)
        theirs = await upload_cv_ok(client, other)
        response = await apply(client, candidate, job.id, cv_id=theirs["cv_id"])
        assert response.status_code == 404
        assert response.json() == CV_NOT_FOUND
        assert await fetch_all(session, select(JobApplication)) == []

    async def test_missing_cv(
        self, client: AsyncClient, session: AsyncSession, candidate: Actor, job: Job
    ) -> None:
        response = await apply(client, candidate, job.id, cv_id=999_999)
        assert response.status_code == 404
        assert response.json() == CV_NOT_FOUND
        assert await fetch_all(session, select(JobApplication)) == []


class TestApplyNotifies:
    async def test_employer_notified(
        self,
        client: AsyncClient,
        session: AsyncSession,
        candidate: Actor,
        employer: Actor,
        job: Job,
    ) -> None:
        body = await apply_ok(client, candidate, job.id)
        notifications = await notifications_of(session, employer.user)
        assert len(notifications) == 1
        notification = notifications[0]
        assert notification.type is NotificationType.NEW_APPLICATION
        assert notification.related_job_id == job.id
        assert notification.related_application_id == body["id"]
        assert notification.is_read is False
        assert (notification.title, notification.message) == (
            "New application",
            'Ada Lovelace applied to "Data engineer".',
        )

    async def test_employer_emailed(
        self,
        client: AsyncClient,
        session: AsyncSession,
        candidate: Actor,
        employer: Actor,
        job: Job,
    ) -> None:
        await apply_ok(client, candidate, job.id)
        emails = await emails_to(session, employer.user, EmailTemplate.NEW_APPLICATION)
        assert len(emails) == 1
        assert emails[0].status.value == "pending"
        # In EMAIL_LANGUAGE (French): the employer chose no language.
        assert emails[0].subject == "Nouvelle candidature : Data engineer"
        assert emails[0].body_text.startswith("Bonjour Ada,\n")
        assert (
            "Ada Lovelace a postulé à votre offre « Data engineer » chez Acme Industries."
            in emails[0].body_text
        )

    async def test_only_the_jobs_employer(
        self,
        client: AsyncClient,
        session: AsyncSession,
        candidate: Actor,
        employer: Actor,
        job: Job,
    ) -> None:
        assert employer.employer is not None
        colleague = await employer_actor(client, session, None)
        assert colleague.employer is not None
        colleague.employer.company_id = employer.employer.company_id
        await session.commit()
        await apply_ok(client, candidate, job.id)
        assert await notifications_of(session, colleague.user) == []
        assert await notifications_of(session, candidate.user) == []
        assert len(await fetch_all(session, select(Notification))) == 1

    async def test_refused_apply_notifies_nobody(
        self,
        client: AsyncClient,
        session: AsyncSession,
        candidate: Actor,
        employer: Actor,
        job: Job,
    ) -> None:
        await apply_ok(client, candidate, job.id)
        await apply(client, candidate, job.id)
        assert len(await notifications_of(session, employer.user)) == 1
        assert len(await emails_to(session, employer.user, EmailTemplate.NEW_APPLICATION)) == 1


CONCURRENT_APPLIES = 50


class TestApplyConcurrently:
    async def test_fifty_at_once(
        self,
        client: AsyncClient,
        session: AsyncSession,
        candidate: Actor,
        employer: Actor,
        job: Job,
    ) -> None:
        responses = await asyncio.gather(
            *(apply(client, candidate, job.id) for _ in range(CONCURRENT_APPLIES))
        )
        codes = sorted(response.status_code for response in responses)
        expected = [201] + [400] * (CONCURRENT_APPLIES - 1)
        assert codes == expected, [r.text for r in responses if r.status_code >= 500]
        for response in responses:
            if response.status_code == 400:
                assert response.json() == ALREADY_APPLIED
        rows = await fetch_all(session, select(JobApplication))
        assert len(rows) == 1
        history = await fetch_all(session, select(ApplicationStatusHistory))
        assert len(history) == 1
        assert len(await notifications_of(session, employer.user)) == 1
        assert len(await emails_to(session, employer.user, EmailTemplate.NEW_APPLICATION)) == 1
