"""Revealing one personal field of an object within the principal's scope."""

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from onegrid.cases import service as cases
from onegrid.cases.models import Case, CaseEvent
from onegrid.core.errors import Invalid, NotFound
from onegrid.core.permissions import Scope
from onegrid.core.pii import PiiKind, mask, mask_name, masked_and_original
from onegrid.db import begin_writing
from onegrid.mediation import service as mediation
from onegrid.territory import service as territory

# The fields a reveal may name, by object type, and how each is masked. A case's free text
# and a timeline note are stored masked; the text as typed is sealed beside them.
REVEALABLE: dict[str, dict[str, PiiKind]] = {
    "person": {"phone": PiiKind.PHONE, "id_number": PiiKind.ID_NUMBER},
    "case": {
        "reporter_phone": PiiKind.PHONE,
        "reporter_name": PiiKind.NAME,
        "description": PiiKind.TEXT,
        "address": PiiKind.TEXT,
    },
    "case_event": {"note": PiiKind.TEXT},
    # 评理说事: a party's name and phone, a dispute's summary, a session's note.
    "mediation_party": {"name": PiiKind.NAME, "phone": PiiKind.PHONE},
    "mediation_dispute": {"summary": PiiKind.TEXT},
    "mediation_session": {"note": PiiKind.TEXT},
}
# A field kept masked in its column, with the text as typed sealed in this one.
SEALED = {
    "reporter_name": "sealed_reporter_name",
    "description": "sealed_description",
    "address": "sealed_address",
    "note": "sealed_note",
    "name": "sealed_name",
    "summary": "sealed_summary",
}


_MEDIATION = {
    "mediation_party": lambda s, i, scope: mediation.get_party(session=s, party_id=i, scope=scope),
    "mediation_dispute": lambda s, i, scope: mediation.get_dispute(
        session=s, dispute_id=i, scope=scope
    ),
    "mediation_session": lambda s, i, scope: mediation.get_session(
        session=s, session_id=i, scope=scope
    ),
}


@dataclass(frozen=True)
class Revealed:
    """One field in clear and masked, with the district of the object it belongs to."""

    value: str | None
    masked: str | None
    district_code: str


def _event(session: Session, event_id: int, scope: Scope) -> CaseEvent:
    """The timeline event of a case within the scope, or NotFound (outside it too: no leak)."""
    event = session.get(CaseEvent, event_id)
    if event is None:
        raise NotFound(f"没有编号为 {event_id} 的案件记录", f"no case event has the id {event_id}")
    try:
        cases.get(session=session, case_id=event.case_id, scope=scope)
    except NotFound:
        raise NotFound(
            f"没有编号为 {event_id} 的案件记录", f"no case event has the id {event_id}"
        ) from None
    return event


def reveal(
    *, session: Session, scope: Scope, object_type: str, object_id: int, field: str
) -> Revealed:
    """Returns the field of the object in clear; NotFound outside the scope (no leak).

    Takes the write lock first: every answer, a refusal too, is recorded."""
    begin_writing(session)
    kind = REVEALABLE.get(object_type, {}).get(field)
    if kind is None:
        raise Invalid(
            f"{object_type} 没有可查看的字段 {field}", f"a {object_type} has no revealable {field}"
        )
    if object_type == "case":
        owner = cases.get(session=session, case_id=object_id, scope=scope)
    elif object_type == "case_event":
        owner = _event(session, object_id, scope)
    elif object_type in _MEDIATION:
        owner = _MEDIATION[object_type](session, object_id, scope)
    else:
        owner = territory.get_person(session=session, person_id=object_id, scope=scope)
    value = getattr(owner, field)
    if field in SEALED:
        value = getattr(owner, SEALED[field]) or value  # nothing sealed: nothing was masked
    return Revealed(value=value, masked=mask(kind, value), district_code=owner.district_code)


def mask_stored(*, session: Session, batch: int = 1000) -> dict[str, int]:
    """Masks the free text of the cases and notes stored before it was masked at intake,
    sealing the text as typed; returns how many rows it changed, by district. Running it
    again changes nothing: masked text has nothing left to mask."""
    changed: dict[str, int] = {}
    last = 0
    while rows := session.scalars(
        select(Case).where(Case.id > last).order_by(Case.id).limit(batch)
    ).all():
        for case in rows:
            if _mask_case(case):
                changed[case.district_code] = changed.get(case.district_code, 0) + 1
        last = rows[-1].id
        session.flush()
        session.expunge_all()
    last = 0
    while rows := session.scalars(
        select(CaseEvent)
        .where(CaseEvent.id > last, CaseEvent.note.is_not(None))
        .order_by(CaseEvent.id)
        .limit(batch)
    ).all():
        for event in rows:
            note, sealed = masked_and_original(event.note)
            if sealed is not None:
                event.note, event.sealed_note = note, sealed
                changed[event.district_code] = changed.get(event.district_code, 0) + 1
        last = rows[-1].id
        session.flush()
        session.expunge_all()
    return changed


def _mask_case(case: Case) -> bool:
    before = (case.description, case.address, case.reporter_name, case.rating_comment)
    for field in ("description", "address"):
        text, sealed = masked_and_original(getattr(case, field))
        if sealed is not None:
            setattr(case, field, text)
            setattr(case, SEALED[field], sealed)
    if case.reporter_name and case.sealed_reporter_name is None:
        case.sealed_reporter_name = case.reporter_name
        case.reporter_name = mask_name(case.reporter_name)
    # A rating's comment is its evaluation's note, which is sealed with the timeline.
    case.rating_comment = masked_and_original(case.rating_comment)[0]
    return before != (case.description, case.address, case.reporter_name, case.rating_comment)
