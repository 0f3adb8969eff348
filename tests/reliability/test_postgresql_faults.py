"""PostgreSQL backends terminated under a mixed load (ARCHITECTURE.md: "When PostgreSQL restarts,
requests in flight may fail with 503, and the pool recovers without a restart of the app").

Concurrent clients read and write while a fault task runs `pg_terminate_backend` on every other
backend of the test's database, every 50 ms for a while. Each request is recorded with its start,
end and status: every answer must be its 2xx or a 503 `{"detail": ...}` (a 500 is a bug), 503s
only while the fault lasts, every request after it served by the same app, and every write that
was answered 2xx in the database, once.
"""

import asyncio
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass

import asyncpg
import pytest
from asyncpg.exceptions import AdminShutdownError, CannotConnectNowError, TooManyConnectionsError
from fastapi import FastAPI
from httpx import AsyncClient
from sqlalchemy import text
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import AsyncConnection, create_async_engine
from sqlalchemy.pool import NullPool

from intowork.core.errors import UNAVAILABLE_DETAIL
from tests.cache.conftest import client_of, running
from tests.fixtures.settings import SettingsFactory
from tests.fixtures.timing import wait_until_async
from tests.reliability.load import (
    Call,
    Timeline,
    Workload,
    build_world,
    check_writes,
    load,
)

# The app runs on a database of the module's own (`fault_database_url`): the fault terminates
# every backend of it. The suite's PostgreSQL fixture is asked for too, so that the tests skip
# (or fail with TEST_REQUIRE_SERVICES=1) as every PostgreSQL test does without the server.
pytestmark = pytest.mark.parametrize("database_url", ["postgresql"], indirect=True)

UNAVAILABLE = {"detail": UNAVAILABLE_DETAIL}
TERMINATE_EVERY_SECONDS = 0.05
# The last termination is signalled when its query returns; its backends then take a moment to
# exit (longer on a busy machine), and a request may have checked out one of them just before.
# A request started later than this after the fault must not see it (measured: the last 503
# answered at most 0.1 s after the fault).
IN_FLIGHT_TAIL_SECONDS = 0.5
# Requests started after that tail, all of which must be served (run_fault waits for them).
AFTER_FAULT_REQUESTS = 25
# Deadlines, not durations: the load answers dozens of requests a second even on a busy machine.
LOAD_SECONDS = 60
OTHER_BACKENDS = text(
    "SELECT pid FROM pg_stat_activity WHERE datname = :database AND pid <> pg_backend_pid()"
)
# What asyncpg raises when PostgreSQL refuses a new connection: the server is down, starting up
# or shutting down (57P03), out of connection slots (53300), or terminates it (57P01).
REFUSALS: dict[str, Callable[[], Exception]] = {
    "down": lambda: ConnectionRefusedError(111, "Connect call failed"),
    "starting up": lambda: CannotConnectNowError("the database system is starting up"),
    "shutting down": lambda: CannotConnectNowError("the database system is shutting down"),
    "too many connections": lambda: TooManyConnectionsError("sorry, too many clients already"),
    "terminated": lambda: AdminShutdownError("terminating connection due to administrator command"),
}
TERMINATE = text(
    "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
    "WHERE datname = :database AND pid <> pg_backend_pid()"
)


@asynccontextmanager
async def admin_connection(database_url: str) -> AsyncIterator[AsyncConnection]:
    """A connection of the test's own to the app's database, outside the app's pool."""
    engine = create_async_engine(database_url, poolclass=NullPool, isolation_level="AUTOCOMMIT")
    try:
        async with engine.connect() as connection:
            yield connection
    finally:
        await engine.dispose()


def database_name(database_url: str) -> str:
    name = make_url(database_url).database
    assert name is not None
    return name


async def terminate_others(connection: AsyncConnection, database: str) -> int:
    """Terminates every backend of `database` but this one; how many were."""
    result = await connection.execute(TERMINATE, {"database": database})
    return sum(1 for (terminated,) in result if terminated)


async def backends(connection: AsyncConnection, database: str) -> set[int]:
    return set((await connection.execute(OTHER_BACKENDS, {"database": database})).scalars())


