"""Backups that restore: taken while the server writes, restored into a new database, the copy
holds every acknowledged case and its audit chain verifies under the same key."""

import json
import threading
import urllib.error
import urllib.request
from collections.abc import Iterator

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from onegrid.audit import verify
from onegrid.cases.models import Case
from onegrid.config import get_settings
from onegrid.core.errors import Conflict, Invalid
from onegrid.core.permissions import Scope
from onegrid.db import backup, get_engine
from onegrid.db.engine import create_db_engine
from onegrid.demo.build import DEMO_PASSWORD
from onegrid.territory import service as territory
from onegrid.territory.geometry import from_wkb
from tests.cases.conftest import WORKER_GRID
from tests.conftest import _postgres_database

WRITERS = 4


def _post(url: str, path: str, body: dict, token: str | None = None) -> tuple:
    headers = {"Content-Type": "application/json"}
    if token:
        headers["Authorization"] = f"Bearer {token}"
    request = urllib.request.Request(
        url + path, data=json.dumps(body).encode(), headers=headers, method="POST"
    )
    try:
        with urllib.request.urlopen(request, timeout=120) as answer:
            return answer.status, json.loads(answer.read())
    except urllib.error.HTTPError as error:
        return error.code, error.read().decode()


def test_a_backup_taken_while_writing_restores_every_acknowledged_case(
    served, empty_db_url, tmp_path
):
    with Session(get_engine()) as session:  # the served copy
        unit = territory.get_by_code(session=session, code=WORKER_GRID, scope=Scope.all())
        point = from_wkb(unit.geometry).representative_point()
    _, signed = _post(
        served, "/api/v1/auth/token", {"username": "command", "password": DEMO_PASSWORD}
    )
    token = signed["access_token"]
    acknowledged: list[str] = []
    failures: list = []
    stop = threading.Event()

    def write(n: int) -> None:
        i = 0
        while not stop.is_set() or i < 3:  # at least three each before the backup
            body = {"category_code": "0107", "description": f"井盖缺失 {n}-{i}"}
            status, answer = _post(
                served, "/api/v1/cases", {**body, "lon": point.x, "lat": point.y}, token
            )
            if status != 201:
                failures.append((status, answer))
                return
            if not stop.is_set():
                acknowledged.append(answer["receipt"])
            i += 1

    threads = [threading.Thread(target=write, args=(n,)) for n in range(WRITERS)]
    for thread in threads:
        thread.start()
    while len(acknowledged) < 3 * WRITERS and not failures:
        threading.Event().wait(0.05)
    before = list(acknowledged)  # acknowledged before the backup began
    file = tmp_path / "onegrid.backup"
    backup.backup(url=get_settings().database_url, file=file)  # the writers go on meanwhile
    stop.set()
    for thread in threads:
        thread.join(timeout=300)
    assert failures == []

    backup.restore(url=empty_db_url, file=file)
    restored = create_db_engine(empty_db_url)
    try:
        with Session(restored) as session:
            receipts = set(session.scalars(select(Case.receipt).where(Case.receipt.in_(before))))
            assert receipts == set(before)
            report = verify(session=session)
            assert report.ok, report.first_broken
            assert report.checked["210104"] > 0
        with pytest.raises(Conflict, match="--force"):
            backup.restore(url=empty_db_url, file=file)
    finally:
        restored.dispose()
    backup.restore(url=empty_db_url, file=file, force=True)  # replaced whole, not doubled
    restored = create_db_engine(empty_db_url)
    try:
        with Session(restored) as session:
            assert session.scalar(select(Case.id).where(Case.receipt == before[0])) is not None
            assert verify(session=session).ok
    finally:
        restored.dispose()


def test_a_backup_of_the_other_store_is_refused(empty_db_url, tmp_path):
    file = tmp_path / "not-a-backup"
    file.write_bytes(b"PGDMP" if empty_db_url.startswith("sqlite") else b"SQLite format 3\x00")
    with pytest.raises(Invalid, match="cannot be restored"):
        backup.restore(url=empty_db_url, file=file)
    with pytest.raises(Invalid, match="no such backup file"):
        backup.restore(url=empty_db_url, file=tmp_path / "missing")


@pytest.fixture
def second_db_url(backend, tmp_path) -> Iterator[str]:
    """Returns the URL of another new, empty database of the backend."""
    if backend == "sqlite":
        yield f"sqlite:///{tmp_path / 'restored.db'}"
    else:
        yield from _postgres_database()


def test_backup_and_restore_from_the_command_line(
    audit_engine, append, onegrid_cli, second_db_url, tmp_path
):
    with Session(audit_engine) as session:
        append(session, 4)
        session.commit()
    url = audit_engine.url.render_as_string(hide_password=False)
    file = tmp_path / "audit.backup"
    made = onegrid_cli(url, "backup", str(file))
    assert made.returncode == 0, made.stderr
    assert "backed up" in made.stderr and file.is_file()
    done = onegrid_cli(second_db_url, "restore", str(file))
    assert done.returncode == 0, done.stderr
    checked = onegrid_cli(second_db_url, "audit", "verify")
    assert checked.returncode == 0, checked.stdout + checked.stderr
    # the four records, the backup's own record, and the restore's
    assert "110101: 已核验 6 条记录 records checked" in checked.stdout
    again = onegrid_cli(second_db_url, "restore", str(file))
    assert again.returncode == 2 and "--force replaces all of it" in again.stderr
    assert onegrid_cli(second_db_url, "restore", "--force", str(file)).returncode == 0
