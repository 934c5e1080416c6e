"""Mediation data access, always within the principal's scope (lists and counts included)."""

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import ColumnElement, and_, func, select
from sqlalchemy.orm import Session

from onegrid.core.errors import Conflict, Invalid, NotFound
from onegrid.core.permissions import Principal, Scope
from onegrid.core.pii import mask_name, masked_and_original, validate_phone
from onegrid.db import begin_writing
from onegrid.db.base import utcnow
from onegrid.mediation import catalogue
from onegrid.mediation.flows import Event, transition
from onegrid.mediation.models import (
    ChecklistItem,
    Dispute,
    DisputeState,
    MediationPoint,
    MediationSession,
    Party,
    Side,
)

MAX_TEXT = 2000
PAGE = 50


def _in_scope(scope: Scope, district, community) -> ColumnElement[bool]:
    return and_(scope.district_clause(district), scope.unit_clause(community))


def dispute_scope(scope: Scope) -> ColumnElement[bool]:
    """Returns the SQL condition keeping the disputes a scope may see (by their community)."""
    return _in_scope(scope, Dispute.district_code, Dispute.community_code)


def get_point(*, session: Session, point_id: int, scope: Scope) -> MediationPoint:
    """Returns the point with this id within the scope, or NotFound (outside it too: no leak)."""
    query = select(MediationPoint).where(
        MediationPoint.id == point_id,
        _in_scope(scope, MediationPoint.district_code, MediationPoint.community_code),
    )
    point = session.scalars(query).first()
    if point is None:
        raise NotFound(f"没有编号为 {point_id} 的评理说事点", f"no mediation point {point_id}")
    return point


def list_points(*, session: Session, scope: Scope) -> list[tuple[MediationPoint, int]]:
    """Returns the points of the scope by community, each with how many items it has done."""
    done = (
        select(func.count())
        .where(ChecklistItem.point_id == MediationPoint.id, ChecklistItem.done)
        .scalar_subquery()
    )
    query = (
        select(MediationPoint, done)
        .where(_in_scope(scope, MediationPoint.district_code, MediationPoint.community_code))
        .order_by(MediationPoint.community_code)
    )
    return [(point, count) for point, count in session.execute(query)]


def checklist(*, session: Session, point: MediationPoint) -> dict[str, bool]:
    """Returns the point's nine items in the standard's order, each done or not."""
    rows = session.scalars(select(ChecklistItem).where(ChecklistItem.point_id == point.id))
    done = {row.item: row.done for row in rows}
    return {item: done.get(item, False) for item in catalogue.NINE_ITEMS}


def set_item(*, session: Session, point: MediationPoint, item: str, done: bool) -> bool:
    """Marks one item of the point's checklist done or not; returns what it was before."""
    if item not in catalogue.NINE_ITEMS:
        raise Invalid(f"没有清单项 {item}", f"no checklist item {item}", field="item")
    begin_writing(session)
    row = session.scalars(
        select(ChecklistItem).where(ChecklistItem.point_id == point.id, ChecklistItem.item == item)
    ).first()
    if row is None:
        row = ChecklistItem(district_code=point.district_code, point_id=point.id, item=item)
        session.add(row)
    before = bool(row.done)
    row.done, row.updated_at = done, utcnow()
    session.flush()
    return before


def get_dispute(
    *, session: Session, dispute_id: int, scope: Scope, to_change: bool = False
) -> Dispute:
    """Returns the dispute with this id within the scope, or NotFound (outside it too)."""
    if to_change:
        begin_writing(session)
    query = select(Dispute).where(Dispute.id == dispute_id, dispute_scope(scope))
    dispute = session.scalars(query).first()
    if dispute is None:
        raise NotFound(f"没有编号为 {dispute_id} 的纠纷", f"no dispute {dispute_id}")
    return dispute


def dispute_of_case(*, session: Session, case_id: int, scope: Scope) -> Dispute | None:
    """Returns the dispute a case was referred from, if the scope may see it."""
    query = select(Dispute).where(Dispute.case_id == case_id, dispute_scope(scope))
    return session.scalars(query).first()


def list_disputes(
    *, session: Session, scope: Scope, state: DisputeState | None = None, page: int = 1
) -> tuple[list[Dispute], int]:
    """Returns a page of the scope's disputes, newest first, and how many there are."""
    clause = dispute_scope(scope)
    if state is not None:
        clause = and_(clause, Dispute.state == state.value)
    total = session.scalar(select(func.count()).select_from(Dispute).where(clause)) or 0
    query = (
        select(Dispute)
        .where(clause)
        .order_by(Dispute.opened_at.desc(), Dispute.id.desc())
        .limit(PAGE)
        .offset((page - 1) * PAGE)
    )
    return list(session.scalars(query)), total


@dataclass(frozen=True)
class Counts:
    """The scope's disputes counted by state and by issue type: no names."""

    total: int
    by_state: dict[str, int]
    by_type: dict[str, int]
    points: int


def counts(*, session: Session, scope: Scope) -> Counts:
    """Returns the scope's disputes counted by state and issue type, and its points."""
    clause = dispute_scope(scope)
    by_state = dict.fromkeys((s.value for s in DisputeState), 0)
    by_type = dict.fromkeys(catalogue.ISSUE_TYPES, 0)
    query = (
        select(Dispute.state, Dispute.issue_type, func.count())
        .where(clause)
        .group_by(Dispute.state, Dispute.issue_type)
    )
    for state, issue, n in session.execute(query):
        by_state[state] += n
        by_type[issue] += n
    points = session.scalar(
        select(func.count())
        .select_from(MediationPoint)
        .where(_in_scope(scope, MediationPoint.district_code, MediationPoint.community_code))
    )
    return Counts(sum(by_state.values()), by_state, by_type, points or 0)


