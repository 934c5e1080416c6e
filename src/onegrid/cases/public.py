"""The public view of a case, for whoever holds its receipt: its steps, the departments that
handled it and the photos of its result. Never the people: no actor, no note, no reporter,
no other case's receipt; nor the centre's internal steps (督办, the sweep's escalation).

    case = public.view(session=s, receipt="7KQ2-M9XD-4HTP")   # NotFound for an unknown one
    photo = public.result_photo(session=s, receipt=..., evidence_id=3)
"""

import json
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from onegrid.cases import service
from onegrid.cases.flows import transition
from onegrid.cases.machine import Action
from onegrid.cases.models import Case, CaseEvent, Evidence, State
from onegrid.core.errors import NotFound
from onegrid.core.permissions import Principal
from onegrid.routing.models import Category
from onegrid.territory.models import Department

# Steps the public does not see: the centre's oversight and the sweep's escalation.
INTERNAL = frozenset({Action.ESCALATE.value, Action.SUPERVISE.value})
# Steps whose photos show the result: the department's feedback, the check that closed it.
RESULT = frozenset({Action.FEEDBACK.value, Action.CHECK_PASS.value})
# Only photos: a PDF a department attached is its paperwork, not a picture of the street.
PHOTO_TYPES = ("image/jpeg", "image/png", "image/webp")
_DISPATCH, _FEEDBACK, _RECEIVE = Action.DISPATCH.value, Action.FEEDBACK.value, Action.RECEIVE.value


@dataclass(frozen=True)
class Named:
    """A name in both languages (a department's, a category's)."""

    zh: str
    en: str


@dataclass(frozen=True)
class Step:
    """One step as the public sees it: what happened, when, by which department, its photos."""

    action: str
    at: datetime
    state: str
    department: Named | None  # dispatch and feedback steps only
    photos: tuple[int, ...]  # evidence ids: photos of the result (feedback, check_pass)


@dataclass(frozen=True)
class PublicCase:
    """A case as its receipt shows it. The receipt itself is the one asked about: after a
    merge the case shown is the surviving one, whose own receipt is another reporter's."""

    receipt: str  # the one asked about, never the surviving case's
    state: str
    category_code: str
    category: Named
    received_at: datetime
    closed_at: datetime | None
    rating: int | None
    can_rate: bool
    reported_before: bool  # intake found the same problem already reported, or it was merged
    steps: tuple[Step, ...]


def _data(event: CaseEvent) -> dict:
    return json.loads(event.data) if event.data else {}


def _category(session: Session, case: Case) -> Named:
    found = session.execute(
        select(Category.name, Category.name_en).where(
            Category.district_code == case.district_code, Category.code == case.category_code
        )
    ).first()
    return Named(*found) if found else Named(case.category_code, case.category_code)


def _departments(session: Session, case: Case, events: list[CaseEvent]) -> dict[object, Named]:
    """The departments the steps name, by code and by id."""
    codes = {_data(e).get("department_code") for e in events if e.action == _DISPATCH} - {None}
    rows = session.execute(
        select(Department.id, Department.code, Department.name, Department.name_en).where(
            Department.district_code == case.district_code,
            or_(Department.code.in_(codes), Department.id == case.department_id),
        )
    ).all()
    return {key: Named(name, name_en) for id_, code, name, name_en in rows for key in (id_, code)}


def _photos(session: Session, case: Case, event_ids: list[int]) -> dict[int, list[int]]:
    """The photos attached to these events of the case, by event, in upload order."""
    if not event_ids:
        return {}
    rows = session.execute(
        select(Evidence.event_id, Evidence.id)
        .where(
            Evidence.case_id == case.id,
            Evidence.event_id.in_(event_ids),
            Evidence.content_type.in_(PHOTO_TYPES),
        )
        .order_by(Evidence.id)
    ).all()
    found: dict[int, list[int]] = {}
    for event_id, evidence_id in rows:
        found.setdefault(event_id, []).append(evidence_id)
    return found


def steps(*, session: Session, case: Case) -> list[Step]:
    """Returns the case's steps the public sees, oldest first.

    A dispatch names the department its data names; a dispatch by the routing table's
    default names none in its data, and is shown with the case's department (the same one
    unless the case was returned and sent elsewhere since). A feedback names the department
    the case was last dispatched to.
    """
    events = [e for e in service.timeline(session=session, case=case) if e.action not in INTERNAL]
    departments = _departments(session, case, events)
    photos = _photos(session, case, [e.id for e in events if e.action in RESULT])
    current: Named | None = None
    shown = []
    for event in events:
        department = None
        if event.action == _DISPATCH:
            code = _data(event).get("department_code")
            current = departments.get(code) if code else departments.get(case.department_id)
            department = current
        elif event.action == _FEEDBACK:
            department = current or departments.get(case.department_id)
        shown.append(
            Step(
                action=event.action,
                at=event.at,
                state=event.to_state,
                department=department,
                photos=tuple(photos.get(event.id, ())),
            )
        )
    return shown


def _reported_before(session: Session, case: Case, asked: str) -> bool:
    if case.receipt != asked:  # merged into the case shown
        return True
    received = session.scalar(
        select(CaseEvent.data).where(CaseEvent.case_id == case.id, CaseEvent.action == _RECEIVE)
    )
    return bool(received and json.loads(received).get("duplicate_of"))


def view(*, session: Session, receipt: str) -> PublicCase:
    """Returns what this receipt shows of its case (the surviving one after a merge), or
    raises NotFound."""
    case = service.get_by_receipt(session=session, receipt=receipt)
    asked = receipt.strip().upper()
    return PublicCase(
        receipt=asked,
        state=case.state,
        category_code=case.category_code,
        category=_category(session, case),
        received_at=case.received_at,
        closed_at=case.closed_at,
        rating=case.rating,
        can_rate=case.state == State.CLOSED.value,
        reported_before=_reported_before(session, case, asked),
        steps=tuple(steps(session=session, case=case)),
    )


def result_photo(*, session: Session, receipt: str, evidence_id: int) -> Evidence:
    """Returns a photo of the result of the receipt's case (attached to its feedback or to
    the check that closed it), or raises NotFound: any other file, of this case or another."""
    case = service.get_by_receipt(session=session, receipt=receipt)
    query = (
        select(Evidence)
        .join(CaseEvent, Evidence.event_id == CaseEvent.id)
        .where(
            Evidence.id == evidence_id,
            Evidence.case_id == case.id,
            Evidence.content_type.in_(PHOTO_TYPES),
            CaseEvent.case_id == case.id,
            CaseEvent.action.in_(RESULT),
        )
    )
    photo = session.scalars(query).first()
    if photo is None:
        raise NotFound(f"没有照片 {evidence_id}", f"no photo {evidence_id}")
    return photo


def rate(
    *,
    session: Session,
    receipt: str,
    rating: int,
    comment: str | None,
    who: Principal,
    source: str | None,
) -> None:
    """Rates the receipt's case as its reporter (the receipt is the proof), through the one
    dispatcher; raises what it raises (Conflict when the case is not closed)."""
    case = service.get_by_receipt(session=session, receipt=receipt, to_change=True)
    transition(
        session=session,
        case=case,
        action=Action.EVALUATE,
        who=who,
        note=comment,
        data={"rating": rating},
        via_receipt=True,
        source=source,
    )
