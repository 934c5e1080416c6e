"""(a) Bulk intake vs a raw batched insert of the same rows, and (f) the import's peak memory.

The import runs as `onegrid import cases FILE` runs it (`bench.importer`: the same function
in a process of its own, batches of 10,000, its memory measured in its progress callback) on
a store holding the demo district. The baseline then inserts the very rows the import wrote,
read back from that store, into a fresh store of the same kind: on the driver, one batch (an
executemany; on PostgreSQL a COPY) and one commit per 10,000 rows, no checks, no computing.
Two baselines from that one copy, timed table by table: the case rows alone (the issue's
reading), and every row the import wrote (cases, timeline, audit, rollup, notifications). The
quick run copies every case row but only the first fifth of the timeline's, the audit log's
and the notifications' new rows, and scales their time to all of them: those tables are about
four fifths of the copy, and a row costs the same early and late in a copy of this size.
"""

import time
from pathlib import Path

from sqlalchemy import Engine, MetaData, func, select

from bench.common import Figure, Scale, stage
from bench.generate import cases_file, cases_path
from bench.stores import (
    BACKENDS,
    Import,
    cache_dir,
    import_record,
    imported_sqlite,
    keep_sqlite,
    postgres_template_ahead,
    run_import,
    store,
)

SIZES = {Scale.SMOKE: 2_000, Scale.QUICK: 100_000, Scale.FULL: 1_000_000}
# The import's batches: 10,000 rows as a user would; the smoke run's 2,000 rows in four, so
# that they too are written by a second process and the memory comparison below has its point.
BATCHES = {Scale.SMOKE: 500, Scale.QUICK: 10_000, Scale.FULL: 10_000}
# (f) Peak memory, flat with the input: the SQLite import's peak at its end against its peak
# once its second batch was written (both processes have been through a whole batch by
# then); at full scale, the 1M import's against the 10M import's (run once, cached, read by
# the dashboard).
FULL_MEMORY = 10_000_000
BATCH = 10_000
# The share of the new timeline, audit and notification rows (several a case) that the raw
# copy of every row copies and times; the case rows and the rollups' are copied whole. The
# smoke run's half keeps the scaling tested.
SAMPLED = {Scale.SMOKE: 0.5, Scale.QUICK: 0.2, Scale.FULL: 1.0}
SEVERAL_A_CASE = ("audit_log", "case_event", "notification")


SEARCH_INDEX = "case_text_fts"  # SQLite's full-text index of case_text, and its shadow tables


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
    source: Engine,
    target: Engine,
    tables: list[str],
    after: dict[str, int],
    limits: dict[str, int] | None = None,
) -> dict[str, tuple[float, int]]:
    """Inserts the tables' new rows (id above `after`) from source into target in batches, on
    the drivers themselves: rows read as the database stores them go back in as they are, one
    batch and one commit per 10,000 rows (SQLite: an executemany; PostgreSQL: a COPY, as the
    import writes). Returns, by table, the time spent inserting and committing and the rows
    copied: each table of the fresh store holds what the import found in it, as the import's
    did. A table in `limits` copies only its first new rows by id, that many."""
    metadata = MetaData()
    metadata.reflect(source, only=tables)
    done = dict.fromkeys(tables, (0.0, 0))
    limits = limits or {}
    reading, writing = source.raw_connection(), target.raw_connection()
    try:
        for table in metadata.sorted_tables:  # parents before children
            if table.name not in tables:  # reflected only as a foreign key's target
                continue
            names = ", ".join(column.name for column in table.columns)
            where = f" WHERE id > {int(after[table.name])}" if table.name in after else ""
            order = ", ".join(column.name for column in table.primary_key.columns)
            limit = f" LIMIT {int(limits[table.name])}" if table.name in limits else ""
            cursor = _streaming(reading, source)
            cursor.execute(f"SELECT {names} FROM {table.name}{where} ORDER BY {order}{limit}")
            spent, copied = 0.0, 0
            while rows := cursor.fetchmany(BATCH):
                start = time.perf_counter()
                _insert(writing, target, table.name, names, rows)
                writing.commit()
                spent += time.perf_counter() - start
                copied += len(rows)
            cursor.close()
            done[table.name] = (spent, copied)
    finally:
        reading.close()
        writing.close()
    return done


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


