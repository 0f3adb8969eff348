"""Statement budgets of the pipeline's writes: applying and moving an application."""

from typing import Any

import pytest
from httpx import AsyncClient

from intowork.models import Job
from tests.applications.conftest import EMPLOYER, Actor, apply, apply_ok
from tests.cvs.conftest import upload_cv_ok

# Before issue 19 point 4 -> now. Applying: the user; the job with the caller's candidate id;
# the CV; the insert that decides "already applied"; history, notification and e-mail; the
# company's employers (cache scopes). 13 -> 8.
APPLY_BUDGET = 8
# The same up to the insert, which inserts nothing; the job's status tells why. 5 -> 5.
APPLY_TWICE_BUDGET = 5
# The user; the application with the caller's company; the compare-and-set; history,
# notification and e-mail; the company's employers. 9 -> 7.
STATUS_BUDGET = 7
# The user; the application; the status under lock. 4 -> 3.
SAME_STATUS_BUDGET = 3
NOTES_BUDGET = 3  # the user; the application; the update. 4 -> 3.


class TestApplyBudget:
    async def test_apply(
        self, client: AsyncClient, candidate: Actor, job: Job, count_statements: Any
    ) -> None:
        with count_statements() as log:
            response = await apply(client, candidate, job.id)
        assert response.status_code == 201
        assert log.count <= APPLY_BUDGET, log

    async def test_apply_with_cv(
        self, client: AsyncClient, candidate: Actor, job: Job, count_statements: Any
    ) -> None:
        cv = await upload_cv_ok(client, candidate)
        with count_statements() as log:
            response = await apply(client, candidate, job.id, cv_id=cv["cv_id"])
        assert response.status_code == 201
        assert log.count <= APPLY_BUDGET, log

    async def test_apply_twice(
        self, client: AsyncClient, candidate: Actor, job: Job, count_statements: Any
    ) -> None:
        await apply_ok(client, candidate, job.id)
        with count_statements() as log:
            response = await apply(client, candidate, job.id)
        assert response.status_code == 400
        assert log.count <= APPLY_TWICE_BUDGET, log


class TestEmployerActionBudget:
    @pytest.mark.parametrize(
        ("change", "budget"),
        [
            ({"status": "viewed"}, STATUS_BUDGET),
            ({"status": "applied"}, SAME_STATUS_BUDGET),
            ({"notes": "Strong"}, NOTES_BUDGET),
        ],
        ids=["status", "same-status", "notes"],
    )
    async def test_change(
        self,
        client: AsyncClient,
        candidate: Actor,
        employer: Actor,
        job: Job,
        count_statements: Any,
        change: dict[str, str],
        budget: int,
    ) -> None:
        created = await apply_ok(client, candidate, job.id)
        [field] = change
        with count_statements() as log:
            response = await client.put(
                f"{EMPLOYER}/{created['id']}/{field}", json=change, headers=employer.headers
            )
        assert response.status_code == 200, response.text
        assert log.count <= budget, log
