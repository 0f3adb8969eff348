"""profileCompletion of a candidate (API.md 8): round(60 * f + 15 + 15 + 10), f the share of
non-empty fields among first_name, last_name, email, phone, location, title, summary.

A candidate always has a first name, a last name and an e-mail: f is at least 3/7.
"""

from typing import Any

import pytest
from httpx import AsyncClient
from sqlalchemy.ext.asyncio import AsyncSession

from intowork.models.enums import UserRole
from tests.dashboard.conftest import DASHBOARD, add_profile_rows, candidate_of, get_ok, stat
from tests.fixtures.actors import sign_in_headers
from tests.fixtures.factories import make_user

FULL = {"phone": "+1 555 0100", "location": "Arlington", "title": "Admiral", "summary": "COBOL."}

# (fields set on the candidate row, experience, education, skill, expected completion)
STATES = {
    # 60 * 3/7 = 25.71
    "empty": ({}, False, False, False, 26),
    # 60 * 7/7 + 15 + 15 + 10
    "complete": (FULL, True, True, True, 100),
    # 60 * 5/7 + 15 = 57.86
    "phone summary education": (
        {"phone": "+1 555 0100", "summary": "COBOL."},
        False,
        True,
        False,
        58,
    ),
    # 60 * 7/7 + 15
    "fields and experience": (FULL, True, False, False, 75),
    # An empty string is not a filled field: 60 * 5/7 + 10 = 52.86
    "empty summary and skill": (
        {"location": "Arlington", "title": "Admiral", "summary": ""},
        False,
        False,
        True,
        53,
    ),
    # 60 * 3/7 + 15 + 15 + 10 = 65.71
    "rows only": ({}, True, True, True, 66),
}


class TestProfileCompletion:
    @pytest.mark.parametrize(
        ("fields", "experience", "education", "skill", "expected"),
        list(STATES.values()),
        ids=list(STATES),
    )
    async def test_state(
        self,
        client: AsyncClient,
        session: AsyncSession,
        fields: dict[str, Any],
        experience: bool,
        education: bool,
        skill: bool,
        expected: int,
    ) -> None:
        user = await make_user(session, role=UserRole.CANDIDATE)
        candidate = await candidate_of(session, user)
        for name, value in fields.items():
            setattr(candidate, name, value)
        await add_profile_rows(
            session, candidate, experience=experience, education=education, skill=skill
        )
        body = (await get_ok(client, DASHBOARD, await sign_in_headers(client, user))).json()
        assert body["profileCompletion"] == expected
        assert body["stats"][3] == stat(
            "Profile completion", f"{expected}%", "0", "neutral", "orange"
        )

    async def test_admin(self, client: AsyncClient, session: AsyncSession) -> None:
        user = await make_user(session, role=UserRole.ADMIN)
        body = (await get_ok(client, DASHBOARD, await sign_in_headers(client, user))).json()
        assert body["profileCompletion"] == 100
