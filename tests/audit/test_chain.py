"""Records chain per district, and verify names the first record that was tampered with."""

from dataclasses import asdict

import pytest
from sqlalchemy import insert, select, text
from sqlalchemy.exc import IntegrityError

from onegrid.audit import AuditHead, AuditRecord, Entry, list_records, record, verify
from onegrid.audit.hashing import record_hash
from onegrid.audit.models import GENESIS
from onegrid.audit.service import checked_values, record_checked
from onegrid.core.errors import Invalid

DISTRICT = "110101"


def _columns(row: AuditRecord) -> dict:
    return {c.key: getattr(row, c.key) for c in AuditRecord.__mapper__.column_attrs}


def test_records_form_a_chain_that_verifies(session, append):
    records = append(session, 3)
    assert [r.seq for r in records] == [1, 2, 3]
    assert records[0].prev_hash == GENESIS
    assert [r.prev_hash for r in records[1:]] == [r.hash for r in records[:-1]]
    assert all(record_hash(_columns(r)) == r.hash for r in records)
    assert all(r.at.tzinfo is not None and r.at.utcoffset().total_seconds() == 0 for r in records)
    assert records[1].object_id == "1" and records[1].detail == '{"n":1,"字段":"state"}'
    head = session.get(AuditHead, DISTRICT)
    assert (head.seq, head.hash) == (3, records[-1].hash)
    report = verify(session=session, district_code=DISTRICT)
    assert report.ok and report.first_broken is None
    assert report.checked == {DISTRICT: 3}


def test_a_batch_joins_the_same_chain(session, append):
    append(session, 1)
    entries = [asdict(Entry(actor="intake", action="case.create", object_id=n)) for n in range(3)]
    rows = checked_values(entries)
    assert record_checked(session=session, district_code=DISTRICT, rows=rows) == 3
    assert record_checked(session=session, district_code=DISTRICT, rows=[]) == 0
    append(session, 1)
    rows = session.scalars(
        select(AuditRecord).where(AuditRecord.district_code == DISTRICT).order_by(AuditRecord.seq)
    ).all()
    assert [(r.seq, r.actor) for r in rows] == [
        (1, "张三"),
        (2, "intake"),
        (3, "intake"),
        (4, "intake"),
        (5, "张三"),
    ]
    assert verify(session=session, district_code=DISTRICT).checked == {DISTRICT: 5}


def test_each_district_has_a_chain_of_its_own(session, append):
    append(session, 2)
    other = append(session, 3, district_code="110102")
    assert [r.seq for r in other] == [1, 2, 3] and other[0].prev_hash == GENESIS
    report = verify(session=session, district_code="110102")
    assert report.ok and report.checked == {"110102": 3}


def test_the_record_rolls_back_with_the_write_it_describes(audit_engine, append):
    from sqlalchemy.orm import Session

    with Session(audit_engine) as session:
        append(session, 2)
        session.rollback()
        assert [r.seq for r in append(session, 1)] == [1]
        session.commit()
        assert verify(session=session).checked == {DISTRICT: 1}


def test_an_edited_record_is_named(session, append, tamper):
    records = append(session, 5)
    tamper(
        session.connection(), "UPDATE audit_log SET actor = '李四' WHERE id = :id", id=records[2].id
    )
    broken = verify(session=session, district_code=DISTRICT).first_broken
    assert (broken.district_code, broken.seq, broken.record_id) == (DISTRICT, 3, records[2].id)
    assert broken.en == "hash mismatch: the record was edited"
    assert "被修改" in broken.zh


def test_an_edited_and_rehashed_record_breaks_the_next_link(session, append, tamper):
    records = append(session, 5)
    forged = {**_columns(records[2]), "outcome": "denied"}
    tamper(
        session.connection(),
        "UPDATE audit_log SET outcome = 'denied', hash = :hash WHERE id = :id",
        hash=record_hash(forged),
        id=records[2].id,
    )
    broken = verify(session=session, district_code=DISTRICT).first_broken
    assert (broken.seq, broken.record_id) == (4, records[3].id)
    assert broken.en.startswith("prev_hash does not link")


