"""What each case contributes to the indicators: a bucket key and a vector of counts.

The indicators roll these up incrementally: every change to a case subtracts its old vector
from its old bucket and adds its new one, so a dashboard reads buckets, never every case.
The bucket is the case's intake day (local time), grid, department, category and channel;
its department is the one the case was dispatched to (intake's routing only proposes one), so a
department's figures count the cases its staff can list (onegrid.cases.service.scope_clause).
"""

from dataclasses import dataclass
from datetime import date
from zoneinfo import ZoneInfo

from onegrid.cases.models import OPEN, Case, Stage, State

# The counters, in a fixed order; each is 0 or 1 for one case.
FACTS = (
    "received",  # every case
    "voided",
    "opened",
    "verified",
    "verified_on_time",
    "dispatched",
    "dispatched_on_time",
    "fed_back",  # reached feedback at least once
    "reworked",  # returned for rework at least once
    "extended",  # got an approved extension
    "closed",
    "closed_on_time",
    "overdue_verify",  # open, its verification clock run out
    "overdue_dispatch",
    "overdue_handle",  # open, handling or checking overdue
    "rated",
    "satisfied",  # rated 4 or 5
    "closed_at_grid",  # closed at escalation level 0 (问题解决在网格)
    "closed_at_community",
    "closed_at_street",
    "closed_at_district",
)


@dataclass(frozen=True)
class BucketKey:
    district_code: str
    day: date
    grid_code: str
    department_id: int  # dispatched to; 0: not dispatched yet
    category_code: str
    channel: str


def bucket(case: Case, zone: ZoneInfo) -> BucketKey:
    """Returns the bucket a case counts in."""
    return BucketKey(
        district_code=case.district_code,
        day=case.received_at.astimezone(zone).date(),
        grid_code=case.grid_code,
        department_id=(case.department_id or 0) if case.dispatched_at is not None else 0,
        category_code=case.category_code,
        channel=case.channel,
    )


def facts(case: Case) -> tuple[int, ...]:
    """Returns the case's counters in FACTS order."""
    state = State(case.state)
    if state is State.MERGED:  # counted once, in the case it was merged into
        return (0,) * len(FACTS)
    is_open = state in OPEN and state is not State.PARKED
    stage = case.stage
    closed = case.closed_at is not None
    level = case.closed_level if closed else None
    values = {
        "received": True,
        "voided": state is State.VOIDED,
        "opened": case.opened_at is not None,
        "verified": case.verified_on_time is not None,
        "verified_on_time": bool(case.verified_on_time),
        "dispatched": case.dispatched_on_time is not None,
        "dispatched_on_time": bool(case.dispatched_on_time),
        "fed_back": case.feedback_count > 0,
        "reworked": case.rework_count > 0,
        "extended": case.extension_count > 0,
        "closed": closed,
        "closed_on_time": closed and bool(case.closed_on_time),
        "overdue_verify": is_open and case.overdue and stage == Stage.VERIFY,
        # A returned case waiting for its second dispatch was dispatched once already.
        "overdue_dispatch": is_open
        and case.overdue
        and stage == Stage.DISPATCH
        and case.dispatched_on_time is None,
        "overdue_handle": is_open and case.overdue and stage in (Stage.HANDLE, Stage.CHECK),
        "rated": case.rating is not None,
        "satisfied": case.rating is not None and case.rating >= 4,
        "closed_at_grid": level == 0,
        "closed_at_community": level == 1,
        "closed_at_street": level == 2,
        "closed_at_district": level == 3,
    }
    return tuple(int(values[name]) for name in FACTS)
