"""A field worker's tasks: the cases in scope waiting for their verify (核实) or check (核查),
the one due soonest first; and the open cases of their scope, for the task map.

Both read through the index (district_code, state, stage_deadline) (migration 0016): the
district's cases in a few states, already in deadline order, never a whole year of cases.
"""

from dataclasses import dataclass
from enum import StrEnum

from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session

from onegrid.cases.models import OPEN, Case, State
from onegrid.cases.service import scope_clause
from onegrid.core.permissions import Scope
from onegrid.routing.models import Category


class Waiting(StrEnum):
    """What a task waits for: a tab of the tasks page."""

    VERIFY = "verify"  # 待核实: the command centre asked for an on-site verification
    CHECK = "check"  # 待核查: the department reported it handled; check it on site
    ALL = "all"


STATES: dict[Waiting, tuple[State, ...]] = {
    Waiting.VERIFY: (State.VERIFYING,),
    Waiting.CHECK: (State.HANDLED,),
    Waiting.ALL: (State.VERIFYING, State.HANDLED),
}
# The open states in a fixed order (a query's text, and so its plan, stays the same).
OPEN_STATES = tuple(s for s in State if s in OPEN)


@dataclass(frozen=True)
class TaskPage:
    """One page of tasks, and how many wait in each tab."""

    cases: list[Case]
    counts: dict[Waiting, int]

    @property
    def total(self) -> int:
        return sum(self.counts[w] for w in (Waiting.VERIFY, Waiting.CHECK))


def _in_states(scope: Scope, states: tuple[State, ...]) -> Select:
    return select(Case).where(scope_clause(scope), Case.state.in_([s.value for s in states]))


def _soonest_first(query: Select) -> Select:
    # The deadline nearest (or the most overdue) first: what is due soonest is done first.
    return query.order_by(Case.stage_deadline.asc().nulls_last(), Case.id)


def counts(*, session: Session, scope: Scope) -> dict[Waiting, int]:
    """Returns how many cases in scope wait for a verify, for a check, and both together."""
    query = (
        select(Case.state, func.count())
        .where(scope_clause(scope), Case.state.in_([s.value for s in STATES[Waiting.ALL]]))
        .group_by(Case.state)
    )
    by_state = {state: count for state, count in session.execute(query)}
    verify = by_state.get(State.VERIFYING.value, 0)
    check = by_state.get(State.HANDLED.value, 0)
    return {Waiting.VERIFY: verify, Waiting.CHECK: check, Waiting.ALL: verify + check}


def waiting(
    *, session: Session, scope: Scope, tab: Waiting = Waiting.ALL, limit: int = 20, offset: int = 0
) -> TaskPage:
    """Returns one page of the cases in scope waiting in this tab, due soonest first."""
    query = _soonest_first(_in_states(scope, STATES[tab])).limit(limit).offset(offset)
    return TaskPage(list(session.scalars(query)), counts(session=session, scope=scope))


def open_cases(*, session: Session, scope: Scope, limit: int = 500) -> list[Case]:
    """Returns the open cases in scope (at most `limit`), due soonest first: the task map's."""
    return list(session.scalars(_soonest_first(_in_states(scope, OPEN_STATES)).limit(limit)))


def category_names(
    *, session: Session, district_code: str, codes: set[str], lang: str
) -> dict[str, str]:
    """Returns the names of these categories of the district in this language ("zh", "en")."""
    query = select(Category.code, Category.name, Category.name_en).where(
        Category.district_code == district_code, Category.code.in_(sorted(codes))
    )
    return {code: (en if lang == "en" else zh) for code, zh, en in session.execute(query)}
