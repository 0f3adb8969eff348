"""The database itself enforces the integrity rules (API.md 12), on both engines."""

import pytest
from sqlalchemy import delete, func, select, text
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from intowork.models import (
    ApplicationStatusHistory,
    Candidate,
    Company,
    Employer,
    Job,
    JobApplication,
    Notification,
    Skill,
    User,
)
from intowork.models.enums import ApplicationStatus, NotificationType, SkillCategory, UserRole
from tests.fixtures.factories import (
    make_application,
    make_candidate,
    make_company,
    make_employer,
    make_job,
    make_user,
)


async def assert_refused(session: AsyncSession, statement: str, **params: object) -> None:
    with pytest.raises(IntegrityError):
        await session.execute(text(statement), params)
    await session.rollback()


async def count(session: AsyncSession, model: type[object]) -> int:
    return (await session.scalar(select(func.count()).select_from(model))) or 0


USER_INSERT = (
    "INSERT INTO users (email, first_name, last_name, role, is_active, created_at, updated_at) "
    "VALUES (:email, 'A', 'B', :role, true, CURRENT_TIMESTAMP, CURRENT_TIMESTAMP)"
)


class TestUsers:
    async def test_email_unique(self, session: AsyncSession) -> None:
        await make_user(session, email="taken@example.com")
        await assert_refused(session, USER_INSERT, email="taken@example.com", role="candidate")

    async def test_email_stored_lowercase(self, session: AsyncSession) -> None:
        await assert_refused(session, USER_INSERT, email="Mixed@Example.com", role="candidate")

    async def test_unknown_role_refused(self, session: AsyncSession) -> None:
        await assert_refused(session, USER_INSERT, email="x@example.com", role="superuser")

    async def test_deleting_user_cascades_to_profile_and_notifications(
        self, session: AsyncSession
    ) -> None:
        user = await make_user(session, role=UserRole.CANDIDATE)
        session.add(
            Notification(user_id=user.id, type=NotificationType.SYSTEM, title="t", message="m")
        )
        await session.commit()
        await session.execute(delete(User).where(User.id == user.id))
        await session.commit()
        assert await count(session, Candidate) == 0
        assert await count(session, Notification) == 0


class TestJobs:
    async def test_salary_range_checked(self, session: AsyncSession) -> None:
        employer = await make_employer(session, company=await make_company(session))
        with pytest.raises(IntegrityError):
            await make_job(session, employer=employer, salary_min=5000, salary_max=100)
        await session.rollback()

    async def test_negative_views_refused(self, session: AsyncSession) -> None:
        employer = await make_employer(session, company=await make_company(session))
        with pytest.raises(IntegrityError):
            await make_job(session, employer=employer, views_count=-1)
        await session.rollback()

    async def test_company_with_jobs_cannot_be_deleted(self, session: AsyncSession) -> None:
        company = await make_company(session)
        await make_job(session, employer=await make_employer(session, company=company))
        with pytest.raises(IntegrityError):
            await session.execute(delete(Company).where(Company.id == company.id))
        await session.rollback()
        assert await count(session, Company) == 1

    async def test_company_without_jobs_deleted_unlinks_employers(
        self, session: AsyncSession
    ) -> None:
        company = await make_company(session)
        employer = await make_employer(session, company=company)
        await session.execute(delete(Company).where(Company.id == company.id))
        await session.commit()
        linked = await session.scalar(select(Employer.company_id).where(Employer.id == employer.id))
        assert linked is None

    async def test_deleting_employer_user_removes_jobs_and_applications_keeps_company(
        self, session: AsyncSession
    ) -> None:
        company = await make_company(session)
        employer = await make_employer(session, company=company)
        job = await make_job(session, employer=employer)
        application = await make_application(
            session, job=job, candidate=await make_candidate(session)
        )
        session.add(
            ApplicationStatusHistory(
                application_id=application.id, to_status=ApplicationStatus.APPLIED
            )
        )
        await session.commit()
        await session.execute(delete(User).where(User.id == employer.user_id))
        await session.commit()
        assert await count(session, Job) == 0
        assert await count(session, JobApplication) == 0
        assert await count(session, ApplicationStatusHistory) == 0
        assert await count(session, Company) == 1


class TestApplications:
    async def test_one_application_per_candidate_and_job(self, session: AsyncSession) -> None:
        employer = await make_employer(session, company=await make_company(session))
        job = await make_job(session, employer=employer)
        candidate = await make_candidate(session)
        await make_application(session, job=job, candidate=candidate)
        with pytest.raises(IntegrityError):
            await make_application(session, job=job, candidate=candidate)
        await session.rollback()
        assert await count(session, JobApplication) == 1

    async def test_deleting_candidate_user_removes_its_applications_and_history(
        self, session: AsyncSession
    ) -> None:
        employer = await make_employer(session, company=await make_company(session))
        job = await make_job(session, employer=employer)
        candidate = await make_candidate(session)
        application = await make_application(session, job=job, candidate=candidate)
        session.add(
            ApplicationStatusHistory(
                application_id=application.id,
                to_status=ApplicationStatus.APPLIED,
                changed_by_user_id=candidate.user_id,
            )
        )
        await session.commit()
        await session.execute(delete(User).where(User.id == candidate.user_id))
        await session.commit()
        assert await count(session, JobApplication) == 0
        assert await count(session, ApplicationStatusHistory) == 0
        assert await count(session, Job) == 1


class TestSkills:
    @pytest.mark.parametrize("level", [0, 6])
    async def test_level_between_1_and_5(self, session: AsyncSession, level: int) -> None:
        candidate = await make_candidate(session)
        session.add(
            Skill(
                candidate_id=candidate.id,
                name="SQL",
                level=level,
                category=SkillCategory.TECHNICAL,
            )
        )
        with pytest.raises(IntegrityError):
            await session.commit()
        await session.rollback()
        assert await count(session, Skill) == 0
