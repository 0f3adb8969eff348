"""GET /api/jobs?search=: folded word-prefix matching over title, description and company."""

from typing import Any

import pytest
from httpx import AsyncClient
from sqlalchemy.ext.asyncio import AsyncSession

from intowork.models import Company
from tests.fixtures.factories import make_company, make_employer
from tests.jobs.conftest import Actor, add_job, employer_actor, list_jobs, post_job_ok, titles

ACME = {"Développeur Python", "Python developer", "QA engineer"}
SOCIETE = {"Chef de projet", "Data analyst"}
EVERYTHING = ACME | SOCIETE


@pytest.fixture
async def posted(client: AsyncClient, session: AsyncSession, owner: Actor) -> None:
    """Jobs created through the API, which fills the search columns."""
    societe = await make_company(session, name="Société Générale d'Ingénierie")
    other = await employer_actor(client, session, societe)
    rows: list[tuple[Actor, str, str, dict[str, Any]]] = [
        (owner, "Développeur Python", "Nous cherchons un développeur backend expérimenté.", {}),
        (owner, "Python developer", "Join our backend team.", {"location_type": "remote"}),
        (owner, "QA engineer", "Test automation and quality.", {}),
        (other, "Chef de projet", "Gestion de projets informatiques.", {}),
        (other, "Data analyst", "SQL and dashboards.", {}),
        (owner, "Développeur brouillon", "Python draft, never listed.", {"status": "draft"}),
    ]
    for actor, title, description, extra in rows:
        await post_job_ok(client, actor, title=title, description=description, **extra)


@pytest.mark.usefixtures("posted")
class TestSearch:
    @pytest.mark.parametrize(
        ("search", "expected"),
        [
            # accents and case fold both ways
            ("developpeur", {"Développeur Python"}),
            ("développeur", {"Développeur Python"}),
            ("DÉVELOPPEUR", {"Développeur Python"}),
            ("DeVeLoPpEuR", {"Développeur Python"}),
            ("developer", {"Python developer"}),
            ("PYTHON", {"Développeur Python", "Python developer"}),
            ("expérimente", {"Développeur Python"}),
            ("experimenté", {"Développeur Python"}),
            # word prefixes, not substrings
            ("dev", {"Développeur Python", "Python developer"}),
            ("dév", {"Développeur Python", "Python developer"}),
            ("pyth", {"Développeur Python", "Python developer"}),
            ("eloppeur", set()),
            ("ython", set()),
            # every term must match, in any field
            ("python backend", {"Développeur Python", "Python developer"}),
            ("python nous", {"Développeur Python"}),
            ("backend team", {"Python developer"}),
            ("python quality", set()),
            ("analyst dashboards sql", {"Data analyst"}),
            ("python, backend!", {"Développeur Python", "Python developer"}),
            ("python python PYTHON", {"Développeur Python", "Python developer"}),
            # the company name
            ("acme", ACME),
            ("Acme Industries", ACME),
            ("societe", SOCIETE),
            ("générale", SOCIETE),
            ("ingenierie", SOCIETE),
            ("acme qa", {"QA engineer"}),
            ("acme chef", set()),
            ("société projets", {"Chef de projet"}),
            # terms under 3 characters: prefix match too
            ("qa", {"QA engineer"}),
            ("QA", {"QA engineer"}),
            ("sq", {"Data analyst"}),
            ("q", {"QA engineer"}),
            ("qa quality", {"QA engineer"}),
            ("d'ingénierie", SOCIETE),
            ("de projet", {"Chef de projet"}),
            ("zz", set()),
            # drafts are never found
            ("brouillon", set()),
            # no letters or digits: no search filter
            ("", EVERYTHING),
            ("!!!", EVERYTHING),
            ("  ", EVERYTHING),
        ],
    )
    async def test_matches(self, client: AsyncClient, search: str, expected: set[str]) -> None:
        page = await list_jobs(client, search=search, limit=100)
        assert titles(page) == expected
        assert page["total"] == len(expected)

    async def test_with_filters(self, client: AsyncClient) -> None:
        page = await list_jobs(client, search="python", location_type="remote")
        assert titles(page) == {"Python developer"}

    async def test_relevance(self, client: AsyncClient) -> None:
        page = await list_jobs(client, search="python backend", sort="relevance")
        assert titles(page) == {"Développeur Python", "Python developer"}

    async def test_paginated_total(self, client: AsyncClient) -> None:
        page = await list_jobs(client, search="acme", limit=2, page=2)
        assert page["total"] == 3
        assert page["total_pages"] == 2
        assert len(page["jobs"]) == 1


