"""The command centre's queues: the one place cases are listed for pages and exports.

A queue is a stage of the loop (受理, 核实, 立案, 派遣, 处置, 核查, 评价), the cases awaiting an
approval, the overdue ones, or all. `page` reads one page of a queue by keyset (an opaque cursor,
never an offset: page 4,000 costs what page 1 does), `counts` how many wait in each queue, and
`rows` every matching case in batches, in constant memory, for exports.

    filters = QueueFilters.parse(request.query_params)      # Invalid names the parameter
    first = page(session=s, scope=who.scope, filters=filters, after=None, limit=50)
    then = page(session=s, scope=who.scope, filters=filters, after=first.next_after, limit=50)

The open queues (every stage but 评价, awaiting approval, overdue, a light) read the index
ix_case_record_counting alone (migration 0021): their states hold a few thousand of a year's
cases, the deadline nearest (or the most overdue) first; SQLite is told so (INDEXED BY), its
planner knowing nothing of how few they are. "all" reads (district_code, received_at) newest
first, "evaluate" (district_code, state, closed_at) (migration 0018). A page's ids are read
from the index first, its cases after. The light is the working-time light of
web.case_display: red is exactly "deadline passed" (SQL); yellow and green depend on the
working calendar, so those two are told apart in Python among the running clocks not yet past
their deadline. How a search is answered: `_batch` and `counts`.
"""

import base64
import binascii
import json
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, fields, replace
from datetime import UTC, date, datetime, time, timedelta
from enum import StrEnum
from zoneinfo import ZoneInfo

from sqlalchemy import ColumnElement, Row, Select, and_, func, or_, select, true
from sqlalchemy.orm import Session

from onegrid.cases import search
from onegrid.cases.models import OPEN, Case, CaseText, Channel, State
from onegrid.cases.service import scope_clause
from onegrid.config import get_settings
from onegrid.core.errors import Invalid
from onegrid.core.inputs import MAX_ID
from onegrid.core.levels import Level
from onegrid.core.permissions import Scope
from onegrid.core.prefix import starts_with
from onegrid.core.workcalendar import Light, WorkCalendar, get_calendar
from onegrid.db.base import utcnow


class Queue(StrEnum):
    """A tab of the console."""

    RECEIVED = "received"  # 受理: received, not yet sent to verify or opened
    VERIFY = "verify"  # 核实: on-site verification asked
    OPEN = "open"  # 立案: verified, awaiting opening
    DISPATCH = "dispatch"  # 派遣: opened or returned, awaiting dispatch
    HANDLE = "handle"  # 处置: dispatched (and parked, 挂账) at a department
    CHECK = "check"  # 核查: handled, awaiting the on-site check
    EVALUATE = "evaluate"  # 评价: closed, awaiting the evaluation
    APPROVAL = "approval"  # 待审批: an extension or park asked (pending)
    OVERDUE = "overdue"  # 超时: open, deadline passed
    ALL = "all"


STATES: dict[Queue, tuple[State, ...]] = {
    Queue.RECEIVED: (State.RECEIVED,),
    Queue.VERIFY: (State.VERIFYING,),
    Queue.OPEN: (State.VERIFIED,),
    Queue.DISPATCH: (State.OPENED, State.RETURNED),
    Queue.HANDLE: (State.DISPATCHED, State.PARKED),
    Queue.CHECK: (State.HANDLED,),
    Queue.EVALUATE: (State.CLOSED,),
}
# The open states in a fixed order (a query's text, and so its plan, stays the same).
OPEN_STATES = tuple(s for s in State if s in OPEN)
# The queues `counts` answers, in the console's order.
COUNTED = tuple(q for q in Queue if q is not Queue.ALL)
_IN_OPEN = Case.state.in_([s.value for s in OPEN_STATES])
LIGHTS = tuple(light.value for light in Light)
MAX_LIMIT = 500
BATCH = MAX_LIMIT  # rows read at a time by `rows` (a page at most: `page` refuses more)
MAX_QUERY = 100  # characters of a search
SCAN = 2_000  # a search's candidates tested in the queue's order before the index is asked
COUNT_SCAN = 8_000  # a search's closed candidates tested in Python, at most (else the index)
SEARCH_COUNTED = 1_000  # a search's closed cases counted up to one more (shown as "1000+")
RARE = 2_000  # a search's words held by at most this many cases: asked of the index at once
LIT_BATCH = 500  # open cases read at a time when yellow or green is told apart in Python


