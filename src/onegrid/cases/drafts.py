"""Cases held in memory before they are stored, and their batched insert.

The bulk engine (onegrid.cases.bulk) and online intake in groups (intake.intake_many) open
cases as `CaseDraft`s, plain objects with Case's columns, and write them with `insert_cases`:
one statement for many rows, instead of one ORM object and one INSERT each.
"""

from sqlalchemy import insert, text
from sqlalchemy.orm import Session

from onegrid.cases import search
from onegrid.cases.models import Case
from onegrid.db.inserts import insert_many

CASE_COLUMNS = [c.key for c in Case.__table__.columns if c.key != "id"]
# The columns' scalar defaults, which the ORM would fill in at insert.
_CASE_DEFAULTS = {
    c.key: c.default.arg
    for c in Case.__table__.columns
    if c.default is not None and c.default.is_scalar
}


class CaseDraft:
    """A case held in memory: Case's columns as plain attributes.

    The engine's code (intake.prepare, flows, effects, facts) reads and writes a case only
    through these attributes, so it moves a draft exactly as it moves a stored Case, without
    the ORM's bookkeeping on every attribute.
    """

    __slots__ = ("id", *CASE_COLUMNS)

    def __init__(self, **values) -> None:
        for name, default in _SLOT_DEFAULTS:
            setattr(self, name, values.get(name, default))


_SLOT_DEFAULTS = [(name, _CASE_DEFAULTS.get(name)) for name in CaseDraft.__slots__]


def columns_of(case: CaseDraft) -> dict:
    """The draft's row for the case table, without its id."""
    return {name: getattr(case, name) for name in CASE_COLUMNS}


_NEXT_IDS = text(
    "SELECT nextval(pg_get_serial_sequence('case_record', 'id')) FROM generate_series(1, :n)"
)


def insert_cases(session: Session, rows: list[dict]) -> list[int]:
    """Inserts the case rows in order and returns their new ids, in the same order; and their
    words for the full-text search (cases.search)."""
    ids = _insert_rows(session, rows)
    search.add(
        session,
        search.rows_for(
            (i, r["district_code"], r["description"], r.get("address"))
            for i, r in zip(ids, rows, strict=True)
        ),
    )
    return ids


def _insert_rows(session: Session, rows: list[dict]) -> list[int]:
    table = Case.__table__
    if not rows:
        return []
    if session.get_bind().dialect.name != "postgresql":
        # SQLite: the first row takes the next id and the write lock, so no other writer can
        # come between; the rest take the ids after it, in one executemany on the driver (an
        # INSERT … RETURNING in order would send one statement per row).
        first = session.execute(insert(table).returning(table.c.id), rows[0]).scalar_one()
        ids = list(range(first, first + len(rows)))
        insert_many(session, table, [r | {"id": i} for r, i in zip(rows[1:], ids[1:], strict=True)])
        return ids
    # PostgreSQL: the ids are drawn from the column's sequence first, and the rows go in with
    # the driver's executemany; a multi-row INSERT … RETURNING of 10,000 rows spends most of its
    # time in the driver turning the giant statement's placeholders into PostgreSQL's.
    ids = sorted(session.scalars(_NEXT_IDS, {"n": len(rows)}))
    insert_many(session, table, [row | {"id": i} for row, i in zip(rows, ids, strict=True)])
    return ids
