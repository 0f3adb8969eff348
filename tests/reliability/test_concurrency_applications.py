"""Concurrency invariants (issue 12) of applications: parallel applies, status changes, notes.

Each test fires a burst of requests at once (asyncio.gather over the in-process client). On
PostgreSQL they really interleave in the database; on SQLite the writers serialise, and the same
invariants must hold. Outcomes are checked against API.md and against the stored rows.
"""

import asyncio
import itertools
from datetime import UTC, datetime
from typing import Any

from httpx import AsyncClient, Response
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from intowork.core.config import Settings
from intowork.models import (
    ApplicationStatusHistory,
    EmailOutbox,
    Job,
    JobApplication,
    Notification,
    User,
)
from intowork.models.enums import (
    ApplicationStatus,
    EmailTemplate,
    JobStatus,
    NotificationType,
)
from tests.fixtures.factories import (
    make_application,
    make_job,
)
from tests.fixtures.tokens import bearer_header
from tests.reliability.concurrency import (
    ALLOWED,
    APPLICATION_NOT_FOUND,
    APPLICATION_TRANSITION,
    CANNOT_WITHDRAW,
    EMPLOYER,
    HAS_APPLICATIONS,
    MY,
    NOT_ACCEPTING,
    Headers,
    S,
    candidate_of,
    count,
    fresh,
    hiring_company,
    make_candidates,
    no_server_errors,
    stat_value,
)

# --- parallel applies ------------------------------------------------------------------------


class TestApplyWhileClosing:
    """Many candidates apply to one job while its employer closes it (API.md J6, P1)."""

    CANDIDATES = 24
    ROUNDS = 2

    async def test_no_application_after_the_close(
        self, client: AsyncClient, session: AsyncSession, settings: Settings
    ) -> None:
        owner, employer = await hiring_company(session)
        owner_headers = bearer_header(owner, settings)
        candidates = await make_candidates(session, self.CANDIDATES)
        headers = [bearer_header(user, settings) for user in candidates]
        accepted_total = 0
        for round_ in range(self.ROUNDS):
            job = await make_job(session, employer=employer, title=f"Round {round_}")
            applies = [client.post(MY, json={"job_id": job.id}, headers=h) for h in headers]
            close = client.patch(
                f"/api/jobs/{job.id}/status", json={"status": "closed"}, headers=owner_headers
            )
            # The close goes out after a third of the applies, so some straddle it.
            split = self.CANDIDATES // 3
            responses = await asyncio.gather(*applies[:split], close, *applies[split:])
            no_server_errors(responses)
            closed = responses.pop(split)
            assert closed.status_code == 200, closed.text
            created = {r.json()["id"] for r in responses if r.status_code == 201}
            for refused in (r for r in responses if r.status_code != 201):
                assert (refused.status_code, refused.json()) == (400, NOT_ACCEPTING)
            stored = await fresh(
                session, select(JobApplication.id).where(JobApplication.job_id == job.id)
            )
            # Every 201 is a row, and no row appeared after the close's commit: the close
            # counted, inside its own transaction, every application that will ever exist.
            assert set(stored) == created
            assert closed.json()["applications_count"] == len(created)
            in_history = ApplicationStatusHistory.application_id.in_(created)
            assert await count(session, ApplicationStatusHistory, in_history) == len(created)
            accepted_total += len(created)

        # Counts shown to the employer equal the rows, across every round.
        assert await count(session, JobApplication) == accepted_total
        my_jobs = (await client.get("/api/jobs/my-jobs", headers=owner_headers)).json()
        shown = sum(job["applications_count"] for job in my_jobs["jobs"])
        assert shown == accepted_total
        listed = await client.get(EMPLOYER, headers=owner_headers, params={"limit": 1})
        assert listed.json()["total"] == accepted_total
        dashboard = (await client.get("/api/dashboard", headers=owner_headers)).json()
        assert stat_value(dashboard, "Applications received") == str(accepted_total)
        notified = Notification.type == NotificationType.NEW_APPLICATION
        assert await count(session, Notification, notified) == accepted_total
        emailed = EmailOutbox.template == EmailTemplate.NEW_APPLICATION
        assert await count(session, EmailOutbox, emailed) == accepted_total

    async def test_apply_while_deleting(
        self, client: AsyncClient, session: AsyncSession, settings: Settings
    ) -> None:
        """J7 refuses to delete a job with applications: a 201 never vanishes with its job."""
        owner, employer = await hiring_company(session)
        owner_headers = bearer_header(owner, settings)
        candidates = await make_candidates(session, 12)
        headers = [bearer_header(user, settings) for user in candidates]
        for round_ in range(self.ROUNDS):
            job = await make_job(session, employer=employer, title=f"Round {round_}")
            applies = [client.post(MY, json={"job_id": job.id}, headers=h) for h in headers]
            delete = client.delete(f"/api/jobs/{job.id}", headers=owner_headers)
            responses = await asyncio.gather(*applies[:3], delete, *applies[3:])
            no_server_errors(responses)
            deleted = responses.pop(3)
            created = {r.json()["id"] for r in responses if r.status_code == 201}
            stored = await fresh(
                session, select(JobApplication.id).where(JobApplication.job_id == job.id)
            )
            assert set(stored) == created
            if deleted.status_code == 204:
                # Too late: the job is gone (404), or went while this apply was writing (409).
                assert {r.status_code for r in responses} <= {404, 409}
                assert await fresh(session, select(Job.id).where(Job.id == job.id)) == []
            else:
                assert deleted.json() == HAS_APPLICATIONS
                assert [r.status_code for r in responses] == [201] * len(responses)
            session.expunge(job)  # SQLite may give a deleted job's id to the next one


