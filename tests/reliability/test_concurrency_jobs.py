"""Concurrency invariants (issue 12) of jobs: whole-body edits, status races, deletes (see
test_concurrency_applications.py for how the bursts run)."""

import asyncio
import itertools
from typing import Any

from httpx import AsyncClient
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from intowork.core.config import Settings
from intowork.models import (
    Job,
)
from tests.fixtures.factories import (
    make_job,
)
from tests.fixtures.tokens import bearer_header
from tests.reliability.concurrency import JOB_TRANSITION, fresh, hiring_company, no_server_errors

# --- job edits -------------------------------------------------------------------------------

JOB_FIELDS = (
    "title",
    "description",
    "location",
    "location_type",
    "job_type",
    "salary_min",
    "salary_max",
    "currency",
    "requirements",
    "responsibilities",
    "benefits",
)


def job_body(i: int) -> dict[str, Any]:
    """A whole body whose every field tells which body it came from (some of them null)."""
    return {
        "title": f"Title {i}",
        "description": f"Description {i} " + "d" * (i * 20 + 1),  # no trailing space to trim
        "location": f"City {i}" if i % 3 else None,
        "location_type": ["on_site", "remote", "hybrid"][i % 3],
        "job_type": ["full_time", "part_time", "contract", "temporary", "internship"][i % 5],
        "salary_min": 1000 * i if i % 2 else None,
        "salary_max": 1000 * i + 500,
        "currency": ["EUR", "USD", "GBP"][i % 3],
        "requirements": f"Requirements {i}" if i % 4 else None,
        "responsibilities": f"Responsibilities {i}",
        "benefits": f"Benefits {i}" if i % 2 == 0 else None,
    }


# JobResponse and JobItem (API.md 2) lack the detail's long texts.
ITEM_FIELDS = JOB_FIELDS[:8]


def fields_of(job: dict[str, Any], fields: tuple[str, ...] = JOB_FIELDS) -> dict[str, Any]:
    return {field: job[field] for field in fields}


def as_list_item(body: dict[str, Any]) -> dict[str, Any]:
    item = fields_of(body, ITEM_FIELDS)
    if len(item["description"]) > 300:
        item["description"] = item["description"][:300] + "..."
    return item


def anonymous_reads(client: AsyncClient, job_id: int, n: int) -> list[Any]:
    """Readers that fill the cache during the burst (the test settings keep it on)."""
    return [
        client.get(f"/api/jobs/{job_id}") if i % 2 else client.get("/api/jobs") for i in range(n)
    ]


class TestJobEdits:
    BODIES = 12
    ROUNDS = 2

    async def test_whole_bodies_never_mix(
        self, client: AsyncClient, session: AsyncSession, settings: Settings
    ) -> None:
        owner, employer = await hiring_company(session)
        headers = bearer_header(owner, settings)
        job = await make_job(session, employer=employer)
        for round_ in range(self.ROUNDS):
            bodies = [job_body(round_ * self.BODIES + i + 1) for i in range(self.BODIES)]
            edits = [client.put(f"/api/jobs/{job.id}", json=b, headers=headers) for b in bodies]
            reads = anonymous_reads(client, job.id, self.BODIES)
            responses = await asyncio.gather(*itertools.chain(*zip(edits, reads, strict=True)))
            no_server_errors(responses)
            # Each edit answered with its own body: nothing of another edit leaked into it.
            for body, response in zip(bodies, responses[::2], strict=True):
                assert response.status_code == 200, response.text
                assert fields_of(response.json(), ITEM_FIELDS) == fields_of(body, ITEM_FIELDS)
            detail = await client.get(f"/api/jobs/{job.id}")
            stored = fields_of(detail.json())
            # Exactly one of the bodies, whole, and the cached pages show it (none left stale).
            assert stored in bodies
            listed = (await client.get("/api/jobs")).json()["jobs"]
            assert [fields_of(item, ITEM_FIELDS) for item in listed] == [as_list_item(stored)]
            owner_view = await client.get(f"/api/jobs/{job.id}", headers=headers)
            assert fields_of(owner_view.json()) == stored

    async def test_edits_while_deleting(
        self, client: AsyncClient, session: AsyncSession, settings: Settings
    ) -> None:
        """An edit that lost the race to a delete is a 404, never a 500."""
        owner, employer = await hiring_company(session)
        headers = bearer_header(owner, settings)
        for round_ in range(self.ROUNDS):
            job = await make_job(session, employer=employer, title=f"Round {round_}")
            edits = [
                client.put(f"/api/jobs/{job.id}", json=job_body(i), headers=headers)
                for i in range(self.BODIES)
            ]
            delete = client.delete(f"/api/jobs/{job.id}", headers=headers)
            responses = await asyncio.gather(*edits[:4], delete, *edits[4:])
            no_server_errors(responses)
            assert responses.pop(4).status_code == 204
            assert {r.status_code for r in responses} <= {200, 404}
            assert await fresh(session, select(Job.id).where(Job.id == job.id)) == []
            session.expunge(job)  # SQLite may give a deleted job's id to the next one


