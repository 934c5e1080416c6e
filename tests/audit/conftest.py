"""Fixtures of the audit tests: databases of their own, a writer, and an intruder's hand.

The tests use district 110101 (DISTRICT), which the demo district (210104) never touches.
"""

from collections.abc import Callable, Iterator

import pytest
from sqlalchemy import Connection, Engine, text
from sqlalchemy.orm import Session

from onegrid.audit import AuditRecord, record
from onegrid.db.engine import create_db_engine
from onegrid.db.migrate import upgrade
from tests.accounts.test_concurrent_writes import served  # noqa: F401  (the demo, served)

DISTRICT = "110101"


@pytest.fixture
def audit_engine(empty_db_url) -> Iterator[Engine]:
    """Returns an engine on a new migrated database, for tests whose writes must commit."""
    engine = create_db_engine(empty_db_url)
    upgrade(engine)
    yield engine
    engine.dispose()


@pytest.fixture
def append() -> Callable[..., list[AuditRecord]]:
    """Returns a function appending n records to a district's chain in a session."""

    def _append(session: Session, n: int, district_code: str = DISTRICT) -> list[AuditRecord]:
        return [
            record(
                session=session,
                district_code=district_code,
                actor="张三",
                actor_id=7,
                actor_role="command_centre",
                action="case.update",
                object_type="case",
                object_id=i,
                source="192.0.2.1",
                detail={"字段": "state", "n": i},
            )
            for i in range(n)
        ]

    return _append


@pytest.fixture
def tamper() -> Callable[..., None]:
    """Returns a function running SQL on audit_log past its triggers, as an intruder would."""
    return _tamper


def _tamper(connection: Connection, statement: str, **params) -> None:
    if connection.dialect.name == "postgresql":
        # Needs a superuser, as the tests' postgres is: triggers do not fire for a replica.
        connection.execute(text("SET LOCAL session_replication_role = replica"))
        connection.execute(text(statement), params)
        connection.execute(text("SET LOCAL session_replication_role = origin"))
        return
    triggers = connection.execute(
        text(
            "SELECT name, sql FROM sqlite_master WHERE type = 'trigger' AND tbl_name = 'audit_log'"
        )
    ).all()
    for name, _sql in triggers:
        connection.execute(text(f"DROP TRIGGER {name}"))
    connection.execute(text(statement), params)
    for _name, sql in triggers:
        connection.execute(text(sql))
