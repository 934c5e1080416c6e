"""The audit records of the ledgers' writes, the same from the API and from the page."""

from fastapi import Request
from sqlalchemy.orm import Session

from onegrid.audit import auditing
from onegrid.core.permissions import Principal
from onegrid.employment.models import StartupLoan, SubsidyEntry


def subsidy_recorded(
    session: Session, request: Request, who: Principal, action: str, entry: SubsidyEntry
) -> None:
    """Records a payment or reversal written, in the transaction that writes it."""
    auditing.record(
        session,
        request,
        who,
        action,
        object_type="employment_subsidy",
        object_id=str(entry.id),
        detail={
            "credit_code": entry.credit_code,
            "period": entry.period,
            "amount_fen": entry.amount_fen,
            "reverses": entry.reverses_id,
        },
        district_code=entry.district_code,
    )


def loan_recorded(session: Session, request: Request, who: Principal, loan: StartupLoan) -> None:
    """Records a loan written (its amount and month: the borrower is no audit detail)."""
    auditing.record(
        session,
        request,
        who,
        "employment.loan.record",
        object_type="employment_loan",
        object_id=str(loan.id),
        detail={"amount_fen": loan.amount_fen, "month": loan.month},
        district_code=loan.district_code,
    )
