"""A user's in-app notifications: those addressed to them, newest first, read or not.

The in-app sender addresses a notification to a user, or to everyone of a unit and of a
department (senders/inapp.py). A user receives:

- those naming them (`user_id`);
- if they may read cases: those to a unit of their scope, exactly that unit (a street office
  hears of cases escalated to the street, not of every grid's request to verify), except a
  department's staff, whose scope is the district: they hear their department's instead;
- those to their department (`department_code`).

Reading is per user (notification_read): a unit's notification read by one of its people
stays unread for the others.
"""

from dataclasses import dataclass

from sqlalchemy import ColumnElement, and_, exists, false, func, insert, literal, or_, select
from sqlalchemy.orm import Session

from onegrid.core.errors import NotFound
from onegrid.core.permissions import Permission, Principal
from onegrid.db import UTCDateTime, begin_writing
from onegrid.db.base import utcnow
from onegrid.routing.models import Notification, NotificationRead
from onegrid.territory.models import Department


@dataclass(frozen=True)
class InboxItem:
    """A notification as its reader sees it: with whether they have read it."""

    notification: Notification
    read: bool


def addressed_to(who: Principal) -> ColumnElement[bool]:
    """Returns the SQL condition keeping the notifications addressed to this user."""
    if who.user_id is None:
        return false()
    scope = who.scope
    # A user id and a unit code (which begins with its district's) name one district's
    # already; a department code is the district's own. Each term has its index.
    mine: list[ColumnElement[bool]] = [Notification.user_id == who.user_id]
    if who.can(Permission.CASES_READ):
        if scope.department_id is not None:
            code = select(Department.code).where(Department.id == scope.department_id)
            mine.append(
                and_(
                    Notification.department_code == code.scalar_subquery(),
                    Notification.district_code == scope.district_code,
                )
            )
        elif scope.unit_codes:
            mine.append(Notification.unit_code.in_(scope.unit_codes))
    return or_(*mine)


def _read_by(user_id: int | None) -> ColumnElement[bool]:
    return exists().where(
        NotificationRead.notification_id == Notification.id, NotificationRead.user_id == user_id
    )


def list_for(*, session: Session, who: Principal, limit: int, offset: int = 0) -> list[InboxItem]:
    """Returns a page of the user's notifications, newest first, each with its read state."""
    query = (
        select(Notification, _read_by(who.user_id).label("read"))
        .where(addressed_to(who))
        .order_by(Notification.created_at.desc(), Notification.id.desc())
        .limit(limit)
        .offset(offset)
    )
    return [InboxItem(row.Notification, bool(row.read)) for row in session.execute(query)]


def count(*, session: Session, who: Principal) -> int:
    """Returns how many notifications are addressed to the user."""
    query = select(func.count()).select_from(Notification).where(addressed_to(who))
    return session.scalar(query) or 0


def unread_count(*, session: Session, who: Principal) -> int:
    """Returns how many of the user's notifications they have not read (one query)."""
    query = (
        select(func.count())
        .select_from(Notification)
        .where(addressed_to(who), ~_read_by(who.user_id))
    )
    return session.scalar(query) or 0


def mark_read(*, session: Session, who: Principal, notification_id: int) -> None:
    """Records that the user has read this notification of theirs (again: nothing changes)."""
    begin_writing(session)
    found = session.scalar(
        select(Notification.district_code).where(
            Notification.id == notification_id, addressed_to(who)
        )
    )
    if found is None:  # someone else's is as missing as one that does not exist: nothing leaks
        raise NotFound(f"没有通知 {notification_id}", f"no notification {notification_id}")
    if session.get(NotificationRead, (notification_id, who.user_id)) is None:
        session.add(
            NotificationRead(
                notification_id=notification_id, user_id=who.user_id, district_code=found
            )
        )
        session.flush()


def mark_all_read(*, session: Session, who: Principal) -> int:
    """Records that the user has read all their notifications; returns how many were unread."""
    begin_writing(session)
    unread = select(
        Notification.id,
        literal(who.user_id),
        Notification.district_code,
        literal(utcnow(), UTCDateTime),
    ).where(addressed_to(who), ~_read_by(who.user_id))
    columns = ["notification_id", "user_id", "district_code", "read_at"]
    statement = insert(NotificationRead.__table__).from_select(columns, unread)
    # The rows themselves: a driver's rowcount of INSERT … SELECT is not always told (-1).
    return len(session.execute(statement.returning(NotificationRead.notification_id)).all())
