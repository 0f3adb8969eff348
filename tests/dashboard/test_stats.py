"""GET /api/dashboard: the four stats of each role, against figures counted by hand (API.md 8).

The dataset and its timeline are in `conftest.build_world`; every `change` below is the number
of events of that kind in the last 168 hours of that table.
"""

from httpx import AsyncClient
from sqlalchemy.ext.asyncio import AsyncSession

from intowork.models.enums import UserRole
from tests.dashboard.conftest import (
    DASHBOARD,
    DASHBOARD_KEYS,
    STAT_KEYS,
    World,
    employer_of,
    get_ok,
    make_person,
    stat,
)
from tests.fixtures.actors import sign_in_headers
from tests.fixtures.factories import make_company

ADMIN_STATS = [
    # Users: 6, created in the window: the admin (20 h) and Globex's owner (49 h).
    stat("Users", "6", "+2", "increase", "blue"),
    # Companies: Acme (720 h), Globex (49 h).
    stat("Companies", "2", "+1", "increase", "green"),
    # Jobs in any status: 7; created in the window: j2 (72 h), j4 (10 h), g1 (47 h).
    stat("Jobs", "7", "+3", "increase", "purple"),
    # Applications: 8; created in the window: a2 (144 h), a4 (48 h), b1 (30 h), b2 (40 h).
    stat("Applications", "8", "+4", "increase", "orange"),
]
ACME_STATS = [
    # Published: j1, j2; first published in the window: j2 (50 h). j3 (288 h) and j5 are old.
    stat("Active jobs", "2", "+1", "increase", "blue"),
    # a1..a6; submitted in the window: a2 (144 h), a4 (48 h).
    stat("Applications received", "6", "+2", "increase", "green"),
    # Now in interview: a1, a3; moves to interview in the window: a1 (120 h), a2 (72 h).
    stat("Interviews", "2", "+2", "increase", "purple"),
    # No longer applied: 5 of 6 = 83 %. First change in the window: a2 only (96 h); a5's first
    # change was at 270 h, its move at 36 h is not a first one.
    stat("Response rate", "83%", "+1", "increase", "orange"),
]
GLOBEX_STATS = [
    stat("Active jobs", "1", "+1", "increase", "blue"),
    stat("Applications received", "2", "+2", "increase", "green"),
    stat("Interviews", "1", "+1", "increase", "purple"),
    stat("Response rate", "100%", "+2", "increase", "orange"),
]
NO_COMPANY_STATS = [
    stat("Active jobs", "0", "0", "neutral", "blue"),
    stat("Applications received", "0", "0", "neutral", "green"),
    stat("Interviews", "0", "0", "neutral", "purple"),
    stat("Response rate", "0%", "0", "neutral", "orange"),
]
GRACE_STATS = [
    # a1, a4, b1; submitted in the window: a4 (48 h), b1 (30 h).
    stat("Applications sent", "3", "+2", "increase", "blue"),
    # All published jobs: j1, j2, g1; first published in the window: j2 (50 h), g1 (46 h).
    stat("Open jobs", "3", "+2", "increase", "green"),
    # a1 and b1 are in interview; moved there in the window: a1 (120 h), b1 (3 h).
    stat("Interviews", "2", "+2", "increase", "purple"),
    stat("Profile completion", "76%", "0", "neutral", "orange"),
]
ALAN_STATS = [
    # a2, a6, b2; submitted in the window: a2 (144 h), b2 (40 h).
    stat("Applications sent", "3", "+2", "increase", "blue"),
    stat("Open jobs", "3", "+2", "increase", "green"),
    # None in interview now (a2 was rejected since), but a2 moved there at 72 h.
    stat("Interviews", "0", "+1", "increase", "purple"),
    # Empty profile: round(60 * 3/7) = 26.
    stat("Profile completion", "26%", "0", "neutral", "orange"),
]
NEWCOMER_STATS = [
    stat("Applications sent", "0", "0", "neutral", "blue"),
    stat("Open jobs", "3", "+2", "increase", "green"),
    stat("Interviews", "0", "0", "neutral", "purple"),
    stat("Profile completion", "26%", "0", "neutral", "orange"),
]


