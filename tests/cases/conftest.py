"""Cases on the demo district: points in known grids, and reports through the real intake."""

from datetime import UTC, datetime

import pytest
from shapely.geometry import Point
from sqlalchemy.orm import Session as OrmSession

from onegrid.cases import intake
from onegrid.cases.models import Channel
from onegrid.core.permissions import Scope, operator
from onegrid.db.engine import create_db_engine
from onegrid.db.migrate import upgrade
from onegrid.demo import build_demo
from onegrid.territory import service as territory
from onegrid.territory.geometry import from_wkb

WORKER_GRID = "210104002009001"  # the demo grid worker's grid (大北街道 华炉社区)
OTHER_GRID = "210104017012009"  # a grid of 上园街道
# A Tuesday morning in working hours, so that limits run from a known moment.
MONDAY = datetime(2026, 3, 3, 1, 0, tzinfo=UTC)  # 09:00 in Shanghai


def point_in(session, code: str) -> Point:
    """Returns a point well inside the unit with this code."""
    unit = territory.get_by_code(session=session, code=code, scope=Scope.all())
    return from_wkb(unit.geometry).representative_point()


@pytest.fixture
def inside(session) -> Point:
    return point_in(session, WORKER_GRID)


@pytest.fixture
def outside(session) -> Point:
    return point_in(session, OTHER_GRID)


def report(session, point: Point, *, category="0107", when=MONDAY, **extra):
    """Opens a case through the intake every channel uses, as the machine's operator."""
    fields = {"channel": Channel.HOTLINE, "description": "路灯不亮，晚上很黑"} | extra
    return intake.intake(
        session=session,
        report=intake.Report(category_code=category, lon=point.x, lat=point.y, **fields),
        who=operator("test"),
        now=when,
    )


@pytest.fixture
def make_case(session, inside):
    """Returns a function opening a case in the grid worker's grid (or at a given point)."""

    def make(point: Point | None = None, **kwargs):
        return report(session, point or inside, **kwargs)

    return make


@pytest.fixture
def own_demo_engine(empty_db_url):
    """An engine on a demo district of this test's own, for tests that must commit."""
    engine = create_db_engine(empty_db_url)
    upgrade(engine)
    with OrmSession(engine) as session:
        build_demo(session)
        session.commit()
    yield engine
    engine.dispose()
