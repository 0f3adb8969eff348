from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from intowork.models import Employer


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