@dataclass(frozen=True)
class QueueFilters:
    """What the console's list is narrowed to; every field optional but the queue."""

    queue: Queue = Queue.ALL
    street: str | None = None  # unit codes: the case's grid lies within
    community: str | None = None
    grid: str | None = None
    category: str | None = None
    department: int | None = None  # department id
    channel: Channel | None = None
    light: Light | None = None
    received_from: date | None = None  # local days (the settings' time zone), both inclusive
    received_to: date | None = None
    q: str | None = None  # full-text search over the description and the address

    @classmethod
    def parse(cls, params: Mapping[str, str], default: Queue = Queue.ALL) -> "QueueFilters":
        """Returns the filters in these query parameters; Invalid (a 422) names a bad one.
        Empty values count as absent (a form's blank select)."""
        values = {k: v.strip() for k, v in params.items() if isinstance(v, str) and v.strip()}
        found: dict = {"queue": _choice(values, "queue", Queue, default)}
        for name, level in (
            ("street", Level.STREET),
            ("community", Level.COMMUNITY),
            ("grid", Level.GRID),
        ):
            found[name] = _unit(values, name, level)
        found["category"] = _code(values, "category")
        found["department"] = _id(values, "department")
        found["channel"] = _choice(values, "channel", Channel, None)
        found["light"] = _choice(values, "light", Light, None)
        found["received_from"] = _day(values, "received_from")
        found["received_to"] = _day(values, "received_to")
        start, end = found["received_from"], found["received_to"]
        if start and end and end < start:
            raise Invalid(
                "结束日期早于开始日期", "received_to is before received_from", field="received_to"
            )
        q = values.get("q")
        if q is not None and len(q) > MAX_QUERY:
            raise Invalid(
                f"搜索词最多 {MAX_QUERY} 个字", f"q holds at most {MAX_QUERY} characters", field="q"
            )
        found["q"] = q
        return cls(**found)

    def params(self) -> dict[str, str]:
        """Returns the filters as query parameters (the ones set), e.g. for links and exports."""
        out = {}
        for f in fields(self):
            value = getattr(self, f.name)
            if value is None or (f.name == "queue" and value is Queue.ALL):
                continue
            out[f.name] = value.isoformat() if isinstance(value, date) else str(value)
        return out

    def unit(self) -> str | None:
        """Returns the narrowest unit code set (grid, then community, then street)."""
        return self.grid or self.community or self.street


@dataclass(frozen=True)
class QueuePage:
    """One page of a queue, and the cursor of the next (None on the last page)."""

    items: list[Case]
    next_after: str | None


def page(
    *, session: Session, scope: Scope, filters: QueueFilters, after: str | None, limit: int = 50
) -> QueuePage:
    """Returns the page of the queue after this cursor (None: the first page)."""
    if not 1 <= limit <= MAX_LIMIT:
        raise Invalid(f"limit 应在 1 到 {MAX_LIMIT} 之间", f"limit must be 1 to {MAX_LIMIT}")
    order = _Order.of(filters.queue)
    cursor = order.decode(after)
    now = utcnow()
    calendar = get_calendar() if filters.light in (Light.GREEN, Light.YELLOW) else None
    ids: list[int] = []
    while True:
        size = limit + 1 if calendar is None else max(limit + 1, LIT_BATCH)
        batch = _batch(session, scope, filters, now, order, cursor, size)
        if calendar is None:
            ids = [row.id for row in batch]
            break
        # Yellow and green told apart in Python: read on until one more than a page is found.
        ids += [
            row.id
            for row in batch
            if _light(row.start, row.deadline, calendar, now) is filters.light
        ]
        if len(batch) < size or len(ids) > limit:
            break
        cursor = (batch[-1].key, batch[-1].id)
    more = len(ids) > limit
    items = _cases(session, ids[:limit])
    next_after = order.encode(order.key(items[-1])) if more and items else None
    return QueuePage(items, next_after)


def _cases(session: Session, ids: list[int]) -> list[Case]:
    """Returns the cases of these ids, in their order."""
    if not ids:
        return []
    by_id = {c.id: c for c in session.scalars(select(Case).where(Case.id.in_(ids)))}
    return [by_id[i] for i in ids if i in by_id]


