"""Every route whose method writes takes WritingSession (the rule in db/session.py), not
DbSession: its session then refuses writes made neither under SQLite's write lock nor through
the group commit. A route that takes no session of its own (Open311's unknown paths) writes
nothing."""

from fastapi.routing import APIRoute

from onegrid.app import create_app
from onegrid.core.access import iter_routes
from onegrid.db import get_session
from onegrid.db.session import writing_session

SAFE = {"GET", "HEAD", "OPTIONS"}


def _writing_routes() -> list[tuple[str, APIRoute]]:
    return [
        (f"{'/'.join(sorted(route.methods - SAFE))} {path}", route)
        for path, route in iter_routes(create_app().routes)
        if isinstance(route, APIRoute) and route.methods - SAFE
    ]


def test_every_writing_route_takes_a_writing_session():
    routes = _writing_routes()
    assert len(routes) >= 20  # the enumeration sees inside the included routers
    own = {name: {dep.call for dep in route.dependant.dependencies} for name, route in routes}
    assert [name for name, calls in own.items() if get_session in calls] == [], (
        "these writing routes take DbSession: give them WritingSession"
    )
    assert sum(writing_session in calls for calls in own.values()) >= 20
