"""`onegrid open311 key …` and `onegrid open311 process` as an operator runs them."""

import hashlib

import pytest
from sqlalchemy import select, text
from sqlalchemy.orm import Session
from typer.testing import CliRunner

from onegrid.audit.models import AuditRecord
from onegrid.cli import app
from onegrid.config import get_settings
from onegrid.core.errors import Forbidden
from onegrid.db import forget_database
from onegrid.db.engine import create_db_engine
from onegrid.db.migrate import upgrade
from onegrid.open311 import keys, submissions
from onegrid.open311.models import ApiKey, QueuedRequest
from onegrid.open311.schemas import PostedRequest
from onegrid.territory.geojson import import_collection
from tests.cases.conftest import WORKER_GRID, own_demo_engine, point_in

__all__ = ["own_demo_engine"]
SQUARE = {"type": "Polygon", "coordinates": [[[0, 0], [1, 0], [1, 1], [0, 1], [0, 0]]]}


@pytest.fixture
def district_db(empty_db_url, monkeypatch):
    """A migrated database with a one-grid district 999999, which the command uses."""
    engine = create_db_engine(empty_db_url)
    upgrade(engine)
    with engine.begin() as connection, Session(bind=connection) as session:
        units = [("999999", "测试区"), ("999999001", "街道"), ("999999001001", "社区")]
        features = [
            {"type": "Feature", "properties": {"code": c, "name": n}, "geometry": SQUARE}
            for c, n in [*units, ("999999001001001", "网格")]
        ]
        import_collection(
            session=session,
            document={"type": "FeatureCollection", "features": features},
            tolerance=1e-6,
        )
    monkeypatch.setenv("ONEGRID_DATABASE_URL", engine.url.render_as_string(hide_password=False))
    get_settings.cache_clear()
    forget_database()
    yield engine
    get_settings.cache_clear()
    forget_database()
    engine.dispose()


def _run(*args):
    return CliRunner().invoke(app, ["open311", "key", *args])


def test_a_key_is_shown_once_kept_hashed_listed_and_revoked(district_db):
    created = _run("create", "weixin-app", "--rate", "30")
    assert created.exit_code == 0, created.output
    key = created.stdout.strip().splitlines()[-1]
    assert key.startswith("og311_") and len(key) > 40
    with Session(district_db) as session:
        row = session.scalars(select(ApiKey)).one()
        assert (row.district_code, row.name, row.rate_per_minute) == ("999999", "weixin-app", 30)
        assert row.key_hash == hashlib.sha256(key.encode()).hexdigest()
        stored = session.execute(text("SELECT * FROM open311_api_key")).one()
        assert key not in " ".join(str(value) for value in stored)  # only its hash is kept
        assert keys.authenticate(session=session, key=key).id == row.id
        audit = session.scalars(select(AuditRecord.action)).all()
        assert "open311.key.create" in audit
    assert _run("create", "weixin-app").exit_code == 2  # names are unique in a district
    listed = _run("list")
    assert listed.exit_code == 0
    line = listed.stdout.strip()
    assert "weixin-app" in line and key[:10] in line and key not in line
    assert "30/min" in line and line.endswith("revoked -")

    revoked = _run("revoke", "weixin-app")
    assert revoked.exit_code == 0, revoked.output
    assert "revoked -" not in _run("list").stdout
    with Session(district_db) as session, pytest.raises(Forbidden):
        keys.authenticate(session=session, key=key)
    missing = _run("revoke", "nobody")
    assert missing.exit_code == 2 and "no key named nobody" in missing.output


def test_a_key_needs_a_district_that_exists(district_db):
    result = _run("create", "app", "--district", "210104")
    assert result.exit_code == 2 and "no district 210104" in result.output


def test_process_opens_the_queue(own_demo_engine, onegrid_cli):
    with Session(own_demo_engine) as session:
        key = keys.create(
            session=session,
            district_code="210104",
            name="queue",
            rate_per_minute=60,
            created_by="test",
        ).row
        point = point_in(session, WORKER_GRID)
        posted = PostedRequest(
            service_code="E0702",
            lat=point.y,
            long=point.x,
            description="工地拖欠三个月工资",
            attributes={"employer": "某建筑公司", "workers": "12"},
        )
        done = submissions.submit(session=session, key=key, posted=posted, source="test")
        session.commit()
    url = own_demo_engine.url.render_as_string(hide_password=False)
    result = onegrid_cli(url, "open311", "process")
    assert result.returncode == 0, result.stderr
    assert "opened 1 queued request" in result.stderr
    with Session(own_demo_engine) as session:
        row = session.scalars(select(QueuedRequest).where(QueuedRequest.token == done.token)).one()
        assert row.case_id is not None and row.error is None
    again = onegrid_cli(url, "open311", "process")
    assert "opened 0 queued request" in again.stderr
