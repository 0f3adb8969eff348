"""GET /api/jobs: filters, applications_count and the per-caller has_applied."""

import time
from typing import Any

import pytest
from httpx import AsyncClient
from sqlalchemy.ext.asyncio import AsyncSession

from intowork.models import Company
from intowork.models.enums import ApplicationStatus, JobLocation, JobType
from tests.fixtures.factories import make_application, make_candidate, make_company, make_employer
from tests.fixtures.tokens import access_claims, forge
from tests.jobs.conftest import Actor, add_job, bearer, candidate_actor, list_jobs, titles


class TestListFilters:
    @pytest.fixture
    async def dataset(self, session: AsyncSession, company: Company) -> Company:
        """Five published jobs at two companies; returns the second company."""
        acme = await make_employer(session, company=company)
        other = await make_company(session, name="Globex")
        globex = await make_employer(session, company=other)
        rows: list[tuple[Any, str, dict[str, Any]]] = [
            (acme, "A", {"location": "Paris 11e", "salary_min": 30000}),
            (
                acme,
                "B",
                {
                    "location": "PARIS",
                    "job_type": JobType.PART_TIME,
                    "location_type": JobLocation.REMOTE,
                    "salary_min": 45000,
                },
            ),
            (acme, "C", {"location": "Lyon", "location_type": JobLocation.HYBRID}),
            (globex, "D", {"location": "Saint-Denis (Paris)", "salary_min": 60000}),
            (
                globex,
                "E",
                {"job_type": JobType.INTERNSHIP, "location_type": JobLocation.REMOTE},
            ),
        ]
        for employer, title, values in rows:
            await add_job(session, employer, title=title, **values)
        return other

    @pytest.mark.parametrize(
        ("params", "expected"),
        [
            ({"location": "paris"}, {"A", "B", "D"}),
            ({"location": "PaRiS"}, {"A", "B", "D"}),
            ({"location": "aris 1"}, {"A"}),
            ({"location": "Marseille"}, set()),
            ({"location": "%"}, set()),
            ({"location": "_"}, set()),
            ({"job_type": "part_time"}, {"B"}),
            ({"job_type": "internship"}, {"E"}),
            ({"job_type": "contract"}, set()),
            ({"location_type": "remote"}, {"B", "E"}),
            ({"location_type": "on_site"}, {"A", "D"}),
            ({"salary_min": 45000}, {"B", "D"}),
            ({"salary_min": 45001}, {"D"}),
            ({"salary_min": 0}, {"A", "B", "D"}),
            ({"location": "paris", "location_type": "remote"}, {"B"}),
            ({"location": "paris", "salary_min": 40000, "job_type": "full_time"}, {"D"}),
        ],
    )
    async def test_filter(
        self,
        client: AsyncClient,
        dataset: Company,
        params: dict[str, Any],
        expected: set[str],
    ) -> None:
        page = await list_jobs(client, **params)
        assert titles(page) == expected
        assert page["total"] == len(expected)

    @pytest.mark.parametrize("location", ["île-de", "ÎLE-DE-FRANCE", "Île-De-France"])
    async def test_location_case_insensitive_beyond_ascii(
        self, client: AsyncClient, session: AsyncSession, company: Company, location: str
    ) -> None:
        employer = await make_employer(session, company=company)
        await add_job(session, employer, title="IDF", location="Île-de-France")
        await add_job(session, employer, title="Munich", location="MÜNCHEN")
        assert titles(await list_jobs(client, location=location)) == {"IDF"}
        assert titles(await list_jobs(client, location="münchen")) == {"Munich"}

    async def test_company_id(self, client: AsyncClient, dataset: Company) -> None:
        assert titles(await list_jobs(client, company_id=dataset.id)) == {"D", "E"}
        assert titles(await list_jobs(client, company_id=dataset.id + 1000)) == set()

    @pytest.mark.parametrize(
        "params",
        [
            {"job_type": "freelance"},
            {"job_type": "FULL_TIME"},
            {"job_type": "full-time"},
            {"location_type": "onsite"},
            {"location_type": "anywhere"},
            {"location_type": "REMOTE"},
        ],
    )
    async def test_unknown_enum_value(self, client: AsyncClient, params: dict[str, str]) -> None:
        response = await client.get("/api/jobs", params=params)
        assert response.status_code == 422
        assert isinstance(response.json()["detail"], list)


