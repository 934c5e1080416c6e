"""Open311 tables: the API keys clients post with, and the requests waiting in the batch queue."""

from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, Index, Integer, String, Text, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from onegrid.cases.models import Case
from onegrid.core.crypto import EncryptedString
from onegrid.core.levels import DISTRICT_DIGITS
from onegrid.db.base import Base, UTCDateTime, utcnow


class ApiKey(Base):
    """A client's key for posting requests: only a hash of the secret is kept."""

    __tablename__ = "open311_api_key"
    __table_args__ = (
        # A name is unique within its district: the CLI names keys by it.
        Index("ix_open311_api_key_district_name", "district_code", "name", unique=True),
        CheckConstraint("rate_per_minute > 0", name="rate_positive"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    district_code: Mapped[str] = mapped_column(String(DISTRICT_DIGITS))
    name: Mapped[str] = mapped_column(String(64))
    key_prefix: Mapped[str] = mapped_column(String(16))  # shown in lists to tell keys apart
    key_hash: Mapped[str] = mapped_column(String(64), unique=True)
    rate_per_minute: Mapped[int] = mapped_column(Integer)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    created_by: Mapped[str] = mapped_column(String(150))
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class QueuedRequest(Base):
    """A request to a batch service: its token, the report until it is opened, then its case."""

    __tablename__ = "open311_queued_request"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    district_code: Mapped[str] = mapped_column(String(DISTRICT_DIGITS), index=True)
    token: Mapped[str] = mapped_column(String(32), unique=True)
    api_key_id: Mapped[int] = mapped_column(ForeignKey("open311_api_key.id"), index=True)
    received_at: Mapped[datetime] = mapped_column(UTCDateTime)
    source: Mapped[str | None] = mapped_column(String(64))
    # The report as posted (canonical JSON) and the reporter's phone, sealed: both are
    # cleared once the request is opened, when the case holds them.
    report: Mapped[str | None] = mapped_column(Text)
    reporter_phone: Mapped[str | None] = mapped_column(EncryptedString)
    # Waiting while opened_at is NULL; then either its case or why none could be opened.
    opened_at: Mapped[datetime | None] = mapped_column(UTCDateTime, index=True)
    case_id: Mapped[int | None] = mapped_column(ForeignKey("case_record.id"), index=True)
    error: Mapped[str | None] = mapped_column(Text)  # JSON {"zh": …, "en": …}

    api_key: Mapped[ApiKey] = relationship(lazy="joined", innerjoin=True)


# GET requests lists the cases reported through Open311, newest first: a partial index keeps
# them (and only them: the other channels' inserts pay nothing). The condition is written as a
# literal so that SQLite's planner, which ignores a bound parameter there, uses the index.
OPEN311_CHANNEL = text("channel = 'open311'")
Index(
    "ix_case_record_open311",
    Case.district_code,
    Case.received_at,
    sqlite_where=OPEN311_CHANNEL,
    postgresql_where=OPEN311_CHANNEL,
)
