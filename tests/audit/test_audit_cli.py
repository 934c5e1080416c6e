"""`onegrid audit` as an operator runs it: output in both languages and meaningful exit codes.

The commands run the audit sub-app in a child process, as `onegrid audit` does once mounted.
"""

import gzip
import os
import subprocess
import sys
from datetime import timedelta

import pytest
from sqlalchemy import select, text
from sqlalchemy.orm import Session

from onegrid.audit import AuditRecord, service
from onegrid.db.base import utcnow

DISTRICT = "110101"
_LAUNCH = "from onegrid.audit.cli import audit_app; audit_app(prog_name='onegrid audit')"


def _audit(url, *args, **settings):
    env = {**os.environ, "ONEGRID_DATABASE_URL": url, **settings}
    return subprocess.run(
        [sys.executable, "-c", _LAUNCH, *args],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
    )


@pytest.fixture
def url(audit_engine, append, monkeypatch):
    """Returns the URL of a database with 2 records from 400 days ago and 3 from today."""
    now = utcnow()
    with Session(audit_engine) as session:
        monkeypatch.setattr(service, "utcnow", lambda: now - timedelta(days=400))
        append(session, 2)
        monkeypatch.setattr(service, "utcnow", lambda: now)
        append(session, 3)
        session.commit()
    return audit_engine.url.render_as_string(hide_password=False)


def test_verify_passes_on_an_untouched_chain(url):
    result = _audit(url, "verify")
    assert result.returncode == 0, result.stderr
    assert f"{DISTRICT}: 已核验 5 条记录 records checked" in result.stdout
    assert result.stdout.splitlines()[-1] == "审计链完整 audit chain intact"


def test_verify_names_the_first_broken_record_and_exits_1(url, audit_engine, tamper):
    with audit_engine.begin() as connection:
        tamper(connection, "UPDATE audit_log SET source = '203.0.113.9' WHERE seq = 4")
    result = _audit(url, "verify", "--district", DISTRICT)
    assert result.returncode == 1, result.stderr
    assert f"audit chain broken: district {DISTRICT}, seq 4" in result.stdout
    assert "hash mismatch: the record was edited" in result.stdout
    assert "哈希不符" in result.stdout


def test_usage_and_data_errors_exit_2(url, tmp_path):
    unknown = _audit(url, "verify", "--district", "999998")
    assert unknown.returncode == 2
    assert "district 999998 has no audit records" in unknown.stderr
    assert _audit(url, "verify", "--archive", str(tmp_path / "nowhere")).returncode == 2
    assert _audit(url, "verify", "--no-such-option").returncode == 2
    too_recent = _audit(url, "archive", "--before", utcnow().date().isoformat())
    assert too_recent.returncode == 2 and "kept at least 180 days" in too_recent.stderr
    short = _audit(url, "archive", ONEGRID_AUDIT_RETENTION_DAYS="30")
    assert short.returncode == 2 and "must be at least 180" in short.stderr


def test_archive_then_verify_with_the_archive(url, audit_engine, tmp_path):
    result = _audit(url, "archive", "--directory", str(tmp_path))
    assert result.returncode == 0, result.stderr
    assert "archived 2 records" in result.stdout
    [path] = tmp_path.iterdir()
    assert len(gzip.decompress(path.read_bytes()).splitlines()) == 2
    verified = _audit(url, "verify", "--archive", str(tmp_path))
    assert verified.returncode == 0, verified.stdout + verified.stderr
    assert "已核验 4 条记录 records checked (+2 已归档 archived)" in verified.stdout
    with Session(audit_engine) as session:
        archived = session.scalars(
            select(AuditRecord).where(AuditRecord.action == "audit.archive")
        ).one()
        assert archived.actor.startswith("cli:") and archived.object_id == "1-2"


def test_list_prints_the_newest_records_and_records_the_reading(url, audit_engine):
    result = _audit(url, "list", "--limit", "2", "--action", "case.update")
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert len(lines) == 2 and lines[0].split()[:2] == [DISTRICT, "5"]
    assert "张三(command_centre) case.update case:2 success 192.0.2.1" in lines[0]
    with Session(audit_engine) as session:
        read = session.scalars(select(AuditRecord).order_by(AuditRecord.seq.desc())).first()
        assert (read.seq, read.action, read.source) == (6, "audit.read", "cli")


def test_checkpoint_then_verify_catches_a_removed_tail(url, audit_engine, tamper, tmp_path):
    points = tmp_path / "points"
    written = _audit(url, "checkpoint", "--dir", str(points))
    assert written.returncode == 0, written.stderr
    assert f"{DISTRICT}: seq 5 " in written.stdout
    assert "wrote 1 checkpoints" in written.stdout
    intact = _audit(url, "verify", "--checkpoints", str(points))
    assert intact.returncode == 0, intact.stdout + intact.stderr
    assert "1 个检查点 checkpoints" in intact.stdout
    with audit_engine.begin() as connection:
        tamper(connection, "DELETE FROM audit_log WHERE seq = 5")
        connection.execute(
            text("UPDATE audit_head SET seq = 4, hash = (SELECT hash FROM audit_log WHERE seq = 4)")
        )
    assert _audit(url, "verify", "--checkpoints", str(tmp_path / "none")).returncode == 2
    result = _audit(url, "verify", "--checkpoints", str(points))
    assert result.returncode == 1, result.stdout + result.stderr
    assert "the head (seq 4) is behind a signed checkpoint (seq 5)" in result.stdout