async def terminate_and_wait(connection: AsyncConnection, database: str) -> set[int]:
    """Terminates every other backend of `database` and waits until they are gone (each exits
    on its own signal); returns their pids."""
    killed = await backends(connection, database)
    assert await terminate_others(connection, database) >= len(killed)

    async def gone() -> bool:
        return not await backends(connection, database) & killed

    await wait_until_async(gone, 30, what=f"backends {killed} gone", interval=0.02)
    return killed


@dataclass
class Fault:
    started: float = 0.0
    ended: float = 0.0
    rounds: int = 0
    terminated: int = 0


async def terminate_repeatedly(database_url: str, seconds: float) -> Fault:
    database = database_name(database_url)
    fault = Fault()
    async with admin_connection(database_url) as connection:
        fault.started = time.monotonic()
        while time.monotonic() < fault.started + seconds:
            fault.terminated += await terminate_others(connection, database)
            fault.rounds += 1
            await asyncio.sleep(TERMINATE_EVERY_SECONDS)
        fault.ended = time.monotonic()
    return fault


def report(timeline: Timeline, fault: Fault, work: Workload) -> str:
    """The figures of a run (shown with `pytest -s`, and in assertion messages)."""
    unavailable = [call for call in timeline.calls if call.status == 503]
    served_after = [c.ended for c in timeline.calls if c.started >= fault.ended and c.ok]
    first_started = min((call.started for call in unavailable), default=fault.started)
    last_ended = max((call.ended for call in unavailable), default=fault.started)
    return (
        f"{len(timeline.calls)} requests ({work.writes()} writes); fault of "
        f"{fault.ended - fault.started:.2f}s: {fault.rounds} rounds, {fault.terminated} backends "
        f"terminated; {len(unavailable)} answered 503, the first started "
        f"{first_started - fault.started:+.3f}s from the fault's start, the last answered "
        f"{last_ended - fault.ended:+.3f}s from its end; the first request started after it "
        f"was served {min(served_after, default=float('nan')) - fault.ended:.3f}s after it"
    )


async def run_fault(
    app: FastAPI,
    client: AsyncClient,
    database_url: str,
    *,
    clients: int,
    warm: float,
    fault_seconds: float,
    after: float,
) -> tuple[Timeline, Fault, Workload]:
    timeline = Timeline()
    world = await build_world(app.state.db.sessionmaker, app.state.settings)
    work = Workload(world, client, timeline)

    async def answered(count: int, since: float = 0.0) -> bool:
        return len(timeline.started_between(since, float("inf"))) >= count

    async with load(work.step, clients):
        await asyncio.sleep(warm)
        # The pool has connections to terminate once each client has had an answer.
        await wait_until_async(lambda: answered(clients), LOAD_SECONDS, what="the load started")
        fault = await terminate_repeatedly(database_url, fault_seconds)
        await asyncio.sleep(after)
        # A busy machine serves fewer requests per second: wait for enough of them after.
        tail_end = fault.ended + IN_FLIGHT_TAIL_SECONDS
        await wait_until_async(
            lambda: answered(AFTER_FAULT_REQUESTS, tail_end),
            LOAD_SECONDS,
            what=f"{AFTER_FAULT_REQUESTS} requests after the fault",
        )
    return timeline, fault, work


async def assert_recovered(app: FastAPI, timeline: Timeline, fault: Fault, work: Workload) -> None:
    figures = report(timeline, fault, work)
    print(figures)
    assert fault.terminated > 0, "the fault found backends to terminate"

    unexpected = [call for call in timeline.failed() if call.status != 503]
    assert not unexpected, f"not 2xx or 503: {timeline.describe(unexpected)}"
    unavailable = [call for call in timeline.calls if call.status == 503]
    assert unavailable, f"the fault was felt: {figures}"
    assert all(call.body == UNAVAILABLE for call in unavailable), timeline.describe(unavailable)

    window = (fault.started, fault.ended + IN_FLIGHT_TAIL_SECONDS)
    outside = [call for call in unavailable if not in_window(call, *window)]
    assert not outside, f"503 outside the fault: {timeline.describe(outside)}; {figures}"

    # The same app, no restart: what starts after the fault is served.
    after = timeline.started_between(window[1], float("inf"))
    assert len(after) >= AFTER_FAULT_REQUESTS, figures
    assert all(call.ok for call in after), timeline.describe(call for call in after if not call.ok)

    assert await check_writes(app.state.db.sessionmaker, work) > 0
    # No connection leaked by a failed request: every one is back in the pool (or discarded).
    assert app.state.db.engine.pool.checkedout() == 0


