"""Every jobs path answers with and without one trailing slash, without a redirect."""

from httpx import AsyncClient
from sqlalchemy.ext.asyncio import AsyncSession

from tests.jobs.conftest import Actor, add_job, job_body, post_job_ok


class TestTrailingSlash:
    async def test_list(self, client: AsyncClient, session: AsyncSession, owner: Actor) -> None:
        assert owner.employer is not None
        await add_job(session, owner.employer)
        plain = await client.get("/api/jobs", params={"limit": 5})
        slashed = await client.get("/api/jobs/", params={"limit": 5})
        assert (plain.status_code, slashed.status_code) == (200, 200)
        assert slashed.json() == plain.json()
        assert slashed.json()["total"] == 1

    async def test_detail(self, client: AsyncClient, owner: Actor) -> None:
        job_id = (await post_job_ok(client, owner))["id"]
        plain = await client.get(f"/api/jobs/{job_id}", headers=owner.headers)
        slashed = await client.get(f"/api/jobs/{job_id}/", headers=owner.headers)
        assert (plain.status_code, slashed.status_code) == (200, 200)
        assert slashed.json() == plain.json()
        missing = await client.get("/api/jobs/424242/")
        assert (missing.status_code, missing.json()) == (404, {"detail": "Job not found"})

    async def test_literal_routes(self, client: AsyncClient, owner: Actor) -> None:
        for path in ("/api/jobs/my-jobs/", "/api/jobs/stats/recent/"):
            response = await client.get(path, headers=owner.headers)
            assert response.status_code == 200, (path, response.text)
            without = await client.get(path.rstrip("/"), headers=owner.headers)
            assert response.json() == without.json()

    async def test_writes(self, client: AsyncClient, owner: Actor) -> None:
        created = await client.post("/api/jobs/create/", json=job_body(), headers=owner.headers)
        assert created.status_code == 201, created.text
        job_id = created.json()["id"]
        path = f"/api/jobs/{job_id}/"
        updated = await client.put(path, json=job_body(title="New"), headers=owner.headers)
        assert updated.status_code == 200, updated.text
        assert updated.json()["title"] == "New"
        closed = await client.patch(
            f"/api/jobs/{job_id}/status/", json={"status": "closed"}, headers=owner.headers
        )
        assert closed.status_code == 200, closed.text
        assert closed.json()["status"] == "closed"
        deleted = await client.delete(path, headers=owner.headers)
        assert deleted.status_code == 204, deleted.text
