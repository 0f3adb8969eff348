from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncSession

from intowork.models import Candidate, CandidateCV


async def list_for_candidate(session: AsyncSession, candidate_id: int) -> list[CandidateCV]:
    rows = await session.scalars(
        select(CandidateCV)
        .where(CandidateCV.candidate_id == candidate_id)
        .order_by(CandidateCV.created_at.desc(), CandidateCV.id.desc())
    )
    return list(rows)


async def latest_for_candidate(session: AsyncSession, candidate_id: int) -> CandidateCV | None:
    return await session.scalar(
        select(CandidateCV)
        .where(CandidateCV.candidate_id == candidate_id)
        .order_by(CandidateCV.created_at.desc(), CandidateCV.id.desc())
        .limit(1)
    )


async def get_for_candidate(
    session: AsyncSession, cv_id: int, candidate_id: int
) -> CandidateCV | None:
    return await session.scalar(
        select(CandidateCV).where(CandidateCV.id == cv_id, CandidateCV.candidate_id == candidate_id)
    )


async def get(session: AsyncSession, cv_id: int) -> CandidateCV | None:
    return await session.get(CandidateCV, cv_id)


async def delete_cv(session: AsyncSession, cv_id: int) -> None:
    await session.execute(
        delete(CandidateCV)
        .where(CandidateCV.id == cv_id)
        .execution_options(synchronize_session=False)
    )


async def storage_keys_of_user(session: AsyncSession, user_id: int) -> list[str]:
    rows = await session.scalars(
        select(CandidateCV.storage_key)
        .join(Candidate, Candidate.id == CandidateCV.candidate_id)
        .where(Candidate.user_id == user_id)
    )
    return list(rows)