class TestJobStatusRaces:
    ROUNDS = 3

    async def test_publish_close_archive_and_edit(
        self, client: AsyncClient, session: AsyncSession, settings: Settings
    ) -> None:
        owner, employer = await hiring_company(session)
        headers = bearer_header(owner, settings)
        for round_ in range(self.ROUNDS):
            job = await make_job(session, employer=employer, title=f"Round {round_}")
            posted_at = (await client.get(f"/api/jobs/{job.id}")).json()["posted_at"]
            targets = ["closed", "published", "archived"] * 3
            patches = [
                client.patch(f"/api/jobs/{job.id}/status", json={"status": t}, headers=headers)
                for t in targets
            ]
            edit = client.put(f"/api/jobs/{job.id}", json=job_body(round_), headers=headers)
            reads = anonymous_reads(client, job.id, len(targets))
            responses = await asyncio.gather(
                edit, *itertools.chain(*zip(patches, reads, strict=True))
            )
            no_server_errors(responses)
            assert responses[0].status_code == 200
            answered = set()
            for target, response in zip(targets, responses[1::2], strict=True):
                if response.status_code == 200:
                    assert response.json()["status"] == target
                    answered.add(target)
                else:
                    assert response.status_code == 409, response.text
                    match = JOB_TRANSITION.fullmatch(response.json()["detail"])
                    assert match is not None
                    assert match[2] == target
            mine = (await client.get("/api/jobs/my-jobs", headers=headers)).json()["jobs"]
            [final] = [item["status"] for item in mine if item["id"] == job.id]
            assert final in answered
            # The cached public pages agree with the final state, and the edit survived.
            detail = await client.get(f"/api/jobs/{job.id}")
            listed = [item["id"] for item in (await client.get("/api/jobs")).json()["jobs"]]
            if final == "published":
                assert detail.status_code == 200
                assert fields_of(detail.json()) == job_body(round_)
                assert detail.json()["posted_at"] == posted_at
                assert job.id in listed
            else:
                assert detail.status_code == 404
                assert job.id not in listed


class TestSameStatusTwice:
    async def test_concurrent_closes_all_succeed(
        self, client: AsyncClient, session: AsyncSession, settings: Settings
    ) -> None:
        """Same status = no-op 200 (J6), also when the first close has not committed yet."""
        owner, employer = await hiring_company(session)
        job = await make_job(session, employer=employer)
        headers = bearer_header(owner, settings)
        responses = await asyncio.gather(
            *(
                client.patch(
                    f"/api/jobs/{job.id}/status", json={"status": "closed"}, headers=headers
                )
                for _ in range(20)
            )
        )
        assert [r.status_code for r in responses] == [200] * 20, [r.text for r in responses]
        assert {r.json()["status"] for r in responses} == {"closed"}
