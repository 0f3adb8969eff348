"""Withdrawing never undoes an acceptance that committed after the candidate's read (P2)."""

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from intowork.applications import repository
from intowork.applications.service import FINAL
from intowork.models import JobApplication
from intowork.models.enums import ApplicationStatus
from tests.fixtures.factories import (
    make_application,
    make_candidate,
    make_company,
    make_employer,
    make_job,
)


async def test_delete_is_conditional_on_a_non_final_status(session: AsyncSession) -> None:
    employer = await make_employer(session, company=await make_company(session))
    job = await make_job(session, employer=employer)
    accepted = await make_application(
        session, job=job, candidate=await make_candidate(session), status=ApplicationStatus.ACCEPTED
    )
    pending = await make_application(session, job=job, candidate=await make_candidate(session))

    assert not await repository.delete_unless_final(session, accepted.id, final=FINAL)
    assert await repository.delete_unless_final(session, pending.id, final=FINAL)
    await session.commit()
    remaining = (await session.scalars(select(JobApplication.id))).all()
    assert remaining == [accepted.id]
