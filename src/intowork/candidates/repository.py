from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from intowork.models import Candidate


async def get_by_user_id(session: AsyncSession, user_id: int) -> Candidate | None:
    return await session.scalar(select(Candidate).where(Candidate.user_id == user_id))
