"""Routing API: the public category catalogue, routing rules, where a case would go, and a
user's in-app notifications."""

from typing import Annotated

from fastapi import APIRouter, Query, Request, Response

from onegrid.audit import auditing
from onegrid.core.access import public, require, signed_in
from onegrid.core.inputs import Id
from onegrid.core.levels import DISTRICT_CODE_PATTERN, UNIT_CODE_PATTERN
from onegrid.core.permissions import Permission, Principal, Scope
from onegrid.db import DbSession, WritingSession
from onegrid.routing import inbox, service
from onegrid.routing.schemas import (
    CategoryOut,
    MarkedRead,
    NotificationList,
    NotificationOut,
    RouteOut,
    RuleIn,
    RuleOut,
    UnreadCount,
)
from onegrid.territory import service as territory
from onegrid.territory.schemas import DepartmentOut

router = APIRouter(tags=["routing"])
Anyone = Annotated[Principal, public()]
Reader = Annotated[Principal, require(Permission.TERRITORY_READ)]
Writer = Annotated[Principal, require(Permission.ROUTING_WRITE)]
SignedIn = Annotated[Principal, signed_in()]
District = Annotated[
    str | None,
    Query(pattern=DISTRICT_CODE_PATTERN, description="district code (default: your own)"),
]
CategoryCode = Annotated[str, Query(max_length=16, examples=["E0501"])]
UnitCode = Annotated[str, Query(pattern=UNIT_CODE_PATTERN, examples=["210104002009001"])]


def _catalogue_scope(who: Principal, district: str | None) -> Scope:
    # The catalogue is public, like Open311's service list: citizens pick a category to report.
    if district is not None:
        return Scope(district_code=district)
    return who.scope if who.scope.district_code else Scope.all()


@router.get("/categories", response_model=list[CategoryOut], summary="Active categories")
def categories(session: DbSession, who: Anyone, district: District = None) -> list[CategoryOut]:
    scope = _catalogue_scope(who, district)
    return [CategoryOut.of(c) for c in service.list_categories(session=session, scope=scope)]


@router.get(
    "/categories/{code}",
    response_model=CategoryOut,
    summary="One category with its limits and attributes",
    responses={404: {"description": "no category has this code"}},
)
def category(code: str, session: DbSession, who: Anyone, district: District = None) -> CategoryOut:
    scope = _catalogue_scope(who, district)
    return CategoryOut.of(service.get_category(session=session, scope=scope, code=code))


@router.get("/routing/rules", response_model=list[RuleOut], summary="Routing rules in my scope")
def rules(
    session: DbSession, who: Reader, category_code: Annotated[str | None, Query()] = None
) -> list[RuleOut]:
    found = service.list_rules(session=session, scope=who.scope, category_code=category_code)
    return [RuleOut.of(r) for r in found]


@router.put("/routing/rules", response_model=RuleOut, summary="Route a category in a unit")
def set_rule(body: RuleIn, request: Request, session: WritingSession, who: Writer) -> RuleOut:
    rule = service.set_rule(
        session=session,
        scope=who.scope,
        category_code=body.category_code,
        unit_code=body.unit_code,
        department_code=body.department_code,
    )
    auditing.record(
        session,
        request,
        who,
        "routing.set_rule",
        object_type="routing_rule",
        object_id=f"{rule.category_code}@{rule.unit_code}",
        detail=body.model_dump(),
        district_code=rule.district_code,
    )
    return RuleOut.of(rule)


@router.delete("/routing/rules", status_code=204, summary="Remove a routing rule")
def delete_rule(
    category_code: CategoryCode,
    unit_code: UnitCode,
    request: Request,
    session: WritingSession,
    who: Writer,
) -> Response:
    rule = service.delete_rule(
        session=session, scope=who.scope, category_code=category_code, unit_code=unit_code
    )
    auditing.record(
        session,
        request,
        who,
        "routing.delete_rule",
        object_type="routing_rule",
        object_id=f"{category_code}@{unit_code}",
        detail={"department_code": rule.department_code},
        district_code=rule.district_code,
    )
    return Response(status_code=204)


@router.get(
    "/routing/route",
    response_model=RouteOut,
    summary="The department a case of this category in this unit would go to",
)
def route(
    category_code: CategoryCode, unit_code: UnitCode, session: DbSession, who: Reader
) -> RouteOut:
    unit = territory.get_by_code(session=session, code=unit_code, scope=who.scope)
    found = service.resolve(
        session=session,
        district_code=unit.district_code,
        category_code=category_code,
        unit_code=unit_code,
    )
    department = found.department
    return RouteOut(
        category_code=category_code,
        unit_code=unit_code,
        department=DepartmentOut(
            code=department.code, name=department.name, name_en=department.name_en
        ),
        rule_unit_code=found.rule_unit_code,
    )


# A user's in-app notifications (routing/inbox.py): their own, whatever the role.


def notification_out(item: inbox.InboxItem) -> NotificationOut:
    n = item.notification
    return NotificationOut(
        id=n.id,
        kind=n.kind,
        subject=n.subject,
        body=n.body,
        case_id=n.case_id,
        created_at=n.created_at,
        read=item.read,
    )


@router.get(
    "/notifications",
    response_model=NotificationList,
    tags=["notifications"],
    summary="My in-app notifications, newest first",
)
def notifications(
    session: DbSession,
    who: SignedIn,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
    offset: Annotated[int, Query(ge=0, le=1_000_000)] = 0,
) -> NotificationList:
    items = inbox.list_for(session=session, who=who, limit=limit, offset=offset)
    return NotificationList(
        items=[notification_out(item) for item in items],
        total=inbox.count(session=session, who=who),
        unread=inbox.unread_count(session=session, who=who),
        limit=limit,
        offset=offset,
    )


@router.get(
    "/notifications/unread-count",
    response_model=UnreadCount,
    tags=["notifications"],
    summary="How many of my notifications I have not read",
)
def unread_count(session: DbSession, who: SignedIn) -> UnreadCount:
    return UnreadCount(unread=inbox.unread_count(session=session, who=who))


@router.post(
    "/notifications/read",
    response_model=MarkedRead,
    tags=["notifications"],
    summary="Mark all my notifications read",
)
def mark_all_read(session: WritingSession, who: SignedIn) -> MarkedRead:
    return MarkedRead(marked=inbox.mark_all_read(session=session, who=who))


@router.post(
    "/notifications/{notification_id}/read",
    status_code=204,
    tags=["notifications"],
    summary="Mark one of my notifications read",
    responses={404: {"description": "no notification of yours has this id"}},
)
def mark_read(notification_id: Id, session: WritingSession, who: SignedIn) -> Response:
    inbox.mark_read(session=session, who=who, notification_id=notification_id)
    return Response(status_code=204)