def test_a_deleted_record_shows_as_a_gap(session, append, tamper):
    records = append(session, 5)
    tamper(session.connection(), "DELETE FROM audit_log WHERE id = :id", id=records[2].id)
    report = verify(session=session, district_code=DISTRICT)
    assert not report.ok
    assert report.first_broken.seq == 3 and report.first_broken.record_id is None
    assert report.first_broken.en.startswith("seq 3 missing: a record was deleted")
    assert report.checked == {DISTRICT: 2}


def test_records_removed_from_the_end_leave_the_head_behind(session, append, tamper):
    records = append(session, 5)
    tamper(
        session.connection(),
        "DELETE FROM audit_log WHERE seq >= 4 AND district_code = :d",
        d=DISTRICT,
    )
    broken = verify(session=session, district_code=DISTRICT).first_broken
    assert broken.seq == 4
    assert broken.en.startswith(
        "head does not match the last record: records were removed from the end"
    )
    assert records[2].hash == session.get(AuditRecord, records[2].id).hash


def test_a_record_slipped_in_beyond_the_head_is_found(session, append):
    last = append(session, 2)[-1]
    forged = {**_columns(last), "seq": 3, "prev_hash": last.hash}
    forged.pop("id")
    forged["hash"] = record_hash(forged)
    session.execute(insert(AuditRecord.__table__).values(forged))
    broken = verify(session=session, district_code=DISTRICT).first_broken
    assert broken.seq == 3
    assert broken.en == "the record lies beyond the chain head: it was not written by onegrid"


def test_the_database_refuses_update_and_delete(session, append):
    append(session, 2)
    for statement in (
        "UPDATE audit_log SET actor = 'x' WHERE district_code = :d",
        "DELETE FROM audit_log WHERE district_code = :d",
    ):
        with (
            pytest.raises(IntegrityError, match="audit_log is append-only"),
            session.begin_nested(),
        ):
            session.execute(text(statement), {"d": DISTRICT})
    assert verify(session=session, district_code=DISTRICT).ok


def test_the_orm_refuses_to_change_or_delete_a_record(session, append):
    first = append(session, 1)[0]
    first.outcome = "denied"
    with pytest.raises(Invalid, match="append-only"):
        session.flush()
    session.expire(first)
    session.delete(first)
    with pytest.raises(Invalid, match="append-only"):
        session.flush()
    session.expunge(first)
    assert verify(session=session, district_code=DISTRICT).ok


def test_refuses_bad_input_and_cuts_overlong_text(session):
    with pytest.raises(Invalid, match="unknown outcome"):
        record(session=session, district_code=DISTRICT, actor="a", action="x", outcome="ok")
    with pytest.raises(Invalid, match="6 digits"):
        record(session=session, district_code="1101", actor="a", action="x")
    long = record(
        session=session,
        district_code=DISTRICT,
        actor="x" * 10_000,
        action="auth.login",
        outcome="failed",
    )
    assert len(long.actor) == 150
    assert verify(session=session, district_code=DISTRICT).ok


def test_list_records_newest_first_with_filters(session, append):
    append(session, 3)
    record(session=session, district_code=DISTRICT, actor="王五", action="pii.reveal")
    newest = list_records(session=session, district_code=DISTRICT, limit=2)
    assert [r.seq for r in newest] == [4, 3]
    assert [r.seq for r in list_records(session=session, district_code=DISTRICT, offset=3)] == [1]
    revealed = list_records(session=session, district_code=DISTRICT, action="pii.reveal")
    assert [(r.actor, r.seq) for r in revealed] == [("王五", 4)]
    assert len(list_records(session=session, district_code=DISTRICT, actor="张三")) == 3
    assert (
        list_records(
            session=session, district_code=DISTRICT, since=newest[0].at, until=newest[0].at
        )
        == []
    )
    with pytest.raises(Invalid):
        list_records(session=session, district_code=DISTRICT, limit=0)
    assert (
        session.scalars(select(AuditRecord.seq).where(AuditRecord.district_code == "110102")).all()
        == []
    )
