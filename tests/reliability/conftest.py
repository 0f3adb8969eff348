"""Fixtures for the reliability tests: a PostgreSQL database of the fault tests' own, which they
may terminate every backend of (the workload itself is in load.py)."""

import uuid
from collections.abc import AsyncIterator

import pytest
from sqlalchemy import text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import create_async_engine
from sqlalchemy.pool import NullPool

from intowork.core.migrations import upgrade_to_head
from tests.fixtures.databases import truncate_all
from tests.fixtures.services import TEST_DATABASE_URL, service_missing


@pytest.fixture(scope="module")
async def own_postgresql_database() -> AsyncIterator[str]:
    """A migrated PostgreSQL database of this module's own, beside TEST_DATABASE_URL's, dropped
    at the end: for tests that terminate every backend of their database, where nothing else
    (such as the suite's clean-up connection to the run's database) may be connected."""
    if TEST_DATABASE_URL is None:
        service_missing("PostgreSQL fault tests need TEST_DATABASE_URL")
    assert TEST_DATABASE_URL is not None
    server = create_async_engine(
        TEST_DATABASE_URL, poolclass=NullPool, isolation_level="AUTOCOMMIT"
    )
    name = f"intowork_fault_{uuid.uuid4().hex[:12]}"
    try:
        async with server.connect() as connection:
            await connection.execute(text(f'CREATE DATABASE "{name}"'))
    except (OSError, DBAPIError) as exc:
        await server.dispose()
        service_missing(f"PostgreSQL fault tests need a role that may create databases: {exc}")
    url = make_url(TEST_DATABASE_URL).set(database=name).render_as_string(hide_password=False)
    engine = create_async_engine(url, poolclass=NullPool)
    try:
        await upgrade_to_head(engine)
        yield url
    finally:
        await engine.dispose()
        async with server.connect() as connection:
            await connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        await server.dispose()


@pytest.fixture
async def fault_database_url(own_postgresql_database: str) -> AsyncIterator[str]:
    """That database, emptied after each test (on a connection of its own: no pooled one to be
    terminated by the test)."""
    yield own_postgresql_database
    engine = create_async_engine(own_postgresql_database, poolclass=NullPool)
    try:
        await truncate_all(engine)
    finally:
        await engine.dispose()
