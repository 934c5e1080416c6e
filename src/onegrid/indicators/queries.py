"""Indicators from the rollup (onegrid.cases.rollup): never a scan of the cases themselves.

One GROUP BY over `case_rollup` within the principal's scope and the intake days asked for;
its cost follows the number of buckets in that window, not the number of cases ever taken.
Weeks and months are computed in SQL (a small construct compiled per dialect), so a year of
months by street returns 12 × streets rows, not 365 × streets.
"""

from dataclasses import dataclass
from datetime import date
from enum import StrEnum

from sqlalchemy import ColumnElement, Date, and_, case, func, select
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.orm import Session
from sqlalchemy.sql.functions import FunctionElement

from onegrid.cases.facts import FACTS
from onegrid.cases.rollup import CaseRollup
from onegrid.core.errors import Invalid
from onegrid.core.permissions import Scope
from onegrid.indicators.definitions import CHANNELS, INDICATORS, Value, evaluate_all
from onegrid.routing.models import Category
from onegrid.territory.models import Department, Level, TerritoryUnit


class GroupBy(StrEnum):
    STREET = "street"
    COMMUNITY = "community"
    GRID = "grid"
    DEPARTMENT = "department"
    CATEGORY = "category"
    NONE = "none"


class Period(StrEnum):
    DAY = "day"
    WEEK = "week"  # ISO weeks, Monday to Sunday: "2026-W07"
    MONTH = "month"  # calendar months: "2026-02"
    ALL = "all"


class _WeekStart(FunctionElement):
    """The Monday of a date's ISO week."""

    type = Date()
    inherit_cache = True


class _MonthStart(FunctionElement):
    """The first day of a date's month."""

    type = Date()
    inherit_cache = True


@compiles(_WeekStart, "sqlite")
def _week_sqlite(element, compiler, **kw) -> str:
    # 'weekday 0' moves forward to Sunday (or stays on it); six days back is that week's Monday.
    return f"date({compiler.process(element.clauses, **kw)}, 'weekday 0', '-6 days')"


@compiles(_MonthStart, "sqlite")
def _month_sqlite(element, compiler, **kw) -> str:
    return f"date({compiler.process(element.clauses, **kw)}, 'start of month')"


@compiles(_WeekStart)
def _week_postgresql(element, compiler, **kw) -> str:
    # Through `timestamp` (no time zone) so the session's TimeZone cannot shift the day.
    day = compiler.process(element.clauses, **kw)
    return f"CAST(date_trunc('week', CAST({day} AS TIMESTAMP)) AS DATE)"


@compiles(_MonthStart)
def _month_postgresql(element, compiler, **kw) -> str:
    day = compiler.process(element.clauses, **kw)
    return f"CAST(date_trunc('month', CAST({day} AS TIMESTAMP)) AS DATE)"


def _iso_week(day: date) -> str:
    year, week, _ = day.isocalendar()
    return f"{year}-W{week:02d}"


_GROUP_KEY = {
    GroupBy.STREET: func.substr(CaseRollup.grid_code, 1, Level.STREET.code_length),
    GroupBy.COMMUNITY: func.substr(CaseRollup.grid_code, 1, Level.COMMUNITY.code_length),
    GroupBy.GRID: CaseRollup.grid_code,
    GroupBy.DEPARTMENT: CaseRollup.department_id,
    GroupBy.CATEGORY: CaseRollup.category_code,
    GroupBy.NONE: None,
}
_PERIOD_START = {
    Period.DAY: CaseRollup.day,
    Period.WEEK: _WeekStart(CaseRollup.day),
    Period.MONTH: _MonthStart(CaseRollup.day),
    Period.ALL: None,
}
_PERIOD_KEY = {Period.DAY: date.isoformat, Period.WEEK: _iso_week, Period.MONTH: "{:%Y-%m}".format}
# Per channel restriction, the facts its indicators read: summed for that channel alone.
_RESTRICTED = {
    channel: sorted(
        {f for i in INDICATORS if i.channel == channel for f, _ in i.numerator + i.denominator}
    )
    for channel in CHANNELS
}


