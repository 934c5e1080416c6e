"""Many rows into one table with one executemany on the driver: bulk work's inserts.

SQLAlchemy's executemany processes every parameter of every row through its generic path;
for the hundreds of thousands of timeline and audit rows of an import that costs more than
the database's own work. Here the statement is compiled once, each column's bind processor
(UTC timestamps, booleans, …) is looked up once, and the rows go to the driver as tuples or
dicts in the driver's own parameter style.
"""

from collections.abc import Sequence

from sqlalchemy import Table
from sqlalchemy.orm import Session


def insert_many(session: Session, table: Table, rows: Sequence[dict]) -> None:
    """Inserts the rows (dicts with the same keys) in the session's transaction."""
    if not rows:
        return
    connection = session.connection()
    dialect = connection.dialect
    names = list(rows[0])
    compiled = table.insert().compile(dialect=dialect, column_keys=names)
    processors = {
        name: processor
        for name in names
        if (processor := table.c[name].type.bind_processor(dialect)) is not None
    }
    if compiled.positional:
        order = [compiled.binds[key].key for key in compiled.positiontup]
        steps = [(name, processors.get(name)) for name in order]
        params = [tuple(p(row[name]) if p else row[name] for name, p in steps) for row in rows]
    else:
        params = [
            {name: (processors[name](v) if name in processors else v) for name, v in row.items()}
            for row in rows
        ]
    connection.exec_driver_sql(compiled.string, params)
