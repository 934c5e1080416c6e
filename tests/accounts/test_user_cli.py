"""`onegrid user …` and `onegrid audit verify` as an operator runs them."""

import json

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from onegrid.accounts.models import User
from onegrid.audit.models import AuditRecord
from onegrid.db.engine import create_db_engine
from onegrid.db.migrate import upgrade
from onegrid.territory.geojson import import_collection

SQUARE = {"type": "Polygon", "coordinates": [[[0, 0], [1, 0], [1, 1], [0, 1], [0, 0]]]}


@pytest.fixture
def db(empty_db_url):
    """A database with a one-grid district 999999, for commands that write."""
    engine = create_db_engine(empty_db_url)
    upgrade(engine)
    with engine.begin() as connection, Session(bind=connection) as session:
        import_collection(
            session=session,
            document={
                "type": "FeatureCollection",
                "features": [
                    {"type": "Feature", "properties": {"code": c, "name": n}, "geometry": SQUARE}
                    for c, n in (
                        ("999999", "测试区"),
                        ("999999001", "街道"),
                        ("999999001001", "社区"),
                        ("999999001001001", "网格"),
                    )
                ],
            },
            tolerance=1e-6,
        )
        session.flush()
    yield engine
    engine.dispose()


def _url(engine):
    return engine.url.render_as_string(hide_password=False)


def _users(engine):
    with engine.connect() as connection:
        return {u.username: u for u in connection.execute(select(User))}


def test_create_disable_enable_and_reset_a_user(db, onegrid_cli):
    url = _url(db)
    created = onegrid_cli(
        url,
        "user",
        "create",
        "wang",
        "--role",
        "grid_worker",
        "--scope",
        "999999001001001",
        "--password-stdin",
        stdin="Grid-Worker-2026\n",
    )
    assert created.returncode == 0, created.stderr
    assert _users(db)["wang"].role == "grid_worker"
    listing = onegrid_cli(url, "user", "list").stdout
    assert "wang" in listing and "999999001001001" in listing and "active" in listing

    assert onegrid_cli(url, "user", "disable", "wang").returncode == 0
    assert _users(db)["wang"].is_active is False
    assert onegrid_cli(url, "user", "enable", "wang").returncode == 0
    assert _users(db)["wang"].is_active is True

    reset = onegrid_cli(url, "user", "reset", "wang", "--generate")
    assert reset.returncode == 0, reset.stderr
    assert len(reset.stdout.strip()) == 16

    with db.connect() as connection:
        actions = [
            r.action for r in connection.execute(select(AuditRecord).order_by(AuditRecord.seq))
        ]
    assert actions == ["user.create", "user.disable", "user.enable", "user.reset_password"]


def test_only_the_command_line_manages_the_administrators(db, onegrid_cli):
    """What the API refuses (test_separation_of_duties), the server's operator can do."""
    url = _url(db)
    created = onegrid_cli(
        url,
        "user",
        "create",
        "shen",
        "--role",
        "audit_admin",
        "--password-stdin",
        stdin="Audit-Lantern-2026\n",
    )
    assert created.returncode == 0, created.stderr
    assert _users(db)["shen"].role == "audit_admin"
    changed = onegrid_cli(url, "user", "role", "shen", "--role", "security_admin")
    assert changed.returncode == 0, changed.stderr
    assert _users(db)["shen"].role == "security_admin"
    to_grid = onegrid_cli(
        url, "user", "role", "shen", "--role", "grid_worker", "--scope", "999999001001001"
    )
    assert to_grid.returncode == 0, to_grid.stderr
    bad = onegrid_cli(url, "user", "role", "shen", "--role", "grid_worker", "--scope", "999999")
    assert bad.returncode == 2 and "15-digit" in bad.stderr
    for args in (("disable", "shen"), ("enable", "shen"), ("reset", "shen", "--generate")):
        assert onegrid_cli(url, "user", *args).returncode == 0
    with db.connect() as connection:
        records = connection.execute(
            select(AuditRecord).where(AuditRecord.object_id == "shen").order_by(AuditRecord.seq)
        ).all()
    assert [r.action for r in records] == [
        "user.create",
        "user.role",
        "user.role",
        "user.disable",
        "user.enable",
        "user.reset_password",
    ]
    assert json.loads(records[1].detail) == {
        "old": {"role": "audit_admin", "scope": ["999999"], "start_page": None},
        "new": {"role": "security_admin", "scope": ["999999"], "start_page": None},
    }
    assert json.loads(records[2].detail)["new"] == {
        "role": "grid_worker",
        "scope": ["999999001001001"],
        "start_page": None,
    }
    assert all(r.actor.startswith("cli:") for r in records)


def test_a_weak_password_or_a_wrong_scope_is_refused_with_the_reason(db, onegrid_cli):
    url = _url(db)
    weak = onegrid_cli(
        url,
        "user",
        "create",
        "li",
        "--role",
        "grid_worker",
        "--scope",
        "999999001001001",
        "--password-stdin",
        stdin="short\n",
    )
    assert weak.returncode == 2 and "at least 12 characters" in weak.stderr
    wrong = onegrid_cli(
        url,
        "user",
        "create",
        "li",
        "--role",
        "grid_worker",
        "--scope",
        "999999001",
        "--password-stdin",
        stdin="Grid-Worker-2026\n",
    )
    assert wrong.returncode == 2 and "15-digit" in wrong.stderr
    assert "li" not in _users(db)


def test_a_start_page_is_a_path_on_this_site(db, onegrid_cli):
    """A 12345 operator shares the command centre's role but starts on the call form."""
    url = _url(db)
    create = ("user", "create", "zhao", "--role", "command_centre", "--password-stdin")
    elsewhere = onegrid_cli(
        url, *create, "--start-page", "https://evil.example/", stdin="Call-Taker-12345-ok\n"
    )
    assert elsewhere.returncode == 2 and "a path on this site" in elsewhere.stderr
    assert "zhao" not in _users(db)
    created = onegrid_cli(url, *create, "--start-page", "/hotline", stdin="Call-Taker-12345-ok\n")
    assert created.returncode == 0, created.stderr
    assert _users(db)["zhao"].start_page == "/hotline"

    role = ("user", "role", "zhao", "--role", "command_centre")
    refused = onegrid_cli(url, *role, "--start-page", "//evil.example")
    assert refused.returncode == 2 and "a path on this site" in refused.stderr
    assert _users(db)["zhao"].start_page == "/hotline"
    assert onegrid_cli(url, *role).returncode == 0  # none given: the start page kept
    assert _users(db)["zhao"].start_page == "/hotline"
    assert onegrid_cli(url, *role, "--start-page", "").returncode == 0  # the role's again
    assert _users(db)["zhao"].start_page is None


def test_audit_verify_through_the_onegrid_command(demo_engine, onegrid_cli):
    result = onegrid_cli(_url(demo_engine), "audit", "verify")
    assert result.returncode == 0, result.stderr + result.stdout
    assert "audit chain intact" in result.stdout + result.stderr
