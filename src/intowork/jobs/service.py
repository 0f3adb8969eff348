"""Jobs: lifecycle, visibility, search."""

from sqlalchemy import update
from sqlalchemy.ext.asyncio import AsyncSession

from intowork.jobs.search import search_document
from intowork.models import Job


async def refresh_company_search(session: AsyncSession, *, company_id: int, name: str) -> None:
    """A company was renamed: its jobs are found under the new name (one statement)."""
    await session.execute(
        update(Job)
        .where(Job.company_id == company_id)
        .values(search_company=search_document(name))
        .execution_options(synchronize_session=False)
    )
