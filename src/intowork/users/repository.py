from dataclasses import dataclass

from sqlalchemy import delete, func, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import aliased

from intowork.core.i18n import Language
from intowork.models import Candidate, Employer, Job, JobApplication, User


async def get_by_email(session: AsyncSession, email: str) -> User | None:
    return await session.scalar(select(User).where(User.email == email))


async def get_by_id(session: AsyncSession, user_id: int) -> User | None:
    return await session.get(User, user_id)


async def count(session: AsyncSession) -> int:
    return await session.scalar(select(func.count()).select_from(User)) or 0


async def delete_user(session: AsyncSession, user_id: int) -> None:
    """The database cascades (API.md 12) remove everything the user owns."""
    await session.execute(
        delete(User).where(User.id == user_id).execution_options(synchronize_session=False)
    )


@dataclass(frozen=True, slots=True)
class Applicant:
    user_id: int
    email: str
    first_name: str
    job_title: str
    language: Language | None


async def applicants_to_jobs_of(session: AsyncSession, employer_user_id: int) -> list[Applicant]:
    """One row per application to a job created by this employer user."""
    applicant_user = aliased(User)
    rows = await session.execute(
        select(
            applicant_user.id,
            applicant_user.email,
            applicant_user.first_name,
            Job.title,
            applicant_user.language,
        )
        .select_from(JobApplication)
        .join(Job, Job.id == JobApplication.job_id)
        .join(Employer, Employer.id == Job.employer_id)
        .join(Candidate, Candidate.id == JobApplication.candidate_id)
        .join(applicant_user, applicant_user.id == Candidate.user_id)
        .where(Employer.user_id == employer_user_id)
        .order_by(JobApplication.id)
    )
    return [Applicant(*row) for row in rows]