class TestApplyToManyJobs:
    async def test_one_candidate_everywhere_at_once(
        self, client: AsyncClient, session: AsyncSession, settings: Settings
    ) -> None:
        jobs_count = 20
        owner, employer = await hiring_company(session)
        assert employer.company_id is not None
        jobs = [
            Job(
                employer_id=employer.id,
                company_id=employer.company_id,
                title=f"Job {i}",
                description="Build the IntoWork API.",
                status=JobStatus.PUBLISHED,
                posted_at=datetime.now(UTC),
            )
            for i in range(jobs_count)
        ]
        session.add_all(jobs)  # one commit (the factory commits each)
        await session.commit()
        [user] = await make_candidates(session, 1)
        headers = bearer_header(user, settings)
        responses = await asyncio.gather(
            *(client.post(MY, json={"job_id": job.id}, headers=headers) for job in jobs)
        )
        assert [r.status_code for r in responses] == [201] * jobs_count, [r.text for r in responses]
        assert sorted(r.json()["job_id"] for r in responses) == sorted(job.id for job in jobs)
        assert await count(session, JobApplication) == jobs_count

        mine = (await client.get(MY, headers=headers, params={"limit": 100})).json()
        assert mine["total"] == jobs_count
        listed = (await client.get("/api/jobs", headers=headers, params={"limit": 100})).json()
        assert listed["total"] == jobs_count
        assert all(job["has_applied"] for job in listed["jobs"])
        assert all(job["applications_count"] == 1 for job in listed["jobs"])
        dashboard = (await client.get("/api/dashboard", headers=headers)).json()
        assert stat_value(dashboard, "Applications sent") == str(jobs_count)
        owner_dashboard = (
            await client.get("/api/dashboard", headers=bearer_header(owner, settings))
        ).json()
        assert stat_value(owner_dashboard, "Applications received") == str(jobs_count)
        assert await count(session, Notification, Notification.user_id == owner.id) == jobs_count


# --- status changes --------------------------------------------------------------------------


async def applications_in(
    session: AsyncSession, job: Job, candidates: list[User], status: ApplicationStatus
) -> list[JobApplication]:
    """One application per candidate, with its initial history row (as applying writes it)."""
    rows = []
    for user in candidates:
        candidate = await candidate_of(session, user)
        rows.append(await make_application(session, job=job, candidate=candidate, status=status))
    session.add_all(
        ApplicationStatusHistory(application_id=row.id, from_status=None, to_status=status)
        for row in rows
    )
    await session.commit()
    return rows


def put_status(client: AsyncClient, headers: Headers, application_id: int, status: str) -> Any:
    return client.put(
        f"{EMPLOYER}/{application_id}/status", json={"status": status}, headers=headers
    )


def refused_transition(response: Response, requested: str) -> bool:
    match = APPLICATION_TRANSITION.fullmatch(response.json()["detail"])
    return response.status_code == 409 and match is not None and match[2] == requested