def _batch(
    session: Session,
    scope: Scope,
    filters: QueueFilters,
    now: datetime,
    order: "_Order",
    cursor: tuple[datetime | None, int] | None,
    n: int,
) -> list[Row]:
    """Returns the next n cases of the queue after the cursor (None: from its start), in order,
    as rows (id, key, start, deadline): the index alone answers them, the cases are read after.

    A search's words held by few cases (RARE) are asked of the index at once, and the open
    queues ask the open cases' words. A search of a common word in all cases or in the closed
    ones first reads the next SCAN candidates (every filter but the words) in the queue's order
    with their words and tests them (search.holds): a word most cases hold finds a page among
    the first few dozen, where the index would list every case holding it (a year's worth)
    before the newest could be taken. Only when the candidates hold fewer than n does the index
    answer the rest, after the last candidate read (the words and a narrow filter together)."""
    column = getattr(Case, order.column)
    keys = (Case.id, column.label("key"), Case.stage_started_at.label("start"))
    keys += (Case.stage_deadline.label("deadline"),)
    found = search.query_words(filters.q) if filters.q else []
    held = None if not found or _reads_open(filters) else _rare(session, found)
    if not found or _reads_open(filters) or held is not None:
        if held is None:
            query = _open_index(select(*keys).where(_conditions(scope, filters, now)), filters)
        else:  # the few cases holding the words, each looked up
            unworded = _conditions(scope, replace(filters, q=None), now)
            query = _looked_up(select(*keys), held, unworded)
        if cursor is not None:
            query = query.where(order.after(cursor))
        return list(session.execute(order.sort(query).limit(n)))
    candidates = (
        select(*keys, CaseText.words)
        .join(CaseText, CaseText.case_id == Case.id)
        .where(_conditions(scope, replace(filters, q=None), now))
    )
    rows: list[Row] = []
    # A few pages' worth first (a common word ends there), then the rest of SCAN.
    first = min(SCAN, 4 * n)
    for size in (first, SCAN - first):
        if size <= 0:
            continue
        query = candidates if cursor is None else candidates.where(order.after(cursor))
        scanned = session.execute(order.sort(query).limit(size)).all()
        rows += [row for row in scanned if search.holds(row.words, found)]
        if scanned:
            cursor = (scanned[-1].key, scanned[-1].id)
        if len(rows) >= n or len(scanned) < size:
            break
    else:
        if len(rows) < n:  # SCAN candidates read, too few hold the words: the index for the rest
            rest = select(*keys).where(_conditions(scope, filters, now), order.after(cursor))
            rows += session.execute(order.sort(rest).limit(n - len(rows)))
    return rows[:n]


def rows(*, session: Session, scope: Scope, filters: QueueFilters) -> Iterator[Case]:
    """Yields every case of the queue matching the filters, in the queue's order, read BATCH at
    a time by keyset (constant memory whatever the count); each batch's cases are expunged."""
    after = None
    while True:
        found = page(session=session, scope=scope, filters=filters, after=after, limit=BATCH)
        for case in found.items:
            session.expunge(case)
            yield case
        if found.next_after is None:
            return
        after = found.next_after


def counts(*, session: Session, scope: Scope, filters: QueueFilters) -> dict[Queue, int]:
    """Returns how many cases of scope and filters (its queue aside) wait in each queue.

    One grouped query over the open states (a few thousand cases, ix_case_record_counting
    alone; a search asks the open cases' words) and a count of the closed ones (no clock,
    nothing pending: the index alone); never the evaluated, voided and merged cases that make
    up most of a year. With a search, the closed candidates' words are tested in Python when
    they are few (COUNT_SCAN), and counted up to SEARCH_COUNTED + 1 when many: a count above
    SEARCH_COUNTED means "more than that" (a word most cases hold would otherwise join every
    case the index lists for it with every closed case)."""
    now = utcnow()
    base = replace(filters, queue=Queue.ALL)
    tallies = _open_tallies(session, scope, base, now)
    if filters.light is None:  # closed cases have no clock (no light) and nothing pending
        found = search.query_words(filters.q) if filters.q else []
        tallies.append(
            (State.CLOSED.value, False, False, _closed(session, scope, base, now, found))
        )
    return _by_queue(tallies)


