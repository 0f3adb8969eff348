"""Updating a profile spans two domains: the employer row and the company it names.

It lives here, above both services, because the companies service already depends on the
employers service (a new company is linked to its creator), and the reverse import would be a
cycle.
"""

from sqlalchemy.ext.asyncio import AsyncSession

from intowork.companies import service as companies_service
from intowork.employers import service as employers_service
from intowork.employers.schemas import EmployerUpdate
from intowork.models import Employer, User


async def update_my_profile(
    session: AsyncSession, user: User, *, changes: EmployerUpdate
) -> Employer:
    """API.md E1: a named company must exist (404) before the join rule is checked (403)."""
    employer = await employers_service.get_or_create_employer(session, user)
    company = None
    if changes.company_id is not None:
        company = await companies_service.get_company(session, company_id=changes.company_id)
    return await employers_service.update_profile(
        session, user, employer, changes=changes, company=company
    )
