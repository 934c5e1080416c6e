"""The office worklists: a department's inbox (its dispatched cases by light, awaiting approval,
parked, returned) and a street's or community's area list (its open cases, overdue and escalated
first).

Each reads the few columns that decide a case's tab and place (state, pending, escalation level,
clock) of the open cases in scope, through the index (district_code, state, stage_deadline):
a department's or an area's open cases are a few hundred to a few thousand, never a year. The
light is the working-time light of web.case_display: red is "deadline passed"; yellow and green
depend on the working calendar, so the tabs are told apart in Python, then one page of cases is
read by id.
"""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from sqlalchemy import select
from sqlalchemy.orm import Session

from onegrid.cases.models import OPEN, Case, State
from onegrid.cases.service import scope_clause
from onegrid.core.permissions import Scope
from onegrid.core.workcalendar import Light, WorkCalendar

OPEN_STATES = tuple(s.value for s in State if s in OPEN)


class InboxTab(StrEnum):
    """A tab of the department's inbox."""

    RED = "red"  # being handled, its deadline passed
    YELLOW = "yellow"  # being handled, 80 % of its time used
    GREEN = "green"  # being handled, on time
    PENDING = "pending"  # an extension or a park asked, awaiting the command centre
    PARKED = "parked"  # 挂账: no clock runs
    RETURNED = "returned"  # 回退: sent back, awaiting redispatch


class AreaTab(StrEnum):
    """A tab of a street's or community's area list."""

    URGENT = "urgent"  # overdue or escalated: the list's head
    OVERDUE = "overdue"  # deadline passed
    ESCALATED = "escalated"  # raised by the sweep above the grid
    OPEN = "open"  # every open case, the urgent ones first


@dataclass(frozen=True)
class _Summary:
    id: int
    state: str
    pending: str | None
    escalation_level: int
    started: datetime | None
    deadline: datetime | None
    light: Light | None


@dataclass(frozen=True)
class Worklist:
    """One page of a worklist, and how many cases each tab holds."""

    cases: list[Case]
    counts: dict[str, int]


def _summaries(
    session: Session, scope: Scope, states: tuple[str, ...], calendar: WorkCalendar, now: datetime
) -> list[_Summary]:
    query = select(
        Case.id,
        Case.state,
        Case.pending,
        Case.escalation_level,
        Case.stage_started_at,
        Case.stage_deadline,
    ).where(scope_clause(scope), Case.state.in_(states))
    if scope.department_id is not None:
        # Without statistics SQLite would read every case the department ever had through the
        # index on department_id; the open cases in these states come from the index on
        # (district_code, state, stage_deadline), each then checked by (department_id, id).
        open_ids = select(Case.id).where(
            scope.district_clause(Case.district_code), Case.state.in_(states)
        )
        query = query.where(Case.id.in_(open_ids))
    found = []
    for case_id, state, pending, level, started, deadline in session.execute(query):
        light = calendar.light(started, deadline, now) if started and deadline else None
        found.append(_Summary(case_id, state, pending, level or 0, started, deadline, light))
    return found


def _handling(light: Light) -> Callable[[_Summary], bool]:
    return lambda s: s.state == State.DISPATCHED.value and s.light is light


INBOX: dict[InboxTab, Callable[[_Summary], bool]] = {
    InboxTab.RED: _handling(Light.RED),
    InboxTab.YELLOW: _handling(Light.YELLOW),
    InboxTab.GREEN: _handling(Light.GREEN),
    InboxTab.PENDING: lambda s: s.state == State.DISPATCHED.value and s.pending is not None,
    InboxTab.PARKED: lambda s: s.state == State.PARKED.value,
    InboxTab.RETURNED: lambda s: s.state == State.RETURNED.value,
}
_INBOX_STATES = (State.DISPATCHED.value, State.PARKED.value, State.RETURNED.value)


def _overdue(s: _Summary) -> bool:
    return s.light is Light.RED


AREA: dict[AreaTab, Callable[[_Summary], bool]] = {
    AreaTab.URGENT: lambda s: _overdue(s) or s.escalation_level > 0,
    AreaTab.OVERDUE: _overdue,
    AreaTab.ESCALATED: lambda s: s.escalation_level > 0,
    AreaTab.OPEN: lambda s: True,
}


def _due_soonest(s: _Summary) -> tuple:
    # The deadline nearest (or the most overdue) first; cases without a clock last.
    return (s.deadline is None, s.deadline or datetime.max, s.id)


def _urgent_first(s: _Summary) -> tuple:
    # Overdue, then escalated (the highest level first), then due soonest.
    return (not _overdue(s), -s.escalation_level, *_due_soonest(s))


def _page(
    session: Session, summaries: list[_Summary], key: Callable, limit: int, offset: int
) -> list[Case]:
    chosen = [s.id for s in sorted(summaries, key=key)[offset : offset + limit]]
    if not chosen:
        return []
    by_id = {c.id: c for c in session.scalars(select(Case).where(Case.id.in_(chosen)))}
    return [by_id[i] for i in chosen]


def _worklist(
    session: Session,
    summaries: list[_Summary],
    tabs: dict,
    tab: StrEnum,
    key: Callable,
    limit: int,
    offset: int,
) -> Worklist:
    """Returns the page of the summaries in `tab` in the order of `key`, and every tab's count."""
    counts = {t.value: sum(1 for s in summaries if test(s)) for t, test in tabs.items()}
    chosen = [s for s in summaries if tabs[tab](s)]
    return Worklist(_page(session, chosen, key, limit, offset), counts)


def _ordered(summaries: list[_Summary], chosen: Callable, key: Callable) -> list[int]:
    return [s.id for s in sorted((s for s in summaries if chosen(s)), key=key)]


def inbox_ids(
    *, session: Session, scope: Scope, tab: InboxTab, calendar: WorkCalendar, now: datetime
) -> list[int]:
    """Returns the ids of every case of the department in this tab, in the inbox's order (its
    export: the ids are a few thousand at most, the cases are then read a batch at a time)."""
    summaries = _summaries(session, scope, _INBOX_STATES, calendar, now)
    return _ordered(summaries, INBOX[tab], _due_soonest)


def area_ids(
    *, session: Session, scope: Scope, tab: AreaTab, calendar: WorkCalendar, now: datetime
) -> list[int]:
    """Returns the ids of every open case of the scope in this tab, in the area list's order."""
    summaries = _summaries(session, scope, OPEN_STATES, calendar, now)
    return _ordered(summaries, AREA[tab], _urgent_first)


def inbox(
    *,
    session: Session,
    scope: Scope,
    tab: InboxTab,
    calendar: WorkCalendar,
    now: datetime,
    limit: int = 20,
    offset: int = 0,
) -> Worklist:
    """Returns a page of the department's cases in this tab, due soonest first, and the counts
    of every tab (the scope is the department's: the cases dispatched to it)."""
    summaries = _summaries(session, scope, _INBOX_STATES, calendar, now)
    return _worklist(session, summaries, INBOX, tab, _due_soonest, limit, offset)


def area(
    *,
    session: Session,
    scope: Scope,
    tab: AreaTab,
    calendar: WorkCalendar,
    now: datetime,
    limit: int = 20,
    offset: int = 0,
) -> Worklist:
    """Returns a page of the open cases of the scope in this tab, overdue and escalated first,
    then due soonest, and the counts of every tab."""
    summaries = _summaries(session, scope, OPEN_STATES, calendar, now)
    return _worklist(session, summaries, AREA, tab, _urgent_first, limit, offset)
