"""Cases of the closed loop (GB/T 30428): the case, its timeline, its evidence, and the
indicators' rollup tables (kept current by onegrid.cases.rollup)."""

from datetime import date, datetime
from enum import StrEnum

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    Column,
    Date,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    Table,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column
from sqlalchemy.sql.expression import false

from onegrid.core.crypto import EncryptedString
from onegrid.core.levels import DISTRICT_DIGITS, GRID_DIGITS
from onegrid.db.base import Base, UTCDateTime


class State(StrEnum):
    RECEIVED = "received"  # 受理
    VERIFYING = "verifying"  # 核实中
    VERIFIED = "verified"  # 已核实，待立案
    OPENED = "opened"  # 立案，待派遣
    DISPATCHED = "dispatched"  # 已派遣，处置中
    RETURNED = "returned"  # 回退，待重新派遣
    PARKED = "parked"  # 挂账
    HANDLED = "handled"  # 已反馈，待核查
    CLOSED = "closed"  # 结案
    EVALUATED = "evaluated"  # 已评价
    VOIDED = "voided"  # 作废
    MERGED = "merged"  # 并入另一案件


FINAL = {State.EVALUATED, State.VOIDED, State.MERGED}
# Cases still in the loop, for duplicates, overdue counts and the sweep.
OPEN = {s for s in State if s not in FINAL | {State.CLOSED}}


class Stage(StrEnum):
    """Which clock runs: each has its limit in the category."""

    VERIFY = "verify"
    DISPATCH = "dispatch"
    HANDLE = "handle"
    CHECK = "check"


class Channel(StrEnum):
    CITIZEN = "citizen"
    GRID_WORKER = "grid_worker"
    HOTLINE = "hotline"
    API = "api"
    OPEN311 = "open311"


_STATES = ", ".join(f"'{s.value}'" for s in State)
_CHANNELS = ", ".join(f"'{c.value}'" for c in Channel)


