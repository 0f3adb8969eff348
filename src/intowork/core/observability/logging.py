"""Loguru for everything: the app's own lines and the stdlib loggers (uvicorn, SQLAlchemy).

Development: coloured human lines on stderr. Production: one flat JSON object per line on
stdout (timestamp, level, message, request_id, user_id once known, method, route, module, the
bound fields, the exception with its traceback), written by a background thread so that a slow
stdout never stalls a request. LOG_DIR adds the same JSON lines to rotating files (500 MB,
30 days, gzip) in any environment.
"""

import asyncio
import copy
import inspect
import json
import logging
import sys
import threading
import traceback
from collections import deque
from datetime import UTC
from pathlib import Path
from types import FrameType
from typing import TYPE_CHECKING, Any, TextIO

from loguru import logger

from intowork.core.config import Settings
from intowork.core.observability.context import add_request_fields
from intowork.core.signed_urls import redact_signatures

if TYPE_CHECKING:
    from loguru import Logger, Message, Record

HUMAN_FORMAT = (
    "<green>{time:HH:mm:ss.SSS}</green> <level>{level: <8}</level> "
    "<cyan>{extra[request_id]}</cyan> {name}: <level>{message}</level>"
)
ROUTED_STDLIB_LOGGERS = ("uvicorn", "uvicorn.error", "uvicorn.access", "fastapi", "alembic")
# Their INFO lines are every SQL statement (a line per query, at LOG_LEVEL=INFO in production),
# their DEBUG lines SQL parameters and rows: password hashes, token digests, e-mail bodies. Only
# warnings pass; DB_ECHO=true still prints statements (SQLAlchemy's echo ignores these levels).
QUIETED_STDLIB_LOGGERS = ("aiosqlite", "asyncpg", "sqlalchemy.engine", "sqlalchemy.pool")
# The access-log middleware writes one line per request, without the client's address.
SILENCED_STDLIB_LOGGERS = ("uvicorn.access",)
NO_REQUEST_ID = "-"
# On every line of a request; the human format shows them on the access line only.
REQUEST_FIELDS = frozenset({"request_id", "method", "route"})
ACCESS_EVENT = "request.completed"
# Keys of the JSON line itself; a bound field of the same name is kept as "field.<name>".
JSON_KEYS = frozenset({"timestamp", "level", "message", "module", "function", "line", "exception"})
LOG_FILE_NAME = "intowork.log"
FILE_ROTATION = "500 MB"
FILE_RETENTION = "30 days"
WRITER_INTERVAL_SECONDS = 0.05
WRITER_MAX_PENDING = 100_000
WRITER_STOP_SECONDS = 5.0


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
        # Their lines may quote a request line (uvicorn's access log, if turned back on): a
        # signed link's `sig` opens a file, so it is never written down.
        message = redact_signatures(record.getMessage())
        logger.opt(depth=depth, exception=record.exc_info).log(level, message)


def _human_format(record: "Record") -> str:
    """One coloured line, then the bound fields and any traceback."""
    hidden = {"request_id"} if record["message"] == ACCESS_EVENT else REQUEST_FIELDS
    fields = {k: v for k, v in record["extra"].items() if k not in hidden}
    # The fields are data, not markup: escape loguru's format and colour syntax.
    suffix = repr(fields).replace("{", "{{").replace("}", "}}").replace("<", r"\<")
    return f"{HUMAN_FORMAT} {suffix}\n{{exception}}" if fields else f"{HUMAN_FORMAT}\n{{exception}}"


def json_line(record: "Record") -> str:
    """The record as one flat JSON object (no newline inside: strings are escaped)."""
    payload: dict[str, Any] = {
        "timestamp": record["time"]
        .astimezone(UTC)
        .isoformat(timespec="milliseconds")
        .replace("+00:00", "Z"),
        "level": record["level"].name,
        "message": record["message"],
    }
    for key, value in record["extra"].items():
        if key == "request_id" and value == NO_REQUEST_ID:
            continue
        payload[f"field.{key}" if key in JSON_KEYS else key] = value
    payload["module"] = record["name"]
    payload["function"] = record["function"]
    payload["line"] = record["line"]
    exception = record["exception"]
    if exception is not None and exception.type is not None:
        # The standard traceback: code lines only, never the values of local variables.
        payload["exception"] = {
            "type": exception.type.__name__,
            "message": str(exception.value),
            "traceback": "".join(
                traceback.format_exception(exception.type, exception.value, exception.traceback)
            ),
        }
    return json.dumps(payload, default=str, separators=(",", ":"))


