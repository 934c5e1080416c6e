"""(e) The command centre's indicator queries at 100k, 1M and 10M cases, against DuckDB.

onegrid answers from its rollup (`onegrid.indicators.indicators`, what the API calls). The
baseline, DuckDB, computes the same aggregates in the same run from the raw rows: one row per
case with its bucket and its facts (`onegrid.cases.facts.facts`, the indicators' definition),
scanned on every query. Every answer of both is compared, group by group. Above a year of
cases the store is the imported year and copies of it (bench.years), unless the full run has
imported that many.

The queries are the command centre's screen, for the leader (the whole district): this
month's indicators by street, community, grid and department, and the last twelve months,
month by month. The windows do not grow with the history, so neither should the latency.
Both are timed in-process, after the process's long-lived objects are frozen as the server
freezes them (onegrid.app), so that Python's full collections do not land in the figures.
"""

import csv
import gc
import statistics
import time
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from zoneinfo import ZoneInfo

import duckdb
from sqlalchemy import select
from sqlalchemy.orm import Session

from bench import years
from bench.common import Figure, Scale, percentile
from bench.generate import END, cases_file
from bench.stores import cache_dir, imported_sqlite, sqlite_url
from onegrid.cases.facts import FACTS, bucket, facts
from onegrid.cases.models import Case
from onegrid.core.permissions import Scope
from onegrid.db.engine import create_db_engine
from onegrid.indicators import GroupBy, Period, indicators
from onegrid.indicators.definitions import compute_many, plan

SIZES = {
    Scale.SMOKE: [2_000],
    Scale.QUICK: [100_000],
    Scale.FULL: [100_000, 1_000_000, 10_000_000],
}
RUNS = {Scale.SMOKE: 5, Scale.QUICK: 40, Scale.FULL: 40}
TARGET_MS = 50
LEADER = Scope(district_code="210104", unit_codes=("210104",))
ZONE = ZoneInfo("Asia/Shanghai")
MONTH = (END.replace(day=1), END)
YEAR = (date(END.year - 1, END.month + 1, 1) if END.month < 12 else date(END.year, 1, 1), END)


@dataclass(frozen=True)
class Query:
    name: str
    by: GroupBy
    period: Period
    window: tuple[date, date]


QUERIES = [
    Query("this month by street", GroupBy.STREET, Period.ALL, MONTH),
    Query("this month by community", GroupBy.COMMUNITY, Period.ALL, MONTH),
    Query("this month by grid", GroupBy.GRID, Period.ALL, MONTH),
    Query("this month by department", GroupBy.DEPARTMENT, Period.ALL, MONTH),
    Query("12 months by month", GroupBy.NONE, Period.MONTH, YEAR),
]
_GROUP_SQL = {
    GroupBy.STREET: "substr(grid_code, 1, 9)",
    GroupBy.COMMUNITY: "substr(grid_code, 1, 12)",
    GroupBy.GRID: "grid_code",
    GroupBy.DEPARTMENT: "department_id",
    GroupBy.NONE: "NULL",
}
_PERIOD_SQL = {Period.ALL: "NULL", Period.MONTH: "strftime(day, '%Y-%m')"}
# DuckDB's row of sums: every fact over every channel, then every fact over the hotline's.
_DUCKDB_PLAN = plan(((None, FACTS), ("hotline", FACTS)))


def raw_rows(store: Path, folder: Path) -> Path:
    """Writes each case's bucket and facts to a CSV file, for DuckDB; returns its path."""
    path = folder / "case_facts.csv"
    engine = create_db_engine(sqlite_url(store))
    with Session(engine) as session, path.open("w", newline="") as file:
        out = csv.writer(file)
        out.writerow(["day", "grid_code", "department_id", "category_code", "channel", *FACTS])
        query = select(Case.__table__).execution_options(yield_per=10_000)
        for case in session.execute(query):
            key = bucket(case, ZONE)
            out.writerow(
                [key.day, key.grid_code, key.department_id, key.category_code, key.channel]
                + list(facts(case))
            )
    engine.dispose()
    return path


