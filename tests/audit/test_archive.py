"""Records past the retention period move to gzip files, still chained to the live log."""

import gzip
import json
from datetime import timedelta

import pytest
from pydantic import ValidationError
from sqlalchemy import select, text
from sqlalchemy.exc import IntegrityError

from onegrid.audit import AuditHead, AuditRecord, service, verify
from onegrid.audit.archive import archive
from onegrid.audit.archive_files import file_name
from onegrid.config import Settings
from onegrid.core.errors import Invalid
from onegrid.db.base import utcnow

DISTRICT = "110101"


@pytest.fixture
def at(monkeypatch):
    """Returns a function setting the time new audit records are stamped with."""

    def _at(when):
        monkeypatch.setattr(service, "utcnow", lambda: when)

    return _at


def _live_seqs(session) -> list[int]:
    query = select(AuditRecord.seq).where(AuditRecord.district_code == DISTRICT)
    return sorted(session.scalars(query))


def test_old_records_move_to_a_gzip_file_and_the_chain_still_verifies(
    session, append, at, tmp_path
):
    now = utcnow()
    at(now - timedelta(days=400))
    old = append(session, 3)
    at(now - timedelta(days=300))
    old += append(session, 2)
    at(now)
    append(session, 2)
    report = archive(session=session, before=now - timedelta(days=200), directory=tmp_path)
    [segment] = [s for s in report.segments if s.district_code == DISTRICT]
    assert (segment.first_seq, segment.last_seq, segment.count) == (1, 5, 5)
    assert segment.path == tmp_path / file_name(DISTRICT, 1, 5)
    with gzip.open(segment.path, "rt", encoding="utf-8") as lines:
        archived = [json.loads(line) for line in lines]
    assert [(r["seq"], r["hash"], r["actor"]) for r in archived] == [
        (r.seq, r.hash, "张三") for r in old
    ]
    # Records 6 and 7 stay, and the chain itself records the archiving as seq 8.
    assert _live_seqs(session) == [6, 7, 8]
    head = session.scalars(select(AuditHead).where(AuditHead.district_code == DISTRICT)).one()
    session.refresh(head)
    assert (head.archived_through_seq, head.archived_hash) == (5, old[-1].hash)
    assert verify(session=session, district_code=DISTRICT).checked == {DISTRICT: 3}
    with_files = verify(session=session, district_code=DISTRICT, archive_dir=tmp_path)
    assert with_files.ok and with_files.checked == {DISTRICT: 8}


def test_archived_files_link_into_each_other(session, append, at, tmp_path):
    now = utcnow()
    at(now - timedelta(days=400))
    append(session, 2)
    archive(session=session, before=now - timedelta(days=399), directory=tmp_path)
    at(now - timedelta(days=300))
    append(session, 2)
    archive(session=session, before=now - timedelta(days=299), directory=tmp_path)
    names = sorted(p.name for p in tmp_path.iterdir())
    assert names == [file_name(DISTRICT, 1, 2), file_name(DISTRICT, 3, 5)]
    report = verify(session=session, district_code=DISTRICT, archive_dir=tmp_path)
    assert report.ok and report.checked == {DISTRICT: 6}


def test_verify_names_an_edited_or_missing_archive_file(session, append, at, tmp_path):
    now = utcnow()
    at(now - timedelta(days=400))
    append(session, 3)
    at(now)
    archive(session=session, before=now - timedelta(days=200), directory=tmp_path)
    path = tmp_path / file_name(DISTRICT, 1, 3)
    lines = gzip.decompress(path.read_bytes()).decode().splitlines()
    edited = json.loads(lines[1]) | {"outcome": "denied"}
    path.write_bytes(gzip.compress("\n".join([lines[0], json.dumps(edited), lines[2]]).encode()))
    broken = verify(session=session, district_code=DISTRICT, archive_dir=tmp_path).first_broken
    assert (broken.seq, broken.file, broken.en) == (
        2,
        path.name,
        "hash mismatch: the record was edited",
    )
    path.unlink()
    broken = verify(session=session, district_code=DISTRICT, archive_dir=tmp_path).first_broken
    assert broken.en == f"archived records seq 1–3 are not in {tmp_path}"
    assert verify(session=session, district_code=DISTRICT).ok


def test_archive_refuses_a_cut_within_the_retention_period(session, append, tmp_path):
    append(session, 1)
    with pytest.raises(Invalid, match="kept at least 180 days") as refused:
        archive(session=session, before=utcnow() - timedelta(days=179), directory=tmp_path)
    assert "至少保留 180 天" in refused.value.zh
    assert _live_seqs(session) == [1]


def test_archive_refuses_a_broken_chain_and_leaves_it_in_place(
    session, append, at, tamper, tmp_path
):
    at(utcnow() - timedelta(days=400))
    records = append(session, 3)
    tamper(
        session.connection(), "UPDATE audit_log SET actor = 'x' WHERE id = :id", id=records[1].id
    )
    with pytest.raises(Invalid, match="refusing to archive") as refused:
        archive(session=session, before=utcnow() - timedelta(days=200), directory=tmp_path)
    assert "seq 2" in refused.value.en
    assert list(tmp_path.iterdir()) == []
    assert _live_seqs(session) == [1, 2, 3]


def test_records_not_yet_archived_still_cannot_be_deleted(session, append, at, tmp_path):
    now = utcnow()
    at(now - timedelta(days=400))
    append(session, 2)
    at(now)
    append(session, 1)
    archive(session=session, before=now - timedelta(days=200), directory=tmp_path)
    with (
        pytest.raises(IntegrityError, match="only archived records can be deleted"),
        session.begin_nested(),
    ):
        session.execute(text("DELETE FROM audit_log WHERE district_code = :d"), {"d": DISTRICT})


def test_retention_below_180_days_is_refused(monkeypatch):
    with pytest.raises(ValidationError, match="at least 180"):
        Settings(_env_file=None, audit_retention_days=90)
    monkeypatch.setenv("ONEGRID_AUDIT_RETENTION_DAYS", "365")
    assert Settings(_env_file=None).audit_retention_days == 365
