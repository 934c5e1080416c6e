"""评理说事 (mediation): one point per community with its "九个一" checklist, and the disputes
brought to it, their parties, mediation sessions and outcome."""

from datetime import datetime
from enum import StrEnum

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from onegrid.core.crypto import EncryptedString
from onegrid.core.levels import DISTRICT_DIGITS, Level
from onegrid.db.base import Base, UTCDateTime

_COMMUNITY_DIGITS = Level.COMMUNITY.code_length


class DisputeState(StrEnum):
    OPEN = "open"  # 已登记
    MEDIATING = "mediating"  # 调解中
    AGREED = "agreed"  # 达成协议
    FAILED = "failed"  # 调解不成
    REFERRED = "referred"  # 转办案件


class IssueType(StrEnum):
    NEIGHBOUR = "neighbour"  # 邻里纠纷
    FAMILY = "family"  # 家庭纠纷
    PROPERTY = "property"  # 物业纠纷
    LABOUR = "labour"  # 劳资纠纷
    OTHER = "other"  # 其他


class Side(StrEnum):
    APPLICANT = "applicant"  # 申请人
    RESPONDENT = "respondent"  # 被申请人


def _known(column: str, values: type[StrEnum]) -> CheckConstraint:
    listed = ", ".join(f"'{v.value}'" for v in values)
    return CheckConstraint(f"{column} IN ({listed})", name=f"{column}_known")


class MediationPoint(Base):
    """A community's 评理说事点."""

    __tablename__ = "mediation_point"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    district_code: Mapped[str] = mapped_column(String(DISTRICT_DIGITS))
    community_code: Mapped[str] = mapped_column(String(_COMMUNITY_DIGITS), unique=True)
    name: Mapped[str] = mapped_column(String(100))


class ChecklistItem(Base):
    """One of a point's "九个一" items (mediation.checklist.NINE_ITEMS), done or not."""

    __tablename__ = "mediation_checklist_item"
    __table_args__ = (UniqueConstraint("point_id", "item"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    district_code: Mapped[str] = mapped_column(String(DISTRICT_DIGITS))
    point_id: Mapped[int] = mapped_column(ForeignKey("mediation_point.id", ondelete="CASCADE"))
    item: Mapped[str] = mapped_column(String(16))
    done: Mapped[bool] = mapped_column(Boolean, default=False)
    updated_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class Dispute(Base):
    """A dispute brought to a point; `case_id` once referred to a department (the case's page
    finds it by that column: the link runs both ways)."""

    __tablename__ = "mediation_dispute"
    __table_args__ = (
        _known("state", DisputeState),
        _known("issue_type", IssueType),
        Index("ix_mediation_dispute_scope", "district_code", "community_code", "state"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    district_code: Mapped[str] = mapped_column(String(DISTRICT_DIGITS))
    community_code: Mapped[str] = mapped_column(String(_COMMUNITY_DIGITS))
    point_id: Mapped[int] = mapped_column(ForeignKey("mediation_point.id"), index=True)
    issue_type: Mapped[str] = mapped_column(String(16))
    state: Mapped[str] = mapped_column(String(16))
    # Free text is personal data: kept masked, the text as typed sealed when masking changed it.
    summary: Mapped[str] = mapped_column(Text)
    sealed_summary: Mapped[str | None] = mapped_column(EncryptedString)
    outcome_note: Mapped[str | None] = mapped_column(Text)
    sealed_outcome_note: Mapped[str | None] = mapped_column(EncryptedString)
    opened_at: Mapped[datetime] = mapped_column(UTCDateTime)
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    case_id: Mapped[int | None] = mapped_column(ForeignKey("case_record.id"), unique=True)
    is_demo: Mapped[bool] = mapped_column(Boolean, default=False)
    # Two changes racing on one dispute: the second finds another version and fails.
    version: Mapped[int] = mapped_column(Integer, default=1)
    __mapper_args__ = {"version_id_col": version}


class Party(Base):
    """A party to a dispute: the name masked (张**) and sealed, the phone sealed."""

    __tablename__ = "mediation_party"
    __table_args__ = (_known("side", Side),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    district_code: Mapped[str] = mapped_column(String(DISTRICT_DIGITS))
    dispute_id: Mapped[int] = mapped_column(
        ForeignKey("mediation_dispute.id", ondelete="CASCADE"), index=True
    )
    side: Mapped[str] = mapped_column(String(16))
    name: Mapped[str] = mapped_column(String(50))
    sealed_name: Mapped[str] = mapped_column(EncryptedString)
    phone: Mapped[str | None] = mapped_column(EncryptedString)


class MediationSession(Base):
    """One sitting of a dispute's mediation: when, who mediated, what was said (masked)."""

    __tablename__ = "mediation_session"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    district_code: Mapped[str] = mapped_column(String(DISTRICT_DIGITS))
    dispute_id: Mapped[int] = mapped_column(
        ForeignKey("mediation_dispute.id", ondelete="CASCADE"), index=True
    )
    held_at: Mapped[datetime] = mapped_column(UTCDateTime)
    mediator: Mapped[str] = mapped_column(String(50))
    note: Mapped[str] = mapped_column(Text)
    sealed_note: Mapped[str | None] = mapped_column(EncryptedString)
    recorded_by: Mapped[str] = mapped_column(String(150))
