"""Employer profiles: the row linking an employer user to its company."""

from sqlalchemy.ext.asyncio import AsyncSession

from intowork.employers import repository
from intowork.models import Employer, User


async def get_or_create_employer(session: AsyncSession, user: User) -> Employer:
    """The caller's employer row: made at sign-up, or here on first use (API.md 7)."""
    employer = await repository.get_by_user_id(session, user.id)
    if employer is None:
        employer = Employer(user_id=user.id)
        session.add(employer)
        await session.flush()
    return employer
