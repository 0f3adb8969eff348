"""GET /api/dashboard/employer-funnel (API.md 8): the company's funnel, overall and per job.

Figures from `conftest.build_world`. Days to the first move to interview: a1 360 h -> 120 h =
10 days, a2 144 h -> 72 h = 3 days, a3 240 h -> 192 h = 2 days; median 3.0.
"""

from typing import Any

import pytest
from httpx import AsyncClient
from sqlalchemy.ext.asyncio import AsyncSession

from intowork.models.enums import UserRole
from tests.dashboard.conftest import (
    COMPANY_NOT_FOUND,
    EMPLOYER_REQUIRED,
    FUNNEL,
    FUNNEL_JOB_KEYS,
    FUNNEL_KEYS,
    RATE_KEYS,
    STAGE_KEYS,
    World,
    employer_of,
    get_ok,
    make_person,
    stages,
)
from tests.fixtures.actors import sign_in_headers
from tests.fixtures.factories import make_company


def job_row(w: World, name: str, title: str, status: str, total: int, **counts: int) -> Any:
    return {
        "job_id": w.jobs[name].id,
        "job_title": title,
        "status": status,
        "total_applications": total,
        "stages": stages(**counts),
    }


def check_shape(body: dict[str, Any]) -> None:
    assert set(body) == FUNNEL_KEYS
    assert set(body["stages"]) == set(body["reached"]) == STAGE_KEYS
    assert set(body["conversion_rates"]) == RATE_KEYS
    for job in body["jobs"]:
        assert set(job) == FUNNEL_JOB_KEYS
        assert set(job["stages"]) == STAGE_KEYS


