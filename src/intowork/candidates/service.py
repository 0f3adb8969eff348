"""Candidate profiles."""

from sqlalchemy.ext.asyncio import AsyncSession

from intowork.candidates import repository
from intowork.models import Candidate, User


async def get_or_create_candidate(session: AsyncSession, user: User) -> Candidate:
    """The caller's candidate row: made at sign-up, or here on first use (API.md 6)."""
    candidate = await repository.get_by_user_id(session, user.id)
    if candidate is None:
        candidate = Candidate(user_id=user.id)
        session.add(candidate)
        await session.flush()
    return candidate
