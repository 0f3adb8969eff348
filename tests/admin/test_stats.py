"""GET /api/admin/stats: every figure against a hand-counted dataset, in one statement."""

from datetime import UTC, datetime

import pytest
from httpx import AsyncClient
from sqlalchemy.ext.asyncio import AsyncSession

from intowork.models import Notification, User
from intowork.models.enums import JobStatus, NotificationType, UserRole
from tests.admin.conftest import CountStatements, days_ago, set_created_at
from tests.fixtures.actors import Actor
from tests.fixtures.factories import (
    make_application,
    make_candidate,
    make_company,
    make_employer,
    make_job,
    make_user,
)

URL = "/api/admin/stats"
STATS_KEYS = {
    "total_users",
    "total_candidates",
    "total_employers",
    "total_companies",
    "total_jobs",
    "total_applications",
    "total_notifications",
    "active_users",
    "inactive_users",
    "jobs_by_status",
    "recent_signups",
}


@pytest.fixture
async def dataset(session: AsyncSession, admin: Actor) -> None:
    """Counted by hand below. The admin caller (created now, active) is one of the users.

    Users (8): admin (now), c1 (6 days ago), c2 (30 days ago), c3 inactive (now); e1 (now),
    e2 (10 days ago), e3 inactive without company (now); admin2 inactive (7 days and an hour ago).
    Companies (3): A (e1), B (e2), C (nobody). Jobs (6): e1 draft, published x2, closed;
    e2 archived, published. Applications (4): c1 -> both of e1's published jobs, c2 -> e1's first
    published job, c3 -> the closed job. Notifications (3).
    """
    now = datetime.now(UTC)
    company_a = await make_company(session, name="A")
    company_b = await make_company(session, name="B")
    await make_company(session, name="C")
    c1 = await make_candidate(session)
    c2 = await make_candidate(session)
    c3 = await make_candidate(session)
    await set_created_at(session, User, c1.user_id, days_ago(6, now=now))
    await set_created_at(session, User, c2.user_id, days_ago(30, now=now))
    c3_user = await session.get(User, c3.user_id)
    assert c3_user is not None
    c3_user.is_active = False
    e1 = await make_employer(session, company=company_a)
    e2 = await make_employer(session, company=company_b)
    await set_created_at(session, User, e2.user_id, days_ago(10, now=now))
    await make_user(session, role=UserRole.EMPLOYER, is_active=False)
    admin2 = await make_user(session, role=UserRole.ADMIN, is_active=False)
    await set_created_at(session, User, admin2.id, days_ago(7.05, now=now))
    await make_job(session, employer=e1, status=JobStatus.DRAFT)
    first = await make_job(session, employer=e1, status=JobStatus.PUBLISHED)
    second = await make_job(session, employer=e1, status=JobStatus.PUBLISHED)
    closed = await make_job(session, employer=e1, status=JobStatus.CLOSED)
    await make_job(session, employer=e2, status=JobStatus.ARCHIVED)
    await make_job(session, employer=e2, status=JobStatus.PUBLISHED)
    await make_application(session, job=first, candidate=c1)
    await make_application(session, job=second, candidate=c1)
    await make_application(session, job=first, candidate=c2)
    await make_application(session, job=closed, candidate=c3)
    for user_id in (c1.user_id, c1.user_id, e1.user_id):
        session.add(
            Notification(user_id=user_id, type=NotificationType.SYSTEM, title="t", message="m")
        )
    await session.commit()


class TestStats:
    async def test_every_figure(self, client: AsyncClient, admin: Actor, dataset: None) -> None:
        response = await client.get(URL, headers=admin.headers)
        assert response.status_code == 200, response.text
        assert response.json() == {
            "total_users": 8,
            "total_candidates": 3,
            "total_employers": 3,
            "total_companies": 3,
            "total_jobs": 6,
            "total_applications": 4,
            "total_notifications": 3,
            "active_users": 5,
            "inactive_users": 3,
            "jobs_by_status": {"draft": 1, "published": 3, "closed": 1, "archived": 1},
            "recent_signups": 5,
        }

    async def test_empty_platform_has_every_key(self, client: AsyncClient, admin: Actor) -> None:
        response = await client.get(URL, headers=admin.headers)
        assert response.status_code == 200
        body = response.json()
        assert set(body) == STATS_KEYS
        assert body["jobs_by_status"] == {"draft": 0, "published": 0, "closed": 0, "archived": 0}
        assert body["total_users"] == body["active_users"] == body["recent_signups"] == 1
        zero = STATS_KEYS - {"jobs_by_status", "total_users", "active_users", "recent_signups"}
        assert {key: body[key] for key in zero} == dict.fromkeys(zero, 0)

    async def test_changes_are_seen_at_once(
        self, client: AsyncClient, session: AsyncSession, admin: Actor, dataset: None
    ) -> None:
        await make_user(session, role=UserRole.CANDIDATE)
        body = (await client.get(URL, headers=admin.headers)).json()
        assert (body["total_users"], body["total_candidates"], body["recent_signups"]) == (9, 4, 6)

    async def test_one_statement(
        self,
        client: AsyncClient,
        admin: Actor,
        dataset: None,
        count_statements: CountStatements,
    ) -> None:
        with count_statements() as log:
            response = await client.get(URL, headers=admin.headers)
        assert response.status_code == 200
        assert log.count <= 2, log

    async def test_trailing_slash(self, client: AsyncClient, admin: Actor, dataset: None) -> None:
        plain = await client.get(URL, headers=admin.headers)
        slashed = await client.get(URL + "/", headers=admin.headers)
        assert (plain.status_code, slashed.status_code) == (200, 200)
        assert slashed.json() == plain.json()
