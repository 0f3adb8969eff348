"""PUT /api/applications/employer/applications/{id}/status: the state machine (API.md 5, P5)."""

from typing import Any

import pytest
from httpx import AsyncClient
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from intowork.models import Company, EmailOutbox, Job, JobApplication, Notification
from intowork.models.enums import ApplicationStatus, EmailTemplate, NotificationType
from tests.applications.conftest import (
    ALLOWED_TRANSITIONS,
    ANONYMOUS,
    APPLICATION_NOT_FOUND,
    AUTH_REQUIRED,
    EMPLOYER_REQUIRED,
    NO_ACCESS,
    REFUSED_TRANSITIONS,
    STATUSES,
    Actor,
    application_row,
    apply_ok,
    emails_to,
    employer_actor,
    fetch_all,
    history_of,
    notifications_of,
    set_status,
)
from tests.fixtures.factories import make_application


def updated(application_id: int, status: str) -> dict[str, object]:
    return {
        "message": "Application status updated",
        "application_id": application_id,
        "new_status": status,
    }


async def application_in(
    session: AsyncSession, job: Job, candidate: Actor, status: str
) -> JobApplication:
    assert candidate.candidate is not None
    return await make_application(
        session, job=job, candidate=candidate.candidate, status=ApplicationStatus(status)
    )


async def assert_untouched(session: AsyncSession, application_id: int, status: str) -> None:
    row = await application_row(session, application_id)
    assert row is not None
    assert row.status.value == status
    assert await history_of(session, application_id) == []
    assert await fetch_all(session, select(Notification)) == []
    assert await fetch_all(session, select(EmailOutbox)) == []


class TestTransitions:
    @pytest.mark.parametrize(("old", "new"), sorted(ALLOWED_TRANSITIONS))
    async def test_allowed(
        self,
        client: AsyncClient,
        session: AsyncSession,
        candidate: Actor,
        employer: Actor,
        job: Job,
        old: str,
        new: str,
    ) -> None:
        application = await application_in(session, job, candidate, old)
        response = await set_status(client, employer, application.id, new)
        assert response.status_code == 200, response.text
        assert response.json() == updated(application.id, new)
        row = await application_row(session, application.id)
        assert row is not None
        assert row.status.value == new
        [history] = await history_of(session, application.id)
        assert employer.user is not None
        assert history.from_status is not None
        assert (history.from_status.value, history.to_status.value) == (old, new)
        assert history.changed_by_user_id == employer.user.id
        assert history.changed_at is not None
        [notification] = await notifications_of(session, candidate.user)
        assert notification.type is NotificationType.STATUS_CHANGE
        assert (notification.title, notification.message) == (
            "Application status updated",
            f'Your application for "Data engineer" moved to {new}.',
        )
        assert (notification.related_job_id, notification.related_application_id) == (
            job.id,
            application.id,
        )
        assert len(await emails_to(session, candidate.user, EmailTemplate.STATUS_CHANGE)) == 1
        assert await notifications_of(session, employer.user) == []

    @pytest.mark.parametrize(("old", "new"), REFUSED_TRANSITIONS)
    async def test_refused(
        self,
        client: AsyncClient,
        session: AsyncSession,
        candidate: Actor,
        employer: Actor,
        job: Job,
        old: str,
        new: str,
    ) -> None:
        application = await application_in(session, job, candidate, old)
        response = await set_status(client, employer, application.id, new)
        assert response.status_code == 409
        assert response.json() == {
            "detail": f"Cannot change application status from {old} to {new}"
        }
        await assert_untouched(session, application.id, old)

    @pytest.mark.parametrize("status", STATUSES)
    async def test_same_status_is_a_no_op(
        self,
        client: AsyncClient,
        session: AsyncSession,
        candidate: Actor,
        employer: Actor,
        job: Job,
        status: str,
    ) -> None:
        application = await application_in(session, job, candidate, status)
        response = await set_status(client, employer, application.id, status)
        assert response.status_code == 200
        assert response.json() == updated(application.id, status)
        await assert_untouched(session, application.id, status)


