"""Ten years of cases for the dashboard at 10M, made from one imported year.

Importing 10M cases takes 1.5 to 6 hours on a 2-core machine (docs/benchmarks.md), and the
dashboard's figure needs a store of that size whose rollup onegrid itself wrote, not the
import's time. So the year that `onegrid import cases` imported (`imported_sqlite`, 1M cases)
is copied to the nine years before it: copy k is k spans of whole weeks earlier, a span being
the weeks that cover the year's days (so every day keeps its weekday and no two copies
overlap), its case rows copied in SQL with new ids and receipts, its counts added through
onegrid's own rollup (`onegrid.cases.rollup.add_many`). The copies carry no timeline or audit
rows: the indicator queries read neither. The dashboard bench compares every answer with
DuckDB's over the copied case rows, which checks the copies' rollup too.
"""

import math
import shutil
from datetime import timedelta
from pathlib import Path

from sqlalchemy import Engine, func, select, text
from sqlalchemy.orm import Session

from bench.generate import cases_file
from bench.stores import cache_dir, imported_sqlite, keep_sqlite, sqlite_url
from onegrid.cases.facts import FACTS, BucketKey
from onegrid.cases.models import Case, CaseRollup
from onegrid.cases.rollup import add_many
from onegrid.db.base import UTCDateTime
from onegrid.db.engine import create_db_engine

YEAR = 1_000_000  # the generator's big district: 2,750 cases a day, about a year
_CHUNK = 50_000
_IDS = ("id", "merged_into_id", "duplicate_of_id")  # case ids, moved with the copy


def copied_sqlite(count: int) -> Path:
    """A SQLite store of `count` cases (a multiple of YEAR): the imported year and its copies
    to the years before it (cached); callers copy it or only read it."""
    year = YEAR
    if count % year:
        raise ValueError(f"{count:,} is not a whole number of years of {year:,} cases")
    path = cache_dir() / f"copied-{count}-of-{year}.db"
    if not path.exists():
        source = create_db_engine(sqlite_url(imported_sqlite(year, cases_file(year))))
        building = path.with_suffix(".building")
        shutil.copyfile(source.url.database, building)
        engine = create_db_engine(sqlite_url(building))
        for k in range(1, count // year):
            copy_year(source, engine, k)
        source.dispose()
        keep_sqlite(engine, path)
        building.unlink()
    return path


def copy_year(source: Engine, engine: Engine, k: int) -> None:
    """Adds the source's cases to engine's store again, k spans of whole weeks earlier (the
    span covers the source's days, so copies never overlap), with new ids and receipts and
    their counts in the rollup; one transaction."""
    rollup = CaseRollup.__table__
    with source.connect() as reading:
        offset = reading.scalar(select(func.max(Case.id)))
        first, last = reading.execute(select(func.min(rollup.c.day), func.max(rollup.c.day))).one()
        shift = timedelta(weeks=k * math.ceil(((last - first).days + 1) / 7))
        buckets = reading.execution_options(yield_per=_CHUNK).execute(select(rollup))
        with Session(engine) as session:
            session.execute(text(copy_cases_sql(offset, k, shift.days)))
            for rows in buckets.partitions(_CHUNK):
                totals = {
                    BucketKey(
                        district_code=row.district_code,
                        day=row.day - shift,
                        grid_code=row.grid_code,
                        department_id=row.department_id,
                        category_code=row.category_code,
                        channel=row.channel,
                    ): [getattr(row, name) for name in FACTS]
                    for row in rows
                }
                add_many(session, totals)
            session.commit()


def copy_cases_sql(offset: int, k: int, days: int) -> str:
    """SQL copying the store's first cases, ids up to `offset`, as copy k: ids k·offset
    higher, times `days` earlier, receipts marked with k."""
    values = []
    for column in Case.__table__.c:
        name = column.name
        if name in _IDS:
            values.append(f"{name} + {k * offset}")
        elif name == "receipt":
            values.append(f"receipt || '-{k}'")
        elif isinstance(column.type, UTCDateTime):  # stored as 'YYYY-MM-DD HH:MM:SS.ffffff'
            values.append(f"datetime(substr({name}, 1, 19), '-{days} days') || substr({name}, 20)")
        else:
            values.append(name)
    names = ", ".join(column.name for column in Case.__table__.c)
    return (
        f"INSERT INTO case_record ({names}) "
        f"SELECT {', '.join(values)} FROM case_record WHERE id <= {offset}"
    )


def copy_texts_sql(offset: int, k: int) -> str:
    """SQL copying the search index's rows (case_text) of the store's first cases, ids up to
    `offset`, for copy k of copy_cases_sql (the index's triggers index them)."""
    return (
        "INSERT INTO case_text (case_id, district_code, words) "
        f"SELECT case_id + {k * offset}, district_code, words FROM case_text "
        f"WHERE case_id <= {offset}"
    )
