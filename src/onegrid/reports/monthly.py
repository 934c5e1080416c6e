"""A street's monthly report: the month's indicators beside last month's, the top categories,
and the cases that ran past a time limit.

Figures are by intake month, as every indicator is (docs/indicators.md): the cases received in
the month, counted as they stand when the report is made. The overdue list holds the month's
cases flagged overdue (a stage ran past its limit), oldest first.
"""

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import Session

from onegrid.cases.machine import STATE_NAMES
from onegrid.cases.models import Case, State
from onegrid.config import get_settings
from onegrid.core.errors import Invalid
from onegrid.core.levels import Level, level_of
from onegrid.core.permissions import Scope
from onegrid.indicators import INDICATORS, GroupBy, Indicator, Period, Value, indicators, labels
from onegrid.territory import service as territory
from onegrid.territory.models import Department

TOP = 10  # categories listed
COUNTS = ("received", "opened", "dispatched", "closed", "voided")


@dataclass(frozen=True)
class Month:
    year: int
    month: int

    @classmethod
    def parse(cls, text: str) -> "Month":
        """Returns the month written "2026-11", or Invalid naming the field `month`."""
        try:
            year, month = (int(part) for part in text.split("-"))
            date(year, month, 1)
        except ValueError:
            raise Invalid(
                f"月份应写作 YYYY-MM，而不是 {text}",
                f"a month is written YYYY-MM, not {text}",
                field="month",
            ) from None
        if len(text) != 7:
            raise Invalid("月份应写作 YYYY-MM", "a month is written YYYY-MM", field="month")
        return cls(year, month)

    @classmethod
    def of(cls, day: date) -> "Month":
        return cls(day.year, day.month)

    @property
    def first(self) -> date:
        return date(self.year, self.month, 1)

    @property
    def last(self) -> date:
        return self.next.first - timedelta(days=1)

    @property
    def previous(self) -> "Month":
        return Month.of(self.first - timedelta(days=1))

    @property
    def next(self) -> "Month":
        return Month.of(self.first + timedelta(days=31))

    def __str__(self) -> str:
        return f"{self.year:04d}-{self.month:02d}"


@dataclass(frozen=True)
class Figure:
    indicator: Indicator
    this: Value
    last: Value


@dataclass(frozen=True)
class CategoryCount:
    code: str
    name: str | None
    name_en: str | None
    this: int
    last: int


@dataclass(frozen=True)
class OverdueCase:
    receipt: str
    category_code: str
    state: str
    state_name: str
    stage: str | None
    received_at: datetime
    stage_deadline: datetime | None
    department: str | None
    escalation_level: int


@dataclass(frozen=True)
class MonthlyReport:
    street_code: str
    street_name: str
    month: Month
    counts: dict[str, tuple[int, int]]  # fact → (this month, last month)
    figures: list[Figure]
    categories: list[CategoryCount]
    overdue: list[OverdueCase]

    def street_label(self, lang: str) -> str:
        """Returns the street as the report names it: the territory has Chinese names only, so
        English shows the Chinese name with its code rather than a made-up translation."""
        return f"{self.street_name} ({self.street_code})" if lang == "en" else self.street_name


def street_scope(*, session: Session, street_code: str, within: Scope):
    """Returns the street (a unit of level street, within the scope) and the scope of it alone;
    NotFound outside the scope, Invalid (field `street`) for a code not of a street."""
    if not _is_street_code(street_code):
        raise Invalid(
            f"{street_code} 不是街道代码（9 位）",
            f"{street_code} is not a street's code (9 digits)",
            field="street",
        )
    unit = territory.get_by_code(session=session, code=street_code, scope=within)
    return unit, Scope(district_code=unit.district_code, unit_codes=(unit.code,))


def _is_street_code(text: str) -> bool:
    return text.isdigit() and level_of(text) is Level.STREET


def _one(rows: list) -> dict:
    return {row.period: row for row in rows}


def build(*, session: Session, street_code: str, month: Month, within: Scope) -> MonthlyReport:
    """Returns the street's report for the month, within the reader's scope."""
    unit, scope = street_scope(session=session, street_code=street_code, within=within)
    previous = month.previous
    by_month = _one(
        indicators(
            session=session,
            scope=scope,
            period=Period.MONTH,
            since=previous.first,
            until=month.last,
        )
    )
    this, last = by_month.get(str(month)), by_month.get(str(previous))
    empty = Value(0, 0, None)
    figures = [
        Figure(
            indicator,
            this.values[indicator.code] if this else empty,
            last.values[indicator.code] if last else empty,
        )
        for indicator in INDICATORS
    ]
    counts = {
        fact: (
            this.counts[fact] if this else 0,
            last.counts[fact] if last else 0,
        )
        for fact in COUNTS
    }
    return MonthlyReport(
        street_code=unit.code,
        street_name=unit.name,
        month=month,
        counts=counts,
        figures=figures,
        categories=_categories(session, scope, month),
        overdue=_overdue(session, scope, month),
    )


def _received(session: Session, scope: Scope, month: Month) -> dict[str, int]:
    rows = indicators(
        session=session, scope=scope, by=GroupBy.CATEGORY, since=month.first, until=month.last
    )
    return {row.key: row.counts["received"] for row in rows if row.counts["received"]}


def _categories(session: Session, scope: Scope, month: Month) -> list[CategoryCount]:
    this, last = _received(session, scope, month), _received(session, scope, month.previous)
    top = sorted(this, key=lambda code: (-this[code], code))[:TOP]
    names = labels(session=session, scope=scope, by=GroupBy.CATEGORY, keys=set(top))
    return [
        CategoryCount(
            code=code,
            name=names[code].name if code in names else None,
            name_en=names[code].name_en if code in names else None,
            this=this[code],
            last=last.get(code, 0),
        )
        for code in top
    ]


def _overdue(session: Session, scope: Scope, month: Month) -> list[OverdueCase]:
    # The month's bounds in the district's local time, as the rollup's intake days are.
    start, end = _local_bounds(month)
    query = (
        select(Case, Department.code)
        .outerjoin(Department, Department.id == Case.department_id)
        .where(
            scope.district_clause(Case.district_code),
            scope.unit_clause(Case.grid_code),
            Case.overdue.is_(True),
            Case.received_at >= start,
            Case.received_at < end,
        )
        .order_by(Case.received_at, Case.id)
    )
    return [
        OverdueCase(
            receipt=case.receipt,
            category_code=case.category_code,
            state=case.state,
            state_name=STATE_NAMES[State(case.state)],
            stage=case.stage,
            received_at=case.received_at,
            stage_deadline=case.stage_deadline,
            department=department,
            escalation_level=case.escalation_level,
        )
        for case, department in session.execute(query)
    ]


def _local_bounds(month: Month) -> tuple[datetime, datetime]:
    zone = ZoneInfo(get_settings().time_zone)
    start = datetime(month.year, month.month, 1, tzinfo=zone)
    following = month.next
    return start, datetime(following.year, following.month, 1, tzinfo=zone)