def _rare(session: Session, found: list[str]) -> list[int] | None:
    """Returns the ids of the cases holding these words when the index lists at most RARE of
    them (None: more; it stops reading there): a common word's cases are found among the
    queue's newest instead."""
    return search.few_holding(session, found, RARE)


def _looked_up(query: Select, ids: list[int], conditions: ColumnElement[bool]) -> Select:
    """The query over these cases (a few thousand at most), each looked up by its id: SQLite's
    planner would otherwise walk the queue's order (a year of cases) for the few in a grid."""
    query = query.select_from(Case).where(Case.id.in_(ids), conditions)
    return query.with_hint(Case, "NOT INDEXED", "sqlite")


def _few(session: Session, conditions: ColumnElement[bool]) -> bool:
    """Whether at most COUNT_SCAN cases meet the conditions (it stops counting there)."""
    counted = select(func.count()).select_from(
        select(Case.id).where(conditions).limit(COUNT_SCAN + 1).subquery()
    )
    return (session.scalar(counted) or 0) <= COUNT_SCAN


def _open_tallies(
    session: Session, scope: Scope, filters: QueueFilters, now: datetime
) -> list[tuple]:
    late = and_(Case.stage_deadline.is_not(None), Case.stage_deadline < now)
    columns = [Case.state, Case.pending.is_not(None), late]
    where = and_(_conditions(scope, filters, now, open_only=True, counting=True), _IN_OPEN)
    calendar = get_calendar() if filters.light in (Light.GREEN, Light.YELLOW) else None
    if calendar is None:
        query = select(*columns, func.count()).where(where).group_by(*columns)
        return list(session.execute(_open_index(query, filters, always=True)))
    # Yellow and green told apart in Python among the open cases' clocks (the index's).
    query = select(*columns, Case.stage_started_at, Case.stage_deadline).where(where)
    grouped: dict[tuple, int] = {}
    for state, pending, overdue, start, deadline in session.execute(
        _open_index(query, filters, always=True)
    ):
        if _light(start, deadline, calendar, now) is filters.light:
            key = (state, pending, overdue)
            grouped[key] = grouped.get(key, 0) + 1
    return [(*k, n) for k, n in grouped.items()]


def _closed(
    session: Session, scope: Scope, filters: QueueFilters, now: datetime, found: list[str]
) -> int:
    closed = Case.state == State.CLOSED.value
    if not found:
        counted = _conditions(scope, filters, now, counting=True)
        return session.scalar(select(func.count()).where(counted, closed))
    plain = and_(_conditions(scope, replace(filters, q=None), now, counting=True), closed)
    held = _rare(session, found)
    if held is not None:  # the index lists few cases: each looked up
        return session.scalar(_looked_up(select(func.count()), held, plain))
    if _few(session, plain):
        texts = select(CaseText.words).join(Case, CaseText.case_id == Case.id).where(plain)
        return sum(1 for words in session.scalars(texts) if search.holds(words, found))
    return search.count_at_most(session, select(Case.id).where(plain), found, SEARCH_COUNTED + 1)


def _by_queue(tallies: list[tuple]) -> dict[Queue, int]:
    """Returns the counts by queue of (state, pending, overdue, count) tallies."""
    result = dict.fromkeys(COUNTED, 0)
    by_state = {s.value: q for q, states in STATES.items() for s in states}
    open_values = {s.value for s in OPEN_STATES}
    for state, pending, overdue, n in tallies:
        result[by_state[state]] += n
        if pending and state in open_values:
            result[Queue.APPROVAL] += n
        if overdue and state in open_values:
            result[Queue.OVERDUE] += n
    return result


# --- the query --------------------------------------------------------------------------------


def _filtered(scope: Scope, filters: QueueFilters, now: datetime) -> Select:
    return select(Case).where(_conditions(scope, filters, now))


def _reads_open(filters: QueueFilters) -> bool:
    """Whether the queue and filters keep open cases alone (a stage's queue, or a light)."""
    return filters.queue not in (Queue.ALL, Queue.EVALUATE) or filters.light is not None


def _open_index(query: Select, filters: QueueFilters, always: bool = False) -> Select:
    """Reads the open cases through ix_case_record_counting on SQLite: its planner has no
    statistics of how few cases are open (a few thousand of a year), and would otherwise walk a
    filter's own index (a department's, a category's: a year of cases) row by row. PostgreSQL's
    planner has them."""
    if not (always or _reads_open(filters)):
        return query
    return query.with_hint(Case, "INDEXED BY ix_case_record_counting", "sqlite")