class TestSearchUnicode:
    @pytest.fixture
    async def unicode_jobs(self, session: AsyncSession, company: Company) -> None:
        employer = await make_employer(session, company=company)
        await add_job(session, employer, title="ソフトウェア開発者", description="東京オフィス")
        await add_job(session, employer, title="مطور برمجيات", description="فريق الويب")
        await add_job(session, employer, title="Straße café", description="Œuvre ﬁnance")

    @pytest.mark.parametrize(
        ("search", "expected"),
        [
            ("ソフトウェア", {"ソフトウェア開発者"}),
            ("東京", {"ソフトウェア開発者"}),
            ("مطور", {"مطور برمجيات"}),
            ("الويب", {"مطور برمجيات"}),
            ("strasse", {"Straße café"}),
            ("CAFE", {"Straße café"}),
            ("œuvre finance", {"Straße café"}),
            ("🚀", {"ソフトウェア開発者", "مطور برمجيات", "Straße café"}),
        ],
    )
    async def test_matches(
        self, client: AsyncClient, unicode_jobs: None, search: str, expected: set[str]
    ) -> None:
        assert titles(await list_jobs(client, search=search)) == expected


NO_TERMS = ["'", '"', "*", ":", "&", "|", "!", "(", ")", '""', "-", "%", "_", "\\", "🚀🔥"]
HOSTILE = [
    *NO_TERMS,
    "a:*",
    "foo & | bar",
    "NOT",
    "OR",
    "AND",
    "python OR chef",
    "NEAR(python chef)",
    "title:python",
    "python*",
    "^python",
    "{python}",
    "'; DROP TABLE jobs; --",
    "%python%",
    "_a",
    "a%",
    "x" * 500,
    " ".join(["python"] * 100)[:500],
    " ".join(f"w{n}" for n in range(200))[:500],
    "開発者",
    "مطور",
    "\u202eevil\u202c",
]


class TestHostileSearch:
    @pytest.fixture
    async def jobs(self, session: AsyncSession, company: Company) -> None:
        employer = await make_employer(session, company=company)
        await add_job(session, employer, title="Python developer")
        await add_job(session, employer, title="Chef")

    @pytest.mark.usefixtures("jobs")
    @pytest.mark.parametrize("search", HOSTILE)
    async def test_never_an_error(self, client: AsyncClient, search: str) -> None:
        for sort in ("recent", "relevance"):
            page = await list_jobs(client, search=search, sort=sort)
            if search in NO_TERMS:
                assert page["total"] == 2, "no letters or digits means no search filter"

    @pytest.mark.parametrize("search", ["'", "a:*", "foo & | bar", "%", "_", "qa"])
    async def test_my_jobs_never_an_error(
        self, client: AsyncClient, session: AsyncSession, owner: Actor, search: str
    ) -> None:
        assert owner.employer is not None
        await add_job(session, owner.employer, title="Python developer")
        await list_jobs(client, owner, path="/api/jobs/my-jobs", search=search)


class TestLongWords:
    """A word longer than PostgreSQL's lexeme limit (2047 bytes) must not break writes or search."""

    async def test_job_with_a_huge_word_is_created_and_found(
        self, client: AsyncClient, owner: Actor
    ) -> None:
        word = "x" * 5000
        await post_job_ok(client, owner, title="Long word", description=word)
        found = await client.get("/api/jobs", params={"search": word[:300]})
        assert found.status_code == 200
        assert [job["title"] for job in found.json()["jobs"]] == ["Long word"]
