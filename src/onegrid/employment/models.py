"""The employment ledgers (issue 22 §5): 稳岗 subsidies paid to enterprises and start-up
guarantee loans. Entries are never changed or deleted: a wrong payment is reversed by a new,
negative entry that names it. Amounts are integer fen."""

from datetime import date, datetime
from enum import StrEnum

from sqlalchemy import (
    BigInteger,
    CheckConstraint,
    Date,
    ForeignKey,
    Index,
    Integer,
    String,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from onegrid.core.crypto import EncryptedString
from onegrid.core.levels import DISTRICT_DIGITS, Level
from onegrid.db.base import Base, UTCDateTime, utcnow

STREET_DIGITS = Level.STREET.code_length


class EntryKind(StrEnum):
    PAYMENT = "payment"
    REVERSAL = "reversal"  # undoes one payment: its amount and jobs negated


class SubsidyEntry(Base):
    """One entry of the 稳岗 (job retention) subsidy ledger: a payment or its reversal."""

    __tablename__ = "employment_subsidy"
    __table_args__ = (
        # One payment per enterprise and period; a later one only once every earlier one was
        # reversed (its `attempt` counts them). A reversal shares its payment's key, so a
        # payment is reversed once.
        UniqueConstraint("district_code", "credit_code", "period", "attempt", "kind"),
        CheckConstraint("kind IN ('payment', 'reversal')", name="kind_known"),
        CheckConstraint(
            "(kind = 'payment') = (reverses_id IS NULL)", name="reversal_names_payment"
        ),
        CheckConstraint(
            "(kind = 'payment' AND amount_fen > 0 AND jobs_kept >= 0) OR "
            "(kind = 'reversal' AND amount_fen < 0 AND jobs_kept <= 0)",
            name="signed_by_kind",
        ),
        Index("ix_employment_subsidy_totals", "district_code", "period", "street_code"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    district_code: Mapped[str] = mapped_column(String(DISTRICT_DIGITS))
    street_code: Mapped[str] = mapped_column(String(STREET_DIGITS))
    enterprise_name: Mapped[str] = mapped_column(String(200))
    credit_code: Mapped[str] = mapped_column(String(18))  # GB 32100
    period: Mapped[str] = mapped_column(String(7))  # the month paid for: "2026-03"
    attempt: Mapped[int] = mapped_column(Integer, default=0)
    kind: Mapped[str] = mapped_column(String(16))
    amount_fen: Mapped[int] = mapped_column(BigInteger)
    jobs_kept: Mapped[int] = mapped_column(Integer)
    paid_at: Mapped[date] = mapped_column(Date)
    reverses_id: Mapped[int | None] = mapped_column(ForeignKey("employment_subsidy.id"))
    reason: Mapped[str | None] = mapped_column(String(200))  # a reversal's
    recorded_by: Mapped[str] = mapped_column(String(64))
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    is_demo: Mapped[bool] = mapped_column(default=False)


class StartupLoan(Base):
    """One start-up guarantee loan (创业担保贷款): its borrower masked, the name as typed and
    the ID number sealed."""

    __tablename__ = "employment_loan"
    __table_args__ = (
        CheckConstraint("amount_fen > 0 AND jobs_created >= 0", name="positive"),
        Index("ix_employment_loan_totals", "district_code", "month", "street_code"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    district_code: Mapped[str] = mapped_column(String(DISTRICT_DIGITS))
    street_code: Mapped[str] = mapped_column(String(STREET_DIGITS))
    borrower_name: Mapped[str] = mapped_column(String(50))  # masked: 张**
    sealed_borrower_name: Mapped[str] = mapped_column(EncryptedString)
    id_number: Mapped[str] = mapped_column(EncryptedString)  # GB 11643, sealed
    amount_fen: Mapped[int] = mapped_column(BigInteger)
    jobs_created: Mapped[int] = mapped_column(Integer)
    granted_at: Mapped[date] = mapped_column(Date)
    month: Mapped[str] = mapped_column(String(7))  # granted_at's month, for the totals
    recorded_by: Mapped[str] = mapped_column(String(64))
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    is_demo: Mapped[bool] = mapped_column(default=False)