@dataclass(frozen=True)
class Row:
    """One group in one period: the counts of every fact and every indicator."""

    key: str | int | None  # unit or category code, department id (0: none); None: no grouping
    period: str | None  # "2026-02-14", "2026-W07", "2026-02"; None for the whole range
    counts: dict[str, int]  # every fact, every channel
    values: dict[str, Value]  # by indicator code


def _where(
    scope: Scope,
    since: date | None,
    until: date | None,
    channel: str | None,
    category_code: str | None,
) -> ColumnElement[bool]:
    clauses = [
        scope.district_clause(CaseRollup.district_code),
        scope.unit_clause(CaseRollup.grid_code),
    ]
    if scope.department_id is not None:
        clauses.append(CaseRollup.department_id == scope.department_id)
    if since is not None:
        clauses.append(CaseRollup.day >= since)
    if until is not None:
        clauses.append(CaseRollup.day <= until)
    if channel is not None:
        clauses.append(CaseRollup.channel == channel)
    if category_code is not None:
        clauses.append(CaseRollup.category_code == category_code)
    return and_(*clauses)


def _sums() -> list:
    table = CaseRollup.__table__.c
    sums = [func.sum(table[fact]).label(fact) for fact in FACTS]
    for channel, facts in _RESTRICTED.items():
        sums += [
            func.sum(case((table.channel == channel, table[fact]), else_=0)).label(
                f"{channel}__{fact}"
            )
            for fact in facts
        ]
    return sums


def indicators(
    *,
    session: Session,
    scope: Scope,
    by: GroupBy = GroupBy.NONE,
    period: Period = Period.ALL,
    since: date | None = None,
    until: date | None = None,
    channel: str | None = None,
    category_code: str | None = None,
) -> list[Row]:
    """Returns the indicators per group and period, in period then key order (intake days)."""
    if since is not None and until is not None and since > until:
        raise Invalid("起始日期晚于截止日期", "since is after until", since=str(since))
    key, start = _GROUP_KEY[by], _PERIOD_START[period]
    groups = [e.label(n) for e, n in ((start, "period_start"), (key, "group_key")) if e is not None]
    query = select(*groups, *_sums()).where(_where(scope, since, until, channel, category_code))
    if groups:
        query = query.group_by(*groups).order_by(*groups)
    rows = []
    for result in session.execute(query).mappings():
        counts = {None: {fact: int(result[fact] or 0) for fact in FACTS}}
        for restricted, facts in _RESTRICTED.items():
            counts[restricted] = {f: int(result[f"{restricted}__{f}"] or 0) for f in facts}
        day = result.get("period_start")
        rows.append(
            Row(
                key=result.get("group_key"),
                period=_PERIOD_KEY[period](day) if day is not None else None,
                counts=counts[None],
                values=evaluate_all(counts),
            )
        )
    return rows


@dataclass(frozen=True)
class Label:
    code: str | None
    name: str | None
    name_en: str | None


NO_DEPARTMENT = Label(code=None, name="未指定部门", name_en="no department")


def labels(*, session: Session, scope: Scope, by: GroupBy, keys: set) -> dict:
    """Returns the label of each group key, in one query: unit, department or category names."""
    keys = {k for k in keys if k is not None}
    if not keys or by is GroupBy.NONE:
        return {}
    if by is GroupBy.DEPARTMENT:
        query = select(Department.id, Department.code, Department.name, Department.name_en).where(
            Department.id.in_(keys)
        )
        found = {i: Label(code, name, en) for i, code, name, en in session.execute(query)}
        return found | ({0: NO_DEPARTMENT} if 0 in keys else {})
    if by is GroupBy.CATEGORY:
        query = select(Category.code, Category.name, Category.name_en).where(
            Category.code.in_(keys), scope.district_clause(Category.district_code)
        )
        return {code: Label(code, name, en) for code, name, en in session.execute(query)}
    query = select(TerritoryUnit.code, TerritoryUnit.name).where(TerritoryUnit.code.in_(keys))
    return {code: Label(code, name, None) for code, name in session.execute(query)}
