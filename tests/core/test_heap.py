"""The start-up heap is frozen out of the garbage collector's reach, and thawed at shutdown."""

import gc
from collections.abc import Iterator

import pytest

from intowork.core.config import Environment
from intowork.core.heap import GEN0_THRESHOLD
from intowork.main import create_app
from tests.fixtures.settings import SettingsFactory
from tests.fixtures.timing import app_lifespan


@pytest.fixture
def clean_collector() -> Iterator[None]:
    """Whatever a test does, the collector is left as it was found."""
    thresholds = gc.get_threshold()
    gc.unfreeze()
    yield
    gc.unfreeze()
    gc.set_threshold(*thresholds)


@pytest.mark.usefixtures("clean_collector")
class TestGcFreeze:
    async def test_frozen_while_serving(self, make_settings: SettingsFactory) -> None:
        before = gc.get_threshold()
        app = create_app(make_settings(gc_freeze=True))
        async with app_lifespan(app):
            assert gc.get_freeze_count() > 10_000
            assert gc.get_threshold()[0] == max(GEN0_THRESHOLD, before[0])
        assert gc.get_freeze_count() == 0
        assert gc.get_threshold() == before

    async def test_off(self, make_settings: SettingsFactory) -> None:
        app = create_app(make_settings(gc_freeze=False))
        async with app_lifespan(app):
            assert gc.get_freeze_count() == 0

    @pytest.mark.parametrize(
        ("environment", "expected"),
        [
            (Environment.TEST, False),
            (Environment.DEVELOPMENT, True),
            (Environment.PRODUCTION, True),
        ],
    )
    def test_default(
        self, make_settings: SettingsFactory, environment: Environment, expected: bool
    ) -> None:
        assert make_settings(environment=environment).gc_freeze is expected