def parties(*, session: Session, dispute: Dispute) -> list[Party]:
    """Returns the dispute's parties, applicants first."""
    query = select(Party).where(Party.dispute_id == dispute.id).order_by(Party.side, Party.id)
    return list(session.scalars(query))


def sessions(*, session: Session, dispute: Dispute) -> list[MediationSession]:
    """Returns the dispute's mediation sessions, oldest first."""
    query = (
        select(MediationSession)
        .where(MediationSession.dispute_id == dispute.id)
        .order_by(MediationSession.held_at, MediationSession.id)
    )
    return list(session.scalars(query))


def _text(value: str, field: str, zh: str, en: str, *, required: bool = True) -> str:
    text = (value or "").strip()
    if required and not text:
        raise Invalid(f"请填写{zh}", f"fill in {en}", field=field)
    if len(text) > MAX_TEXT:
        raise Invalid(
            f"{zh}不能超过 {MAX_TEXT} 字", f"{en} is over {MAX_TEXT} characters", field=field
        )
    return text


@dataclass(frozen=True)
class NewParty:
    """A party as typed: the name and phone in clear, sealed on the way in."""

    side: Side
    name: str
    phone: str | None = None


def create_dispute(
    *,
    session: Session,
    point: MediationPoint,
    issue_type: str,
    summary: str,
    parties: Sequence[NewParty],
    now: datetime | None = None,
    is_demo: bool = False,
) -> Dispute:
    """Registers a dispute at the point with its parties, or raises Invalid naming the field,
    having written nothing."""
    if issue_type not in catalogue.ISSUE_TYPES:
        raise Invalid(
            f"没有纠纷类型 {issue_type}", f"no issue type {issue_type}", field="issue_type"
        )
    text, sealed = masked_and_original(_text(summary, "summary", "纠纷概要", "the summary"))
    if not parties:
        raise Invalid("请至少登记一名当事人", "register at least one party", field="parties")
    rows = []
    for n, party in enumerate(parties):
        name = _text(party.name, f"parties.{n}.name", "当事人姓名", "the party's name")[:50]
        try:
            phone = validate_phone(party.phone) if party.phone else None
        except Invalid as error:
            error.detail["field"] = f"parties.{n}.phone"
            raise
        rows.append((party.side, name, phone))
    begin_writing(session)
    dispute = Dispute(
        district_code=point.district_code,
        community_code=point.community_code,
        point_id=point.id,
        issue_type=issue_type,
        state=DisputeState.OPEN.value,
        summary=text,
        sealed_summary=sealed,
        opened_at=now or utcnow(),
        is_demo=is_demo,
    )
    session.add(dispute)
    session.flush()
    session.add_all(
        Party(
            district_code=point.district_code,
            dispute_id=dispute.id,
            side=Side(side).value,
            name=mask_name(name),
            sealed_name=name,
            phone=phone,
        )
        for side, name, phone in rows
    )
    session.flush()
    return dispute


def record_session(
    *,
    session: Session,
    dispute: Dispute,
    who: Principal,
    mediator: str,
    note: str,
    held_at: datetime | None = None,
) -> MediationSession:
    """Records a sitting of the dispute's mediation (the first starts the mediation), or raises
    having written nothing."""
    name = _text(mediator, "mediator", "调解员", "the mediator")[:50]
    text, sealed = masked_and_original(_text(note, "note", "调解记录", "the note"))
    if dispute.state == DisputeState.OPEN:
        transition(session=session, dispute=dispute, event=Event.START, who=who)
    elif dispute.state != DisputeState.MEDIATING:
        zh, en = catalogue.STATE_NAMES[dispute.state]
        raise Conflict(
            f"纠纷当前为“{zh}”，不能再记录调解", f"the dispute is {en}: no more sessions"
        )
    row = MediationSession(
        district_code=dispute.district_code,
        dispute_id=dispute.id,
        held_at=held_at or utcnow(),
        mediator=name,
        note=text,
        sealed_note=sealed,
        recorded_by=who.username,
    )
    session.add(row)
    session.flush()
    return row


def _of_dispute_in_scope(session: Session, model, row_id: int, scope: Scope, what: tuple):
    """The party or session with this id if the scope may see its dispute, else NotFound."""
    row = session.get(model, row_id)
    visible = row is not None and session.scalar(
        select(Dispute.id).where(Dispute.id == row.dispute_id, dispute_scope(scope))
    )
    if not visible:
        raise NotFound(f"没有编号为 {row_id} 的{what[0]}", f"no {what[1]} {row_id}")
    return row


def get_party(*, session: Session, party_id: int, scope: Scope) -> Party:
    """Returns the party with this id if the scope may see its dispute, or NotFound."""
    return _of_dispute_in_scope(session, Party, party_id, scope, ("当事人", "party"))


def get_session(*, session: Session, session_id: int, scope: Scope) -> MediationSession:
    """Returns the mediation session with this id if the scope may see its dispute."""
    what = ("调解记录", "mediation session")
    return _of_dispute_in_scope(session, MediationSession, session_id, scope, what)
