"""Engine, sessions and the one-transaction-per-request dependency."""

from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Any

from fastapi import Depends, Request
from loguru import logger
from sqlalchemy import Select, event
from sqlalchemy.engine import ExceptionContext, make_url
from sqlalchemy.ext.asyncio import (
    AsyncEngine,
    AsyncSession,
    async_sessionmaker,
    create_async_engine,
)

from intowork.core.config import Settings
from intowork.core.errors import AppError
from intowork.core.files import private_directory, private_file
from intowork.core.observability.metrics import instrument_engine

SQLITE_BUSY_TIMEOUT_SECONDS = 30
# A SELECT of any columns, for repository helpers that build one and add to it.
AnySelect = Select[*tuple[Any, ...]]


@dataclass(frozen=True, slots=True)
class Database:
    engine: AsyncEngine
    sessionmaker: async_sessionmaker[AsyncSession]

    async def dispose(self) -> None:
        await self.engine.dispose()


def create_database(settings: Settings) -> Database:
    engine = create_engine(settings)
    instrument_engine(engine)
    return Database(
        engine=engine,
        sessionmaker=async_sessionmaker(engine, expire_on_commit=False, autoflush=False),
    )


def create_engine(settings: Settings) -> AsyncEngine:
    url = make_url(settings.sqlalchemy_url)
    if url.get_backend_name() == "sqlite":
        if url.database and url.database != ":memory:":
            _private_sqlite_files(Path(url.database), settings.data_dir)
        engine = create_async_engine(
            url,
            echo=settings.db_echo,
            hide_parameters=True,
            connect_args={"timeout": SQLITE_BUSY_TIMEOUT_SECONDS},
        )
        event.listen(engine.sync_engine, "connect", _configure_sqlite_connection)
        return engine
    # hide_parameters: statement parameters (password hashes, token digests) never reach logs or
    # exception messages.
    engine = create_async_engine(
        url,
        echo=settings.db_echo,
        hide_parameters=True,
        pool_size=settings.db_pool_size,
        max_overflow=settings.db_max_overflow,
        pool_timeout=settings.db_pool_timeout,
        pool_recycle=settings.db_pool_recycle,
        pool_pre_ping=True,
    )
    event.listen(engine.sync_engine, "handle_error", _detect_unavailable_server)
    return engine


def _private_sqlite_files(database: Path, data_dir: Path) -> None:
    """The database and its -wal/-shm files are 0600 (SQLite gives those two the database file's
    mode), in a 0700 directory when it is the data directory or one made here."""
    directory = database.parent
    if not directory.exists() or directory.resolve() == data_dir.resolve():
        private_directory(directory)
    for path in (database, *(database.with_name(database.name + s) for s in ("-wal", "-shm"))):
        if path is database or path.exists():
            private_file(path)


# What PostgreSQL answers while it restarts, or when it has no connection slot left: 57P01-57P03
# (terminated by an administrator, crash, starting up or shutting down), 53300 (too many
# connections); class 08 is the connection exceptions. A new connection refused with one of them
# was not a disconnect to SQLAlchemy (the driver's connection never opened), hence a 500.
SERVER_UNAVAILABLE_SQLSTATES = frozenset({"57P01", "57P02", "57P03", "53300"})


def _detect_unavailable_server(context: ExceptionContext) -> None:
    """Marks those errors as disconnects: the connection is discarded (never handed out again)
    and the request answers 503 (core/errors.py), not 500."""
    sqlstate = getattr(context.original_exception, "sqlstate", None)
    if not isinstance(sqlstate, str):
        return
    if sqlstate.startswith("08") or sqlstate in SERVER_UNAVAILABLE_SQLSTATES:
        context.is_disconnect = True
        # Out of connection slots: the pool's other connections are fine, keep them.
        context.invalidate_pool_on_disconnect = sqlstate != "53300"


SQLITE_PAGE_CACHE_KIB = 512


def _configure_sqlite_connection(dbapi_connection: Any, _record: Any) -> None:
    # SQLite's own lower() folds ASCII only; PostgreSQL's (and Python's) fold every letter. The
    # same function makes case-insensitive filters and the lowercase-email CHECK agree everywhere.
    dbapi_connection.create_function("lower", 1, _unicode_lower, deterministic=True)
    # WAL lets readers proceed while one writer commits; foreign keys are off by default in SQLite.
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA synchronous=NORMAL")
    # Each pooled connection keeps its own page cache (2 MiB by default, filling as the file
    # grows: up to 40 MiB over the pool and its overflow); the OS page cache serves the rest.
    cursor.execute(f"PRAGMA cache_size=-{SQLITE_PAGE_CACHE_KIB}")
    cursor.close()


def _unicode_lower(value: Any) -> Any:
    return value.lower() if isinstance(value, str) else value


async def get_session(request: Request) -> AsyncIterator[AsyncSession]:
    """One transaction per request: committed before the response is sent, else rolled back.

    The dependency has function scope (see `SessionDep`), so the commit runs after the handler
    returned and its response was rendered, but before a byte is sent: a failed commit becomes
    an error response, never a 2xx. An `AppError` with `commit_changes` keeps what was written.
    """
    database: Database = request.app.state.db
    async with database.sessionmaker() as session:
        session.info[SESSION_CACHE_KEY] = getattr(request.app.state, "cache", None)
        try:
            yield session
            await session.commit()
        except AppError as exc:
            if exc.commit_changes:
                await _commit(session)
            else:
                await _rollback(session)
            raise
        except BaseException:
            await _rollback(session)
            raise
        await _run_hooks(session, AFTER_COMMIT)


# The request's cache (core/cache.py), for services that invalidate after their commit.
SESSION_CACHE_KEY = "intowork.cache"
AFTER_COMMIT = "intowork.after_commit"
AFTER_ROLLBACK = "intowork.after_rollback"
# A coroutine function is awaited, a plain function called (a metric counted).
Hook = Callable[[], Awaitable[None] | None]


def after_commit(session: AsyncSession, hook: Hook) -> None:
    """Runs once the request's transaction committed (e.g. deleting the files of removed rows,
    counting a business event); dropped if it rolls back, so a failed write counts nothing."""
    session.info.setdefault(AFTER_COMMIT, []).append(hook)


def after_rollback(session: AsyncSession, hook: Hook) -> None:
    """Runs if the request's transaction is rolled back (e.g. removing a file just written)."""
    session.info.setdefault(AFTER_ROLLBACK, []).append(hook)


async def _commit(session: AsyncSession) -> None:
    await session.commit()
    await _run_hooks(session, AFTER_COMMIT)


async def _rollback(session: AsyncSession) -> None:
    await session.rollback()
    await _run_hooks(session, AFTER_ROLLBACK)


async def _run_hooks(session: AsyncSession, kind: str) -> None:
    hooks: list[Hook] = session.info.pop(kind, [])
    session.info.pop(AFTER_ROLLBACK if kind == AFTER_COMMIT else AFTER_COMMIT, None)
    for hook in hooks:
        try:
            done = hook()
            if done is not None:
                await done
        except Exception as exc:  # the transaction's outcome stands; the hook's failure is logged
            logger.opt(exception=exc).error("db.hook_failed")


SessionDep = Annotated[AsyncSession, Depends(get_session, scope="function")]


async def get_database(request: Request) -> Database:
    database: Database = request.app.state.db
    return database


DatabaseDep = Annotated[Database, Depends(get_database)]
