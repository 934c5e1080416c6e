"""Audit tables: the hash-chained log, one chain per district, and each chain's head."""

from datetime import datetime
from enum import StrEnum

from sqlalchemy import CheckConstraint, Integer, String, Text, UniqueConstraint, event
from sqlalchemy.orm import Mapped, Session, mapped_column

from onegrid.core.errors import Invalid
from onegrid.core.levels import DISTRICT_DIGITS
from onegrid.db.base import Base, UTCDateTime

GENESIS = "0" * 64


class Outcome(StrEnum):
    SUCCESS = "success"
    DENIED = "denied"
    FAILED = "failed"


class AuditRecord(Base):
    """One recorded action: who did what to which object, when, from where, and how it ended."""

    __tablename__ = "audit_log"
    __table_args__ = (
        # Also the index for every per-district read: a separate district_code index would
        # only slow down the appends.
        UniqueConstraint("district_code", "seq"),
        CheckConstraint("outcome IN ('success', 'denied', 'failed')", name="outcome_known"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    district_code: Mapped[str] = mapped_column(String(DISTRICT_DIGITS))
    seq: Mapped[int] = mapped_column(Integer)
    at: Mapped[datetime] = mapped_column(UTCDateTime)
    # No foreign key: the record of what a user did outlives the user.
    actor_id: Mapped[int | None] = mapped_column(Integer)
    actor: Mapped[str] = mapped_column(String(150))
    actor_role: Mapped[str | None] = mapped_column(String(32))
    action: Mapped[str] = mapped_column(String(64))
    object_type: Mapped[str | None] = mapped_column(String(64))
    object_id: Mapped[str | None] = mapped_column(String(64))
    outcome: Mapped[str] = mapped_column(String(16))
    source: Mapped[str | None] = mapped_column(String(64))
    detail: Mapped[str | None] = mapped_column(Text)
    prev_hash: Mapped[str] = mapped_column(String(64))
    hash: Mapped[str] = mapped_column(String(64))
    # The audit key the hash is an HMAC under (onegrid.audit.keys); NULL: a legacy record,
    # written before the chain was keyed, hashed with plain SHA-256.
    key_id: Mapped[str | None] = mapped_column(String(16))


class AuditHead(Base):
    """A district's chain head (last seq and hash) and its archive checkpoint."""

    __tablename__ = "audit_head"

    district_code: Mapped[str] = mapped_column(String(DISTRICT_DIGITS), primary_key=True)
    seq: Mapped[int] = mapped_column(Integer)
    hash: Mapped[str] = mapped_column(String(64))
    archived_through_seq: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    archived_hash: Mapped[str] = mapped_column(String(64), default=GENESIS)


@event.listens_for(Session, "before_flush")
def _refuse_changes(session: Session, _context, _instances) -> None:
    # The database triggers catch raw SQL too; this names the mistake before it reaches them.
    changed = [o for o in session.deleted if isinstance(o, AuditRecord)] + [
        o for o in session.dirty if isinstance(o, AuditRecord) and session.is_modified(o)
    ]
    if changed:
        raise Invalid(
            f"审计记录只能追加，不能修改或删除（记录 seq {changed[0].seq}）",
            f"audit records are append-only: record seq {changed[0].seq} cannot be changed "
            "or deleted",
        )
