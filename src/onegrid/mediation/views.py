"""Mediation API under /api/v1/mediation: points and their checklist, disputes, sessions,
outcomes, the referral to a department's case, and the counts a leader reads."""

from typing import Annotated

from fastapi import APIRouter, Path, Query, Request
from sqlalchemy.orm import Session

from onegrid.audit import auditing
from onegrid.cases import service as cases
from onegrid.cases.models import Case
from onegrid.core.access import require
from onegrid.core.errors import NotFound
from onegrid.core.inputs import Id
from onegrid.core.permissions import Permission, Principal
from onegrid.core.pii import PiiKind, mask
from onegrid.db import DbSession, WritingSession
from onegrid.mediation import records, service
from onegrid.mediation.flows import Event, refer, transition
from onegrid.mediation.models import Dispute, DisputeState
from onegrid.mediation.schemas import (
    ChecklistIn,
    CountsOut,
    DisputeIn,
    DisputeList,
    DisputeOut,
    LinkedCase,
    OutcomeIn,
    PartyOut,
    PointOut,
    ReferIn,
    SessionIn,
    SessionOut,
)

router = APIRouter(prefix="/mediation", tags=["mediation"])
Counter = Annotated[Principal, require(Permission.MEDIATION_COUNT)]
Reader = Annotated[Principal, require(Permission.MEDIATION_READ)]
Writer = Annotated[Principal, require(Permission.MEDIATION_WRITE)]


def linked_case(session: Session, dispute: Dispute, who: Principal) -> Case | None:
    """Returns the dispute's case if the principal may read it."""
    if dispute.case_id is None or not who.can(Permission.CASES_READ):
        return None
    try:
        return cases.get(session=session, case_id=dispute.case_id, scope=who.scope)
    except NotFound:
        return None


def dispute_out(session: Session, dispute: Dispute, who: Principal, full: bool) -> DisputeOut:
    """Returns the API view of a dispute, with its parties and sessions if `full`."""
    case = linked_case(session, dispute, who)
    out = DisputeOut(
        id=dispute.id,
        point_id=dispute.point_id,
        community_code=dispute.community_code,
        issue_type=dispute.issue_type,
        state=dispute.state,
        summary=dispute.summary,
        outcome_note=dispute.outcome_note,
        opened_at=dispute.opened_at,
        closed_at=dispute.closed_at,
        case=LinkedCase(id=case.id, receipt=case.receipt, state=case.state) if case else None,
    )
    if full:
        out.parties = [
            PartyOut(id=p.id, side=p.side, name=p.name, phone=mask(PiiKind.PHONE, p.phone))
            for p in service.parties(session=session, dispute=dispute)
        ]
        out.sessions = [
            SessionOut(id=s.id, held_at=s.held_at, mediator=s.mediator, note=s.note)
            for s in service.sessions(session=session, dispute=dispute)
        ]
    return out


def _changing(session: Session, who: Principal, dispute_id: int) -> Dispute:
    """The dispute in the scope, read under the write lock for a step to follow."""
    return service.get_dispute(
        session=session, dispute_id=dispute_id, scope=who.scope, to_change=True
    )


@router.get("/counts", response_model=CountsOut, summary="Disputes by state and type (no names)")
def dispute_counts(session: DbSession, who: Counter) -> CountsOut:
    counted = service.counts(session=session, scope=who.scope)
    return CountsOut(
        total=counted.total,
        points=counted.points,
        by_state=counted.by_state,
        by_type=counted.by_type,
    )


@router.get("/points", response_model=list[PointOut], summary="The points of my area")
def points(session: DbSession, who: Reader) -> list[PointOut]:
    return [
        PointOut(id=p.id, community_code=p.community_code, name=p.name, items_done=done)
        for p, done in service.list_points(session=session, scope=who.scope)
    ]


def _point_out(session: Session, point_id: int, who: Principal) -> PointOut:
    point = service.get_point(session=session, point_id=point_id, scope=who.scope)
    items = service.checklist(session=session, point=point)
    return PointOut(
        id=point.id,
        community_code=point.community_code,
        name=point.name,
        items_done=sum(items.values()),
        checklist=items,
    )