class TestFunnel:
    async def test_company(self, client: AsyncClient, world: World) -> None:
        body = (
            await get_ok(client, FUNNEL, await sign_in_headers(client, world.acme_owner))
        ).json()
        check_shape(body)
        assert body == {
            "total_applications": 6,
            # a4 applied, a5 shortlisted, a1 a3 interview, a6 accepted, a2 rejected.
            "stages": stages(applied=1, shortlisted=1, interview=2, accepted=1, rejected=1),
            # viewed: a1 a2 a5; shortlisted: a1 a5 a6; interview: a1 a2 a3.
            "reached": stages(
                applied=6, viewed=3, shortlisted=3, interview=3, accepted=1, rejected=1
            ),
            "conversion_rates": {
                "viewed": 0.5,
                "shortlisted": 0.5,
                "interview": 0.5,
                "accepted": 0.1667,
            },
            "median_days_to_interview": 3.0,
            # 3, 2, 1, then the two empty jobs, j5 before j4 (job_id DESC).
            "jobs": [
                job_row(world, "j1", "Backend engineer", "published", 3, interview=2, rejected=1),
                job_row(world, "j3", "Designer", "closed", 2, shortlisted=1, accepted=1),
                job_row(world, "j2", "Data analyst", "published", 1, applied=1),
                job_row(world, "j5", "Archived role", "archived", 0),
                job_row(world, "j4", "Intern", "draft", 0),
            ],
        }

    async def test_other_company(self, client: AsyncClient, world: World) -> None:
        """Globex: b1 interview after 27 h = 1.125 days -> 1.1."""
        body = (
            await get_ok(client, FUNNEL, await sign_in_headers(client, world.globex_owner))
        ).json()
        assert body == {
            "total_applications": 2,
            "stages": stages(viewed=1, interview=1),
            "reached": stages(applied=2, viewed=1, interview=1),
            "conversion_rates": {
                "viewed": 0.5,
                "shortlisted": 0.0,
                "interview": 0.5,
                "accepted": 0.0,
            },
            "median_days_to_interview": 1.1,
            "jobs": [
                job_row(
                    world, "g1", "Site reliability engineer", "published", 2, viewed=1, interview=1
                ),
                job_row(world, "g2", "Globex draft", "draft", 0),
            ],
        }

    async def test_one_job(self, client: AsyncClient, world: World) -> None:
        headers = await sign_in_headers(client, world.acme_owner)
        body = (await get_ok(client, FUNNEL, headers, job_id=world.jobs["j1"].id)).json()
        check_shape(body)
        assert body == {
            "total_applications": 3,
            "stages": stages(interview=2, rejected=1),
            "reached": stages(applied=3, viewed=2, shortlisted=1, interview=3, rejected=1),
            "conversion_rates": {
                "viewed": 0.6667,
                "shortlisted": 0.3333,
                "interview": 1.0,
                "accepted": 0.0,
            },
            "median_days_to_interview": 3.0,
            "jobs": [
                job_row(world, "j1", "Backend engineer", "published", 3, interview=2, rejected=1)
            ],
        }

    async def test_job_without_interviews(self, client: AsyncClient, world: World) -> None:
        headers = await sign_in_headers(client, world.acme_owner)
        body = (await get_ok(client, FUNNEL, headers, job_id=world.jobs["j3"].id)).json()
        assert body == {
            "total_applications": 2,
            "stages": stages(shortlisted=1, accepted=1),
            "reached": stages(applied=2, viewed=1, shortlisted=2, accepted=1),
            "conversion_rates": {
                "viewed": 0.5,
                "shortlisted": 1.0,
                "interview": 0.0,
                "accepted": 0.5,
            },
            "median_days_to_interview": None,
            "jobs": [job_row(world, "j3", "Designer", "closed", 2, shortlisted=1, accepted=1)],
        }

    async def test_job_without_applications(self, client: AsyncClient, world: World) -> None:
        headers = await sign_in_headers(client, world.acme_owner)
        body = (await get_ok(client, FUNNEL, headers, job_id=world.jobs["j4"].id)).json()
        assert body == {
            "total_applications": 0,
            "stages": stages(),
            "reached": stages(),
            "conversion_rates": {
                "viewed": 0.0,
                "shortlisted": 0.0,
                "interview": 0.0,
                "accepted": 0.0,
            },
            "median_days_to_interview": None,
            "jobs": [job_row(world, "j4", "Intern", "draft", 0)],
        }

    async def test_company_without_jobs(
        self, client: AsyncClient, session: AsyncSession, world: World
    ) -> None:
        company = await make_company(session, name="Initech")
        user = await make_person(session, UserRole.EMPLOYER, "New", "Boss", created_at=world.at(1))
        (await employer_of(session, user)).company_id = company.id
        await session.commit()
        body = (await get_ok(client, f"{FUNNEL}/", await sign_in_headers(client, user))).json()
        check_shape(body)
        assert body["total_applications"] == 0
        assert body["jobs"] == []
        assert body["median_days_to_interview"] is None

    async def test_foreign_job(self, client: AsyncClient, world: World) -> None:
        headers = await sign_in_headers(client, world.acme_owner)
        response = await client.get(FUNNEL, headers=headers, params={"job_id": world.jobs["g1"].id})
        assert response.status_code == 404

    async def test_missing_job(self, client: AsyncClient, world: World) -> None:
        headers = await sign_in_headers(client, world.acme_owner)
        response = await client.get(FUNNEL, headers=headers, params={"job_id": 2**31 - 1})
        assert response.status_code == 404

    @pytest.mark.parametrize("job_id", ["0", "-1", "abc"])
    async def test_malformed_job_id(self, client: AsyncClient, world: World, job_id: str) -> None:
        headers = await sign_in_headers(client, world.acme_owner)
        response = await client.get(FUNNEL, headers=headers, params={"job_id": job_id})
        assert response.status_code == 422

    async def test_no_company(
        self, client: AsyncClient, session: AsyncSession, world: World
    ) -> None:
        user = await make_person(
            session, UserRole.EMPLOYER, "No", "Company", created_at=world.at(1)
        )
        headers = await sign_in_headers(client, user)
        for params in [{}, {"job_id": world.jobs["j1"].id}]:
            response = await client.get(FUNNEL, headers=headers, params=params)
            assert response.status_code == 404
            assert response.json() == COMPANY_NOT_FOUND

    @pytest.mark.parametrize("role", ["admin", "grace"])
    async def test_other_roles(self, client: AsyncClient, world: World, role: str) -> None:
        response = await client.get(
            FUNNEL, headers=await sign_in_headers(client, getattr(world, role))
        )
        assert response.status_code == 403
        assert response.json() == EMPLOYER_REQUIRED