def _conditions(
    scope: Scope,
    filters: QueueFilters,
    now: datetime,
    open_only: bool = False,
    counting: bool = False,
) -> ColumnElement[bool]:
    """The SQL condition of scope and filters; `open_only`: the caller keeps open cases alone.

    `counting`: a unit's cases as a range of the counting index (core/prefix: its GLOB on
    SQLite), which a count reads alone; a page's walk in its queue's order, stopping at the
    page's end, is faster than a street's year of cases sorted, and SQLite (no statistics of
    how many a unit holds) would choose the range whenever it may."""
    clauses = [_in_scope(scope), _queue_clause(filters.queue, now)]
    unit = filters.unit()
    if unit:
        # Each given unit narrows (a grid outside the given street finds nothing).
        for code in {filters.street, filters.community, filters.grid} - {None}:
            if counting:
                clauses.append(starts_with(Case.grid_code, code))
            else:
                clauses.append(Case.grid_code.startswith(code, autoescape=True))
    if filters.category:
        clauses.append(Case.category_code == filters.category)
    if filters.department is not None:
        clauses.append(Case.department_id == filters.department)
    if filters.channel:
        clauses.append(Case.channel == filters.channel.value)
    if filters.light is not None:  # a running clock: an open case's
        clauses.append(_IN_OPEN)
    if filters.light is Light.RED:
        clauses.append(and_(Case.stage_deadline.is_not(None), Case.stage_deadline < now))
    elif filters.light is not None:
        clauses.append(and_(Case.stage_deadline.is_not(None), Case.stage_deadline >= now))
    zone = ZoneInfo(get_settings().time_zone)
    if filters.received_from:
        clauses.append(Case.received_at >= _midnight(filters.received_from, zone))
    if filters.received_to:
        clauses.append(Case.received_at < _midnight(filters.received_to + timedelta(1), zone))
    if filters.q:
        clauses.append(search.matching(filters.q, open_only or _reads_open(filters)))
    return and_(*clauses)


def _in_scope(scope: Scope) -> ColumnElement[bool]:
    # A scope of the whole district: every grid code of it starts with the district's code
    # (core/levels), so the district alone says it, and an index on it needs no grid code.
    whole = scope.district_code is not None and scope.district_code in scope.unit_codes
    if whole and not scope.everything and scope.department_id is None:
        return Case.district_code == scope.district_code
    return scope_clause(scope)


def _queue_clause(queue: Queue, now: datetime) -> ColumnElement[bool]:
    if queue in STATES:
        return Case.state.in_([s.value for s in STATES[queue]])
    if queue is Queue.APPROVAL:
        return and_(_IN_OPEN, Case.pending.is_not(None))
    if queue is Queue.OVERDUE:
        return and_(_IN_OPEN, Case.stage_deadline.is_not(None), Case.stage_deadline < now)
    return true()


def _midnight(day: date, zone: ZoneInfo) -> datetime:
    return datetime.combine(day, time(), zone).astimezone(UTC)


def _light(start, deadline, calendar: WorkCalendar, now: datetime) -> Light | None:
    if start is None or deadline is None:
        return None
    return calendar.light(start, deadline, now)


# --- the order and its cursor -----------------------------------------------------------------


