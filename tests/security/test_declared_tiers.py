"""Every route declares its rate-limit tier on itself (`dependencies=[RateLimit(...)]`): a route
added or renamed without one fails here, instead of going unlimited (or losing its tier)."""

from pathlib import Path

import pytest
from fastapi import FastAPI, routing

from intowork.core.ratelimit import RateLimit, RouteLimit, Tier, route_limit
from intowork.main import create_app
from tests.conftest import app_settings

# The operations routes: probes and scrapers must never be refused (ARCHITECTURE.md).
UNLIMITED = {("GET", "/"), ("GET", "/health"), ("GET", "/health/ready"), ("GET", "/metrics")}


def declared_tiers(app: FastAPI) -> dict[tuple[str, str], Tier | None]:
    tiers: dict[tuple[str, str], Tier | None] = {}
    for context in routing.iter_route_contexts(app.routes):
        route = context.original_route
        if isinstance(route, routing.APIRoute):
            limit = route_limit(route)
            for method in context.methods or ():
                tiers[(method, context.path_format or "")] = limit and limit.tier
    return tiers


def test_every_route_but_the_operations_ones_declares_a_tier(tmp_path: Path) -> None:
    app = create_app(
        app_settings(database_url=f"sqlite:///{tmp_path}/db.sqlite", data_dir=tmp_path)
    )
    tiers = declared_tiers(app)
    assert len(tiers) > 70  # the included routers' routes were found
    assert {key for key, tier in tiers.items() if tier is None} == UNLIMITED
    # A few that the behaviour tests (test_tiers.py) do not reach through every method.
    assert tiers[("POST", "/api/auth/forgot-password")] is Tier.FORGOT_PASSWORD
    assert tiers[("GET", "/api/notifications/unread-count")] is Tier.LISTING
    assert tiers[("PUT", "/api/notifications/mark-all-read")] is Tier.MUTATION
    assert tiers[("GET", "/api/dashboard/employer-funnel")] is Tier.DASHBOARD


def test_a_route_declares_one_tier() -> None:
    router = routing.APIRouter()

    @router.get("/twice", dependencies=[RateLimit(Tier.LISTING), RateLimit(Tier.DETAIL)])
    async def twice() -> None: ...

    route = router.routes[0]
    assert isinstance(route, routing.APIRoute)
    with pytest.raises(ValueError, match="/twice"):
        route_limit(route)


def test_the_declaration_is_its_dependency() -> None:
    depends = RateLimit(Tier.SIGNUP)
    assert isinstance(depends.dependency, RouteLimit)
    assert depends.dependency.tier is Tier.SIGNUP
    assert depends.dependency.by_ip
    assert not RouteLimit(Tier.MUTATION).by_ip