def in_window(call: Call, start: float, end: float) -> bool:
    """A 503 belongs to the fault if the request was in flight during it."""
    return call.ended >= start and call.started <= end


class TestBackendsTerminatedUnderLoad:
    async def test_quick(self, make_settings: SettingsFactory, fault_database_url: str) -> None:
        """The default-run variant: 1 s of terminations among 16 clients."""
        settings = make_settings(database_url=fault_database_url, log_level="CRITICAL")
        async with running(settings) as app, client_of(app) as client:
            timeline, fault, work = await run_fault(
                app, client, fault_database_url, clients=16, warm=1.0, fault_seconds=1.0, after=1.5
            )
            await assert_recovered(app, timeline, fault, work)

    @pytest.mark.slow
    async def test_long(self, make_settings: SettingsFactory, fault_database_url: str) -> None:
        """2 s of terminations among 32 clients, with more time before and after."""
        settings = make_settings(database_url=fault_database_url, log_level="CRITICAL")
        async with running(settings) as app, client_of(app) as client:
            timeline, fault, work = await run_fault(
                app, client, fault_database_url, clients=32, warm=3.0, fault_seconds=2.0, after=4.0
            )
            await assert_recovered(app, timeline, fault, work)


class TestIdleConnectionKilled:
    async def test_not_handed_to_the_next_request(
        self, make_settings: SettingsFactory, fault_database_url: str
    ) -> None:
        """Connections killed while idle in the pool are found out before use (pool_pre_ping):
        the next requests are answered, on new backends."""
        settings = make_settings(database_url=fault_database_url, log_level="CRITICAL")
        database = database_name(fault_database_url)
        async with (
            running(settings) as app,
            client_of(app) as client,
            admin_connection(fault_database_url) as admin,
        ):
            world = await build_world(app.state.db.sessionmaker, settings, jobs=2)
            candidate = world.candidates[0]

            async def read() -> int:
                response = await client.get("/api/notifications", headers=candidate.headers)
                return response.status_code

            # Several at once: several connections, all idle in the pool afterwards.
            assert set(await asyncio.gather(*(read() for _ in range(4)))) == {200}
            pool = app.state.db.engine.pool
            idle = pool.checkedin()
            assert idle >= 2, pool.status()
            killed = await terminate_and_wait(admin, database)
            assert len(killed) >= idle

            statuses = [await read() for _ in range(idle + 1)]
            assert statuses == [200] * (idle + 1)
            assert not await backends(admin, database) & killed
            assert set(await asyncio.gather(*(read() for _ in range(4)))) == {200}


def refusing(refusal: Callable[[], Exception]) -> Callable[..., Awaitable[None]]:
    """A stand-in for `asyncpg.connect` that is refused."""

    async def connect(*_args: object, **_kwargs: object) -> None:
        raise refusal()

    return connect


class TestServerRestarting:
    async def test_refused_connections_answer_503(
        self,
        make_settings: SettingsFactory,
        fault_database_url: str,
        monkeypatch: pytest.MonkeyPatch,
    ) -> None:
        """A restart as the pool sees it: its connections die, then new ones are refused for a
        while. Each refusal answers 503 (it was a 500 for all but "down"), and the first request
        once PostgreSQL accepts again is served, by the same app."""
        settings = make_settings(database_url=fault_database_url, log_level="CRITICAL")
        database = database_name(fault_database_url)
        async with (
            running(settings) as app,
            client_of(app) as client,
            admin_connection(fault_database_url) as admin,
        ):
            world = await build_world(app.state.db.sessionmaker, settings, jobs=1)
            headers = world.candidates[0].headers
            connect = asyncpg.connect
            for name, refusal in REFUSALS.items():
                await terminate_and_wait(admin, database)
                monkeypatch.setattr(asyncpg, "connect", refusing(refusal))
                response = await client.get("/api/notifications", headers=headers)
                assert (response.status_code, response.json()) == (503, UNAVAILABLE), name
                monkeypatch.setattr(asyncpg, "connect", connect)
                response = await client.get("/api/notifications", headers=headers)
                assert response.status_code == 200, name
