"""A deterministic stream of realistic cases in `onegrid import cases` format (JSON Lines).

The demo district's generator (onegrid.demo.history) decides each day's reports: skewed by grid
(lognormal load) and category (Zipf), with channels, working hours, and outcomes (voids,
returns, extensions, parking, rework, late handling, ratings) cut at the present. Here the days
are made in two processes and written out a few at a time, so 10M cases never sit in memory.
The rate is a big district's: 2,750 cases a day, so 1M cases is a year and 10M ten years.

    python -m bench.generate FILE COUNT
"""

import json
import math
import multiprocessing
import os
import sys
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import numpy as np
import shapely
from sqlalchemy.orm import Session

from bench.stores import cache_dir, sqlite_template, sqlite_url
from onegrid.cases.bulk.engine import Row
from onegrid.db.engine import create_db_engine
from onegrid.demo.build import DEMO_DISTRICT
from onegrid.demo.history import Pickers, day_of_cases, present_of

PER_DAY = 2750
END = date(2026, 6, 30)  # a fixed present keeps the stream the same on every machine and day
ZONE = ZoneInfo("Asia/Shanghai")
WEEK_FACTOR = (5 * 1.08 + 2 * 0.75) / 7  # the generator's weekday/weekend rates, on average
WORKERS = min(2, os.cpu_count() or 1)


def as_json(row: Row) -> dict:
    """A generated row as the import format's object."""
    report = row.report
    return {
        "received_at": row.received_at.isoformat(),
        "category_code": report.category_code,
        "description": report.description,
        "address": report.address,
        # Exact: a point a hair inside the district's edge, rounded, can land outside it.
        "lon": float(report.lon),
        "lat": float(report.lat),
        "channel": report.channel.value,
        "steps": [
            {"action": s.action.value, "at": s.at.isoformat()}
            | ({"note": s.note} if s.note else {})
            | ({"data": s.data} if s.data else {})
            for s in row.steps
        ],
    }


def write_cases(
    session: Session,
    path: Path,
    count: int,
    *,
    per_day: int = PER_DAY,
    seed: int = 311,
    workers: int = 1,
) -> int:
    """Writes `count` cases ending on END to path (JSON Lines); returns how many it wrote.

    Each day's cases come from a generator seeded by the seed and the date alone, so `workers`
    processes can make the days side by side and the file is the same whatever their number.
    """
    pick = Pickers(session, DEMO_DISTRICT, np.random.default_rng(seed), seed=seed)
    days = math.ceil(count / (per_day * WEEK_FACTOR)) + 1
    first = END - timedelta(days=days - 1)
    plan = _Plan(pick, seed, per_day, present_of(END, ZONE))
    written = 0
    with path.open("w", encoding="utf-8") as file, _made(plan, workers) as make:
        for lines in make(first + timedelta(days=n) for n in range(days)):
            lines = lines[: count - written]
            file.writelines(lines)
            written += len(lines)
            if written == count:
                break
    return written


@dataclass(frozen=True)
class _Plan:
    """What makes a day's cases: the district's pickers, the seed, the rate and the present."""

    pick: Pickers
    seed: int
    per_day: int
    present: datetime

    def day(self, day: date) -> list[str]:
        """The day's cases as lines of the file."""
        self.pick.rng = np.random.default_rng([self.seed, day.toordinal()])
        rows = day_of_cases(self.pick, day, ZONE, self.per_day, self.present, 1)
        return [json.dumps(as_json(r), ensure_ascii=False) + "\n" for r in rows]


@contextmanager
def _made(plan: _Plan, workers: int) -> Iterator[Callable[[Iterable[date]], Iterator[list[str]]]]:
    """Yields a function from days to their lines, in order: here, or in `workers` processes
    (each day about 2 MB of text, a few days ahead of the writing)."""
    if workers <= 1:
        yield lambda days: map(plan.day, days)
        return
    context = multiprocessing.get_context("spawn")  # a fork would share the open database
    with context.Pool(workers, initializer=_take_plan, initargs=(plan,)) as pool:
        yield lambda days: pool.imap(_day, days, chunksize=2)


_plan: _Plan | None = None  # a worker process's


def _take_plan(plan: _Plan) -> None:
    global _plan
    shapely.prepare(plan.pick.grids)  # preparing is not pickled
    _plan = plan


def _day(day: date) -> list[str]:
    return _plan.day(day)


def cases_path(count: int) -> Path:
    """Where the generated file of `count` cases is kept (`cases_file` writes it)."""
    return cache_dir() / f"cases-{count}.jsonl"


def cases_file(count: int) -> Path:
    """The generated file of `count` cases, written once (cached) for this code."""
    path = cases_path(count)
    if not path.exists():
        engine = create_db_engine(sqlite_url(sqlite_template()))
        with Session(engine) as session:
            write_cases(session, path.with_suffix(".writing"), count, workers=WORKERS)
        engine.dispose()
        path.with_suffix(".writing").rename(path)
    return path


def main() -> None:
    path, count = Path(sys.argv[1]), int(sys.argv[2])
    engine = create_db_engine(sqlite_url(sqlite_template()))
    with Session(engine) as session:
        written = write_cases(session, path, count, workers=WORKERS)
    engine.dispose()
    print(f"{written} cases written to {path}")


if __name__ == "__main__":
    main()
