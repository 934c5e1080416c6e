"""A user's in-app notifications: those addressed to them, newest first, read or not.

The in-app sender addresses a notification to a user, or to everyone of a unit and of a
department (senders/inapp.py). A user receives:

- those naming them (`user_id`);
- if they may read cases: those to a unit of their scope, exactly that unit (a street office
  hears of cases escalated to the street, not of every grid's request to verify), except a
  department's staff, whose scope is the district: they hear their department's instead;
- those to their department (`department_code`).

Reading is per user: one by one (notification_read), all at once (the user's
notifications_read_upto: every id up to it is read, without a row for each of a year's
notices); a unit's notification read by one of its people stays unread for the others.
"""

from dataclasses import dataclass

from sqlalchemy import (
    ColumnElement,
    and_,
    delete,
    exists,
    false,
    func,
    or_,
    select,
    union_all,
    update,
)
from sqlalchemy.orm import Session

from onegrid.accounts.models import User
from onegrid.core.errors import NotFound
from onegrid.core.permissions import Permission, Principal
from onegrid.db import begin_writing
from onegrid.routing.models import Notification, NotificationRead
from onegrid.territory.models import Department

UNREAD_COUNTED = 1000  # the count stops there (the bell shows 99+ from 100)


@dataclass(frozen=True)
class InboxItem:
    """A notification as its reader sees it: with whether they have read it."""

    notification: Notification
    read: bool


def addressed_to(who: Principal, after: ColumnElement[int] | None = None) -> ColumnElement[bool]:
    """Returns the SQL condition keeping the notifications addressed to this user (`after`:
    only those with a greater id)."""
    return or_(*_terms(who, after))


def _terms(who: Principal, after: ColumnElement[int] | None = None) -> list[ColumnElement[bool]]:
    # One condition for each way a notification reaches the user; no notification meets two
    # (one to a user names no unit or department; a department's staff take no unit's).
    if who.user_id is None:
        return [false()]
    scope = who.scope
    # A user id and a unit code (which begins with its district's) name one district's
    # already; a department code is the district's own. Each term has its index, which holds
    # the id too: `after` is a range of it.
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
    if after is not None:
        mine = [and_(term, Notification.id > after) for term in mine]
    return mine


def _read_upto(user_id: int | None) -> ColumnElement[int]:
    # The last id "mark all read" reached (0: never).
    upto = select(func.coalesce(User.notifications_read_upto, 0)).where(User.id == user_id)
    return func.coalesce(upto.scalar_subquery(), 0)


def _read_one_by_one(user_id: int | None) -> ColumnElement[bool]:
    return exists().where(
        NotificationRead.notification_id == Notification.id, NotificationRead.user_id == user_id
    )


def _unread(who: Principal) -> ColumnElement[bool]:
    return and_(addressed_to(who, after=_read_upto(who.user_id)), ~_read_one_by_one(who.user_id))


def list_for(*, session: Session, who: Principal, limit: int, offset: int = 0) -> list[InboxItem]:
    """Returns a page of the user's notifications, newest first, each with its read state."""
    # The page's ids first: the newest of each way the notifications reach the user, each by
    # its index (which holds the id), then merged; then their rows. One sort of the whole
    # inbox would read it all.
    newest = [
        select(Notification.id.label("id"))
        .where(term)
        .order_by(Notification.id.desc())
        .limit(offset + limit)
        .subquery()
        for term in _terms(who)
    ]
    # Each in a subquery of its own: SQLite takes no ORDER BY or LIMIT in a UNION's parts.
    merged = union_all(*(select(part.c.id) for part in newest)).subquery()
    page = select(merged.c.id).order_by(merged.c.id.desc()).limit(limit).offset(offset)
    read = or_(Notification.id <= _read_upto(who.user_id), _read_one_by_one(who.user_id))
    query = (
        select(Notification, read.label("read"))
        .where(Notification.id.in_(page.scalar_subquery()))
        .order_by(Notification.id.desc())
    )
    return [InboxItem(row.Notification, bool(row.read)) for row in session.execute(query)]


def count(*, session: Session, who: Principal) -> int:
    """Returns how many notifications are addressed to the user."""
    query = select(func.count()).select_from(Notification).where(addressed_to(who))
    return session.scalar(query) or 0


def unread_count(*, session: Session, who: Principal) -> int:
    """Returns how many of the user's notifications they have not read, up to UNREAD_COUNTED
    (one query, on every page's header: it reads no more rows than that)."""
    unread = select(Notification.id).where(_unread(who)).limit(UNREAD_COUNTED).subquery()
    return session.scalar(select(func.count()).select_from(unread)) or 0


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
    read = session.scalar(
        select(Notification.id).where(Notification.id == notification_id, ~_unread(who))
    )
    if read is None:
        session.add(
            NotificationRead(
                notification_id=notification_id, user_id=who.user_id, district_code=found
            )
        )
        session.flush()


def mark_all_read(*, session: Session, who: Principal) -> int:
    """Records that the user has read all their notifications; returns how many were unread."""
    begin_writing(session)
    unread = session.scalar(select(func.count()).select_from(Notification).where(_unread(who)))
    last = session.scalar(select(func.max(Notification.id)).where(addressed_to(who)))
    if last is None:
        return 0
    session.execute(update(User).where(User.id == who.user_id).values(notifications_read_upto=last))
    # The rows of those read one by one are told by the mark now.
    session.execute(
        delete(NotificationRead).where(
            NotificationRead.user_id == who.user_id, NotificationRead.notification_id <= last
        )
    )
    return unread or 0
