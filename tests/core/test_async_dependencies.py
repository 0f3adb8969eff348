"""Every dependency of every route runs on the event loop: FastAPI hands a plain `def`
dependency to the thread pool on each request, a hop that costs more than the accessors
themselves (issue 18: `get_job_views` and `get_database` were such hops on hot reads)."""

import inspect
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

from fastapi import routing
from fastapi.dependencies.models import Dependant

from intowork.main import create_app
from tests.fixtures.settings import app_settings


def dependency_calls(dependant: Dependant) -> Iterator[Callable[..., Any]]:
    for sub in dependant.dependencies:
        if sub.call is not None:
            yield sub.call
        yield from dependency_calls(sub)


def runs_on_the_loop(call: Callable[..., Any]) -> bool:
    if inspect.isclass(call):
        return False
    function = call if inspect.isroutine(call) else getattr(call, "__call__", call)  # noqa: B004
    return inspect.iscoroutinefunction(function) or inspect.isasyncgenfunction(function)


def test_no_dependency_runs_in_the_thread_pool(tmp_path: Path) -> None:
    app = create_app(
        app_settings(database_url=f"sqlite:///{tmp_path}/db.sqlite", data_dir=tmp_path)
    )
    dependants = [
        dependant
        for route in routing.iter_route_contexts(app.routes)
        if (dependant := getattr(route, "dependant", None)) is not None
    ]
    blocking = {
        f"{call.__module__}.{getattr(call, '__qualname__', type(call).__qualname__)}"
        for dependant in dependants
        for call in dependency_calls(dependant)
        if not runs_on_the_loop(call)
    }
    assert len(dependants) > 50  # the routes were found (included routers resolved)
    assert not blocking, sorted(blocking)
