"""(a) Bulk intake vs a raw batched insert of the same rows, and (f) the import's peak memory.

`onegrid import cases FILE` runs as a user runs it (its own process, batches of 10,000) on a
store holding the demo district. The baseline then inserts the very rows the import wrote,
read back from that store, into a fresh store of the same kind: on the driver, one batch (an
executemany; on PostgreSQL a COPY) and one commit per 10,000 rows, no checks, no computing.
Two baselines from that one copy, timed table by table: the case rows alone (the issue's
reading), and every row the import wrote (cases, timeline, audit, rollup, notifications).
"""

import time
from pathlib import Path

from sqlalchemy import Engine, MetaData, func, select

from bench.common import Figure, Scale, stage
from bench.generate import cases_file
from bench.stores import (
    BACKENDS,
    cache_dir,
    import_record,
    imported_sqlite,
    keep_sqlite,
    run_import,
    store,
)

SIZES = {Scale.SMOKE: 2_000, Scale.QUICK: 100_000, Scale.FULL: 1_000_000}
# Peak memory: the import of the size above against a smaller one (full: a larger one). An
# import of more than one batch is written by a second process, so the smaller one (quick) is
# two batches, to compare the same two processes.
MEMORY = {Scale.SMOKE: 200, Scale.QUICK: 20_000, Scale.FULL: 10_000_000}
BATCH = 10_000


def counts(engine: Engine) -> dict[str, int]:
    """Rows per table."""
    metadata = MetaData()
    metadata.reflect(engine)
    with engine.connect() as connection:
        return {
            name: connection.scalar(select(func.count()).select_from(table))
            for name, table in metadata.tables.items()
        }


def last_ids(engine: Engine) -> dict[str, int]:
    """The largest id of each table with an integer id (rows above it are new)."""
    metadata = MetaData()
    metadata.reflect(engine)
    with engine.connect() as connection:
        return {
            name: connection.scalar(select(func.coalesce(func.max(table.c.id), 0)))
            for name, table in metadata.tables.items()
            if "id" in table.c and list(table.primary_key.columns) == [table.c.id]
        }


def copy_seconds(
    source: Engine, target: Engine, tables: list[str], after: dict[str, int]
) -> dict[str, float]:
    """Inserts the tables' new rows (id above `after`) from source into target in batches, on
    the drivers themselves: rows read as the database stores them go back in as they are, one
    batch and one commit per 10,000 rows (SQLite: an executemany; PostgreSQL: a COPY, as the
    import writes). Returns the time spent inserting and committing, by table: each table of
    the fresh store holds what the import found in it, as the import's did."""
    metadata = MetaData()
    metadata.reflect(source, only=tables)
    spent = dict.fromkeys(tables, 0.0)
    reading, writing = source.raw_connection(), target.raw_connection()
    try:
        for table in metadata.sorted_tables:  # parents before children
            if table.name not in tables:  # reflected only as a foreign key's target
                continue
            names = ", ".join(column.name for column in table.columns)
            where = f" WHERE id > {int(after[table.name])}" if table.name in after else ""
            order = ", ".join(column.name for column in table.primary_key.columns)
            cursor = _streaming(reading, source)
            cursor.execute(f"SELECT {names} FROM {table.name}{where} ORDER BY {order}")
            while rows := cursor.fetchmany(BATCH):
                start = time.perf_counter()
                _insert(writing, target, table.name, names, rows)
                writing.commit()
                spent[table.name] += time.perf_counter() - start
            cursor.close()
    finally:
        reading.close()
        writing.close()
    return spent


def _insert(connection, engine: Engine, table: str, names: str, rows: list) -> None:
    cursor = connection.cursor()
    if engine.dialect.name == "postgresql":
        with cursor.copy(f"COPY {table} ({names}) FROM STDIN") as copy:
            for row in rows:
                copy.write_row(row)
        return
    marks = ", ".join("?" * len(rows[0]))
    cursor.execute("BEGIN")  # onegrid's SQLite connections begin explicitly
    cursor.executemany(f"INSERT INTO {table} ({names}) VALUES ({marks})", rows)


def _streaming(connection, engine: Engine):
    """A cursor that fetches as it goes (PostgreSQL's would read every row at once)."""
    if engine.dialect.name == "postgresql":
        return connection.driver_connection.cursor(name="copy")
    return connection.cursor()


def measure(backend: str, path: Path, count: int, workdir: Path) -> tuple[list[Figure], int]:
    """The import's figures on this store, and the import's peak memory (KiB)."""
    with store(backend, workdir, "import") as imported:
        before, ids = counts(imported), last_ids(imported)
        with stage(f"{backend}: onegrid import cases, {count:,} cases"):
            seconds, peak = run_import(imported, path)
        after = counts(imported)
        if after["case_record"] - before["case_record"] != count:
            raise RuntimeError(f"the import wrote {after['case_record']} cases, not {count}")
        written = sorted(name for name in after if after[name] > before[name])
        kept = cache_dir() / f"imported-{count}.db"  # the dashboard bench reads this store
        if backend == "sqlite" and not kept.exists():
            keep_sqlite(imported, kept)
        with stage(f"{backend}: raw copy of every row"), store(backend, workdir, "raw") as raw:
            spent = copy_seconds(imported, raw, written, ids)
    cases_only, everything = spent["case_record"], sum(spent.values())
    rows = sum(after[name] - before[name] for name in written)
    note = f"{count:,} cases; the import wrote {rows:,} rows to {', '.join(written)}"
    figures = [
        Figure(
            bench="intake_bulk",
            name=f"bulk import, {backend}",
            value=count / seconds,
            unit="cases/s",
            baseline="raw batched insert of the case rows",
            baseline_value=count / cases_only,
            target="within 3× of raw (ratio ≥ 0.33)",
            met=cases_only * 3 >= seconds,
            note=note,
        ),
        Figure(
            bench="intake_bulk",
            name=f"bulk import, {backend}, vs every row it wrote",
            value=count / seconds,
            unit="cases/s",
            baseline="raw batched insert of every row the import wrote",
            baseline_value=count / everything,
            note=note,
        ),
    ]
    return figures, peak


def memory(sizes: dict[int, float]) -> Figure:
    """The peak memory of the largest import against the smallest's (MiB by cases)."""
    small, large = min(sizes), max(sizes)
    return Figure(
        bench="memory",
        name=f"peak RSS of the import, {large:,} cases (SQLite)",
        value=sizes[large],
        unit="MiB",
        baseline=f"the same import of {small:,} cases",
        baseline_value=sizes[small],
        target="flat: ≤ 1.25× the smaller import",
        met=sizes[large] <= 1.25 * sizes[small],
    )


def run(scale: Scale, workdir: Path) -> list[Figure]:
    count, other = SIZES[scale], MEMORY[scale]
    with stage("the generated cases"):
        path = cases_file(count)
    figures, peaks = [], {}
    for backend in BACKENDS:
        found, peak = measure(backend, path, count, workdir)
        figures += found
        if backend == "sqlite":
            peaks[count] = peak / 1024
    if other > count:  # full: the 10M import the dashboard bench reads, run once
        imported_sqlite(other, cases_file(other))
        peaks[other] = import_record(other)["peak_kib"] / 1024
    else:
        with stage(f"the import of {other:,} cases"), store("sqlite", workdir, "memory") as engine:
            peaks[other] = run_import(engine, cases_file(other))[1] / 1024
    figures.append(memory(peaks))
    return figures