class BackgroundJsonSink:
    """A loguru sink that turns each record into its JSON line and leaves it for a daemon
    thread, which writes what has gathered to stdout and/or the rotating files every 50 ms. A
    logging call costs a deque append: it never waits for a slow stdout (a full pipe to the log
    collector) or a file rotation, and it never wakes a thread (each wake-up would hand the GIL
    over, tens of microseconds taken from the event loop per line).

    loguru's own `enqueue=True` pickles every record through a multiprocessing queue: about
    40 us per line on the event loop. If the stream stays blocked, the oldest lines are dropped
    past WRITER_MAX_PENDING rather than filling the memory.
    """

    def __init__(self, stream: TextIO | None, log_file: Path | None) -> None:
        self.stream = stream
        self.file_logger = _file_logger(log_file) if log_file is not None else None
        self.pending: deque[str | threading.Event] = deque(maxlen=WRITER_MAX_PENDING)
        self.stopping = threading.Event()
        self.thread = threading.Thread(target=self._run, name="intowork-log-writer", daemon=True)
        self.thread.start()

    def write(self, message: "Message") -> None:
        self.pending.append(json_line(message.record) + "\n")

    async def complete(self) -> None:
        """`await logger.complete()`: returns once every line logged so far is written."""
        written = threading.Event()
        self.pending.append(written)
        await asyncio.to_thread(written.wait, WRITER_STOP_SECONDS)

    def stop(self) -> None:
        """`logger.remove()`, and loguru's own at exit: write what is pending, then stop."""
        self.stopping.set()
        self.thread.join(WRITER_STOP_SECONDS)
        if self.file_logger is not None:
            self.file_logger.remove()

    def _run(self) -> None:
        while True:
            stopping = self.stopping.wait(WRITER_INTERVAL_SECONDS)
            self._drain()
            if stopping:
                return

    def _drain(self) -> None:
        lines: list[str] = []
        written: list[threading.Event] = []
        while self.pending:
            item = self.pending.popleft()
            if isinstance(item, str):
                lines.append(item)
            else:
                written.append(item)
        if lines:
            self._emit("".join(lines))
        for event in written:
            event.set()

    def _emit(self, text: str) -> None:
        try:
            if self.stream is not None:
                self.stream.write(text)
                self.stream.flush()
            if self.file_logger is not None:
                self.file_logger.opt(raw=True).info(text)
        except Exception as exc:  # a closed or broken stream: the app goes on without it
            print(f"intowork log writer: {exc!r}", file=sys.__stderr__)


def _file_logger(path: Path) -> "Logger":
    """A logger of its own (loguru's recipe: a deep copy without handlers) holding only the file
    sink, fed by the writer thread: rotation and compression happen on that thread too."""
    file_logger: Logger = copy.deepcopy(logger)
    file_logger.remove()
    file_logger.configure(patcher=None, extra={})
    file_logger.add(
        path,
        format="{message}",
        colorize=False,
        rotation=FILE_ROTATION,
        retention=FILE_RETENTION,
        compression="gz",
    )
    return file_logger


def configure_logging(settings: Settings) -> None:
    logger.remove()
    logger.configure(extra={"request_id": NO_REQUEST_ID}, patcher=add_request_fields)
    json_stream = sys.stdout if settings.is_production else None
    log_file = settings.log_dir / LOG_FILE_NAME if settings.log_dir is not None else None
    if json_stream is not None or log_file is not None:
        # Built before any handler is added: its file logger is a copy of this one.
        logger.add(
            BackgroundJsonSink(json_stream, log_file),
            level=settings.log_level,
            format="{message}",
            colorize=False,
            backtrace=False,
            diagnose=False,
        )
    if not settings.is_production:
        # diagnose=False: tracebacks never print local variables, which may hold passwords.
        logger.add(sys.stderr, level=settings.log_level, format=_human_format, diagnose=False)
    # The stdlib loggers stop at LOG_LEVEL, before a record is built: at level 0, uvicorn
    # (its loggers have no level of their own, log_config=None) wraps the app in its TRACE
    # MessageLoggerMiddleware, and every ASGI message of every request became a LogRecord
    # routed into loguru only to be dropped there.
    logging.basicConfig(
        handlers=[InterceptHandler()], level=stdlib_level(settings.log_level), force=True
    )
    for name in ROUTED_STDLIB_LOGGERS:
        stdlib_logger = logging.getLogger(name)
        stdlib_logger.handlers = [InterceptHandler()]
        stdlib_logger.propagate = False
    for name in (*QUIETED_STDLIB_LOGGERS, *SILENCED_STDLIB_LOGGERS):
        logging.getLogger(name).setLevel(max(logging.WARNING, stdlib_level(settings.log_level)))


def stdlib_level(name: str) -> int:
    """The standard library's number for a loguru level name (TRACE 5, ..., CRITICAL 50): the
    two share their numbers."""
    return logger.level(name).no
