"""The errors a dependency or a route declares, as the OpenAPI document shows them."""

from fastapi import routing

from intowork.core.error_docs import declared_errors, describe, error_responses, raises
from intowork.core.errors import BadRequest, Conflict, NotFound
from intowork.core.middleware import STREAMED_BODY, streamed_paths


class Missing(NotFound):
    detail = "Thing not found"


class Refused(BadRequest):
    detail = "Thing refused"


class TestDeclaredErrors:
    def test_raises_adds_to_what_was_declared(self) -> None:
        @raises(Refused)
        @raises(Missing)
        async def load() -> None: ...

        assert declared_errors(load) == (Missing, Refused)
        assert declared_errors(lambda: None) == ()

    def test_describe_groups_by_status_each_message_once(self) -> None:
        transition = Conflict("Cannot go from {current} to {requested}")
        assert describe([Missing, Refused, Missing, transition, BadRequest]) == {
            404: "Thing not found",
            400: "Thing refused; Bad request",
            409: "Cannot go from {current} to {requested}",
        }

    def test_error_responses_are_fastapi_responses(self) -> None:
        assert error_responses(Missing, Refused) == {
            404: {"description": "Thing not found"},
            400: {"description": "Thing refused"},
        }


class TestStreamedUploads:
    def test_the_routes_declaring_a_streamed_body(self) -> None:
        router = routing.APIRouter(prefix="/api")

        @router.post("/upload", dependencies=[STREAMED_BODY])
        async def upload() -> None: ...

        @router.post("/form")
        async def form() -> None: ...

        assert streamed_paths(router.routes) == {"/api/upload"}