@dataclass(frozen=True)
class _Order:
    """A queue's order: one column (ascending, nulls last; or descending, never null) and the
    id, and the opaque cursor holding a row's place in it."""

    queue: Queue
    column: str
    ascending: bool

    @classmethod
    def of(cls, queue: Queue) -> "_Order":
        if queue is Queue.ALL:
            return cls(queue, "received_at", ascending=False)
        if queue is Queue.EVALUATE:
            return cls(queue, "closed_at", ascending=False)
        # The deadline nearest (or the most overdue) first: what is due soonest is done first.
        return cls(queue, "stage_deadline", ascending=True)

    def sort(self, query: Select) -> Select:
        column = getattr(Case, self.column)
        if self.ascending:
            return query.order_by(column.asc().nulls_last(), Case.id.asc())
        return query.order_by(column.desc(), Case.id.desc())

    def key(self, case: Case) -> tuple[datetime | None, int]:
        return getattr(case, self.column), case.id

    def after(self, key: tuple[datetime | None, int]) -> ColumnElement[bool]:
        column = getattr(Case, self.column)
        value, case_id = key
        if not self.ascending:
            if value is None:  # a closed case without its closing time: only the ids
                return and_(column.is_(None), Case.id < case_id)
            return or_(column < value, and_(column == value, Case.id < case_id))
        if value is None:
            return and_(column.is_(None), Case.id > case_id)
        return or_(column > value, and_(column == value, Case.id > case_id), column.is_(None))

    def encode(self, key: tuple[datetime | None, int]) -> str:
        value, case_id = key
        text = json.dumps([self.queue.value, value.isoformat() if value else None, case_id])
        return base64.urlsafe_b64encode(text.encode()).decode().rstrip("=")

    def decode(self, cursor: str | None) -> tuple[datetime | None, int] | None:
        if cursor is None or cursor == "":
            return None
        try:
            raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
            queue, value, case_id = json.loads(raw)
            moment = datetime.fromisoformat(value) if value is not None else None
            valid = (
                queue == self.queue.value
                and type(case_id) is int
                and 1 <= case_id <= MAX_ID
                and (moment is None or moment.tzinfo is not None)
            )
        except (binascii.Error, ValueError, TypeError, UnicodeDecodeError):
            valid = False
        if not valid:
            raise Invalid(
                "翻页位置无效，请从第一页重新开始",
                "after is not a cursor of this queue; start again from the first page",
                field="after",
            )
        return moment, case_id


def cursor_of(case: Case, queue: Queue = Queue.ALL) -> str:
    """Returns the opaque cursor of this case's place in the queue (the API's `after`)."""
    order = _Order.of(queue)
    return order.encode(order.key(case))


def after_clause(cursor: str, queue: Queue = Queue.ALL) -> ColumnElement[bool]:
    """Returns the SQL condition keeping the cases after this cursor in the queue's order;
    Invalid (naming `after`) if it is not a cursor of this queue."""
    order = _Order.of(queue)
    return order.after(order.decode(cursor))


# --- parsing ----------------------------------------------------------------------------------

_CODE = re.compile(r"[A-Za-z0-9_.-]{1,16}", re.ASCII)
_DIGITS = re.compile(r"\d+", re.ASCII)


def _refuse(name: str, zh: str, en: str) -> Invalid:
    return Invalid(f"参数 {name}：{zh}", f"{name}: {en}", field=name)


def _choice(values: Mapping[str, str], name: str, kind, default):
    if name not in values:
        return default
    try:
        return kind(values[name])
    except ValueError:
        options = ", ".join(k.value for k in kind)
        raise _refuse(name, f"应为 {options} 之一", f"must be one of {options}") from None


def _unit(values: Mapping[str, str], name: str, level: Level) -> str | None:
    code = values.get(name)
    if code is not None and not (_DIGITS.fullmatch(code) and len(code) == level.code_length):
        raise _refuse(
            name,
            f"应为 {level.code_length} 位数字代码",
            f"must be a {level.code_length}-digit code",
        )
    return code


def _code(values: Mapping[str, str], name: str) -> str | None:
    code = values.get(name)
    if code is not None and not _CODE.fullmatch(code):
        raise _refuse(name, "不是有效的代码", "is not a code")
    return code


def _id(values: Mapping[str, str], name: str) -> int | None:
    text = values.get(name)
    if text is None:
        return None
    if not _DIGITS.fullmatch(text) or not 1 <= int(text) <= MAX_ID:
        raise _refuse(name, "应为正整数编号", "must be a positive id")
    return int(text)


def _day(values: Mapping[str, str], name: str) -> date | None:
    text = values.get(name)
    if text is None:
        return None
    try:
        if not re.fullmatch(r"\d{4}-\d{2}-\d{2}", text, re.ASCII):
            raise ValueError
        return date.fromisoformat(text)
    except ValueError:
        raise _refuse(
            name, "应为日期，如 2026-01-31", "must be a date such as 2026-01-31"
        ) from None


__all__ = [
    "Queue",
    "QueueFilters",
    "QueuePage",
    "after_clause",
    "counts",
    "cursor_of",
    "page",
    "rows",
]
