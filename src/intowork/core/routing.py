"""Transport conventions that apply to every route."""

from starlette.types import ASGIApp, Receive, Scope, Send


class OptionalTrailingSlashMiddleware:
    """`/api/jobs/` is `/api/jobs`: the path is matched without its trailing slash, no redirect."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        path: str = scope.get("path", "")
        if scope["type"] in {"http", "websocket"} and len(path) > 1 and path.endswith("/"):
            scope = dict(scope, path=path.rstrip("/") or "/")
            raw_path = scope.get("raw_path")
            if raw_path:
                scope["raw_path"] = raw_path.rstrip(b"/") or b"/"
        await self.app(scope, receive, send)
