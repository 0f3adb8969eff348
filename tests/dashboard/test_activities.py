"""Recent activities: `recentActivities` (5) and GET /api/dashboard/activities (API.md 8).

Real events only, newest first: submitted applications, status changes (not the initial history
row, which the application event already stands for) and job publications, in each role's scope.
"""

import re
from typing import Any

import pytest
from httpx import AsyncClient
from sqlalchemy.ext.asyncio import AsyncSession

from intowork.models.enums import UserRole
from tests.dashboard.conftest import ACTIVITIES, ACTIVITY_KEYS, DASHBOARD, Status, World, get_ok
from tests.fixtures.actors import sign_in_headers
from tests.fixtures.factories import make_user

TYPES = {"application": "application", "status": "status_change", "job": "job"}
TIME_AGO = re.compile(r"^(just now|1 (minute|hour|day) ago|\d+ (minutes|hours|days) ago)$")


def admin_timeline(w: World) -> list[tuple[str, float]]:
    """Every event of the dataset, newest first: (activity id, hours ago)."""
    return [
        (w.move("b1", Status.INTERVIEW), 3),
        (w.move("b2", Status.VIEWED), 20),
        (w.move("a2", Status.REJECTED), 26),
        (w.app("b1"), 30),
        (w.move("a5", Status.SHORTLISTED), 36),
        (w.app("b2"), 40),
        (w.job_id("g1"), 46),
        (w.app("a4"), 48),
        (w.job_id("j2"), 50),
        (w.move("a2", Status.INTERVIEW), 72),
        (w.move("a2", Status.VIEWED), 96),
        (w.move("a1", Status.INTERVIEW), 120),
        (w.app("a2"), 144),
        (w.move("a6", Status.ACCEPTED), 150),
        (w.move("a3", Status.INTERVIEW), 192),
        (w.app("a3"), 240),
        (w.move("a6", Status.SHORTLISTED), 264),
        (w.move("a5", Status.VIEWED), 270),
        (w.app("a5"), 280),
        (w.app("a6"), 286),
        (w.job_id("j3"), 288),
        (w.move("a1", Status.SHORTLISTED), 300),
        (w.move("a1", Status.VIEWED), 336),
        (w.app("a1"), 360),
        (w.job_id("j1"), 480),
        (w.job_id("j5"), 696),
    ]


def acme_timeline(w: World) -> list[tuple[str, float]]:
    """Acme's events: the admin's without b1, b2 and g1 (Globex)."""
    foreign = {w.app("b1"), w.app("b2"), w.job_id("g1")}
    foreign |= {w.move("b1", Status.INTERVIEW), w.move("b2", Status.VIEWED)}
    return [event for event in admin_timeline(w) if event[0] not in foreign]


def grace_timeline(w: World) -> list[tuple[str, float]]:
    return [
        (w.move("b1", Status.INTERVIEW), 3),
        (w.app("b1"), 30),
        (w.app("a4"), 48),
        (w.move("a1", Status.INTERVIEW), 120),
        (w.move("a1", Status.SHORTLISTED), 300),
        (w.move("a1", Status.VIEWED), 336),
        (w.app("a1"), 360),
    ]


def check_items(items: list[dict[str, Any]], w: World, expected: list[tuple[str, float]]) -> None:
    assert [item["id"] for item in items] == [event_id for event_id, _ in expected]
    assert [item["timestamp"] for item in items] == [w.iso(hours) for _, hours in expected]
    for item in items:
        assert set(item) == ACTIVITY_KEYS
        assert item["timestamp"].endswith("Z")
        assert TIME_AGO.match(item["time"]), item["time"]
        assert item["type"] == TYPES[item["id"].rsplit("-", 1)[0]]


