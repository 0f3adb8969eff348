"""Statement budget of GET /api/dashboard (API.md 8): the current-user lookup, ONE statement for
the role's stats (the candidate's profile fields included) and one for the activities."""

from typing import Any

import pytest
from httpx import AsyncClient

from tests.dashboard.conftest import DASHBOARD, World, get_ok
from tests.fixtures.actors import sign_in_headers


def stats_statements(statements: list[str]) -> list[str]:
    """The statements that count: the user lookup and the activities (UNION ALL) count nothing."""
    return [sql for sql in statements if "count(" in sql.lower()]


class TestDashboardStatements:
    @pytest.mark.parametrize(
        ("caller", "expected"),
        [("admin", "Users"), ("acme_owner", "Active jobs"), ("grace", "Applications sent")],
    )
    async def test_budget(
        self,
        client: AsyncClient,
        world: World,
        count_statements: Any,
        caller: str,
        expected: str,
    ) -> None:
        headers = await sign_in_headers(client, getattr(world, caller))
        with count_statements() as log:
            body = (await get_ok(client, DASHBOARD, headers)).json()
        assert body["stats"][0]["title"] == expected
        assert len(body["recentActivities"]) == 5
        assert log.count <= 3, log
        assert len(stats_statements(log.statements)) == 1, log
        assert sum("union all" in sql.lower() for sql in log.statements) == 1, log

    async def test_candidate_profile_in_the_stats_statement(
        self, client: AsyncClient, world: World, count_statements: Any
    ) -> None:
        """Profile completion needs no statement of its own: fields and rows come with the stats."""
        headers = await sign_in_headers(client, world.grace)
        with count_statements() as log:
            body = (await get_ok(client, DASHBOARD, headers)).json()
        assert body["profileCompletion"] == 76
        [stats] = stats_statements(log.statements)
        for table in ("experiences", "educations", "skills", "candidates"):
            assert table in stats, stats
        assert log.count <= 3, log