def duckdb_answer(connection, query: Query) -> dict:
    """The query's groups computed by DuckDB from the raw rows: {(key, period): counts, values}."""
    every = ", ".join(f"sum({f})::BIGINT" for f in FACTS)
    hotline = ", ".join(
        f"sum(CASE WHEN channel = 'hotline' THEN {f} ELSE 0 END)::BIGINT" for f in FACTS
    )
    key, period = _GROUP_SQL[query.by], _PERIOD_SQL[query.period]
    sql = (
        f"SELECT {key} AS k, {period} AS p, {every}, {hotline} FROM case_facts "
        "WHERE day BETWEEN ? AND ? GROUP BY ALL"
    )
    rows = connection.execute(sql, list(query.window)).fetchall()
    values = compute_many([row[2:] for row in rows], _DUCKDB_PLAN)  # as onegrid computes them
    return {
        (row[0], row[1]): (dict(zip(FACTS, row[2 : 2 + len(FACTS)], strict=True)), value)
        for row, value in zip(rows, values, strict=True)
    }


def onegrid_answer(session: Session, query: Query) -> dict:
    rows = indicators(
        session=session,
        scope=LEADER,
        by=query.by,
        period=query.period,
        since=query.window[0],
        until=query.window[1],
    )
    return {(row.key, row.period): (row.counts, row.values) for row in rows}


def p95_ms(work, runs: int) -> float:
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        work()
        times.append((time.perf_counter() - start) * 1000)
    return percentile(times, 95)


def store_of(count: int) -> tuple[Path, str]:
    """The store of `count` cases and how it was made: imported, or (above a year, unless a
    full run's import of that size is at hand) an imported year copied (bench.years)."""
    if count > years.YEAR and not (cache_dir() / f"imported-{count}.db").exists():
        return years.copied_sqlite(count), f"{count // years.YEAR} copies of an imported year"
    return imported_sqlite(count, cases_file(count)), "imported"


def measure(count: int, runs: int, workdir: Path) -> tuple[Figure, float]:
    store, made = store_of(count)
    connection = duckdb.connect()
    connection.execute(
        "CREATE TABLE case_facts AS SELECT * FROM read_csv(?, header = true, types = "
        "{'day': 'DATE', 'grid_code': 'VARCHAR', 'department_id': 'INTEGER', "
        "'category_code': 'VARCHAR', 'channel': 'VARCHAR'})",
        [str(raw_rows(store, workdir))],
    )
    engine = create_db_engine(sqlite_url(store))
    ours, theirs, notes = [], [], []
    with Session(engine) as session:
        for query in QUERIES:
            answer = onegrid_answer(session, query)
            if answer != duckdb_answer(connection, query) or not answer:
                raise AssertionError(f"{query.name}: onegrid and DuckDB disagree at {count:,}")
        gc.freeze()  # as `onegrid serve` does once started (onegrid.app): both sides gain
        for query in QUERIES:
            ours.append(p95_ms(lambda q=query: onegrid_answer(session, q), runs))
            theirs.append(p95_ms(lambda q=query: duckdb_answer(connection, q), runs))
            notes.append(f"{query.name} {ours[-1]:.1f} ms (DuckDB {theirs[-1]:.1f})")
        gc.unfreeze()
    engine.dispose()
    connection.close()
    worst = max(ours)
    figure = Figure(
        bench="dashboard",
        name=f"indicator queries, worst p95, {count:,} cases (SQLite, {made})",
        value=worst,
        unit="ms",
        baseline="DuckDB over the raw case rows, worst p95",
        baseline_value=max(theirs),
        target=f"≤ {TARGET_MS} ms p95",
        met=worst <= TARGET_MS,
        note="; ".join(notes) + f"; every answer equal to DuckDB's; {runs} runs each",
    )
    return figure, statistics.median(ours)


def run(scale: Scale, workdir: Path) -> list[Figure]:
    figures, medians = [], []
    for count in SIZES[scale]:
        figure, median = measure(count, RUNS[scale], workdir)
        figures.append(figure)
        medians.append(median)
    if len(figures) > 1:
        first, last = figures[0], figures[-1]
        figures.append(
            Figure(
                bench="dashboard",
                name=f"worst p95 at {SIZES[scale][-1]:,} cases",
                value=last.value,
                unit="ms",
                baseline=f"the same at {SIZES[scale][0]:,} cases",
                baseline_value=first.value,
                target="flat: ≤ 1.5×",
                met=last.value <= 1.5 * first.value,
            )
        )
    return figures
