"""Open311 reads: the jurisdiction, its services, and the cases reported through Open311."""

import json
from datetime import datetime

from sqlalchemy import func, literal_column, select
from sqlalchemy.orm import Session

from onegrid.cases.models import Case, CaseEvent, Channel
from onegrid.core.errors import Invalid, NotFound
from onegrid.core.inputs import MAX_ID
from onegrid.core.levels import Level
from onegrid.open311.mapping import HIDDEN, Facts, states_of
from onegrid.open311.schemas import RequestQuery
from onegrid.routing.models import Category
from onegrid.territory.models import Department, TerritoryUnit

# A literal, not a bound parameter: SQLite uses a partial index only for the very same term.
_FROM_OPEN311 = Case.channel == literal_column(f"'{Channel.OPEN311.value}'")


def districts(*, session: Session) -> list[str]:
    """Returns the codes of the districts stored: the jurisdictions this endpoint serves."""
    query = select(TerritoryUnit.code).where(TerritoryUnit.level == Level.DISTRICT.value)
    return list(session.scalars(query.order_by(TerritoryUnit.code)))


def jurisdiction(*, session: Session, jurisdiction_id: str | None) -> str:
    """Returns the district a call is about: the one named (a district code), or the only one.

    NotFound (404) for a district not stored; Invalid (400) when none is named and the
    endpoint serves several, as the spec says.
    """
    served = districts(session=session)
    if jurisdiction_id is not None:
        if jurisdiction_id not in served:
            raise NotFound(
                f"没有 jurisdiction_id 为 {jurisdiction_id} 的辖区",
                f"jurisdiction_id {jurisdiction_id} was not found",
            )
        return jurisdiction_id
    if len(served) != 1:
        raise Invalid(
            f"本端点服务 {len(served)} 个辖区：请提供 jurisdiction_id（区划代码）",
            f"this endpoint serves {len(served)} jurisdictions: jurisdiction_id (the district "
            "code) was not provided",
        )
    return served[0]


def list_services(*, session: Session, district_code: str) -> list[Category]:
    """Returns the district's open categories with their attributes, by code."""
    query = select(Category).where(
        Category.district_code == district_code, Category.active.is_(True)
    )
    return list(session.scalars(query.order_by(Category.code)))


def get_service(*, session: Session, district_code: str, code: str) -> Category:
    """Returns the district's open category with this code, or NotFound (404)."""
    query = select(Category).where(
        Category.district_code == district_code,
        Category.code == code,
        Category.active.is_(True),
    )
    category = session.scalars(query).first()
    if category is None:
        raise NotFound(f"没有 service_code 为 {code} 的服务", f"service_code {code} was not found")
    return category


def changeset(*, session: Session, district_code: str | None) -> datetime | None:
    """Returns when the catalogue (the services and their definitions) last changed: the
    district's, or any district's."""
    query = select(func.max(Category.updated_at))
    if district_code is not None:
        query = query.where(Category.district_code == district_code)
    return session.scalar(query)


def list_requests(*, session: Session, district_code: str, query: RequestQuery) -> list[Case]:
    """Returns the Open311 cases the query asks for, newest first: ids override every filter."""
    statement = select(Case).where(Case.district_code == district_code, _FROM_OPEN311)
    if query.ids:
        statement = statement.where(Case.id.in_(query.ids))
    else:
        statement = statement.where(Case.received_at >= query.start, Case.received_at <= query.end)
        if query.service_codes:
            statement = statement.where(Case.category_code.in_(query.service_codes))
        if len(query.statuses) == 1:
            statement = statement.where(Case.state.in_(states_of(query.statuses[0])))
        offset = (query.page - 1) * query.page_size
        statement = statement.limit(query.page_size).offset(offset)
    statement = statement.order_by(Case.received_at.desc(), Case.id.desc())
    return list(session.scalars(statement))


def get_request(*, session: Session, district_code: str, request_id: str) -> Case:
    """Returns the district's case reported through Open311 with this id (as the URL gives
    it), or NotFound (404)."""
    case = None
    if request_id.isascii() and request_id.isdigit() and int(request_id) <= MAX_ID:
        statement = select(Case).where(
            Case.id == int(request_id), Case.district_code == district_code, _FROM_OPEN311
        )
        case = session.scalars(statement).first()
    if case is None:
        raise NotFound("没有这个编号的服务请求", "no service request has this id")
    return case


def facts_for(
    *, session: Session, district_code: str, cases: list[Case], timelines: bool = False
) -> Facts:
    """Returns what rendering these cases needs, in a few queries for all of them."""
    categories = session.scalars(select(Category).where(Category.district_code == district_code))
    departments = session.scalars(
        select(Department).where(Department.district_code == district_code)
    )
    facts = Facts(
        categories={c.code: c for c in categories}, departments={d.id: d for d in departments}
    )
    ids = [case.id for case in cases]
    if not ids:
        return facts
    shown = CaseEvent.action.not_in([a.value for a in HIDDEN])
    last = (
        select(CaseEvent.case_id, func.max(CaseEvent.seq).label("seq"))
        .where(CaseEvent.case_id.in_(ids), shown)
        .group_by(CaseEvent.case_id)
        .subquery()
    )
    joined = select(CaseEvent).join(
        last, (CaseEvent.case_id == last.c.case_id) & (CaseEvent.seq == last.c.seq)
    )
    facts.last_steps = {e.case_id: e for e in session.scalars(joined)}
    firsts = select(CaseEvent.case_id, CaseEvent.data).where(
        CaseEvent.case_id.in_(ids), CaseEvent.seq == 1
    )
    for case_id, data in session.execute(firsts):
        url = json.loads(data).get("media_url") if data else None
        if url:
            facts.media_urls[case_id] = url
    if timelines:
        events = select(CaseEvent).where(CaseEvent.case_id.in_(ids))
        for event in session.scalars(events.order_by(CaseEvent.case_id, CaseEvent.seq)):
            facts.timelines.setdefault(event.case_id, []).append(event)
    return facts
