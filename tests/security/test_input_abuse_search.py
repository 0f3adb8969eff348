"""Input abuse in searches: SQL, LIKE, tsquery and FTS5 syntax is only ever text, so no operator
widens a search, and the substring filters take wildcards literally."""

from httpx import AsyncClient

from intowork.jobs.search import parse_search, search_document
from tests.fixtures.abuse import DESCRIPTION, World, job_ids

# SQL, LIKE, tsquery and FTS5 syntax: none of it may reach the engines as syntax.
OPERATORS = [
    "' OR 1=1 --",
    "' OR '1'='1",
    "python' OR 1=1 --",
    "1; DROP TABLE jobs; --",
    "%",
    "_",
    "\\",
    "%%",
    "&",
    "|",
    "!",
    ":*",
    "<->",
    "(",
    ")",
    '"',
    "'",
    "python | rust",
    "python OR rust",
    "python & !rust",
    "python <-> rust",
    "python:* | rust:*",
    "NEAR(python rust)",
    "NEAR(",
    "python AND",
    "AND OR NOT",
    "*",
    "python*",
    "^python",
    "title:python",
    "{title}: rust",
    '"python" OR "rust"',
    "-python",
    "python NOT rust",
]


class TestSearchOperators:
    async def test_operators_never_widen_the_public_search(
        self, client: AsyncClient, world: World
    ) -> None:
        everything = await job_ids(client)
        assert sorted(everything) == sorted([world.python_job, world.rust_job])
        assert await job_ids(client, search="python") == [world.python_job]
        # J1 as an oracle: every search term is a prefix of some word of the job.
        documents = {
            world.python_job: search_document("Python developer", DESCRIPTION, "Acme").split(),
            world.rust_job: search_document("Rust engineer", DESCRIPTION, "Acme").split(),
        }
        for operator in OPERATORS:
            query = parse_search(operator)
            terms = query.indexed_terms + query.short_terms
            expected = {
                job
                for job, words in documents.items()
                if all(any(word.startswith(term) for word in words) for term in terms)
            }
            for sort in ("recent", "relevance"):
                found = await job_ids(client, search=operator, sort=sort)
                assert len(found) == len(set(found))
                assert set(found) == expected, (operator, sort, found)
                # Glued to a word, an operator still narrows to that word's matches at most.
                glued = await job_ids(client, search=f"python{operator}", sort=sort)
                assert set(glued) <= {world.python_job}, operator
        # Punctuation only searches nothing: the unfiltered list, no more; "|" and "OR" are
        # never a union.
        assert set(await job_ids(client, search="%")) == set(everything)
        for union in ("python | rust", "python OR rust", "python:* | rust:*", "' OR 1=1 --"):
            assert await job_ids(client, search=union) == [], union

    async def test_empty_and_blank_searches_are_no_filter(
        self, client: AsyncClient, world: World
    ) -> None:
        everything = await job_ids(client)
        for search in ("", " ", "   ", "\t", "\u3000", "\n"):
            assert await job_ids(client, search=search) == everything, repr(search)

    async def test_like_wildcards_are_literal(self, client: AsyncClient, world: World) -> None:
        """Substring filters (my jobs, admin users, location) take `%`, `_` and `\\` literally."""
        mine = await job_ids(client, path="/api/jobs/my-jobs", headers=world.employer)
        assert len(mine) == 3
        for search in ("%", "_", "\\", "%%", "pyth%n", "pyth_n", "' OR 1=1 --", "%' OR '1'='1"):
            assert (
                await job_ids(
                    client, path="/api/jobs/my-jobs", headers=world.employer, search=search
                )
                == []
            ), search
            assert await job_ids(client, location=search) == [], search
            users = await client.get(
                "/api/admin/users", params={"search": search}, headers=world.admin
            )
            assert users.status_code == 200, users.text
            assert users.json() == [], search
        # The controls: the same filters do find what they should.
        python = await job_ids(
            client, path="/api/jobs/my-jobs", headers=world.employer, search="python"
        )
        assert sorted(python) == sorted([world.python_job, world.draft_job])
        assert await job_ids(client, location="ari") == [world.python_job]
        users = await client.get(
            "/api/admin/users", params={"search": "example.com"}, headers=world.admin
        )
        assert len(users.json()) == 3
