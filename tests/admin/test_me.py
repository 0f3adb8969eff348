"""GET /api/admin/me: the calling admin's account."""

from httpx import AsyncClient

from tests.admin.conftest import CountStatements
from tests.fixtures.actors import Actor


class TestAdminMe:
    async def test_body(self, client: AsyncClient, admin: Actor) -> None:
        response = await client.get("/api/admin/me", headers=admin.headers)
        assert response.status_code == 200
        assert response.json() == {
            "id": admin.user.id,
            "email": "root@example.com",
            "first_name": "Root",
            "last_name": admin.user.last_name,
            "role": "admin",
            "is_active": True,
        }

    async def test_one_statement(
        self, client: AsyncClient, admin: Actor, count_statements: CountStatements
    ) -> None:
        with count_statements() as log:
            response = await client.get("/api/admin/me/", headers=admin.headers)
        assert response.status_code == 200
        assert log.count == 1, log
