"""Loguru for everything: the app's own lines and the stdlib loggers (uvicorn, SQLAlchemy)."""

import inspect
import logging
import sys
from types import FrameType
from typing import TYPE_CHECKING

from loguru import logger

from intowork.core.config import Settings

if TYPE_CHECKING:
    from loguru import Record

HUMAN_FORMAT = (
    "<green>{time:HH:mm:ss.SSS}</green> <level>{level: <8}</level> "
    "<cyan>{extra[request_id]}</cyan> {name}: <level>{message}</level>"
)
ROUTED_STDLIB_LOGGERS = ("uvicorn", "uvicorn.error", "uvicorn.access", "fastapi", "alembic")
# Their DEBUG lines carry SQL parameters: password hashes, token digests, e-mail bodies.
QUIETED_STDLIB_LOGGERS = ("aiosqlite", "asyncpg", "sqlalchemy.engine", "sqlalchemy.pool")


class InterceptHandler(logging.Handler):
    """Sends stdlib records to loguru, keeping the caller's location (loguru's own recipe)."""

    def emit(self, record: logging.LogRecord) -> None:
        try:
            level: str | int = logger.level(record.levelname).name
        except ValueError:
            level = record.levelno
        frame: FrameType | None = inspect.currentframe()
        depth = 0
        while frame is not None and (depth == 0 or frame.f_code.co_filename == logging.__file__):
            frame = frame.f_back
            depth += 1
        logger.opt(depth=depth, exception=record.exc_info).log(level, record.getMessage())


def _human_format(record: "Record") -> str:
    """One coloured line, then the bound fields (request id aside) and any traceback."""
    fields = {k: v for k, v in record["extra"].items() if k != "request_id"}
    # The fields are data, not markup: escape loguru's format and colour syntax.
    suffix = repr(fields).replace("{", "{{").replace("}", "}}").replace("<", r"\<")
    return f"{HUMAN_FORMAT} {suffix}\n{{exception}}" if fields else f"{HUMAN_FORMAT}\n{{exception}}"


def configure_logging(settings: Settings) -> None:
    logger.remove()
    logger.configure(extra={"request_id": "-"})
    # diagnose=False: tracebacks never print local variables, which may hold passwords.
    if settings.is_production:
        logger.add(
            sys.stdout,
            level=settings.log_level,
            serialize=True,
            enqueue=True,
            backtrace=False,
            diagnose=False,
        )
    else:
        logger.add(sys.stderr, level=settings.log_level, format=_human_format, diagnose=False)
    if settings.log_dir is not None:
        logger.add(
            settings.log_dir / "intowork.log",
            level=settings.log_level,
            serialize=True,
            rotation="500 MB",
            retention="30 days",
            compression="gz",
            enqueue=True,
            diagnose=False,
        )
    logging.basicConfig(handlers=[InterceptHandler()], level=0, force=True)
    for name in ROUTED_STDLIB_LOGGERS:
        stdlib_logger = logging.getLogger(name)
        stdlib_logger.handlers = [InterceptHandler()]
        stdlib_logger.propagate = False
    for name in QUIETED_STDLIB_LOGGERS:
        logging.getLogger(name).setLevel(
            max(logging.INFO, logging.getLevelName(settings.log_level))
        )