class TestListApplicationsCount:
    async def test_true_count(
        self, client: AsyncClient, session: AsyncSession, company: Company
    ) -> None:
        employer = await make_employer(session, company=company)
        busy = await add_job(session, employer, title="Busy")
        await add_job(session, employer, title="Quiet")
        statuses = [ApplicationStatus.APPLIED, ApplicationStatus.VIEWED, ApplicationStatus.REJECTED]
        for status in statuses:
            candidate = await make_candidate(session)
            await make_application(session, job=busy, candidate=candidate, status=status)
        page = await list_jobs(client)
        counts = {item["title"]: item["applications_count"] for item in page["jobs"]}
        assert counts == {"Busy": 3, "Quiet": 0}


class TestListHasApplied:
    @pytest.fixture
    async def applied(
        self, session: AsyncSession, company: Company, candidate: Actor
    ) -> tuple[int, int]:
        """`candidate` applied to the first job, not to the second; someone else applied to both."""
        employer = await make_employer(session, company=company)
        first = await add_job(session, employer, title="First")
        second = await add_job(session, employer, title="Second")
        assert candidate.candidate is not None
        await make_application(session, job=first, candidate=candidate.candidate)
        someone = await make_candidate(session)
        await make_application(session, job=first, candidate=someone)
        await make_application(session, job=second, candidate=someone)
        return first.id, second.id

    @staticmethod
    def flags(page: dict[str, Any]) -> dict[str, bool]:
        return {item["title"]: item["has_applied"] for item in page["jobs"]}

    async def test_candidate_who_applied(
        self, client: AsyncClient, applied: tuple[int, int], candidate: Actor
    ) -> None:
        page = await list_jobs(client, candidate)
        assert self.flags(page) == {"First": True, "Second": False}

    async def test_anonymous_then_candidate_then_anonymous(
        self, client: AsyncClient, applied: tuple[int, int], candidate: Actor
    ) -> None:
        # A cached anonymous page must never carry one caller's flags to another.
        assert self.flags(await list_jobs(client)) == {"First": False, "Second": False}
        assert self.flags(await list_jobs(client, candidate)) == {"First": True, "Second": False}
        assert self.flags(await list_jobs(client)) == {"First": False, "Second": False}

    async def test_other_candidate(
        self, client: AsyncClient, session: AsyncSession, applied: tuple[int, int]
    ) -> None:
        other = await candidate_actor(client, session)
        assert self.flags(await list_jobs(client, other)) == {"First": False, "Second": False}

    async def test_employer(
        self, client: AsyncClient, applied: tuple[int, int], owner: Actor
    ) -> None:
        assert self.flags(await list_jobs(client, owner)) == {"First": False, "Second": False}

    async def test_admin(self, client: AsyncClient, applied: tuple[int, int], admin: Actor) -> None:
        assert self.flags(await list_jobs(client, admin)) == {"First": False, "Second": False}

    @pytest.mark.parametrize(
        "authorization", ["Bearer garbage", "Bearer ", "Basic abc", "Bearer a.b.c"]
    )
    async def test_invalid_token_is_anonymous(
        self, client: AsyncClient, applied: tuple[int, int], authorization: str
    ) -> None:
        response = await client.get("/api/jobs", headers={"Authorization": authorization})
        assert response.status_code == 200, response.text
        assert self.flags(response.json()) == {"First": False, "Second": False}

    async def test_expired_token_is_anonymous(
        self, client: AsyncClient, applied: tuple[int, int], candidate: Actor
    ) -> None:
        assert candidate.user is not None
        claims = access_claims(candidate.user, iat=int(time.time()) - 7200)
        claims["exp"] = claims["iat"] + 60
        response = await client.get("/api/jobs", headers=bearer(forge(claims)))
        assert response.status_code == 200, response.text
        assert self.flags(response.json()) == {"First": False, "Second": False}

    async def test_counts_are_the_same_for_everyone(
        self, client: AsyncClient, applied: tuple[int, int], candidate: Actor
    ) -> None:
        def counts(page: dict[str, Any]) -> dict[str, int]:
            return {item["title"]: item["applications_count"] for item in page["jobs"]}

        assert counts(await list_jobs(client)) == {"First": 2, "Second": 1}
        assert counts(await list_jobs(client, candidate)) == {"First": 2, "Second": 1}
