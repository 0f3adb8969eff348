"""What `intowork worker` and `intowork emails` do (cli.py keeps the options and the output)."""

import asyncio
import signal
from datetime import UTC, datetime

from intowork.core.config import Settings
from intowork.core.db import create_database
from intowork.core.migrations import upgrade_to_head
from intowork.email import repository
from intowork.email.repository import FailedEmail
from intowork.email.worker import BatchResult, OutboxWorker


async def run_worker(settings: Settings, *, once: bool) -> BatchResult | None:
    """Delivers until SIGINT or SIGTERM (the batch in flight is finished first), or, with
    `once`, until nothing is due."""
    database = create_database(settings)
    worker = OutboxWorker.from_settings(database.sessionmaker, settings)
    try:
        if not settings.is_production:
            await upgrade_to_head(database.engine)
        if once:
            return await worker.drain()
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        for signum in (signal.SIGINT, signal.SIGTERM):
            loop.add_signal_handler(signum, stop.set)
        await worker.run(stop)
        return None
    finally:
        await worker.backend.aclose()
        await database.dispose()


async def failed_emails(settings: Settings) -> list[FailedEmail]:
    database = create_database(settings)
    try:
        if not settings.is_production:
            await upgrade_to_head(database.engine)
        async with database.sessionmaker() as session:
            return await repository.list_failed(session)
    finally:
        await database.dispose()


async def requeue_failed(settings: Settings, *, email_id: int | None) -> list[int]:
    database = create_database(settings)
    try:
        if not settings.is_production:
            await upgrade_to_head(database.engine)
        async with database.sessionmaker() as session, session.begin():
            return await repository.requeue_failed(
                session, now=datetime.now(UTC), email_id=email_id
            )
    finally:
        await database.dispose()
