"""The one entry for every change to a case: permission, legality, effects, timeline, audit.

    transition(session=s, case=c, action=Action.DISPATCH, who=principal, note="…")

Each call writes exactly one timeline event and one audit record, moves the case's counts
in the rollup, and bumps the case's version so that a racing change fails.
"""

from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session
from sqlalchemy.orm.exc import StaleDataError

from onegrid.audit import service as audit
from onegrid.cases import rollup, steps
from onegrid.cases.lookups import SessionLookups
from onegrid.cases.machine import Action
from onegrid.cases.models import Case, CaseEvent, Evidence
from onegrid.cases.notify import notice, notify
from onegrid.core.errors import Conflict, Invalid
from onegrid.core.permissions import Principal
from onegrid.core.workcalendar import get_calendar
from onegrid.db.base import utcnow


def _next_seq(session: Session, case: Case) -> int:
    """The number of the case's next timeline event."""
    seq = session.scalar(select(func.max(CaseEvent.seq)).where(CaseEvent.case_id == case.id))
    return (seq or 0) + 1


def _write(session: Session, case: Case, row: dict, record: dict) -> CaseEvent:
    """Appends the step's row to the case's timeline and its record to the audit chain."""
    event = CaseEvent(case_id=case.id, **row)
    session.add(event)
    session.flush()
    audit.record_checked(
        session=session, district_code=case.district_code, rows=audit.checked_values([record])
    )
    return event


def transition(
    *,
    session: Session,
    case: Case,
    action: Action,
    who: Principal,
    note: str | None = None,
    data: dict | None = None,
    evidence_ids: list[int] | None = None,
    via_receipt: bool = False,
    source: str | None = None,
    now: datetime | None = None,
) -> CaseEvent:
    """Takes one action on a case, or raises (Invalid, Forbidden) having changed nothing."""
    now = now or utcnow()
    before = steps.snapshot(case)
    try:
        from_state, note, sealed_note = steps.move(
            case,
            who,
            action,
            lookups=SessionLookups(session),
            calendar=get_calendar(),
            at=now,
            note=note,
            data=data,
            via_receipt=via_receipt,
        )
        session.flush()  # the version check: has a racing change already moved the case?
    except StaleDataError as error:
        raise Conflict(
            "案件刚被他人更新，请刷新后重试",
            "the case was changed meanwhile: reload it and try again",
        ) from error
    rollup.apply(session, before, steps.snapshot(case))
    row = steps.event_row(
        case,
        who,
        action,
        seq=_next_seq(session, case),
        from_state=from_state,
        at=now,
        note=note,
        sealed_note=sealed_note,
        data=data,
    )
    event = _write(session, case, row, steps.audit_record(row, case.receipt, source))
    if evidence_ids:
        _attach(session, case, event, evidence_ids)
    message = notice(case, action, note)
    if message is not None:
        notify(session, case, **message)
    return event


def _attach(session: Session, case: Case, event: CaseEvent, evidence_ids: list[int]) -> None:
    rows = session.scalars(
        select(Evidence).where(Evidence.id.in_(evidence_ids), Evidence.case_id == case.id)
    ).all()
    missing = sorted(set(evidence_ids) - {row.id for row in rows})
    if missing:
        raise Invalid(
            f"证据 {missing[0]} 不属于本案件", f"evidence {missing[0]} does not belong to this case"
        )
    for row in rows:
        row.event_id = event.id
