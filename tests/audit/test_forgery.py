"""Forging the audit chain as an intruder holding the database would: it must not pass.

The intruder edits a record with SQL and computes every later hash and the head again with
plain SHA-256 (what the chain used to be), or removes the newest records and moves the head
back. The hashing here is the intruder's own, written out, not onegrid's.
"""

import hashlib
import json
import threading

from sqlalchemy import select, text
from sqlalchemy.orm import Session

from onegrid.audit import checkpoints, verify

DISTRICT = "110101"
_FIELDS = [
    *("district_code", "seq", "at", "actor_id", "actor", "actor_role", "action"),
    *("object_type", "object_id", "outcome", "source", "detail", "prev_hash"),
]


def _sha256_rehash(
    connection, *, from_seq: int, keep_key_id: bool, through_seq: int | None = None
) -> None:
    """Rewrites the hashes from from_seq onwards and the head, as the finding's intruder did."""
    rows = connection.execute(
        text("SELECT * FROM audit_log WHERE district_code = :d ORDER BY seq"), {"d": DISTRICT}
    ).mappings()
    prev = "0" * 64
    for row in list(rows):
        if row["seq"] < from_seq:
            prev = row["hash"]
            continue
        if through_seq is not None and row["seq"] > through_seq:
            break
        fields = {name: row[name] for name in _FIELDS}
        fields["at"] = _at(row["at"])
        fields["prev_hash"] = prev
        key_id = row["key_id"] if keep_key_id else None
        if key_id is not None:
            fields["key_id"] = key_id
        canonical = json.dumps(fields, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
        new = hashlib.sha256((prev + canonical).encode("utf-8")).hexdigest()
        _tamper(
            connection,
            "UPDATE audit_log SET prev_hash = :p, hash = :h, key_id = :k WHERE id = :id",
            p=prev,
            h=new,
            k=key_id,
            id=row["id"],
        )
        prev = new
    connection.execute(
        text("UPDATE audit_head SET hash = :h WHERE district_code = :d"), {"h": prev, "d": DISTRICT}
    )


def _at(value) -> str:
    from datetime import UTC, datetime

    if isinstance(value, str):  # SQLite: SQLAlchemy's text of a UTC time
        value = datetime.fromisoformat(value).replace(tzinfo=UTC)
    return value.astimezone(UTC).isoformat(timespec="microseconds")


def _tamper(connection, statement: str, **params) -> None:
    from tests.audit.conftest import _tamper as past_triggers

    past_triggers(connection, statement, **params)


def _edit(connection, seq: int) -> None:
    _tamper(
        connection,
        "UPDATE audit_log SET actor = '李四' WHERE district_code = :d AND seq = :s",
        d=DISTRICT,
        s=seq,
    )


def test_an_edited_record_rehashed_with_sha256_is_caught(audit_engine, append):
    with Session(audit_engine) as session:
        append(session, 6)
        session.commit()
    with audit_engine.begin() as connection:
        _edit(connection, 3)
        _sha256_rehash(connection, from_seq=3, keep_key_id=True)
    with Session(audit_engine) as session:
        report = verify(session=session)
    assert not report.ok
    assert report.first_broken.seq == 3
    assert report.first_broken.en == "hash mismatch: the record was edited"


def test_a_tail_rewritten_as_unkeyed_legacy_records_is_caught(audit_engine, append):
    with Session(audit_engine) as session:
        append(session, 6)
        session.commit()
    with audit_engine.begin() as connection:
        _edit(connection, 4)
        _sha256_rehash(connection, from_seq=4, keep_key_id=False)
    with Session(audit_engine) as session:
        broken = verify(session=session).first_broken
    assert broken is not None and broken.seq == 4
    assert broken.en.startswith("an unkeyed record after keyed ones")


def test_a_whole_chain_rewritten_as_legacy_is_caught_by_the_checkpoint(
    audit_engine, append, tmp_path
):
    with Session(audit_engine) as session:
        append(session, 6)
        session.commit()
        assert [p.seq for p in checkpoints.write(session=session, directory=tmp_path)] == [6]
    with audit_engine.begin() as connection:
        _edit(connection, 1)
        _sha256_rehash(connection, from_seq=1, keep_key_id=False)
    with Session(audit_engine) as session:
        assert verify(session=session).ok  # every link holds: only the checkpoint knows
        broken = verify(session=session, checkpoint_dir=tmp_path).first_broken
    assert broken is not None and broken.seq == 6
    assert "does not match its signed checkpoint" in broken.en


def test_a_removed_tail_and_a_rewound_head_are_caught_by_the_checkpoint(
    audit_engine, append, tmp_path
):
    with Session(audit_engine) as session:
        records = append(session, 6)
        session.commit()
        checkpoints.write(session=session, directory=tmp_path)
        kept = records[3].hash
    with audit_engine.begin() as connection:
        _tamper(
            connection, "DELETE FROM audit_log WHERE district_code = :d AND seq > 4", d=DISTRICT
        )
        connection.execute(
            text("UPDATE audit_head SET seq = 4, hash = :h WHERE district_code = :d"),
            {"h": kept, "d": DISTRICT},
        )
    with Session(audit_engine) as session:
        assert verify(session=session).ok  # the shortened chain still links
        report = verify(session=session, checkpoint_dir=tmp_path)
    assert not report.ok
    assert report.first_broken.seq == 6
    assert report.first_broken.en.startswith("the head (seq 4) is behind a signed checkpoint")


def test_a_forged_checkpoint_line_is_refused(audit_engine, append, tmp_path):
    with Session(audit_engine) as session:
        append(session, 3)
        session.commit()
        checkpoints.write(session=session, directory=tmp_path)
        assert verify(session=session, checkpoint_dir=tmp_path).ok
        path = tmp_path / checkpoints.file_name(DISTRICT)
        line = json.loads(path.read_text())
        path.write_text(json.dumps({**line, "seq": 2}) + "\n")
        broken = verify(session=session, checkpoint_dir=tmp_path).first_broken
    assert broken is not None and "no valid signature" in broken.en


def test_a_checkpoint_is_written_only_when_the_head_moved(audit_engine, append, tmp_path):
    with Session(audit_engine) as session:
        append(session, 2)
        session.commit()
        assert len(checkpoints.write(session=session, directory=tmp_path)) == 1
        assert checkpoints.write(session=session, directory=tmp_path) == []
        append(session, 1)
        session.commit()
        assert [p.seq for p in checkpoints.write(session=session, directory=tmp_path)] == [3]
        report = verify(session=session, checkpoint_dir=tmp_path)
    assert report.ok and report.districts[0].checkpoints == 2


def test_legacy_records_verify_and_editing_one_breaks_the_first_keyed_link(audit_engine, append):
    with Session(audit_engine) as session:
        append(session, 3)
        session.commit()
    with audit_engine.begin() as connection:  # as written before the chain was keyed
        _sha256_rehash(connection, from_seq=1, keep_key_id=False)
    with Session(audit_engine) as session:
        assert verify(session=session).ok
        append(session, 2)  # keyed records chain onto the legacy ones
        session.commit()
        assert verify(session=session).checked == {DISTRICT: 5}
    with audit_engine.begin() as connection:
        _edit(connection, 2)
        _sha256_rehash(connection, from_seq=2, keep_key_id=False, through_seq=3)
    with Session(audit_engine) as session:
        broken = verify(session=session).first_broken
    assert broken is not None and broken.seq == 4
    assert broken.en.startswith("prev_hash does not link")


def test_the_server_writes_checkpoints_in_the_background(
    audit_engine, append, tmp_path, monkeypatch
):
    from onegrid.config import get_settings
    from onegrid.db import forget_database

    with Session(audit_engine) as session:
        append(session, 2)
        session.commit()
    monkeypatch.setenv("ONEGRID_DATABASE_URL", audit_engine.url.render_as_string(False))
    monkeypatch.setenv("ONEGRID_AUDIT_CHECKPOINT_DIR", str(tmp_path))
    get_settings.cache_clear()
    forget_database()
    stop = checkpoints.start_background_checkpoints(3600)
    try:
        path = tmp_path / checkpoints.file_name(DISTRICT)
        for _ in range(200):
            if path.exists() and path.read_text():
                break
            threading.Event().wait(0.05)
        assert json.loads(path.read_text())["seq"] == 2
    finally:
        stop.set()
        get_settings.cache_clear()
        forget_database()


def test_a_rotated_key_keeps_verifying_the_records_written_under_it(
    audit_engine, append, monkeypatch
):
    import base64

    from onegrid.audit import AuditRecord
    from onegrid.config import get_settings

    def keyed(current: bytes, *old: bytes) -> None:
        encode = base64.urlsafe_b64encode
        monkeypatch.setenv("ONEGRID_AUDIT_KEY", encode(current).decode())
        monkeypatch.setenv("ONEGRID_AUDIT_OLD_KEYS", ",".join(encode(k).decode() for k in old))
        get_settings.cache_clear()

    first, second = b"a" * 32, b"b" * 32
    try:
        keyed(first)
        with Session(audit_engine) as session:
            append(session, 2)
            session.commit()
        keyed(second, first)
        with Session(audit_engine) as session:
            append(session, 2)
            session.commit()
            ids = session.scalars(select(AuditRecord.key_id).order_by(AuditRecord.seq)).all()
            assert ids[0] == ids[1] != ids[2] == ids[3]
            assert verify(session=session).checked == {DISTRICT: 4}
        keyed(second)  # the old key dropped: its records can no longer be proved
        with Session(audit_engine) as session:
            broken = verify(session=session).first_broken
        assert broken is not None and broken.seq == 1
        assert f"the record's audit key {ids[0]} is not configured" in broken.en
    finally:
        monkeypatch.undo()
        get_settings.cache_clear()
