"""A list of cases as an export: its columns, and every case the list matches, streamed.

The rows are read by one query whose result is fetched in batches (`yield_per`: a server-side
cursor on PostgreSQL, SQLite's stepping), never the whole list at once. Personal data is what
the list shows: the description, address and reporter's name as stored (masked), the phone
masked; the sealed originals are never read.
"""

from collections.abc import Iterable, Iterator, Sequence

from sqlalchemy import select
from sqlalchemy.orm import Session

from onegrid.cases import service
from onegrid.cases.machine import STATE_NAMES, STATE_NAMES_EN
from onegrid.cases.models import Case, State
from onegrid.cases.service import scope_clause
from onegrid.core.exports import Column
from onegrid.core.permissions import Scope
from onegrid.core.pii import PiiKind, mask
from onegrid.core.workcalendar import get_calendar
from onegrid.db.base import utcnow
from onegrid.territory.models import Department

_BATCH = 2000

# What a case's row holds, read as columns (not as whole cases: a million rows stay light).
_FIELDS = (
    Case.id,
    Case.receipt,
    Case.state,
    Case.channel,
    Case.category_code,
    Case.description,
    Case.address,
    Case.grid_code,
    Case.department_id,
    Case.received_at,
    Case.stage,
    Case.stage_started_at,
    Case.stage_deadline,
    Case.escalation_level,
    Case.overdue,
    Case.reporter_name,
    Case.reporter_phone,
)


_NAMES = tuple(field.key for field in _FIELDS)


def _light(row: dict) -> str | None:
    if row["stage_deadline"] is None:
        return None
    return get_calendar().light(row["stage_started_at"], row["stage_deadline"], row["now"]).value


COLUMNS = [
    Column("receipt", "受理编号", "receipt", 16),
    Column("state", "状态", "state", 10),
    Column(
        "state_name",
        "状态名称",
        "state name",
        10,
        lambda r: STATE_NAMES[State(r["state"])],
        lambda r: STATE_NAMES_EN[State(r["state"])],
    ),
    Column("channel", "渠道", "channel", 10),
    Column("category_code", "类别", "category", 10),
    Column("description", "描述（已脱敏）", "description (masked)", 48),
    Column("address", "地址（已脱敏）", "address (masked)", 30),
    Column("grid_code", "网格", "grid", 16),
    Column("department", "部门", "department", 12, lambda r: r["department"]),
    Column("received_at", "受理时间", "received at", 20),
    Column("stage", "阶段", "stage", 10),
    Column("stage_deadline", "阶段时限", "stage deadline", 20),
    Column("light", "亮灯", "light", 8, _light),
    Column("escalation_level", "督办级别", "escalation level", 8),
    Column("overdue", "超期", "overdue", 6),
    Column("reporter_name", "反映人（已脱敏）", "reporter (masked)", 12),
    Column(
        "reporter_phone",
        "电话（已脱敏）",
        "phone (masked)",
        14,
        lambda r: mask(PiiKind.PHONE, r["reporter_phone"]),
    ),
]


def department_codes(*, session: Session, district_code: str | None) -> dict[int, str]:
    """Returns the code of every department (of the district, if one is given), by id."""
    query = select(Department.id, Department.code)
    if district_code is not None:
        query = query.where(Department.district_code == district_code)
    return dict(session.execute(query).all())


def with_departments(session: Session, scope: Scope, rows: Iterable) -> Iterator[dict]:
    """Yields each row (a case, or a row of its columns) as the columns read it: a dict of
    its fields, its department's code and the time its light is read at."""
    codes, now = department_codes(session=session, district_code=scope.district_code), utcnow()
    for row in rows:
        found = {name: getattr(row, name) for name in _NAMES}
        found["department"], found["now"] = codes.get(found["department_id"]), now
        yield found


def rows(*, session: Session, scope: Scope, filters: service.Filters) -> Iterator[dict]:
    """Yields every case in scope matching the filters, in the list's order (newest first)."""
    query = (
        service.filtered_columns(scope, filters, _FIELDS)
        .order_by(Case.received_at.desc(), Case.id.desc())
        .execution_options(yield_per=_BATCH)
    )
    yield from with_departments(session, scope, session.execute(query))


def rows_by_id(*, session: Session, scope: Scope, ids: Sequence[int]) -> Iterator[dict]:
    """Yields the cases with these ids in scope, in the order given, read a batch at a time (a
    worklist's export: the list's order is decided in Python, not by the query)."""

    def batches() -> Iterator:
        for start in range(0, len(ids), _BATCH):
            chosen = ids[start : start + _BATCH]
            query = select(*_FIELDS).where(Case.id.in_(chosen), scope_clause(scope))
            found = {row.id: row for row in session.execute(query)}
            yield from (found[i] for i in chosen if i in found)

    yield from with_departments(session, scope, batches())
