"""/health's answer, encoded once: the same bytes HealthResponse gives (issue 18)."""

from datetime import UTC, datetime

import pytest

from intowork import __version__
from intowork.system.schemas import HealthResponse
from intowork.system.service import SERVICE_NAME, health_body


@pytest.mark.parametrize(
    "now",
    [
        datetime(2026, 12, 6, 1, 2, 3, 456789, tzinfo=UTC),
        datetime(2026, 12, 6, 1, 2, 3, tzinfo=UTC),
        datetime(2026, 1, 1, tzinfo=UTC),
    ],
)
def test_same_bytes_as_the_schema(now: datetime) -> None:
    schema = HealthResponse(
        status="healthy", service=SERVICE_NAME, version=__version__, timestamp=now
    )
    assert health_body(now) == schema.model_dump_json().encode()