class Case(Base):
    """One problem in the loop, with the facts its indicators count."""

    __tablename__ = "case_record"
    __table_args__ = (
        CheckConstraint(f"state IN ({_STATES})", name="state_known"),
        CheckConstraint(f"channel IN ({_CHANNELS})", name="channel_known"),
        CheckConstraint("rating IS NULL OR rating BETWEEN 1 AND 5", name="rating_range"),
        Index("ix_case_record_district_grid", "district_code", "grid_code"),
        Index("ix_case_record_duplicates", "district_code", "category_code", "received_at"),
        # A field worker's tasks and task map (cases/tasks.py): a few states, by deadline.
        Index("ix_case_record_tasks", "district_code", "state", "stage_deadline"),
        # The hotline's callback list (cases/callbacks.py): closed, callback wanted, by closing.
        Index("ix_case_record_callbacks", "district_code", "state", "callback_wanted", "closed_at"),
        # The console's queues (cases/queue.py, migration 0018): all cases newest first, the
        # closed ones awaiting evaluation by closing, a department's by state and deadline.
        Index("ix_case_record_received", "district_code", "received_at"),
        Index("ix_case_record_closing", "district_code", "state", "closed_at"),
        # The queues' counts with a filter, and the open queues' pages and lights (migrations
        # 0020, 0021): the index alone, no case row read (a third of a year's cases are closed,
        # awaiting their evaluation; the open ones are a few thousand).
        Index(
            "ix_case_record_counting",
            "district_code",
            "state",
            "grid_code",
            "category_code",
            "department_id",
            "channel",
            "received_at",
            "stage_deadline",
            "pending",
            "stage_started_at",
        ),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    district_code: Mapped[str] = mapped_column(String(DISTRICT_DIGITS))
    receipt: Mapped[str] = mapped_column(String(20), unique=True)
    channel: Mapped[str] = mapped_column(String(16))
    state: Mapped[str] = mapped_column(String(16))
    category_code: Mapped[str] = mapped_column(String(16))
    description: Mapped[str] = mapped_column(Text)
    address: Mapped[str | None] = mapped_column(String(200))
    lon: Mapped[float] = mapped_column(Float)
    lat: Mapped[float] = mapped_column(Float)
    grid_code: Mapped[str] = mapped_column(String(GRID_DIGITS))
    department_id: Mapped[int | None] = mapped_column(ForeignKey("department.id"), index=True)
    attributes: Mapped[str | None] = mapped_column(Text)  # canonical JSON
    anonymous: Mapped[bool] = mapped_column(Boolean, default=False)
    reporter_name: Mapped[str | None] = mapped_column(String(50))  # masked: 张**
    reporter_phone: Mapped[str | None] = mapped_column(EncryptedString)
    # Free text is kept masked where everyone reads it (description, address, the reporter's
    # name); the text as typed is sealed here, only when masking changed it, for a reveal.
    sealed_description: Mapped[str | None] = mapped_column(EncryptedString)
    sealed_address: Mapped[str | None] = mapped_column(EncryptedString)
    sealed_reporter_name: Mapped[str | None] = mapped_column(EncryptedString)
    entered_by_id: Mapped[int | None] = mapped_column(Integer)  # the user who entered it
    # The 12345 caller asked to be called back once the case is closed (the callback list).
    callback_wanted: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())

    received_at: Mapped[datetime] = mapped_column(UTCDateTime)
    opened_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    dispatched_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    handled_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    # The running clock: which stage, since when, until when.
    stage: Mapped[str | None] = mapped_column(String(16))
    stage_started_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    stage_deadline: Mapped[datetime | None] = mapped_column(UTCDateTime)
    handle_deadline: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # Escalation: 0 grid, 1 community, 2 street, 3 district; the sweep's one indexed column.
    escalation_level: Mapped[int] = mapped_column(Integer, default=0)
    next_escalation_at: Mapped[datetime | None] = mapped_column(UTCDateTime, index=True)
    overdue: Mapped[bool] = mapped_column(Boolean, default=False)
    pending: Mapped[str | None] = mapped_column(
        String(16)
    )  # 'extension' | 'park' awaiting approval
    pending_detail: Mapped[str | None] = mapped_column(Text)

    # Facts for the indicators, set once by the transitions that decide them.
    verified_on_time: Mapped[bool | None] = mapped_column(Boolean)
    dispatched_on_time: Mapped[bool | None] = mapped_column(Boolean)
    closed_on_time: Mapped[bool | None] = mapped_column(Boolean)
    closed_level: Mapped[int | None] = mapped_column(Integer)
    feedback_count: Mapped[int] = mapped_column(Integer, default=0)
    rework_count: Mapped[int] = mapped_column(Integer, default=0)
    return_count: Mapped[int] = mapped_column(Integer, default=0)
    extension_count: Mapped[int] = mapped_column(Integer, default=0)
    rating: Mapped[int | None] = mapped_column(Integer)
    rating_comment: Mapped[str | None] = mapped_column(Text)
    duplicate_of_id: Mapped[int | None] = mapped_column(Integer)  # suggested at intake
    merged_into_id: Mapped[int | None] = mapped_column(ForeignKey("case_record.id"))

    # Two transitions racing on one case: the second finds another version and fails.
    version: Mapped[int] = mapped_column(Integer, default=1)
    __mapper_args__ = {"version_id_col": version}


