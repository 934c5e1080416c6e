"""Fixtures: every database test runs on SQLite and on a real PostgreSQL.

PostgreSQL tests create their own database on ONEGRID_TEST_POSTGRES (default: the local
server, user postgres) and drop it afterwards. They never skip in CI; on a workstation with
no PostgreSQL, ONEGRID_TEST_SKIP_POSTGRES=1 leaves them out.
"""

import base64
import os
import subprocess
import sys
import uuid
from collections.abc import Iterator
from contextlib import contextmanager

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine, create_engine, select, text
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session

from onegrid.accounts import service as accounts
from onegrid.accounts.models import User
from onegrid.app import create_app
from onegrid.config import get_settings
from onegrid.db import get_session
from onegrid.db.engine import create_db_engine
from onegrid.db.migrate import upgrade
from onegrid.demo import build_demo
from onegrid.demo.build import DEMO_USERS

POSTGRES_ADMIN = os.environ.get(
    "ONEGRID_TEST_POSTGRES", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
)
BACKENDS = ["sqlite", "postgresql"]
if os.environ.get("ONEGRID_TEST_SKIP_POSTGRES") and not os.environ.get("CI"):
    BACKENDS = ["sqlite"]


def _postgres_database() -> Iterator[str]:
    name = f"onegrid_test_{uuid.uuid4().hex[:12]}"
    admin = create_engine(POSTGRES_ADMIN, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield make_url(POSTGRES_ADMIN).set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


@pytest.fixture(scope="session", autouse=True)
def evidence_dir(tmp_path_factory) -> Iterator[None]:
    """Keeps the files tests upload out of the working directory."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("ONEGRID_EVIDENCE_DIR", str(tmp_path_factory.mktemp("evidence")))
        get_settings.cache_clear()
        yield
    get_settings.cache_clear()


# Test keys of the audit chain and its checkpoints (32 bytes each), not the defaults.
AUDIT_KEY = base64.urlsafe_b64encode(b"test-audit-key-of-the-test-suite").decode()
CHECKPOINT_KEY = base64.urlsafe_b64encode(b"test-checkpoint-key-of-the-suite").decode()


@pytest.fixture(scope="session", autouse=True)
def audit_keys(tmp_path_factory) -> Iterator[None]:
    """Keys the audit chain and signs its checkpoints under test keys, so that settings
    outside development (which refuse the default keys) need set only their own; the
    checkpoint directory is out of the working directory (tests name their own)."""
    with pytest.MonkeyPatch.context() as patch:
        directory = tmp_path_factory.mktemp("checkpoints")
        patch.setenv("ONEGRID_AUDIT_CHECKPOINT_DIR", str(directory))
        patch.setenv("ONEGRID_AUDIT_KEY", AUDIT_KEY)
        patch.setenv("ONEGRID_AUDIT_CHECKPOINT_KEY", CHECKPOINT_KEY)
        get_settings.cache_clear()
        yield
    get_settings.cache_clear()


@pytest.fixture(autouse=True)
def checkpoint_dir(tmp_path_factory, monkeypatch) -> Iterator[None]:
    """Gives each test checkpoints of its own: a checkpoint one test's database left (a served
    copy writes one at start) would otherwise be checked against another test's database."""
    monkeypatch.setenv("ONEGRID_AUDIT_CHECKPOINT_DIR", str(tmp_path_factory.mktemp("checkpoints")))
    get_settings.cache_clear()
    yield
    get_settings.cache_clear()


@pytest.fixture(scope="session", params=BACKENDS)
def backend(request) -> str:
    """Returns each store in turn: "sqlite" and "postgresql"."""
    return request.param


def _new_database(backend: str, tmp_path_factory) -> Iterator[str]:
    if backend == "sqlite":
        yield f"sqlite:///{tmp_path_factory.mktemp('db') / 'onegrid.db'}"
    else:
        yield from _postgres_database()


@pytest.fixture
def empty_db_url(backend, tmp_path_factory) -> Iterator[str]:
    """Returns the URL of a new, empty database of each backend, for this test alone."""
    yield from _new_database(backend, tmp_path_factory)


@pytest.fixture(scope="session")
def demo_engine(backend, tmp_path_factory) -> Iterator[Engine]:
    """Returns an engine on a migrated database holding the demo district, built once."""
    for url in _new_database(backend, tmp_path_factory):
        engine = create_db_engine(url)
        upgrade(engine)
        with Session(engine) as session:
            build_demo(session)
            session.commit()
        yield engine
        engine.dispose()


@pytest.fixture
def session(demo_engine) -> Iterator[Session]:
    """Yields a session on the demo database whose writes are all rolled back afterwards."""
    connection = demo_engine.connect()
    outer = connection.begin()
    db = Session(bind=connection, join_transaction_mode="create_savepoint")
    try:
        yield db
    finally:
        db.close()
        outer.rollback()
        connection.close()


@contextmanager
def client_on(session: Session) -> Iterator[TestClient]:
    """Yields an HTTP client of the app bound to this session (a test's, rolled back)."""
    app = create_app()

    def _session() -> Iterator[Session]:
        yield session
        session.flush()

    app.dependency_overrides[get_session] = _session
    with TestClient(app) as test_client:
        yield test_client


@pytest.fixture
def client(session) -> Iterator[TestClient]:
    """Returns an HTTP client of the app bound to the test's rolled-back session."""
    with client_on(session) as test_client:
        yield test_client


@pytest.fixture
def api(client, tokens):
    """Calls the API as a demo user: api("command", "post", path, json=…)."""

    def call(username, method, path, **kwargs):
        headers = {"Authorization": f"Bearer {tokens[username]}"} if username else {}
        return client.request(method.upper(), "/api/v1" + path, headers=headers, **kwargs)

    return call


@pytest.fixture(scope="session")
def tokens(demo_engine) -> dict[str, str]:
    """Returns a bearer token for each demo user, committed to the demo database."""
    result = {}
    with Session(demo_engine) as session:
        for username, *_ in DEMO_USERS:
            user = session.scalars(select(User).where(User.username == username)).one()
            result[username] = accounts.issue_token(
                session=session, user=user, kind="api", source="test"
            ).token
        session.commit()
    return result


@pytest.fixture(scope="session")
def onegrid_cli():
    """Returns a runner of the `onegrid` command on a database: run(url, *args, stdin=None)."""

    def run(url: str, *args: str, stdin: str | None = None) -> subprocess.CompletedProcess:
        env = {**os.environ, "ONEGRID_DATABASE_URL": url}
        return subprocess.run(
            [sys.executable, "-m", "onegrid", *args],
            capture_output=True,
            text=True,
            env=env,
            input=stdin,
            timeout=120,
        )

    return run
