"""Indicators from the rollup (onegrid.cases.rollup): never a scan of the cases themselves.

One GROUP BY within the principal's scope and the intake days asked for, over the smallest
rollup grain that keeps what the query needs (`grain_for`): whole months by street, community,
grid, department or category read the monthly grains, a few thousand rows a year; days, weeks
and windows that cut a month read the daily one. Where each group is one row of its grain (a
month by grid), the rows are read as they are, with nothing to sum. The cost follows the
buckets in the window, not the number of cases ever taken.
Weeks and months are computed in SQL (a small construct compiled per dialect), so a year of
months by street returns 12 × streets rows, not 365 × streets.
"""

from dataclasses import dataclass
from datetime import date, timedelta
from enum import StrEnum

from sqlalchemy import ColumnElement, Date, and_, case, func, select
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.orm import Session
from sqlalchemy.sql.functions import FunctionElement

from onegrid.cases.facts import FACTS
from onegrid.cases.rollup import GRAINS, Grain
from onegrid.core.errors import Invalid
from onegrid.core.levels import Level
from onegrid.core.permissions import Scope
from onegrid.indicators.definitions import CHANNELS, INDICATORS, Value, compute_many, plan
from onegrid.routing.models import Category
from onegrid.territory.models import Department, TerritoryUnit


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


_AREA_DIGITS = {
    GroupBy.STREET: Level.STREET.code_length,
    GroupBy.COMMUNITY: Level.COMMUNITY.code_length,
    GroupBy.GRID: Level.GRID.code_length,
}


def _group_key(by: GroupBy, c) -> ColumnElement | None:
    if by in (GroupBy.STREET, GroupBy.COMMUNITY):
        return func.substr(c.grid_code, 1, _AREA_DIGITS[by])
    return {
        GroupBy.GRID: c.grid_code,
        GroupBy.DEPARTMENT: c.department_id,
        GroupBy.CATEGORY: c.category_code,
    }.get(by)


def _period_start(period: Period, c) -> ColumnElement | None:
    return {
        Period.DAY: c.day,
        Period.WEEK: _WeekStart(c.day),
        Period.MONTH: _MonthStart(c.day),
    }.get(period)


_PERIOD_KEY = {Period.DAY: date.isoformat, Period.WEEK: _iso_week, Period.MONTH: "{:%Y-%m}".format}
# Per channel restriction, the facts its indicators read: summed for that channel alone.
_RESTRICTED = {
    channel: sorted(
        {f for i in INDICATORS if i.channel == channel for f, _ in i.numerator + i.denominator}
    )
    for channel in CHANNELS
}
# A row's sums: every fact over every channel, then each restriction's facts.
_LAYOUT = ((None, FACTS), *((channel, tuple(facts)) for channel, facts in _RESTRICTED.items()))
_PLAN = plan(_LAYOUT)


@dataclass(frozen=True)
class Row:
    """One group in one period: the counts of every fact and every indicator."""

    key: str | int | None  # unit or category code, department id (0: none); None: no grouping
    period: str | None  # "2026-02-14", "2026-W07", "2026-02"; None for the whole range
    counts: dict[str, int]  # every fact, every channel
    values: dict[str, Value]  # by indicator code


def grain_for(
    *,
    scope: Scope,
    by: GroupBy,
    period: Period,
    since: date | None,
    until: date | None,
    channel: str | None,
    category_code: str | None,
) -> Grain:
    """The smallest rollup grain that keeps everything the query asks for."""
    daily = (
        period in (Period.DAY, Period.WEEK)
        or (since is not None and since.day != 1)
        or (until is not None and (until + timedelta(days=1)).day != 1)
    )
    digits = [_AREA_DIGITS.get(by, Level.DISTRICT.code_length)]
    if not scope.everything:
        digits += [len(code) for code in scope.unit_codes]
    department = by is GroupBy.DEPARTMENT or scope.department_id is not None
    category = by is GroupBy.CATEGORY or category_code is not None
    return next(
        grain
        for grain in GRAINS
        if (not daily or not grain.monthly)
        and grain.area_digits >= max(digits)
        and (grain.department or not department)
        and (grain.category or not category)
        and (grain.channel or channel is None)
    )


def _where(
    c,
    scope: Scope,
    since: date | None,
    until: date | None,
    channel: str | None,
    category_code: str | None,
) -> ColumnElement[bool]:
    clauses = [scope.district_clause(c.district_code), scope.unit_clause(c.grid_code)]
    if scope.department_id is not None:
        clauses.append(c.department_id == scope.department_id)
    if since is not None:
        clauses.append(c.day >= since)
    if until is not None:
        clauses.append(c.day <= until)
    if channel is not None:
        clauses.append(c.channel == channel)
    if category_code is not None:
        clauses.append(c.category_code == category_code)
    return and_(*clauses)


def one_row_per_group(
    grain: Grain, by: GroupBy, period: Period, since: date | None, until: date | None
) -> bool:
    """Whether each group is one row of the grain: a monthly grain that keeps the grouping's
    area and nothing more (no department, category or channel), read month by month or for
    one month."""
    one_month = (
        since is not None and until is not None and since.replace(day=1) == until.replace(day=1)
    )
    return (
        grain.monthly
        and not (grain.department or grain.category or grain.channel)
        and grain.area_digits == _AREA_DIGITS.get(by)
        and (period is Period.MONTH or one_month)
    )


def _sums(grain: Grain, *, summed: bool) -> list:
    """The sums of _LAYOUT, or a row's own counts in that order when each group is one row;
    a grain without channels keeps a restricted channel's counts in columns of their own."""
    c = grain.table.c

    def total(column):
        return func.sum(column) if summed else column

    sums = [total(c[fact]).label(fact) for fact in FACTS]
    for channel, facts in _RESTRICTED.items():
        sums += [
            total(
                case((c.channel == channel, c[fact]), else_=0)
                if grain.channel
                else c[f"{channel}_{fact}"]
            ).label(f"{channel}__{fact}")
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
    grain = grain_for(
        scope=scope,
        by=by,
        period=period,
        since=since,
        until=until,
        channel=channel,
        category_code=category_code,
    )
    c = grain.table.c
    key, start = _group_key(by, c), _period_start(period, c)
    groups = [e.label(n) for e, n in ((start, "period_start"), (key, "group_key")) if e is not None]
    where = _where(c, scope, since, until, channel, category_code)
    one_row = one_row_per_group(grain, by, period, since, until)
    query = select(*groups, *_sums(grain, summed=not one_row)).where(where)
    if one_row:  # a month by grid, the command centre's largest screen: nothing to sum
        query = query.order_by(*groups)
    elif groups:
        query = query.group_by(*groups).order_by(*groups)
    # Read by position: a dashboard's thousand groups each carry some thirty sums. A sum is
    # NULL only without groups, over no rows.
    results, first, every = session.execute(query).all(), len(groups), len(FACTS)
    sums = [result[first:] for result in results]
    sums = [[n or 0 for n in row] if None in row else row for row in sums]
    return [
        Row(
            key=result[first - 1] if key is not None else None,
            period=_PERIOD_KEY[period](result[0]) if start is not None else None,
            counts=dict(zip(FACTS, row[:every], strict=True)),
            values=values,
        )
        for result, row, values in zip(results, sums, compute_many(sums, _PLAN), strict=True)
    ]


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
