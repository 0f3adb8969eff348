"""Fixtures for the reliability tests: a PostgreSQL database of the fault tests' own, which they
may terminate every backend of (the workload itself is in load.py)."""

from collections.abc import AsyncIterator

import pytest
from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import create_async_engine
from sqlalchemy.pool import NullPool

from intowork.core.migrations import upgrade_to_head
from tests.fixtures.databases import create_database, drop_database, truncate_all
from tests.fixtures.services import TEST_DATABASE_URL, service_missing


@pytest.fixture(scope="module")
async def own_postgresql_database() -> AsyncIterator[str]:
    """A migrated PostgreSQL database of this module's own, beside TEST_DATABASE_URL's, dropped
    at the end: for tests that terminate every backend of their database, where nothing else
    (such as the suite's clean-up connection to the run's database) may be connected."""
    if TEST_DATABASE_URL is None:
        service_missing("PostgreSQL fault tests need TEST_DATABASE_URL")
    try:
        url = await create_database("intowork_fault")
    except (OSError, DBAPIError) as exc:
        service_missing(f"PostgreSQL fault tests need a role that may create databases: {exc}")
    engine = create_async_engine(url, poolclass=NullPool)
    try:
        await upgrade_to_head(engine)
        yield url
    finally:
        await engine.dispose()
        await drop_database(url)


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
