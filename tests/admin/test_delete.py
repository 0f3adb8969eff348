"""DELETE /api/admin/users/{id}: the account and all it owns go, as in API.md A8."""

from httpx import AsyncClient, Response
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from intowork.core.config import Settings
from intowork.models import (
    AuthSession,
    Candidate,
    CandidateCV,
    Company,
    EmailOutbox,
    Employer,
    Job,
    JobApplication,
    Notification,
    User,
)
from intowork.models.enums import EmailTemplate, NotificationType, UserRole
from tests.admin.conftest import BAD_IDS, INVALID_REFRESH, INVALID_TOKEN, USER_NOT_FOUND
from tests.fixtures.actors import Actor, bearer, make_actor, sign_in
from tests.fixtures.factories import (
    make_application,
    make_candidate,
    make_company,
    make_employer,
    make_job,
    make_user,
)
from tests.fixtures.reads import fetch_all, fetch_one

DELETED = {"message": "User deleted successfully"}
CANNOT_DELETE_SELF = {"detail": "You cannot delete your own account"}
PDF = b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def url(user_id: object) -> str:
    return f"/api/admin/users/{user_id}"


async def delete_user(client: AsyncClient, admin: Actor, user_id: object) -> Response:
    return await client.delete(url(user_id), headers=admin.headers)


async def user_exists(session: AsyncSession, user_id: int) -> bool:
    return await fetch_one(session, select(User).where(User.id == user_id)) is not None


class TestDeleteCandidate:
    async def test_with_application_and_cv(
        self, client: AsyncClient, session: AsyncSession, admin: Actor, settings: Settings
    ) -> None:
        company = await make_company(session)
        job = await make_job(session, employer=await make_employer(session, company=company))
        candidate = await make_candidate(session)
        application = await make_application(session, job=job, candidate=candidate)
        user = await session.get(User, candidate.user_id)
        assert user is not None
        actor = await sign_in(client, user)
        upload = await client.post(
            "/api/candidates/cv",
            files={"cv": ("resume.pdf", PDF, "application/pdf")},
            headers=actor.headers,
        )
        assert upload.status_code == 200, upload.text
        cv = await fetch_one(session, select(CandidateCV))
        assert cv is not None
        cv_file = settings.data_dir / "cvs" / cv.storage_key
        assert cv_file.exists()

        response = await delete_user(client, admin, user.id)
        assert response.status_code == 200, response.text
        assert response.json() == DELETED
        assert not await user_exists(session, user.id)
        assert await fetch_all(session, select(Candidate)) == []
        assert await fetch_all(session, select(CandidateCV)) == []
        assert not cv_file.exists()
        gone = select(JobApplication).where(JobApplication.id == application.id)
        assert await fetch_one(session, gone) is None
        assert (
            await fetch_all(session, select(AuthSession).where(AuthSession.user_id == user.id))
            == []
        )
        assert await fetch_one(session, select(Job).where(Job.id == job.id)) is not None

    async def test_tokens_die(
        self, client: AsyncClient, session: AsyncSession, admin: Actor
    ) -> None:
        victim = await make_actor(client, session)
        assert (await delete_user(client, admin, victim.user.id)).status_code == 200
        response = await client.get("/api/auth/me", headers=bearer(victim.access_token))
        assert response.status_code == 401
        assert response.json() == INVALID_TOKEN
        response = await client.post(
            "/api/auth/refresh", json={"refresh_token": victim.refresh_token}
        )
        assert response.status_code == 401
        assert response.json() == INVALID_REFRESH


class TestDeleteEmployer:
    async def test_jobs_go_and_candidates_are_told(
        self, client: AsyncClient, session: AsyncSession, admin: Actor
    ) -> None:
        company = await make_company(session, name="Analytical Engines")
        employer = await make_employer(session, company=company)
        colleague = await make_employer(session, company=company)
        job = await make_job(session, employer=employer, title="Difference engineer")
        kept_job = await make_job(session, employer=colleague, title="Kept")
        applicants = [await make_candidate(session) for _ in range(2)]
        for candidate in applicants:
            await make_application(session, job=job, candidate=candidate)
        await make_application(session, job=kept_job, candidate=applicants[0])

        response = await delete_user(client, admin, employer.user_id)
        assert response.status_code == 200, response.text
        assert response.json() == DELETED
        assert not await user_exists(session, employer.user_id)
        assert await fetch_one(session, select(Employer).where(Employer.id == employer.id)) is None
        assert await fetch_one(session, select(Job).where(Job.id == job.id)) is None
        remaining = await fetch_all(session, select(JobApplication))
        assert [row.job_id for row in remaining] == [kept_job.id]
        assert await fetch_one(session, select(Company).where(Company.id == company.id))

        notices = await fetch_all(session, select(Notification).order_by(Notification.user_id))
        assert [notice.user_id for notice in notices] == [c.user_id for c in applicants]
        for notice in notices:
            assert notice.type is NotificationType.SYSTEM
            assert "Difference engineer" in notice.message
            assert notice.related_job_id is None
        emails = await fetch_all(
            session, select(EmailOutbox).where(EmailOutbox.template == EmailTemplate.JOB_REMOVED)
        )
        applicant_emails = set()
        for candidate in applicants:
            applicant = await session.get(User, candidate.user_id)
            assert applicant is not None
            applicant_emails.add(applicant.email)
        assert {email.to_email for email in emails} == applicant_emails
        assert all("Difference engineer" in email.subject for email in emails)

    async def test_without_company(
        self, client: AsyncClient, session: AsyncSession, admin: Actor
    ) -> None:
        user = await make_user(session, role=UserRole.EMPLOYER)
        assert (await delete_user(client, admin, user.id)).status_code == 200
        assert await fetch_all(session, select(Employer)) == []


class TestDeleteAdmin:
    async def test_another_admin(
        self, client: AsyncClient, session: AsyncSession, admin: Actor
    ) -> None:
        other = await make_user(session, role=UserRole.ADMIN)
        assert (await delete_user(client, admin, other.id)).status_code == 200
        assert not await user_exists(session, other.id)

    async def test_not_self(self, client: AsyncClient, session: AsyncSession, admin: Actor) -> None:
        response = await delete_user(client, admin, admin.user.id)
        assert response.status_code == 400
        assert response.json() == CANNOT_DELETE_SELF
        assert await user_exists(session, admin.user.id)
        assert (await client.get("/api/admin/me", headers=admin.headers)).status_code == 200


class TestInvalid:
    async def test_unknown_user(self, client: AsyncClient, admin: Actor) -> None:
        response = await delete_user(client, admin, 424242)
        assert response.status_code == 404
        assert response.json() == USER_NOT_FOUND

    async def test_twice(self, client: AsyncClient, session: AsyncSession, admin: Actor) -> None:
        user = await make_user(session)
        assert (await delete_user(client, admin, user.id)).status_code == 200
        response = await delete_user(client, admin, user.id)
        assert response.status_code == 404
        assert response.json() == USER_NOT_FOUND

    async def test_malformed_ids(self, client: AsyncClient, admin: Actor) -> None:
        for user_id in BAD_IDS:
            assert (await delete_user(client, admin, user_id)).status_code == 422, user_id

    async def test_trailing_slash(
        self, client: AsyncClient, session: AsyncSession, admin: Actor
    ) -> None:
        user = await make_user(session)
        response = await client.delete(url(user.id) + "/", headers=admin.headers)
        assert response.status_code == 200
        assert response.json() == DELETED
