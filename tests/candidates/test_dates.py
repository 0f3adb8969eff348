"""C2: "YYYY-MM" dates, "YYYY-MM-DD" truncated, "" is no date where one is optional, else 422."""

from typing import Any

import pytest
from httpx import AsyncClient

from tests.candidates.conftest import (
    EDUCATION,
    EXPERIENCES,
    education_body,
    error_locations,
    experience_body,
    ok,
    read_profile,
)
from tests.fixtures.actors import Actor

# (path, body factory, date field): every date of both entities.
DATE_FIELDS = [
    (EXPERIENCES, experience_body, "start_date"),
    (EXPERIENCES, experience_body, "end_date"),
    (EDUCATION, education_body, "start_date"),
    (EDUCATION, education_body, "end_date"),
]
DATE_IDS = [
    "experience.start_date",
    "experience.end_date",
    "education.start_date",
    "education.end_date",
]
ACCEPTED = [
    ("2024-03", "2024-03"),
    ("2024-03-15", "2024-03"),
    ("  2024-03 ", "2024-03"),
    ("2024-02-29", "2024-02"),
    ("1999-12-31", "1999-12"),
    ("1970-01", "1970-01"),
]
REJECTED: list[Any] = [
    "2024-13",
    "2024-00",
    "2024-1",
    "2024-011",
    "24-01",
    "12024-01",
    "2024/01",
    "2024.01",
    "01-2024",
    "2024-01-",
    "2024-01-1",
    "2024-01-32",
    "2023-02-29",
    "2024-04-31",
    "2024-01-00",
    "2024-01-15T10:00:00",
    "2024-01-15 10:00",
    "March 2024",
    "0000-01",
    "\uff12\uff10\uff12\uff14-\uff10\uff11",  # full-width digits
    "\u0662\u0660\u0662\u0664-\u0660\u0661",  # Arabic-Indic digits
    202401,
    2024.01,
    ["2024-01"],
    {"year": 2024, "month": 1},
    True,
]


def _bracketing(field: str) -> dict[str, str]:
    """The other date, chosen so that any valid value of `field` keeps the order."""
    return {"end_date": "2099-12"} if field == "start_date" else {"start_date": "1900-01"}


@pytest.mark.parametrize(("path", "make_body", "field"), DATE_FIELDS, ids=DATE_IDS)
class TestDateFormat:
    async def test_accepted(
        self, client: AsyncClient, me: Actor, path: str, make_body: Any, field: str
    ) -> None:
        for sent, stored in ACCEPTED:
            body = make_body(**_bracketing(field), **{field: sent})
            data = ok(await client.post(path, json=body, headers=me.headers))
            assert data[field] == stored, sent

    async def test_rejected(
        self, client: AsyncClient, me: Actor, path: str, make_body: Any, field: str
    ) -> None:
        # One test per field, not per value: each case is a request, not a fresh database.
        for sent in REJECTED:
            body = {**make_body(**_bracketing(field)), field: sent}
            response = await client.post(path, json=body, headers=me.headers)
            assert response.status_code == 422, sent
            assert error_locations(response) == [["body", field]], sent
        profile = await read_profile(client, me)
        assert profile["experiences"] == profile["educations"] == []

    async def test_truncated_on_update(
        self, client: AsyncClient, me: Actor, path: str, make_body: Any, field: str
    ) -> None:
        created = ok(await client.post(path, json=make_body(), headers=me.headers))
        body = make_body(**_bracketing(field), **{field: "2020-05-17"})
        data = ok(await client.put(f"{path}/{created['id']}", json=body, headers=me.headers))
        assert data[field] == "2020-05"

    async def test_rejected_on_update(
        self, client: AsyncClient, me: Actor, path: str, make_body: Any, field: str
    ) -> None:
        created = ok(await client.post(path, json=make_body(), headers=me.headers))
        body = {**make_body(**_bracketing(field)), field: "2020-14"}
        response = await client.put(f"{path}/{created['id']}", json=body, headers=me.headers)
        assert response.status_code == 422
        assert (await read_profile(client, me))[
            "experiences" if path == EXPERIENCES else "educations"
        ] == [created]


class TestOptionalEndDate:
    @pytest.mark.parametrize("sent", ["", "   ", None])
    async def test_experience_blank_or_null_is_no_date(
        self, client: AsyncClient, me: Actor, sent: str | None
    ) -> None:
        body = {**experience_body(), "end_date": sent}
        data = ok(await client.post(EXPERIENCES, json=body, headers=me.headers))
        assert data["end_date"] is None
        assert data["is_current"] is False

    async def test_experience_omitted_is_no_date(self, client: AsyncClient, me: Actor) -> None:
        body = experience_body()
        del body["end_date"]
        data = ok(await client.post(EXPERIENCES, json=body, headers=me.headers))
        assert data["end_date"] is None

    async def test_experience_start_date_is_required(self, client: AsyncClient, me: Actor) -> None:
        body = {**experience_body(), "start_date": ""}
        response = await client.post(EXPERIENCES, json=body, headers=me.headers)
        assert error_locations(response) == [["body", "start_date"]]

    @pytest.mark.parametrize("sent", ["", "   ", None])
    async def test_education_blank_or_null_is_no_date(
        self, client: AsyncClient, me: Actor, sent: str | None
    ) -> None:
        # M5: studies under way have no end date yet.
        body = {**education_body(), "end_date": sent}
        data = ok(await client.post(EDUCATION, json=body, headers=me.headers))
        assert (data["end_date"], data["is_current"]) == (None, False)

    async def test_education_omitted_is_no_date(self, client: AsyncClient, me: Actor) -> None:
        body = education_body()
        del body["end_date"]
        data = ok(await client.post(EDUCATION, json=body, headers=me.headers))
        assert data["end_date"] is None

    async def test_education_start_date_is_required(self, client: AsyncClient, me: Actor) -> None:
        body = {**education_body(), "start_date": ""}
        response = await client.post(EDUCATION, json=body, headers=me.headers)
        assert error_locations(response) == [["body", "start_date"]]
