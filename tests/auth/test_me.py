"""GET /api/auth/me."""

from httpx import AsyncClient
from sqlalchemy.ext.asyncio import AsyncSession

from intowork.models.enums import UserRole
from tests.auth.conftest import me, set_user, signin_ok, signup_ok
from tests.fixtures.factories import make_user

ME_KEYS = {
    "id",
    "email",
    "first_name",
    "last_name",
    "name",
    "role",
    "image",
    "is_active",
    "language",
}


class TestMe:
    async def test_exact_keys(self, client: AsyncClient, session: AsyncSession) -> None:
        user = await make_user(session, role=UserRole.EMPLOYER, email="ada@example.com")
        tokens = await signin_ok(client, user.email)
        response = await me(client, tokens["access_token"])
        assert response.status_code == 200
        assert response.json() == {
            "id": user.id,
            "email": "ada@example.com",
            "first_name": "Ada",
            "last_name": "Lovelace",
            "name": "Ada Lovelace",
            "role": "employer",
            "image": None,
            "language": "en",  # no stored preference: the answer's language
            "is_active": True,
        }
        assert set(response.json()) == ME_KEYS

    async def test_stored_name_wins(self, client: AsyncClient, session: AsyncSession) -> None:
        user = await make_user(session)
        await set_user(session, user.id, name="Countess of Lovelace", image="https://x.test/a.png")
        tokens = await signin_ok(client, user.email)
        data = (await me(client, tokens["access_token"])).json()
        assert data["name"] == "Countess of Lovelace"
        assert data["image"] == "https://x.test/a.png"

    async def test_after_signup(self, client: AsyncClient) -> None:
        tokens = await signup_ok(client, first_name=" Grace ", last_name="Hopper")
        data = (await me(client, tokens["access_token"])).json()
        assert data["name"] == "Grace Hopper"
        assert data["id"] == tokens["user"]["id"]

    async def test_trailing_slash(self, client: AsyncClient, session: AsyncSession) -> None:
        user = await make_user(session)
        tokens = await signin_ok(client, user.email)
        response = await client.get(
            "/api/auth/me/", headers={"Authorization": f"Bearer {tokens['access_token']}"}
        )
        assert response.status_code == 200
        assert response.json()["id"] == user.id
