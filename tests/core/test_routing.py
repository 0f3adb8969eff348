"""Transport conventions: optional trailing slash, merged slashes, request ids."""

import re
import uuid
from collections.abc import Iterator

import pytest
from fastapi._compat import ModelField
from fastapi.dependencies.models import Dependant
from httpx import AsyncClient

from intowork.core import routing

UUID4 = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}")


class TestTrailingSlash:
    @pytest.mark.parametrize("path", ["/api/ping/", "/health/", "/api/status/"])
    async def test_answers_without_redirect(self, client: AsyncClient, path: str) -> None:
        with_slash = await client.get(path)
        without = await client.get(path.rstrip("/"))
        assert with_slash.status_code == 200
        assert set(with_slash.json()) == set(without.json())

    async def test_query_string_kept(self, client: AsyncClient) -> None:
        response = await client.get("/health/ready/?verbose=1")
        assert response.status_code == 200

    async def test_root_unchanged(self, client: AsyncClient) -> None:
        assert (await client.get("/")).status_code == 200


class TestRepeatedSlashes:
    """Merged as nginx does (API.md M2): the frontend opens `<origin>/` + `/api/...`."""

    @pytest.mark.parametrize(
        "path", ["//api/ping", "/api//ping", "///api///ping", "//api/ping//", "//health"]
    )
    async def test_served_as_merged(self, client: AsyncClient, path: str) -> None:
        # A whole URL: httpx would read a relative "//api/..." as a host.
        response = await client.get(f"http://testserver{path}")
        assert response.status_code == 200
        assert "location" not in response.headers

    async def test_query_string_kept(self, client: AsyncClient) -> None:
        response = await client.get("http://testserver//api/jobs?page=1&limit=1")
        assert response.status_code == 200
        assert response.json()["limit"] == 1

    async def test_unknown_path_still_404(self, client: AsyncClient) -> None:
        assert (await client.get("http://testserver//api//missing")).status_code == 404


class TestRequestId:
    async def test_generated_when_absent(self, client: AsyncClient) -> None:
        response = await client.get("/health")
        assert UUID4.fullmatch(response.headers["X-Request-ID"])

    async def test_valid_incoming_id_echoed(self, client: AsyncClient) -> None:
        response = await client.get("/health", headers={"X-Request-ID": "abc.DEF_123-x"})
        assert response.headers["X-Request-ID"] == "abc.DEF_123-x"

    @pytest.mark.parametrize(
        "bad", ["x" * 129, "has space", "semi;colon", 'quote"d', "ünïcode", ""]
    )
    async def test_invalid_incoming_id_replaced(self, client: AsyncClient, bad: str) -> None:
        response = await client.get(
            "/health",
            headers=[("X-Request-ID", bad.encode("utf-8"))],  # type: ignore[list-item]
        )
        assert response.headers["X-Request-ID"] != bad
        assert UUID4.fullmatch(response.headers["X-Request-ID"])

    async def test_each_request_gets_its_own(self, client: AsyncClient) -> None:
        ids = {(await client.get("/health")).headers["X-Request-ID"] for _ in range(3)}
        assert len(ids) == 3

    async def test_present_on_errors(self, client: AsyncClient) -> None:
        response = await client.get("/api/missing")
        assert response.status_code == 404
        assert uuid.UUID(response.headers["X-Request-ID"])


class TestRepeatedQueryParameters:
    """`?search=a&search=b` is ambiguous: refused, not silently read as its last value."""

    @pytest.mark.parametrize(
        ("query", "names"),
        [
            ("search=a&search=b", ["search"]),
            ("page=1&page=2", ["page"]),
            ("page=1&limit=5&limit=6&page=2", ["limit", "page"]),
            ("search=&search=python", ["search"]),
        ],
    )
    async def test_422(self, client: AsyncClient, query: str, names: list[str]) -> None:
        response = await client.get(f"/api/jobs?{query}")
        assert response.status_code == 422
        assert [error["loc"] for error in response.json()["detail"]] == [
            ["query", name] for name in names
        ]

    async def test_once_each_is_fine(self, client: AsyncClient) -> None:
        assert (await client.get("/api/jobs?search=a&page=1&limit=5")).status_code == 200

    async def test_unknown_parameters_ignored(self, client: AsyncClient) -> None:
        assert (await client.get("/api/jobs?utm=a&utm=b")).status_code == 200

    async def test_names_found_once_per_route(
        self, client: AsyncClient, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        walks: list[object] = []
        real = routing._query_parameters

        def counting(dependant: Dependant) -> Iterator[ModelField]:
            walks.append(dependant)
            return real(dependant)

        monkeypatch.setattr(routing, "_query_parameters", counting)
        assert (await client.get("/api/jobs?page=1&page=2")).status_code == 422
        # Found by this request, or by an earlier app's (the route objects may be shared).
        first = len(walks)
        for _ in range(3):
            assert (await client.get("/api/jobs?page=1&page=2")).status_code == 422
            assert (await client.get("/api/jobs?page=1")).status_code == 200
        assert len(walks) == first
