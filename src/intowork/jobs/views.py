"""Job views counted off the read path (issue 18), written to `jobs.views_count` in batches.

A read adds its view here: HINCRBY on the hash `{REDIS_KEY_PREFIX}job_views` with Redis, else an
in-process counter (also the fallback while Redis fails: a view is never refused). Every
VIEW_FLUSH_SECONDS the flusher takes what is pending, atomically (a Lua HGETALL + DEL, so of
several processes sharing one Redis each view is taken by exactly one, and a view counted during
a flush waits for the next), and adds it with one UPDATE per batch of at most 500 jobs, each in
its own transaction. A batch whose transaction fails is put back, with the batches after it.

Bounded loss: memory loses at most VIEW_FLUSH_SECONDS of views on a crash (none on a clean
shutdown, which flushes last); Redis keeps them across restarts of the app, and loses at most
the batches of a flush in flight if the process dies between taking them and committing.
"""

import asyncio
import time
from collections import Counter
from collections.abc import Iterable
from typing import Any

from loguru import logger
from redis.asyncio import Redis
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from intowork.core.observability import metrics
from intowork.jobs import repository

FLUSH_BATCH = 500
# As for the cache: after a Redis error, views stay in memory for a while, then Redis is tried.
REDIS_RETRY_SECONDS = 5.0
STOP_TIMEOUT_SECONDS = 30.0

# Atomic in Redis: no view is taken twice, none counted meanwhile is dropped.
TAKE_SCRIPT = """
local pending = redis.call('HGETALL', KEYS[1])
redis.call('DEL', KEYS[1])
return pending
"""


class JobViews:
    def __init__(
        self,
        sessionmaker: async_sessionmaker[AsyncSession],
        redis: Redis | None = None,
        prefix: str = "",
    ) -> None:
        self.sessionmaker = sessionmaker
        self.redis = redis
        self.key = f"{prefix}job_views"
        self.pending: Counter[int] = Counter()
        self.redis_down_until = 0.0
        self._take = redis.register_script(TAKE_SCRIPT) if redis is not None else None
        self._stop = asyncio.Event()
        self._task: asyncio.Task[None] | None = None

    @property
    def _redis_usable(self) -> bool:
        return self.redis is not None and time.monotonic() >= self.redis_down_until

    def _redis_failed(self, exc: Exception, event: str) -> None:
        self.redis_down_until = time.monotonic() + REDIS_RETRY_SECONDS
        logger.bind(error=type(exc).__name__).warning(event)

    async def add(self, job_id: int) -> None:
        """One view of this job; never fails."""
        if self.redis is not None and self._redis_usable:
            try:
                await self.redis.hincrby(self.key, str(job_id), 1)
                return
            except Exception as exc:
                self._redis_failed(exc, "job_views.redis_unavailable")
        self.pending[job_id] += 1

    async def take(self) -> Counter[int]:
        """Everything pending, removed from the buffer (memory and Redis)."""
        taken, self.pending = self.pending, Counter()
        if self._take is not None and self._redis_usable:
            try:
                raw: list[Any] = await self._take(keys=[self.key])
            except Exception as exc:
                self._redis_failed(exc, "job_views.redis_unavailable")
            else:
                for field, value in zip(raw[::2], raw[1::2], strict=True):
                    taken[int(field)] += int(value)
        return taken

    async def put_back(self, counts: dict[int, int]) -> None:
        """Views that could not be written: pending again (in Redis when possible)."""
        if self.redis is not None and self._redis_usable:
            try:
                async with self.redis.pipeline(transaction=True) as pipe:
                    for job_id, views in counts.items():
                        pipe.hincrby(self.key, str(job_id), views)
                    await pipe.execute()
                return
            except Exception as exc:
                self._redis_failed(exc, "job_views.redis_unavailable")
        self.pending.update(counts)

    async def flush(self) -> int:
        """Writes what is pending; the number of views written (deleted jobs' ones included)."""
        taken = await self.take()
        batches = list(_batches(sorted(taken.items())))
        written = 0
        for n, batch in enumerate(batches):
            try:
                async with self.sessionmaker() as session:
                    await repository.add_views(session, batch)
                    await session.commit()
            except Exception as exc:
                metrics.job_view_flush_failed()
                logger.bind(error=type(exc).__name__).opt(exception=exc).error(
                    "job_views.flush_failed"
                )
                for rest in batches[n:]:
                    await self.put_back(rest)
                break
            written += sum(batch.values())
        if written:
            metrics.job_views_flushed(written)
        return written

    def start(self, interval: float) -> None:
        self._task = asyncio.create_task(self._run(interval), name="intowork-job-views")

    async def _run(self, interval: float) -> None:
        while True:
            try:
                await asyncio.wait_for(self._stop.wait(), timeout=interval)
                return
            except TimeoutError:
                pass
            try:
                await self.flush()
            except Exception as exc:  # the loop outlives any one flush
                logger.opt(exception=exc).error("job_views.flusher_error")

    async def stop(self) -> None:
        """Stops the flusher, then flushes what is left (a clean shutdown loses no view)."""
        self._stop.set()
        if self._task is not None:
            try:
                await asyncio.wait_for(self._task, timeout=STOP_TIMEOUT_SECONDS)
            except TimeoutError:
                logger.warning("job_views.stop_timeout")
        await self.flush()


def _batches(items: Iterable[tuple[int, int]]) -> Iterable[dict[int, int]]:
    batch: dict[int, int] = {}
    for job_id, views in items:
        batch[job_id] = views
        if len(batch) == FLUSH_BATCH:
            yield batch
            batch = {}
    if batch:
        yield batch