class TestRecentActivities:
    async def test_employer(self, client: AsyncClient, world: World) -> None:
        body = (
            await get_ok(client, DASHBOARD, await sign_in_headers(client, world.acme_owner))
        ).json()
        items = body["recentActivities"]
        check_items(items, world, acme_timeline(world)[:5])
        assert [(item["type"], item["action"], item["target"]) for item in items] == [
            ("status_change", "Application moved to rejected", "Backend engineer - Alan Turing"),
            ("status_change", "Application moved to shortlisted", "Designer - Barbara Liskov"),
            ("application", "New application", "Data analyst - Grace Hopper"),
            ("job", "Job published", "Data analyst"),
            ("status_change", "Application moved to interview", "Backend engineer - Alan Turing"),
        ]
        assert [item["time"] for item in items][2:] == ["2 days ago", "2 days ago", "3 days ago"]

    async def test_other_company(self, client: AsyncClient, world: World) -> None:
        body = (
            await get_ok(client, DASHBOARD, await sign_in_headers(client, world.globex_owner))
        ).json()
        items = body["recentActivities"]
        b1, b2 = world.applications["b1"], world.applications["b2"]
        assert [item["id"] for item in items] == [
            b1.move_id(Status.INTERVIEW),
            b2.move_id(Status.VIEWED),
            b1.activity_id,
            b2.activity_id,
            world.job_id("g1"),
        ]
        assert [(item["action"], item["target"]) for item in items] == [
            ("Application moved to interview", "Site reliability engineer - Grace Hopper"),
            ("Application moved to viewed", "Site reliability engineer - Alan Turing"),
            ("New application", "Site reliability engineer - Grace Hopper"),
            ("New application", "Site reliability engineer - Alan Turing"),
            ("Job published", "Site reliability engineer"),
        ]

    async def test_admin_platform_wide(self, client: AsyncClient, world: World) -> None:
        body = (await get_ok(client, DASHBOARD, await sign_in_headers(client, world.admin))).json()
        items = body["recentActivities"]
        check_items(items, world, admin_timeline(world)[:5])
        assert [(item["action"], item["target"]) for item in items] == [
            ("Application moved to interview", "Site reliability engineer - Grace Hopper"),
            ("Application moved to viewed", "Site reliability engineer - Alan Turing"),
            ("Application moved to rejected", "Backend engineer - Alan Turing"),
            ("New application", "Site reliability engineer - Grace Hopper"),
            ("Application moved to shortlisted", "Designer - Barbara Liskov"),
        ]

    async def test_candidate_own_only(self, client: AsyncClient, world: World) -> None:
        """Only Grace's applications and their moves: not Alan's and Barbara's on the same job,
        not job publications; the target is the job title alone."""
        body = (await get_ok(client, DASHBOARD, await sign_in_headers(client, world.grace))).json()
        items = body["recentActivities"]
        check_items(items, world, grace_timeline(world)[:5])
        assert [(item["type"], item["target"]) for item in items] == [
            ("status_change", "Site reliability engineer"),
            ("application", "Site reliability engineer"),
            ("application", "Data analyst"),
            ("status_change", "Backend engineer"),
            ("status_change", "Backend engineer"),
        ]
        actions = [item["action"] for item in items]
        assert actions[0] == actions[3] == "Application moved to interview"
        assert actions[4] == "Application moved to shortlisted"
        assert all(isinstance(action, str) and action for action in actions)
        assert items[2]["time"] == "2 days ago"
        assert items[3]["time"] == "5 days ago"


class TestActivitiesList:
    async def test_default_limit(self, client: AsyncClient, world: World) -> None:
        items = (
            await get_ok(client, ACTIVITIES, await sign_in_headers(client, world.acme_owner))
        ).json()
        check_items(items, world, acme_timeline(world)[:10])

    async def test_everything(self, client: AsyncClient, world: World) -> None:
        headers = await sign_in_headers(client, world.admin)
        items = (await get_ok(client, ACTIVITIES, headers, limit=50)).json()
        assert len(items) == 26
        check_items(items, world, admin_timeline(world))

    async def test_company_scope(self, client: AsyncClient, world: World) -> None:
        headers = await sign_in_headers(client, world.acme_owner)
        items = (await get_ok(client, ACTIVITIES, headers, limit=50)).json()
        assert len(items) == 21
        check_items(items, world, acme_timeline(world))

    async def test_candidate_scope(self, client: AsyncClient, world: World) -> None:
        headers = await sign_in_headers(client, world.grace)
        items = (await get_ok(client, ACTIVITIES, headers, limit=50)).json()
        assert len(items) == 7
        check_items(items, world, grace_timeline(world))

    async def test_limit_one(self, client: AsyncClient, world: World) -> None:
        headers = await sign_in_headers(client, world.admin)
        items = (await get_ok(client, f"{ACTIVITIES}/", headers, limit=1)).json()
        check_items(items, world, admin_timeline(world)[:1])

    @pytest.mark.parametrize("limit", ["0", "51", "-1", "ten"])
    async def test_limit_out_of_range(
        self, client: AsyncClient, session: AsyncSession, limit: str
    ) -> None:
        headers = await sign_in_headers(client, await make_user(session, role=UserRole.ADMIN))
        response = await client.get(ACTIVITIES, headers=headers, params={"limit": limit})
        assert response.status_code == 422
        assert response.json()["detail"][0]["loc"] == ["query", "limit"]