def measure(
    backend: str, path: Path, count: int, batch: int, workdir: Path, sampled: float = 1.0
) -> tuple[list[Figure], Import]:
    """The import's figures on this store, and what was measured of the import (time, memory)."""
    with store(backend, workdir, "import") as imported:
        before, ids = counts(imported), last_ids(imported)
        with stage(f"{backend}: onegrid import cases, {count:,} cases"):
            done = run_import(imported, path, batch)
        after = counts(imported)
        if after["case_record"] - before["case_record"] != count:
            raise RuntimeError(f"the import wrote {after['case_record']} cases, not {count}")
        # The search index's FTS5 tables are not copied: the raw store's triggers on case_text
        # write them again as its rows go in, as the import's did.
        written = sorted(
            name
            for name in after
            if after[name] > before[name] and not name.startswith(SEARCH_INDEX)
        )
        kept = cache_dir() / f"imported-{count}.db"  # the dashboard bench reads this store
        if backend == "sqlite" and not kept.exists():
            keep_sqlite(imported, kept)
        new = {name: after[name] - before[name] for name in written}
        limits = {  # the tables copied in part, and how many of their rows
            name: max(1, round(new[name] * sampled))
            for name in new
            if name in SEVERAL_A_CASE and sampled < 1
        }
        with stage(f"{backend}: raw copy of every row"), store(backend, workdir, "raw") as raw:
            copied = copy_seconds(imported, raw, written, ids, limits)
    seconds = done.seconds
    spent = {  # a table copied in part: its time scaled to all its new rows
        name: s * new[name] / n if name in limits else s for name, (s, n) in copied.items()
    }
    cases_only, everything = spent["case_record"], sum(spent.values())
    note = f"{count:,} cases; the import wrote {sum(new.values()):,} rows to {', '.join(written)}"
    every_row = "raw batched insert of every row the import wrote"
    if limits:
        every_row += f" (timed on the first {sampled:.0%} of the rows of {', '.join(limits)})"
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
            baseline=every_row,
            baseline_value=count / everything,
            note=note,
        ),
    ]
    return figures, done


def memory(cases: int, kib: int, baseline: str, baseline_kib: int) -> Figure:
    """The import's peak memory against a smaller import's, or its own early on."""
    return Figure(
        bench="memory",
        name=f"peak RSS of the import, {cases:,} cases (SQLite, two processes)",
        value=kib / 1024,
        unit="MiB",
        baseline=baseline,
        baseline_value=baseline_kib / 1024,
        target="flat: ≤ 1.25× the baseline",
        met=kib <= 1.25 * baseline_kib,
    )


def run(scale: Scale, workdir: Path) -> list[Figure]:
    count = SIZES[scale]
    with stage("the generated cases"):
        if not cases_path(count).exists():
            postgres_template_ahead()  # on the other core, while the cases are generated
        path = cases_file(count)
    figures, imports = [], {}
    for backend in BACKENDS:
        found, imports[backend] = measure(
            backend, path, count, BATCHES[scale], workdir, SAMPLED[scale]
        )
        figures += found
    done = imports["sqlite"]
    if scale is Scale.FULL:
        imported_sqlite(FULL_MEMORY, cases_file(FULL_MEMORY))
        record = import_record(FULL_MEMORY)
        same = f"the same import of {count:,} cases"
        figures.append(memory(FULL_MEMORY, record["peak_kib"], same, done.peak_kib))
    else:
        if done.settled is None:
            raise RuntimeError("the import did not report its memory after its second batch")
        cases, kib = done.settled
        early = f"the same import once its first {cases:,} cases were written"
        figures.append(memory(count, done.peak_kib, early, kib))
    return figures