class CaseEvent(Base):
    """One transition in a case's timeline: who, when, from, to, note, evidence."""

    __tablename__ = "case_event"
    __table_args__ = (UniqueConstraint("case_id", "seq"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    district_code: Mapped[str] = mapped_column(String(DISTRICT_DIGITS))
    case_id: Mapped[int] = mapped_column(ForeignKey("case_record.id", ondelete="CASCADE"))
    seq: Mapped[int] = mapped_column(Integer)
    at: Mapped[datetime] = mapped_column(UTCDateTime)
    actor: Mapped[str] = mapped_column(String(150))
    actor_id: Mapped[int | None] = mapped_column(Integer)
    actor_role: Mapped[str | None] = mapped_column(String(32))
    action: Mapped[str] = mapped_column(String(32))
    from_state: Mapped[str | None] = mapped_column(String(16))
    to_state: Mapped[str] = mapped_column(String(16))
    note: Mapped[str | None] = mapped_column(Text)  # masked, as the case's free text
    sealed_note: Mapped[str | None] = mapped_column(EncryptedString)  # as typed, if masked
    data: Mapped[str | None] = mapped_column(Text)  # canonical JSON: department, limits …


class CaseText(Base):
    """A case's description and address (the masked text, never the sealed) as words, segmented
    by onegrid.cases.search: what the full-text index holds (SQLite: the FTS5 table
    case_text_fts over this one; PostgreSQL: a GIN index on its tsvector; migration 0018)."""

    __tablename__ = "case_text"

    case_id: Mapped[int] = mapped_column(
        ForeignKey("case_record.id", ondelete="CASCADE"), primary_key=True
    )
    district_code: Mapped[str] = mapped_column(String(DISTRICT_DIGITS))
    words: Mapped[str] = mapped_column(Text)


class CaseSubmission(Base):
    """The key a browser gave the report that opened a case: the same report sent again (the
    network dropped before the answer came) finds its case instead of opening another."""

    __tablename__ = "case_submission"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    district_code: Mapped[str] = mapped_column(String(DISTRICT_DIGITS))
    key: Mapped[str] = mapped_column(String(64), unique=True)
    case_id: Mapped[int] = mapped_column(
        ForeignKey("case_record.id", ondelete="CASCADE"), index=True
    )
    # SHA-256 of the report as sent (submissions.digest): the same key with another report
    # is refused rather than answered with this case.
    digest: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)


class Evidence(Base):
    """A photo or document attached to a case, stored by content hash."""

    __tablename__ = "case_evidence"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    district_code: Mapped[str] = mapped_column(String(DISTRICT_DIGITS))
    case_id: Mapped[int] = mapped_column(
        ForeignKey("case_record.id", ondelete="CASCADE"), index=True
    )
    event_id: Mapped[int | None] = mapped_column(ForeignKey("case_event.id"))
    filename: Mapped[str] = mapped_column(String(200))
    content_type: Mapped[str] = mapped_column(String(64))
    size: Mapped[int] = mapped_column(Integer)
    sha256: Mapped[str] = mapped_column(String(64))
    uploaded_at: Mapped[datetime] = mapped_column(UTCDateTime)
    uploaded_by: Mapped[str] = mapped_column(String(150))


def _count() -> Mapped[int]:
    return mapped_column(Integer, default=0, server_default="0")


class CaseRollup(Base):
    """One bucket: intake day × grid × department × category × channel, and its counts."""

    __tablename__ = "case_rollup"

    district_code: Mapped[str] = mapped_column(String(DISTRICT_DIGITS), primary_key=True)
    day: Mapped[date] = mapped_column(Date, primary_key=True)
    grid_code: Mapped[str] = mapped_column(String(GRID_DIGITS), primary_key=True)
    department_id: Mapped[int] = mapped_column(Integer, primary_key=True)
    category_code: Mapped[str] = mapped_column(String(16), primary_key=True)
    channel: Mapped[str] = mapped_column(String(16), primary_key=True)
    # One column per name in onegrid.cases.facts.FACTS (a test checks they match).
    received: Mapped[int] = _count()
    voided: Mapped[int] = _count()
    opened: Mapped[int] = _count()
    verified: Mapped[int] = _count()
    verified_on_time: Mapped[int] = _count()
    dispatched: Mapped[int] = _count()
    dispatched_on_time: Mapped[int] = _count()
    fed_back: Mapped[int] = _count()
    reworked: Mapped[int] = _count()
    extended: Mapped[int] = _count()
    closed: Mapped[int] = _count()
    closed_on_time: Mapped[int] = _count()
    overdue_verify: Mapped[int] = _count()
    overdue_dispatch: Mapped[int] = _count()
    overdue_handle: Mapped[int] = _count()
    rated: Mapped[int] = _count()
    satisfied: Mapped[int] = _count()
    closed_at_grid: Mapped[int] = _count()
    closed_at_community: Mapped[int] = _count()
    closed_at_street: Mapped[int] = _count()
    closed_at_district: Mapped[int] = _count()


# The count columns, in order: one per name in onegrid.cases.facts.FACTS (a test checks it).
_COUNTS = tuple(c.name for c in CaseRollup.__table__.columns if not c.primary_key)
# A table that sums the channels together also sums each of these channels' cases apart, every
# fact again in a column named "<channel>_<fact>".
APART = (Channel.HOTLINE.value,)
APART_FACTS = tuple(f"{channel}_{fact}" for channel in APART for fact in _COUNTS)


def _coarse_table(name: str, *, channel: bool = True) -> Table:
    """A coarser rollup: case_rollup's columns, some dimensions left out (onegrid.cases.rollup
    .Grain says which); without `channel`, also the APART_FACTS columns."""
    keys = (Column(c.name, c.type, primary_key=True) for c in CaseRollup.__table__.primary_key)
    counts = (
        Column(name, Integer, nullable=False, default=0, server_default="0")
        for name in _COUNTS + (() if channel else APART_FACTS)
    )
    return Table(name, Base.metadata, *keys, *counts)


ROLLUP_MONTH_GRID_TOTAL = _coarse_table("case_rollup_month_grid_total", channel=False)
ROLLUP_MONTH_DEPARTMENT = _coarse_table("case_rollup_month_department")
ROLLUP_MONTH_COMMUNITY = _coarse_table("case_rollup_month_community")
ROLLUP_MONTH_GRID = _coarse_table("case_rollup_month_grid")
