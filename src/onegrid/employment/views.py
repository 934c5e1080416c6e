"""The employment ledgers' API under /api/v1/employment: totals (a leader's too), entries with
the borrowers masked, recording payments, reversals and loans (人社), and a borrower's reveal."""

from dataclasses import asdict
from typing import Annotated

from fastapi import APIRouter, Path, Query, Request, Response

from onegrid.audit import auditing
from onegrid.core.access import require
from onegrid.core.errors import DomainError
from onegrid.core.permissions import Permission, Principal
from onegrid.core.pii import PiiKind, mask
from onegrid.db import DbSession, WritingSession
from onegrid.employment import service
from onegrid.employment.recording import loan_recorded, subsidy_recorded
from onegrid.employment.schemas import (
    LedgerTotalsOut,
    LoanIn,
    LoanOut,
    RevealIn,
    RevealOut,
    ReversalIn,
    SubsidyIn,
    SubsidyOut,
    TotalsOut,
)

router = APIRouter(prefix="/employment", tags=["employment"])
TotalsReader = Annotated[Principal, require(Permission.EMPLOYMENT_TOTALS)]
Reader = Annotated[Principal, require(Permission.EMPLOYMENT_READ)]
Writer = Annotated[Principal, require(Permission.EMPLOYMENT_WRITE)]
Id = Annotated[int, Path(gt=0, lt=2**31)]
Limit = Annotated[int, Query(ge=1, le=1000)]
Offset = Annotated[int, Query(ge=0, le=10_000_000)]
_PII = {"borrower_name": PiiKind.NAME, "id_number": PiiKind.ID_NUMBER}


@router.get("/totals", response_model=LedgerTotalsOut, summary="Totals by period and street")
def totals(session: DbSession, who: TotalsReader) -> LedgerTotalsOut:
    rows = service.totals(session=session, scope=who.scope)
    return LedgerTotalsOut(
        total=TotalsOut(**asdict(service.summed(rows))),
        rows=[TotalsOut(**asdict(r)) for r in rows],
    )


@router.get("/subsidies", response_model=list[SubsidyOut], summary="稳岗 subsidy entries")
def subsidies(
    session: DbSession, who: Reader, limit: Limit = 100, offset: Offset = 0
) -> list[SubsidyOut]:
    found = service.list_subsidies(session=session, scope=who.scope, limit=limit, offset=offset)
    return [SubsidyOut.of(e) for e in found]


def _refused(session, request, who, action: str, error: DomainError, detail: dict) -> None:
    # The service refuses before it adds anything (a refused insert's savepoint is rolled
    # back): nothing is half-written. The refusal is recorded apart from the request.
    auditing.record_refusal(session, request, who, action, detail={**detail, "why": error.en})


@router.post(
    "/subsidies",
    response_model=SubsidyOut,
    status_code=201,
    summary="Record a subsidy payment (one per enterprise and period)",
    responses={409: {"description": "the enterprise was paid for this period already"}},
)
def pay(body: SubsidyIn, request: Request, session: WritingSession, who: Writer) -> SubsidyOut:
    try:
        entry = service.record_subsidy(
            session=session, scope=who.scope, by=who.username, **body.model_dump()
        )
    except DomainError as error:
        detail = {"credit_code": body.credit_code, "period": body.period}
        _refused(session, request, who, "employment.subsidy.pay", error, detail)
        raise
    subsidy_recorded(session, request, who, "employment.subsidy.pay", entry)
    return SubsidyOut.of(entry)


@router.post(
    "/subsidies/{entry_id}/reversal",
    response_model=SubsidyOut,
    status_code=201,
    summary="Reverse a subsidy payment: a new negative entry naming it",
    responses={409: {"description": "reversed already"}, 404: {"description": "no such entry"}},
)
def reverse(
    entry_id: Id, body: ReversalIn, request: Request, session: WritingSession, who: Writer
) -> SubsidyOut:
    try:
        entry = service.reverse_subsidy(
            session=session,
            scope=who.scope,
            by=who.username,
            entry_id=entry_id,
            **body.model_dump(),
        )
    except DomainError as error:
        _refused(session, request, who, "employment.subsidy.reverse", error, {"id": entry_id})
        raise
    subsidy_recorded(session, request, who, "employment.subsidy.reverse", entry)
    return SubsidyOut.of(entry)


@router.get("/loans", response_model=list[LoanOut], summary="Start-up loans, borrowers masked")
def loans(
    request: Request, session: DbSession, who: Reader, limit: Limit = 100, offset: Offset = 0
) -> list[LoanOut]:
    found = [
        LoanOut.of(loan)
        for loan in service.list_loans(session=session, scope=who.scope, limit=limit, offset=offset)
    ]
    auditing.record_read(
        session,
        request,
        who,
        "employment.loans.read",
        object_type="employment_loan",
        detail={"limit": limit, "offset": offset, "count": len(found), "masked": True},
    )
    return found


@router.post(
    "/loans",
    response_model=LoanOut,
    status_code=201,
    summary="Record a start-up guarantee loan",
)
def lend(body: LoanIn, request: Request, session: WritingSession, who: Writer) -> LoanOut:
    try:
        loan = service.record_loan(
            session=session, scope=who.scope, by=who.username, **body.model_dump()
        )
    except DomainError as error:
        _refused(session, request, who, "employment.loan.record", error, {})
        raise
    loan_recorded(session, request, who, loan)
    return LoanOut.of(loan)


@router.post(
    "/loans/{loan_id}/reveal",
    response_model=RevealOut,
    summary="Reveal a borrower's name or ID number, for a stated purpose (audited)",
    responses={404: {"description": "no such loan within your scope"}},
)
def reveal(
    loan_id: Id,
    body: RevealIn,
    request: Request,
    response: Response,
    session: WritingSession,
    who: Reader,
) -> RevealOut:
    detail = {"field": body.field, "purpose": body.purpose}
    try:
        loan, value = service.reveal_borrower(
            session=session, scope=who.scope, loan_id=loan_id, field=body.field
        )
    except DomainError:
        auditing.record_refusal(
            session, request, who, "pii.reveal", detail={**detail, "id": loan_id}
        )
        raise
    auditing.record(
        session,
        request,
        who,
        "pii.reveal",
        object_type="employment_loan",
        object_id=str(loan.id),
        detail=detail,
        district_code=loan.district_code,
    )
    response.headers["Cache-Control"] = "no-store"
    return RevealOut(field=body.field, value=value, masked=mask(_PII[body.field], value) or "")