class TestStatusChanges:
    """Every status PUT at once on each application (API.md P5)."""

    APPLICATIONS = 5
    ROUNDS = 2

    async def test_every_status_at_once(
        self, client: AsyncClient, session: AsyncSession, settings: Settings
    ) -> None:
        owner, employer = await hiring_company(session)
        headers = bearer_header(owner, settings)
        job = await make_job(session, employer=employer)
        for _ in range(self.ROUNDS):
            candidates = await make_candidates(session, self.APPLICATIONS)
            rows = await applications_in(session, job, candidates, S.APPLIED)
            # Each status once per application: a 200 for anything but `applied` is a change.
            requests = [(row.id, status) for row in rows for status in S]
            responses = await asyncio.gather(
                *(put_status(client, headers, id_, status.value) for id_, status in requests)
            )
            no_server_errors(responses)
            for row, user in zip(rows, candidates, strict=True):
                answers = [
                    (status, response)
                    for (id_, status), response in zip(requests, responses, strict=True)
                    if id_ == row.id
                ]
                await self.check_one(session, row.id, user, answers)

    async def check_one(
        self,
        session: AsyncSession,
        application_id: int,
        user: User,
        answers: list[tuple[ApplicationStatus, Response]],
    ) -> None:
        ok = {status for status, response in answers if response.status_code == 200}
        for status, response in answers:
            if response.status_code == 200:
                assert response.json() == {
                    "message": "Application status updated",
                    "application_id": application_id,
                    "new_status": status.value,
                }
            else:
                assert refused_transition(response, status.value), response.text
        refusals = [
            (S(match[1]), S(match[2]))
            for _, response in answers
            if (match := APPLICATION_TRANSITION.fullmatch(response.json().get("detail", "")))
        ]
        changes = ok - {S.APPLIED}
        history = await fresh(
            session,
            select(ApplicationStatusHistory)
            .where(ApplicationStatusHistory.application_id == application_id)
            .order_by(ApplicationStatusHistory.id),
        )
        # A chain from the initial row: each move starts where the previous one ended, follows
        # the state machine (so nothing leaves accepted or rejected), and is a 200 that changed.
        steps = [(row.from_status, row.to_status) for row in history]
        assert steps[0] == (None, S.APPLIED)
        for (_, before), (after_from, after_to) in itertools.pairwise(steps):
            assert after_from == before
            assert after_to in ALLOWED[before]
        assert {to for _, to in steps[1:]} == changes
        # Each request saw the state the previous one left, as if they ran one after the other:
        # a 409 names a status of the chain from which its move is really not allowed.
        for before, wanted in refusals:
            assert before in {to for _, to in steps}
            assert wanted not in ALLOWED[before]
        assert len(steps) - 1 == len(changes)
        [stored] = await fresh(
            session, select(JobApplication.status).where(JobApplication.id == application_id)
        )
        assert stored == steps[-1][1]
        assert stored in ok
        status_notes = Notification.type == NotificationType.STATUS_CHANGE
        mine = Notification.user_id == user.id
        assert await count(session, Notification, status_notes, mine) == len(changes)
        emails = (
            EmailOutbox.template == EmailTemplate.STATUS_CHANGE,
            EmailOutbox.to_email == user.email,
        )
        assert await count(session, EmailOutbox, *emails) == len(changes)

    async def test_withdraw_races_accept_and_reject(
        self, client: AsyncClient, session: AsyncSession, settings: Settings
    ) -> None:
        pairs = 10
        owner, employer = await hiring_company(session)
        owner_headers = bearer_header(owner, settings)
        job = await make_job(session, employer=employer)
        candidates = await make_candidates(session, pairs)
        rows = await applications_in(session, job, candidates, S.INTERVIEW)
        calls = []
        for row, user in zip(rows, candidates, strict=True):
            withdraw = f"{MY}/{row.id}"
            calls += [
                client.delete(withdraw, headers=bearer_header(user, settings)),
                put_status(client, owner_headers, row.id, "accepted"),
                put_status(client, owner_headers, row.id, "rejected"),
                client.delete(withdraw, headers=bearer_header(user, settings)),
            ]
        responses = await asyncio.gather(*calls)
        no_server_errors(responses)
        for index, (row, user) in enumerate(zip(rows, candidates, strict=True)):
            answers = responses[4 * index : 4 * index + 4]
            [won] = [r for r in answers if r.status_code == 200]
            withdrawals, accept, reject = answers[::3], answers[1], answers[2]
            stored = await fresh(
                session, select(JobApplication.status).where(JobApplication.id == row.id)
            )
            moves = await fresh(
                session,
                select(ApplicationStatusHistory.to_status).where(
                    ApplicationStatusHistory.application_id == row.id,
                    ApplicationStatusHistory.from_status.is_not(None),
                ),
            )
            notified = await count(
                session,
                Notification,
                Notification.user_id == user.id,
                Notification.type == NotificationType.STATUS_CHANGE,
            )
            if won in withdrawals:
                assert (stored, moves, notified) == ([], [], 0)
                # Gone for everyone after it (API.md 5: missing 404).
                for lost in (r for r in answers if r is not won):
                    assert (lost.status_code, lost.json()) == (404, APPLICATION_NOT_FOUND)
            else:
                # Accepted or rejected first: final, so the withdrawals are refused (P2).
                for lost in withdrawals:
                    assert (lost.status_code, lost.json()) == (400, CANNOT_WITHDRAW)
                final = S.ACCEPTED if won is accept else S.REJECTED
                assert (stored, moves, notified) == ([final], [final], 1)
                loser, other = (reject, "rejected") if won is accept else (accept, "accepted")
                assert (loser.status_code, loser.json()["detail"]) == (
                    409,
                    f"Cannot change application status from {final.value} to {other}",
                )

    async def test_the_same_change_many_times(
        self, client: AsyncClient, session: AsyncSession, settings: Settings
    ) -> None:
        """A repeated (retried) PUT is a no-op 200 (P5), also while the first is in flight."""
        owner, employer = await hiring_company(session)
        headers = bearer_header(owner, settings)
        job = await make_job(session, employer=employer)
        [user] = await make_candidates(session, 1)
        [row] = await applications_in(session, job, [user], S.APPLIED)
        responses = await asyncio.gather(
            *(put_status(client, headers, row.id, "shortlisted") for _ in range(20))
        )
        assert [r.status_code for r in responses] == [200] * 20, [r.text for r in responses]
        moves = ApplicationStatusHistory.from_status.is_not(None)
        assert await count(session, ApplicationStatusHistory, moves) == 1
        assert await count(session, Notification, Notification.user_id == user.id) == 1


