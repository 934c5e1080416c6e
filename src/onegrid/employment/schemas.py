"""API shapes of the employment ledgers. Amounts are integer fen."""

from datetime import date
from typing import Literal

from pydantic import BaseModel, Field

from onegrid.core.pii import PiiKind, mask
from onegrid.employment.models import StartupLoan, SubsidyEntry
from onegrid.employment.service import MAX_AMOUNT_FEN, MAX_JOBS
from onegrid.pii.schemas import Purpose

Month = Field(pattern=r"^\d{4}-\d{2}$", description="a month, YYYY-MM", examples=["2026-03"])


class SubsidyIn(BaseModel):
    enterprise_name: str = Field(min_length=1, max_length=200)
    credit_code: str = Field(
        min_length=1, max_length=40, description="unified social credit code (GB 32100)"
    )
    street_code: str = Field(pattern=r"^\d{9}$", description="the enterprise's street")
    period: str = Month
    amount_fen: int = Field(gt=0, le=MAX_AMOUNT_FEN, description="the amount paid, in fen")
    jobs_kept: int = Field(ge=0, le=MAX_JOBS)
    paid_at: date


class ReversalIn(BaseModel):
    reason: str = Field(min_length=1, max_length=200)
    paid_at: date = Field(description="the day the money was taken back")


class SubsidyOut(BaseModel):
    id: int
    kind: Literal["payment", "reversal"]
    enterprise_name: str
    credit_code: str
    street_code: str
    period: str
    amount_fen: int
    jobs_kept: int
    paid_at: date
    reverses_id: int | None
    reason: str | None
    is_demo: bool

    @classmethod
    def of(cls, entry: SubsidyEntry) -> "SubsidyOut":
        return cls.model_validate(entry, from_attributes=True)


class LoanIn(BaseModel):
    borrower_name: str = Field(min_length=1, max_length=50)
    id_number: str = Field(min_length=1, max_length=40, description="GB 11643, 18 characters")
    street_code: str = Field(pattern=r"^\d{9}$")
    amount_fen: int = Field(gt=0, le=MAX_AMOUNT_FEN, description="the amount lent, in fen")
    jobs_created: int = Field(ge=0, le=MAX_JOBS)
    granted_at: date


class LoanOut(BaseModel):
    id: int
    borrower_name: str = Field(description="masked: 张**")
    id_number: str = Field(description="masked: 2101**********1234")
    street_code: str
    amount_fen: int
    jobs_created: int
    granted_at: date
    is_demo: bool

    @classmethod
    def of(cls, loan: StartupLoan) -> "LoanOut":
        return cls(
            id=loan.id,
            borrower_name=loan.borrower_name,
            id_number=mask(PiiKind.ID_NUMBER, loan.id_number) or "",
            street_code=loan.street_code,
            amount_fen=loan.amount_fen,
            jobs_created=loan.jobs_created,
            granted_at=loan.granted_at,
            is_demo=loan.is_demo,
        )


class RevealIn(BaseModel):
    field: Literal["borrower_name", "id_number"]
    purpose: Purpose


class RevealOut(BaseModel):
    field: str
    value: str
    masked: str


class TotalsOut(BaseModel):
    period: str = Field(description="YYYY-MM; empty in a sum over periods")
    street_code: str = Field(description="empty in a sum over streets")
    enterprises: int = Field(description="enterprises paid: payments less reversals")
    subsidy_fen: int
    jobs_kept: int
    loans: int
    loan_fen: int
    jobs_created: int


class LedgerTotalsOut(BaseModel):
    total: TotalsOut
    rows: list[TotalsOut] = Field(description="by period and street; they add up to the total")
