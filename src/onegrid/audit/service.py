"""Writing and reading the audit log: every write and every sensitive read is recorded here."""

from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, fields
from datetime import datetime
from typing import Any

from sqlalchemy import Engine, insert, select, text, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from onegrid.audit.hashing import canonical_detail, record_hash, timestamp
from onegrid.audit.keys import keyring
from onegrid.audit.models import GENESIS, AuditHead, AuditRecord, Outcome
from onegrid.core.errors import Invalid
from onegrid.core.levels import DISTRICT_DIGITS, Level, level_of
from onegrid.core.permissions import Principal
from onegrid.db.base import utcnow
from onegrid.db.inserts import insert_many

_HEAD = AuditHead.__table__
# Free text longer than its column is cut, so that an attacker's 10 kB user name cannot stop
# the record of their failed login from being written (PostgreSQL would refuse it whole).
_LENGTHS = {
    name: AuditRecord.__table__.c[name].type.length
    for name in ("actor", "actor_role", "action", "object_type", "object_id", "source")
}
MAX_LIMIT = 1000


@dataclass(frozen=True)
class Entry:
    """One action to record: what the caller knows (seq, time and hashes come from the chain).

    `detail` must not hold personal information in clear: the log can never be edited.
    """

    actor: str
    action: str
    actor_id: int | None = None
    actor_role: str | None = None
    object_type: str | None = None
    object_id: str | int | None = None
    outcome: str = Outcome.SUCCESS
    source: str | None = None
    detail: Mapping[str, Any] | None = None


def record(
    *,
    session: Session,
    district_code: str,
    actor: str,
    actor_id: int | None = None,
    actor_role: str | None = None,
    action: str,
    object_type: str | None = None,
    object_id: str | int | None = None,
    outcome: str = Outcome.SUCCESS,
    source: str | None = None,
    detail: Mapping[str, Any] | None = None,
) -> AuditRecord:
    """Appends a record to the district's chain in the caller's transaction, and returns it."""
    entry = Entry(
        actor=actor,
        action=action,
        actor_id=actor_id,
        actor_role=actor_role,
        object_type=object_type,
        object_id=object_id,
        outcome=outcome,
        source=source,
        detail=detail,
    )
    [values] = _chain(session, district_code, checked([entry]))
    audit = AuditRecord(**values)
    session.add(audit)
    session.flush()
    return audit


def record_by(
    *,
    session: Session,
    who: Principal,
    district_code: str,
    action: str,
    object_type: str | None = None,
    object_id: str | int | None = None,
    outcome: str = Outcome.SUCCESS,
    source: str | None = None,
    detail: Mapping[str, Any] | None = None,
) -> AuditRecord:
    """Appends a record of what this principal did, in the caller's transaction."""
    return record(
        session=session,
        district_code=district_code,
        actor=who.username,
        actor_id=who.user_id,
        actor_role=who.role.value if who.role else None,
        action=action,
        object_type=object_type,
        object_id=object_id,
        outcome=outcome,
        source=source,
        detail=detail,
    )


def checked(entries: Sequence[Entry]) -> list[dict[str, Any]]:
    """The entries as rows, checked, not yet in the chain (`record` appends one). Raises
    Invalid for a bad entry."""
    return checked_values(
        [{name: getattr(entry, name) for name in _ENTRY_FIELDS} for entry in entries]
    )


