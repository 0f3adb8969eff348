"""The /api/users tests share the admin tests' helpers; only the fixture is declared here."""

import pytest
from httpx import AsyncClient
from sqlalchemy.ext.asyncio import AsyncSession

from intowork.models.enums import UserRole
from tests.admin.conftest import Actor, make_actor


@pytest.fixture
async def admin(client: AsyncClient, session: AsyncSession) -> Actor:
    return await make_actor(
        client, session, UserRole.ADMIN, email="root@example.com", first_name="Root"
    )