@router.get("/points/{point_id}", response_model=PointOut, summary="A point and its checklist")
def point(point_id: Id, session: DbSession, who: Reader) -> PointOut:
    return _point_out(session, point_id, who)


@router.put(
    "/points/{point_id}/checklist/{item}",
    response_model=PointOut,
    summary="Mark one of the point's 九个一 items done or not",
)
def checklist_item(
    point_id: Id,
    item: Annotated[str, Path(max_length=16)],
    body: ChecklistIn,
    request: Request,
    session: WritingSession,
    who: Writer,
) -> PointOut:
    found = service.get_point(session=session, point_id=point_id, scope=who.scope)
    before = service.set_item(session=session, point=found, item=item, done=body.done)
    if before != body.done:
        records.checklist(session, request, who, found, {item: body.done})
    return _point_out(session, point_id, who)


@router.get("/disputes", response_model=DisputeList, summary="The disputes of my area")
def disputes(
    request: Request,
    session: DbSession,
    who: Reader,
    state: DisputeState | None = None,
    page: Annotated[int, Query(ge=1, le=10_000)] = 1,
) -> DisputeList:
    rows, total = service.list_disputes(session=session, scope=who.scope, state=state, page=page)
    auditing.record_read(
        session, request, who, "mediation.list", detail={"state": state, "count": len(rows)}
    )
    return DisputeList(
        total=total, items=[dispute_out(session, row, who, full=False) for row in rows]
    )


@router.post("/disputes", response_model=DisputeOut, status_code=201, summary="Register one")
def create_dispute(
    body: DisputeIn, request: Request, session: WritingSession, who: Writer
) -> DisputeOut:
    found = service.get_point(session=session, point_id=body.point_id, scope=who.scope)
    dispute = service.create_dispute(
        session=session,
        point=found,
        issue_type=body.issue_type.value,
        summary=body.summary,
        parties=[service.NewParty(p.side, p.name, p.phone) for p in body.parties],
    )
    records.created(session, request, who, dispute, len(body.parties))
    return dispute_out(session, dispute, who, full=True)


@router.get("/disputes/{dispute_id}", response_model=DisputeOut, summary="One dispute")
def dispute(dispute_id: Id, request: Request, session: DbSession, who: Reader) -> DisputeOut:
    found = service.get_dispute(session=session, dispute_id=dispute_id, scope=who.scope)
    records.read(session, request, who, found)
    return dispute_out(session, found, who, full=True)


@router.post(
    "/disputes/{dispute_id}/sessions",
    response_model=DisputeOut,
    status_code=201,
    summary="Record a mediation session (the first starts the mediation)",
)
def add_session(
    dispute_id: Id, body: SessionIn, session: WritingSession, who: Writer
) -> DisputeOut:
    found = _changing(session, who, dispute_id)
    service.record_session(
        session=session,
        dispute=found,
        who=who,
        mediator=body.mediator,
        note=body.note,
        held_at=body.held_at,
    )
    return dispute_out(session, found, who, full=True)


@router.post(
    "/disputes/{dispute_id}/outcome",
    response_model=DisputeOut,
    summary="Record the outcome: an agreement (协议) or a failure",
)
def outcome(dispute_id: Id, body: OutcomeIn, session: WritingSession, who: Writer) -> DisputeOut:
    found = _changing(session, who, dispute_id)
    event = Event.AGREE if body.outcome == "agreed" else Event.FAIL
    transition(session=session, dispute=found, event=event, who=who, note=body.note)
    return dispute_out(session, found, who, full=True)


@router.post(
    "/disputes/{dispute_id}/refer",
    response_model=DisputeOut,
    summary="Refer to a department: opens one case in the loop, linked both ways",
)
def refer_dispute(
    dispute_id: Id, body: ReferIn, session: WritingSession, who: Writer
) -> DisputeOut:
    found = _changing(session, who, dispute_id)
    refer(session=session, dispute=found, who=who, category_code=body.category_code)
    return dispute_out(session, found, who, full=True)
