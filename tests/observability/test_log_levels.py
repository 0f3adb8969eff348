"""The stdlib loggers follow LOG_LEVEL: below it, no record is even built (issue 18)."""

import logging
from collections.abc import Iterator

import pytest
import uvicorn
from loguru import logger
from uvicorn.middleware.message_logger import MessageLoggerMiddleware

from intowork.core.observability.logging import configure_logging
from intowork.main import create_app
from tests.fixtures.settings import SettingsFactory

TRACE = 5
UVICORN_LOGGERS = ("uvicorn", "uvicorn.error", "uvicorn.asgi")


@pytest.fixture
def restore_logging(make_settings: SettingsFactory) -> Iterator[None]:
    yield
    configure_logging(make_settings())


@pytest.mark.usefixtures("restore_logging")
@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
class TestStdlibLevels:
    @pytest.mark.parametrize(("level", "number"), [("INFO", 20), ("DEBUG", 10), ("warning", 30)])
    def test_root_follows_log_level(
        self, make_settings: SettingsFactory, level: str, number: int
    ) -> None:
        configure_logging(make_settings(log_level=level))
        assert logging.getLogger().level == number
        for name in UVICORN_LOGGERS:
            assert logging.getLogger(name).getEffectiveLevel() == number

    def test_a_trace_record_never_reaches_loguru(self, make_settings: SettingsFactory) -> None:
        configure_logging(make_settings(log_level="DEBUG"))
        seen: list[str] = []
        sink = logger.add(lambda message: seen.append(message.record["message"]), level=0)
        try:
            logging.getLogger("uvicorn.asgi").log(TRACE, "ASGI [1] Send {...}")
            logging.getLogger("uvicorn.error").info("Started server process")
        finally:
            logger.remove(sink)
        assert seen == ["Started server process"]

    def test_uvicorn_serves_the_app_without_its_message_logger(
        self, make_settings: SettingsFactory
    ) -> None:
        settings = make_settings(log_level="INFO")
        # As `intowork serve` starts it: a factory, uvicorn's own logging config left out.
        config = uvicorn.Config(
            lambda: create_app(settings), factory=True, log_config=None, proxy_headers=False
        )
        config.load()
        assert not isinstance(config.loaded_app, MessageLoggerMiddleware)

    def test_log_level_trace_still_traces(self, make_settings: SettingsFactory) -> None:
        settings = make_settings(log_level="TRACE")
        config = uvicorn.Config(
            lambda: create_app(settings), factory=True, log_config=None, proxy_headers=False
        )
        config.load()
        assert isinstance(config.loaded_app, MessageLoggerMiddleware)