def checked_values(entries: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """As `checked`, for entries given as dicts with every field of Entry: bulk work (intake,
    the import) makes them without an Entry each (an import, seven a case) and appends them
    with `record_checked`, ahead if it likes (the import, in the process that takes its rows
    in). Each dict is made its row in place. Raises Invalid for a bad entry."""
    for values in entries:
        _check(values)
    return entries


def record_checked(*, session: Session, district_code: str, rows: list[dict[str, Any]]) -> int:
    """Appends rows made by `checked_values`, in order, in the caller's transaction: the
    chain is locked once, and the rows go in as one batched insert."""
    insert_many(session, AuditRecord.__table__, _chain(session, district_code, rows))
    return len(rows)


def record_separately(
    *,
    engine: Engine,
    district_code: str,
    actor: str,
    actor_id: int | None = None,
    actor_role: str | None = None,
    action: str,
    object_type: str | None = None,
    object_id: str | int | None = None,
    outcome: str = Outcome.SUCCESS,
    source: str | None = None,
    detail: Mapping[str, Any] | None = None,
) -> AuditRecord:
    """Appends a record in a transaction of its own, kept even when the caller's rolls back.

    For failed logins and denied access::

        session.rollback()
        record_separately(engine=session.get_bind().engine, district_code=..., actor=...,
                          action="auth.login", outcome="failed", source=client_ip)

    It opens its own connection from the engine, so even a record written while a test's
    session is rolled back stays in the database. Call it before the caller's transaction
    writes, or after it ends: on SQLite the caller's writes hold the database's write lock,
    and on PostgreSQL a record the caller appended holds the district's chain head, so this
    call would wait for its own caller until busy_timeout or lock_timeout (10 s) ends it.
    """
    with Session(engine, expire_on_commit=False) as session, session.begin():
        if engine.dialect.name == "postgresql":
            session.execute(text("SET LOCAL lock_timeout = '10s'"))
        return record(
            session=session,
            district_code=district_code,
            actor=actor,
            actor_id=actor_id,
            actor_role=actor_role,
            action=action,
            object_type=object_type,
            object_id=object_id,
            outcome=outcome,
            source=source,
            detail=detail,
        )


def list_records(
    *,
    session: Session,
    district_code: str,
    since: datetime | None = None,
    until: datetime | None = None,
    action: str | None = None,
    actor: str | None = None,
    limit: int = 100,
    offset: int = 0,
) -> list[AuditRecord]:
    """Returns the district's records, newest first: since <= at < until, action, actor."""
    if not 1 <= limit <= MAX_LIMIT or offset < 0:
        raise Invalid(
            f"每页 1 至 {MAX_LIMIT} 条，偏移量不得为负",
            f"limit must be 1 to {MAX_LIMIT} and offset not negative",
        )
    query = select(AuditRecord).where(AuditRecord.district_code == district_code)
    if since is not None:
        query = query.where(AuditRecord.at >= since)
    if until is not None:
        query = query.where(AuditRecord.at < until)
    if action is not None:
        query = query.where(AuditRecord.action == action)
    if actor is not None:
        query = query.where(AuditRecord.actor == actor)
    query = query.order_by(AuditRecord.seq.desc()).limit(limit).offset(offset)
    return list(session.scalars(query))


@dataclass(frozen=True)
class Filters:
    """What the audit admin looks for: who, what, on which object, when (since <= at < until)."""

    actor: str | None = None
    action: str | None = None
    object_type: str | None = None
    object_id: str | None = None
    since: datetime | None = None
    until: datetime | None = None


def _filtered(district_code: str, filters: Filters):
    query = select(AuditRecord).where(AuditRecord.district_code == district_code)
    for column, value in (
        (AuditRecord.actor, filters.actor),
        (AuditRecord.action, filters.action),
        (AuditRecord.object_type, filters.object_type),
        (AuditRecord.object_id, filters.object_id),
    ):
        if value:
            query = query.where(column == value)
    if filters.since is not None:
        query = query.where(AuditRecord.at >= filters.since)
    if filters.until is not None:
        query = query.where(AuditRecord.at < filters.until)
    return query


def page(
    *,
    session: Session,
    district_code: str,
    filters: Filters,
    before_seq: int | None = None,
    limit: int = 50,
) -> list[AuditRecord]:
    """Returns a page of the district's records matching the filters, newest first, those
    before `before_seq` (the keyset: the last seq of the page before)."""
    if not 1 <= limit <= MAX_LIMIT:
        raise Invalid(f"每页 1 至 {MAX_LIMIT} 条", f"limit must be 1 to {MAX_LIMIT}")
    query = _filtered(district_code, filters)
    if before_seq is not None:
        query = query.where(AuditRecord.seq < before_seq)
    return list(session.scalars(query.order_by(AuditRecord.seq.desc()).limit(limit)))


def iterate(
    *, session: Session, district_code: str, filters: Filters, batch: int = 1000
) -> Iterator[AuditRecord]:
    """Yields every record matching the filters, newest first, a keyset page at a time (an
    export of a year's log holds one page in memory, never the whole log)."""
    before = None
    while True:
        records = page(
            session=session,
            district_code=district_code,
            filters=filters,
            before_seq=before,
            limit=batch,
        )
        yield from records
        if len(records) < batch:
            return
        before = records[-1].seq


def districts(*, session: Session) -> list[str]:
    """Returns the districts that have an audit chain, in code order."""
    return list(session.scalars(select(_HEAD.c.district_code).order_by(_HEAD.c.district_code)))


def _check_district(district_code: str) -> None:
    if level_of(district_code) is not Level.DISTRICT:
        raise Invalid(
            f"区划代码应为 {DISTRICT_DIGITS} 位数字：{district_code!r}",
            f"a district code has {DISTRICT_DIGITS} digits: {district_code!r}",
        )


_ENTRY_FIELDS = tuple(f.name for f in fields(Entry))
_OUTCOMES = {outcome.value: outcome.value for outcome in Outcome}


def _check(values: dict[str, Any]) -> None:
    given = values["outcome"]
    outcome = _OUTCOMES.get(given) if isinstance(given, str) else None
    if outcome is None:
        raise Invalid(
            f"未知的结果 {given!r}：应为 success、denied 或 failed",
            f"unknown outcome {given!r}: success, denied or failed",
        )
    values["outcome"] = outcome
    if not values["actor"] or not values["action"]:
        raise Invalid("审计记录须写明操作者和操作", "an audit record names its actor and action")
    for name, length in _LENGTHS.items():
        value = values[name]
        if value is not None and (type(value) is not str or len(value) > length):
            values[name] = str(value)[:length]
    detail = values["detail"]
    if detail is not None:
        try:
            values["detail"] = canonical_detail(detail)
        except ValueError as error:
            raise Invalid(
                f"审计详情无法写成 JSON：{error}", f"the audit detail is not JSON: {error}"
            ) from None


def _chain(session: Session, district_code: str, rows: list[dict[str, Any]]) -> list[dict]:
    # Every entry is checked (`checked`) before the chain is locked: a bad one must not hold it.
    _check_district(district_code)
    if not rows:
        return []
    last_seq, prev_hash = _advance(session, district_code, len(rows))
    # Taken once the chain is locked, so that times rise with seq.
    at = utcnow()
    hashed_at = timestamp(at)
    ring = keyring()
    for seq, row in enumerate(rows, start=last_seq - len(rows) + 1):
        row.update(
            district_code=district_code,
            seq=seq,
            at=at,
            prev_hash=prev_hash,
            key_id=ring.current_id,
        )
        row["hash"] = prev_hash = record_hash(row, hashed_at, ring)
    session.execute(
        update(_HEAD).where(_HEAD.c.district_code == district_code).values(hash=prev_hash)
    )
    return rows


def _advance(session: Session, district_code: str, count: int) -> tuple[int, str]:
    # The UPDATE comes first: it takes SQLite's write lock or PostgreSQL's row lock on the head
    # before anything is read, so two appenders can never build on the same head.
    bump = (
        update(_HEAD)
        .where(_HEAD.c.district_code == district_code)
        .values(seq=_HEAD.c.seq + count)
        .returning(_HEAD.c.seq, _HEAD.c.hash)
    )
    row = session.execute(bump).first()
    if row is None:
        try:
            with session.begin_nested():
                session.execute(
                    insert(_HEAD).values(
                        district_code=district_code,
                        seq=0,
                        hash=GENESIS,
                        archived_through_seq=0,
                        archived_hash=GENESIS,
                    )
                )
        except IntegrityError:
            pass  # another transaction created the head first; it has committed it by now
        row = session.execute(bump).one()
    return row.seq, row.hash
