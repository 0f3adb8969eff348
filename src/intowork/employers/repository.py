from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from intowork.models import Employer, Job


async def get_by_user_id(session: AsyncSession, user_id: int) -> Employer | None:
    return await session.scalar(select(Employer).where(Employer.user_id == user_id))


async def set_company_if_none(session: AsyncSession, employer_id: int, *, company_id: int) -> bool:
    """Conditional, so that of two concurrent company creations only one links the employer."""
    result = await session.execute(
        update(Employer)
        .where(Employer.id == employer_id, Employer.company_id.is_(None))
        .values(company_id=company_id)
    )
    return bool(getattr(result, "rowcount", 0) == 1)


async def user_ids_of_company(session: AsyncSession, company_id: int) -> list[int]:
    """The users who are employers of this company (one statement)."""
    rows = await session.scalars(select(Employer.user_id).where(Employer.company_id == company_id))
    return list(rows)


async def user_ids_of_job_company(session: AsyncSession, job_id: int) -> list[int]:
    """The users who are employers of the company of this job (one statement)."""
    rows = await session.scalars(
        select(Employer.user_id)
        .join(Job, Job.company_id == Employer.company_id)
        .where(Job.id == job_id)
    )
    return list(rows)