class TestPipeline:
    async def test_history_follows_each_change(
        self,
        client: AsyncClient,
        session: AsyncSession,
        candidate: Actor,
        employer: Actor,
        job: Job,
    ) -> None:
        created = await apply_ok(client, candidate, job.id)
        steps = ["viewed", "shortlisted", "interview", "accepted"]
        for step in steps:
            response = await set_status(client, employer, created["id"], step)
            assert response.json() == updated(created["id"], step)
        history = await history_of(session, created["id"])
        assert [(h.from_status and h.from_status.value, h.to_status.value) for h in history] == [
            (None, "applied"),
            ("applied", "viewed"),
            ("viewed", "shortlisted"),
            ("shortlisted", "interview"),
            ("interview", "accepted"),
        ]
        assert [h.changed_at for h in history] == sorted(h.changed_at for h in history)
        changes = await notifications_of(session, candidate.user, NotificationType.STATUS_CHANGE)
        assert len(changes) == 4
        assert len(await emails_to(session, candidate.user, EmailTemplate.STATUS_CHANGE)) == 4
        detail = await client.get(
            f"/api/applications/my/applications/{created['id']}", headers=candidate.headers
        )
        assert detail.json()["status"] == "accepted"

    @pytest.mark.parametrize("final", ["accepted", "rejected"])
    async def test_final_statuses_stay(
        self,
        client: AsyncClient,
        session: AsyncSession,
        candidate: Actor,
        employer: Actor,
        job: Job,
        final: str,
    ) -> None:
        created = await apply_ok(client, candidate, job.id)
        await set_status(client, employer, created["id"], "shortlisted")
        assert (await set_status(client, employer, created["id"], final)).status_code == 200
        for target in STATUSES:
            if target != final:
                response = await set_status(client, employer, created["id"], target)
                assert response.status_code == 409, target
        row = await application_row(session, created["id"])
        assert row is not None
        assert row.status.value == final
        assert len(await history_of(session, created["id"])) == 3


class TestStatusAuthorization:
    async def test_colleague_in_same_company(
        self,
        client: AsyncClient,
        session: AsyncSession,
        candidate: Actor,
        company: Company,
        job: Job,
    ) -> None:
        application = await application_in(session, job, candidate, "applied")
        colleague = await employer_actor(client, session, company)
        response = await set_status(client, colleague, application.id, "viewed")
        assert response.status_code == 200
        [history] = await history_of(session, application.id)
        assert colleague.user is not None
        assert history.changed_by_user_id == colleague.user.id

    async def test_other_company(
        self,
        client: AsyncClient,
        session: AsyncSession,
        candidate: Actor,
        outsider: Actor,
        job: Job,
    ) -> None:
        application = await application_in(session, job, candidate, "applied")
        response = await set_status(client, outsider, application.id, "rejected")
        assert response.status_code == 403
        assert response.json() == NO_ACCESS
        await assert_untouched(session, application.id, "applied")

    async def test_no_company(
        self, client: AsyncClient, session: AsyncSession, candidate: Actor, job: Job
    ) -> None:
        application = await application_in(session, job, candidate, "applied")
        loner = await employer_actor(client, session, None)
        response = await set_status(client, loner, application.id, "rejected")
        assert response.status_code in (403, 404)
        await assert_untouched(session, application.id, "applied")

    async def test_missing(self, client: AsyncClient, employer: Actor) -> None:
        response = await set_status(client, employer, 999_999, "viewed")
        assert response.status_code == 404
        assert response.json() == APPLICATION_NOT_FOUND

    async def test_candidate(
        self, client: AsyncClient, session: AsyncSession, candidate: Actor, job: Job
    ) -> None:
        application = await application_in(session, job, candidate, "interview")
        response = await set_status(client, candidate, application.id, "accepted")
        assert response.status_code == 403
        assert response.json() == EMPLOYER_REQUIRED
        await assert_untouched(session, application.id, "interview")

    async def test_anonymous(
        self, client: AsyncClient, session: AsyncSession, candidate: Actor, job: Job
    ) -> None:
        application = await application_in(session, job, candidate, "applied")
        response = await set_status(client, ANONYMOUS, application.id, "viewed")
        assert response.status_code == 401
        assert response.json() == AUTH_REQUIRED


class TestStatusBody:
    @pytest.mark.parametrize(
        "body",
        [{"status": "hired"}, {"status": "ACCEPTED"}, {"status": None}, {}],
        ids=["unknown", "uppercase", "null", "missing"],
    )
    async def test_invalid(
        self,
        client: AsyncClient,
        session: AsyncSession,
        candidate: Actor,
        employer: Actor,
        job: Job,
        body: dict[str, Any],
    ) -> None:
        application = await application_in(session, job, candidate, "applied")
        response = await client.put(
            f"/api/applications/employer/applications/{application.id}/status",
            json=body,
            headers=employer.headers,
        )
        assert response.status_code == 422
        await assert_untouched(session, application.id, "applied")
