from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from intowork.models import Employer


async def get_by_user_id(session: AsyncSession, user_id: int) -> Employer | None:
    return await session.scalar(select(Employer).where(Employer.user_id == user_id))
