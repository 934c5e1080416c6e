"""The days the system admin declares working or rest days, above the official calendar.

China's calendar comes from chinese_calendar and ONEGRID_CALENDAR_FILE (core/workcalendar);
a day they get wrong, or one decided late (a typhoon day off, a 调休 announced for next year),
is declared here, stored in `calendar_day`, and installed in the process's calendar at
start-up (`onegrid serve`, `onegrid demo`, `onegrid import`) and after each change. Deadlines
already set keep their time; stages started from then on count with the declared days.
"""

from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from onegrid.core.errors import Invalid, NotFound
from onegrid.core.permissions import Scope
from onegrid.core.workcalendar import declare_days, get_calendar
from onegrid.db import begin_writing
from onegrid.db.base import utcnow
from onegrid.routing.models import CalendarDay

REASON_MAX = 200


def list_days(*, session: Session, scope: Scope) -> list[CalendarDay]:
    """Returns the days declared in the scope's district, the latest first."""
    query = select(CalendarDay).where(scope.district_clause(CalendarDay.district_code))
    return list(session.scalars(query.order_by(CalendarDay.day.desc())))


def official(day: date) -> bool:
    """Tells whether the day is a working day on the calendar the process runs now."""
    return get_calendar().is_workday(day)


def declare(
    *, session: Session, district_code: str, day: date, working: bool, reason: str, by: str
) -> tuple[CalendarDay, bool | None]:
    """Declares the day a working (or rest) day for this reason; returns the row and what it
    declared before (None: nothing). Raises Invalid naming the field at fault."""
    reason = reason.strip()
    if not reason:
        raise Invalid("请说明原因", "give the reason", field="reason")
    if len(reason) > REASON_MAX:
        raise Invalid(
            f"原因至多 {REASON_MAX} 个字",
            f"the reason may have at most {REASON_MAX} characters",
            field="reason",
        )
    if not 2000 <= day.year <= 2099:
        raise Invalid("日期须在 2000 至 2099 年之间", "the day must lie in 2000-2099", field="day")
    begin_writing(session)
    row = _row(session, district_code, day)
    before = None if row is None else row.working
    if row is None:
        row = CalendarDay(district_code=district_code, day=day)
        session.add(row)
    row.working, row.reason, row.set_by, row.set_at = working, reason, by, utcnow()
    session.flush()
    return row, before


def withdraw(*, session: Session, district_code: str, day: date) -> CalendarDay:
    """Withdraws the declaration of this day (the official calendar holds again), returning it."""
    begin_writing(session)
    row = _row(session, district_code, day)
    if row is None:
        raise NotFound(
            f"{day} 没有声明为工作日或休息日",
            f"{day} was not declared a working or rest day",
            field="day",
        )
    session.delete(row)
    session.flush()
    return row


def install(*, session: Session) -> int:
    """Installs the declared days in the process's calendar; returns how many there are."""
    rows = session.execute(select(CalendarDay.day, CalendarDay.working)).all()
    declare_days({row.day: row.working for row in rows})
    return len(rows)


def _row(session: Session, district_code: str, day: date) -> CalendarDay | None:
    query = select(CalendarDay).where(
        CalendarDay.district_code == district_code, CalendarDay.day == day
    )
    return session.scalars(query).first()
