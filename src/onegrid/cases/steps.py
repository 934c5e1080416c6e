"""A step of a case, whichever path takes it: the move itself, and the rows it writes.

A step (intake's `receive`, an action through the dispatcher, the sweep's escalation, a step
an import replays) writes one timeline row and one audit record, and moves the case's counts
in the rollup. `move` takes an action on a case in memory (permission, legality, effect, new
state); `event_row` and `audit_record` build the two rows and `snapshot` what a case counts.
The dispatcher (`flows.transition`), intake (`intake.intake_many`) and the bulk engine
(`bulk.engine`) all take them from here, and differ only in how they write the rows: one at
a time, or batched (the engine makes a batch's audit records once it is prepared).

A step's rollup change is the case's snapshot before it and after it. The changes of a run of
steps add up to (before the first, after the last), so a new case (intake, the bulk engine)
counts once: its snapshot once it has taken its steps, added to nothing.
"""

import json
from datetime import datetime
from zoneinfo import ZoneInfo

from onegrid.audit.models import Outcome
from onegrid.cases import effects, machine
from onegrid.cases.facts import bucket, facts
from onegrid.cases.lookups import Lookups
from onegrid.cases.machine import Action
from onegrid.cases.models import Case
from onegrid.cases.rollup import Snapshot
from onegrid.config import get_settings
from onegrid.core.jsontext import CachingEncoder
from onegrid.core.permissions import Principal
from onegrid.core.pii import masked_and_original
from onegrid.core.workcalendar import WorkCalendar

_EVENT_JSON = CachingEncoder(json.JSONEncoder(ensure_ascii=False, sort_keys=True))
_SUCCESS = Outcome.SUCCESS


def move(
    case: Case,
    who: Principal,
    action: Action,
    *,
    lookups: Lookups,
    calendar: WorkCalendar,
    at: datetime,
    note: str | None,
    data: dict | None,
    via_receipt: bool = False,
) -> tuple[str, str | None, str | None]:
    """Takes the action on the case in memory, or raises (Forbidden, Conflict, Invalid).

    Returns the state the case left, the note masked, and the note as typed if masking
    changed it (else None): what `event_row` takes.
    """
    machine.check_permission(who, action, via_receipt=via_receipt)
    target = machine.target(case, action)
    from_state = case.state
    # From here on the note is masked: the timeline, a rating's comment, the notices.
    note, sealed_note = masked_and_original(note)
    context = effects.Context(
        lookups=lookups, calendar=calendar, now=at, note=note, data=dict(data or {})
    )
    effects.EFFECTS[action](context, case)
    case.state = target.value
    return from_state, note, sealed_note


def event_row(
    case: Case,
    who: Principal,
    action: Action,
    *,
    seq: int,
    from_state: str | None,
    at: datetime,
    note: str | None = None,
    sealed_note: str | None = None,
    data: dict | None = None,
) -> dict:
    """The step's timeline row: case_event's columns but case_id (known once the case is
    stored). The case has moved (its state is the step's target); the note is masked, and
    sealed as typed if masking changed it."""
    return {
        "district_code": case.district_code,
        "seq": seq,
        "at": at,
        "actor": who.username,
        "actor_id": who.user_id,
        "actor_role": who.role.value if who.role else None,
        "action": action.value,
        "from_state": from_state,
        "to_state": case.state,
        "note": note,
        "sealed_note": sealed_note,
        "data": _EVENT_JSON(data) if data else None,  # JSON with sorted keys
    }


def audit_record(event: dict, receipt: str, source: str | None) -> dict:
    """The audit record of the step with this timeline row (`event_row`), of the case with
    this receipt: audit.Entry's fields, for audit.checked_values."""
    return {
        "actor": event["actor"],
        "action": "case." + event["action"],
        "actor_id": event["actor_id"],
        "actor_role": event["actor_role"],
        "object_type": "case",
        "object_id": receipt,
        "outcome": _SUCCESS,
        "source": source,
        "detail": {"from": event["from_state"], "to": event["to_state"]},
    }


def snapshot(case: Case) -> Snapshot:
    """Returns what the case counts in the rollup now: its bucket and its facts."""
    return bucket(case, ZoneInfo(get_settings().time_zone)), facts(case)