def check_shape(body: dict[str, object]) -> None:
    assert set(body) == DASHBOARD_KEYS
    assert isinstance(body["stats"], list)
    assert [set(item) for item in body["stats"]] == [STAT_KEYS] * 4
    assert [item["color"] for item in body["stats"]] == ["blue", "green", "purple", "orange"]
    for item in body["stats"]:
        assert isinstance(item["value"], str)
        assert item["changeType"] == ("increase" if item["change"] != "0" else "neutral")


class TestAdminStats:
    async def test_figures(self, client: AsyncClient, world: World) -> None:
        body = (await get_ok(client, DASHBOARD, await sign_in_headers(client, world.admin))).json()
        check_shape(body)
        assert body["stats"] == ADMIN_STATS
        assert body["profileCompletion"] == 100

    async def test_trailing_slash(self, client: AsyncClient, world: World) -> None:
        body = (
            await get_ok(client, f"{DASHBOARD}/", await sign_in_headers(client, world.admin))
        ).json()
        assert body["stats"] == ADMIN_STATS


class TestEmployerStats:
    async def test_own_company_only(self, client: AsyncClient, world: World) -> None:
        body = (
            await get_ok(client, DASHBOARD, await sign_in_headers(client, world.acme_owner))
        ).json()
        check_shape(body)
        assert body["stats"] == ACME_STATS
        assert body["profileCompletion"] == 100

    async def test_other_company(self, client: AsyncClient, world: World) -> None:
        body = (
            await get_ok(client, DASHBOARD, await sign_in_headers(client, world.globex_owner))
        ).json()
        assert body["stats"] == GLOBEX_STATS
        assert body["profileCompletion"] == 100

    async def test_colleague_sees_the_company(
        self, client: AsyncClient, session: AsyncSession, world: World
    ) -> None:
        """The stats are the company's, not the caller's own jobs (the caller posted none)."""
        colleague = await make_person(
            session, UserRole.EMPLOYER, "Col", "League", created_at=world.at(500)
        )
        (await employer_of(session, colleague)).company_id = world.acme.id
        await session.commit()
        body = (await get_ok(client, DASHBOARD, await sign_in_headers(client, colleague))).json()
        assert body["stats"] == ACME_STATS

    async def test_no_company(
        self, client: AsyncClient, session: AsyncSession, world: World
    ) -> None:
        user = await make_person(
            session, UserRole.EMPLOYER, "No", "Company", created_at=world.at(1)
        )
        body = (await get_ok(client, DASHBOARD, await sign_in_headers(client, user))).json()
        check_shape(body)
        assert body == {"stats": NO_COMPANY_STATS, "recentActivities": [], "profileCompletion": 30}

    async def test_empty_company(
        self, client: AsyncClient, session: AsyncSession, world: World
    ) -> None:
        """A company without jobs: zeros, "0%" (no division by zero), completion 100."""
        company = await make_company(session, name="Initech")
        user = await make_person(session, UserRole.EMPLOYER, "New", "Boss", created_at=world.at(1))
        (await employer_of(session, user)).company_id = company.id
        await session.commit()
        body = (await get_ok(client, DASHBOARD, await sign_in_headers(client, user))).json()
        assert body == {"stats": NO_COMPANY_STATS, "recentActivities": [], "profileCompletion": 100}


class TestCandidateStats:
    async def test_figures(self, client: AsyncClient, world: World) -> None:
        body = (await get_ok(client, DASHBOARD, await sign_in_headers(client, world.grace))).json()
        check_shape(body)
        assert body["stats"] == GRACE_STATS
        assert body["profileCompletion"] == 76

    async def test_history_counts_past_interviews(self, client: AsyncClient, world: World) -> None:
        body = (await get_ok(client, DASHBOARD, await sign_in_headers(client, world.alan))).json()
        assert body["stats"] == ALAN_STATS
        assert body["profileCompletion"] == 26

    async def test_newcomer(self, client: AsyncClient, session: AsyncSession, world: World) -> None:
        user = await make_person(
            session, UserRole.CANDIDATE, "New", "Comer", created_at=world.at(1)
        )
        body = (await get_ok(client, DASHBOARD, await sign_in_headers(client, user))).json()
        check_shape(body)
        assert body == {"stats": NEWCOMER_STATS, "recentActivities": [], "profileCompletion": 26}
