"""Case data access, always within the principal's scope (lists and counts included)."""

from dataclasses import dataclass

from sqlalchemy import ColumnElement, and_, func, select
from sqlalchemy.orm import Session

from onegrid.cases import search
from onegrid.cases.models import Case, CaseEvent, Evidence
from onegrid.core.errors import NotFound
from onegrid.core.inputs import Id, Moment
from onegrid.core.permissions import Permission, Principal, Scope
from onegrid.db import begin_writing


def scope_clause(scope: Scope) -> ColumnElement[bool]:
    """Returns the SQL condition keeping the cases a scope may see.

    Territory scope by the case's grid; a department's staff see the cases dispatched to their
    department (intake's routing only proposes a department until the command centre sends it).
    """
    clause = and_(scope.district_clause(Case.district_code), scope.unit_clause(Case.grid_code))
    if scope.department_id is not None:
        clause = and_(
            clause, Case.department_id == scope.department_id, Case.dispatched_at.is_not(None)
        )
    return clause


def receipt_if_readable(
    *, session: Session, who: Principal, case_id: int | None = None, receipt: str | None = None
) -> str | None:
    """Returns the receipt of the case with this id (or receipt) if the principal may read that
    case (cases.read, within scope), else None: a receipt follows and rates a case."""
    if (case_id is None and not receipt) or not who.can(Permission.CASES_READ):
        return None
    key = Case.id == case_id if case_id is not None else Case.receipt == receipt
    return session.scalar(select(Case.receipt).where(key, scope_clause(who.scope)))


def _missing(key: object) -> NotFound:
    return NotFound(f"没有案件 {key}", f"no case {key}")


def get(*, session: Session, case_id: int, scope: Scope, to_change: bool = False) -> Case:
    """Returns the case with this id within the scope, or NotFound (outside it too: no leak);
    `to_change`: read under the write lock, for a change to follow."""
    if to_change:
        begin_writing(session)
    query = select(Case).where(Case.id == case_id, scope_clause(scope))
    case = session.scalars(query).first()
    if case is None:
        raise _missing(case_id)
    return case


def get_by_receipt(
    *, session: Session, receipt: str, to_change: bool = False, follow_merge: bool = True
) -> Case:
    """Returns the case with this receipt number, following a merge to the surviving case
    (unless `follow_merge` is False: the receipt's own case, e.g. for its own reporter's
    details); `to_change`: read under the write lock, for a change to follow."""
    if to_change:
        begin_writing(session)
    case = session.scalars(select(Case).where(Case.receipt == receipt.strip().upper())).first()
    if case is None:
        raise _missing(receipt)
    while follow_merge and case.merged_into_id is not None:
        case = session.get(Case, case.merged_into_id)
    return case


@dataclass
class Filters:
    """What a list of cases may be narrowed to."""

    state: str | None = None
    category_code: str | None = None
    unit_code: str | None = None  # a street, community or grid code
    department_id: Id | None = None
    channel: str | None = None
    overdue: bool | None = None
    received_from: Moment | None = None
    received_to: Moment | None = None
    q: str | None = None  # full-text: every word in the description or the address


def _filtered(scope: Scope, filters: Filters):
    return filtered_columns(scope, filters, (Case,))


def filtered_columns(scope: Scope, filters: Filters, columns: tuple):
    """Returns the select of these columns of the cases in scope matching the filters."""
    query = select(*columns).where(scope_clause(scope))
    if filters.state:
        query = query.where(Case.state == filters.state)
    if filters.category_code:
        query = query.where(Case.category_code == filters.category_code)
    if filters.unit_code:
        query = query.where(Case.grid_code.startswith(filters.unit_code, autoescape=True))
    if filters.department_id is not None:
        query = query.where(Case.department_id == filters.department_id)
    if filters.channel:
        query = query.where(Case.channel == filters.channel)
    if filters.overdue is not None:
        query = query.where(Case.overdue == filters.overdue)
    if filters.received_from:
        query = query.where(Case.received_at >= filters.received_from)
    if filters.received_to:
        query = query.where(Case.received_at < filters.received_to)
    if filters.q and filters.q.strip():
        query = query.where(search.matching(filters.q))
    return query


def list_in_scope(
    *,
    session: Session,
    scope: Scope,
    filters: Filters,
    limit: int = 50,
    offset: int = 0,
    after: ColumnElement[bool] | None = None,
) -> tuple[list[Case], int]:
    """Returns one page of the cases in scope matching the filters, newest first, and the total;
    `after`: the keyset condition of a cursor (cases.queue.after_clause), instead of an offset."""
    query = _filtered(scope, filters)
    total = session.scalar(select(func.count()).select_from(query.subquery()))
    if after is not None:
        query = query.where(after)
    page = session.scalars(
        query.order_by(Case.received_at.desc(), Case.id.desc()).limit(limit).offset(offset)
    ).all()
    return list(page), int(total or 0)


def timeline(*, session: Session, case: Case) -> list[CaseEvent]:
    """Returns the case's events in order."""
    query = select(CaseEvent).where(CaseEvent.case_id == case.id).order_by(CaseEvent.seq)
    return list(session.scalars(query))


def evidence(*, session: Session, case: Case) -> list[Evidence]:
    """Returns the case's evidence files in upload order."""
    query = select(Evidence).where(Evidence.case_id == case.id).order_by(Evidence.id)
    return list(session.scalars(query))