class TestNotes:
    """Notes replace the note (API.md 5): concurrent writes lose nothing but the replaced note."""

    async def test_notes_and_statuses_on_many_applications(
        self, client: AsyncClient, session: AsyncSession, settings: Settings
    ) -> None:
        owner, employer = await hiring_company(session)
        headers = bearer_header(owner, settings)
        job = await make_job(session, employer=employer)
        rows = await applications_in(session, job, await make_candidates(session, 12), S.APPLIED)
        notes = [
            client.put(f"{EMPLOYER}/{row.id}/notes", json={"notes": f"n{row.id}"}, headers=headers)
            for row in rows
        ]
        moves = [put_status(client, headers, row.id, "viewed") for row in rows]
        responses = await asyncio.gather(*itertools.chain(*zip(notes, moves, strict=True)))
        assert [r.status_code for r in responses] == [200] * len(responses)
        stored = await fresh(session, select(JobApplication).order_by(JobApplication.id))
        # Neither write undid the other: every note and every status change is kept.
        assert [(a.notes, a.status) for a in stored] == [(f"n{r.id}", S.VIEWED) for r in rows]

    async def test_notes_while_withdrawing(
        self, client: AsyncClient, session: AsyncSession, settings: Settings
    ) -> None:
        """A note written after the withdrawal is a 404, not a 200 for nothing stored."""
        owner, employer = await hiring_company(session)
        headers = bearer_header(owner, settings)
        job = await make_job(session, employer=employer)
        candidates = await make_candidates(session, 5)
        rows = await applications_in(session, job, candidates, S.APPLIED)
        calls = []
        for row, user in zip(rows, candidates, strict=True):
            notes = [
                client.put(f"{EMPLOYER}/{row.id}/notes", json={"notes": f"n{i}"}, headers=headers)
                for i in range(4)
            ]
            calls += [
                *notes[:1],
                client.delete(f"{MY}/{row.id}", headers=bearer_header(user, settings)),
            ]
            calls += notes[1:]
        responses = await asyncio.gather(*calls)
        no_server_errors(responses)
        withdrawals = responses[1::5]
        assert [r.status_code for r in withdrawals] == [200] * len(rows)
        notes_answers = [r for r in responses if r not in withdrawals]
        assert {r.status_code for r in notes_answers} <= {200, 404}
        assert 404 in {r.status_code for r in notes_answers}
        for refused in (r for r in notes_answers if r.status_code == 404):
            assert refused.json() == APPLICATION_NOT_FOUND
        assert await count(session, JobApplication) == 0

    async def test_many_notes_on_one_application(
        self, client: AsyncClient, session: AsyncSession, settings: Settings
    ) -> None:
        owner, employer = await hiring_company(session)
        headers = bearer_header(owner, settings)
        job = await make_job(session, employer=employer)
        [row] = await applications_in(session, job, await make_candidates(session, 1), S.APPLIED)
        texts = [f"note {i}" + "x" * i for i in range(20)]
        responses = await asyncio.gather(
            *(
                client.put(f"{EMPLOYER}/{row.id}/notes", json={"notes": t}, headers=headers)
                for t in texts
            )
        )
        assert [r.json()["notes"] for r in responses] == texts
        [stored] = await fresh(session, select(JobApplication.notes))
        assert stored in texts
        listed = (await client.get(EMPLOYER, headers=headers)).json()
        assert listed["applications"][0]["notes"] == stored
