"""Many rows into one table with one executemany on the driver: bulk work's inserts.

SQLAlchemy's executemany processes every parameter of every row through its generic path;
for the hundreds of thousands of timeline and audit rows of an import that costs more than
the database's own work. Here the statement is compiled once, each column's bind processor
(UTC timestamps, booleans, …) is looked up once, and the rows go to the driver as tuples or
dicts in the driver's own parameter style; on PostgreSQL, through COPY.
"""

from collections.abc import Sequence

from sqlalchemy import Connection, Table
from sqlalchemy.orm import Session


def insert_many(session: Session, table: Table, rows: Sequence[dict]) -> None:
    """Inserts the rows (dicts with the same keys) in the session's transaction."""
    if not rows:
        return
    connection = session.connection()
    dialect = connection.dialect
    names = list(rows[0])
    # Each type as this dialect binds it, as SQLAlchemy's own statements do: on SQLite a
    # timestamp becomes SQLAlchemy's text, not the sqlite3 module's (a generic type's processor
    # would hand the driver a datetime, and the two texts do not compare within a second).
    processors = {
        name: processor
        for name in names
        if (processor := table.c[name].type.dialect_impl(dialect).bind_processor(dialect))
        is not None
    }
    if dialect.name == "postgresql":
        _copy(connection, table, names, processors, rows)
        return
    compiled = table.insert().compile(dialect=dialect, column_keys=names)
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


def _copy(
    connection: Connection, table: Table, names: list[str], processors: dict, rows: Sequence[dict]
) -> None:
    """PostgreSQL: the rows go in with COPY, in the session's transaction; an executemany of
    INSERTs, even pipelined, takes several times as long for the same rows."""
    quote = connection.dialect.identifier_preparer.quote
    columns = ", ".join(quote(name) for name in names)
    steps = [(name, processors.get(name)) for name in names]
    cursor = connection.connection.driver_connection.cursor()
    with cursor, cursor.copy(f"COPY {quote(table.name)} ({columns}) FROM STDIN") as copy:
        for row in rows:
            copy.write_row([p(row[name]) if p else row[name] for name, p in steps])
