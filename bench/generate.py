"""A deterministic stream of realistic cases in `onegrid import cases` format (JSON Lines).

The demo district's generator (onegrid.demo.history) decides each day's reports: skewed by grid
(lognormal load) and category (Zipf), with channels, working hours, and outcomes (voids,
returns, extensions, parking, rework, late handling, ratings) cut at the present. Here the days
are written out one at a time, so 10M cases never sit in memory. The rate is a big district's:
2,750 cases a day, so 1M cases is a year and 10M ten years.

    python -m bench.generate FILE COUNT
"""

import json
import math
import sys
from collections.abc import Callable
from datetime import date, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import numpy as np
from sqlalchemy.orm import Session

from bench.stores import cache_dir, sqlite_template, sqlite_url
from onegrid.cases.bulk import Row
from onegrid.db.session import create_db_engine
from onegrid.demo.build import DEMO_DISTRICT
from onegrid.demo.history import Pickers, day_of_cases, present_of

PER_DAY = 2750
END = date(2026, 6, 30)  # a fixed present keeps the stream the same on every machine and day
ZONE = ZoneInfo("Asia/Shanghai")
WEEK_FACTOR = (5 * 1.08 + 2 * 0.75) / 7  # the generator's weekday/weekend rates, on average


def as_json(row: Row) -> dict:
    """A generated row as the import format's object."""
    report = row.report
    return {
        "received_at": row.received_at.isoformat(),
        "category_code": report.category_code,
        "description": report.description,
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
    progress: Callable[[int], None] | None = None,
) -> int:
    """Writes `count` cases ending on END to path (JSON Lines); returns how many it wrote."""
    pick = Pickers(session, DEMO_DISTRICT, np.random.default_rng(seed))
    days = math.ceil(count / (per_day * WEEK_FACTOR)) + 1
    present = present_of(END, ZONE)
    written = 0
    with path.open("w", encoding="utf-8") as file:
        for n in range(days):
            day = END - timedelta(days=days - 1 - n)
            rows = day_of_cases(pick, day, ZONE, per_day, present, written + 1)
            rows = rows[: count - written]
            file.writelines(json.dumps(as_json(r), ensure_ascii=False) + "\n" for r in rows)
            written += len(rows)
            if progress:
                progress(written)
            if written == count:
                break
    return written


def cases_path(count: int) -> Path:
    """Where the generated file of `count` cases is kept (`cases_file` writes it)."""
    return cache_dir() / f"cases-{count}.jsonl"


def cases_file(count: int) -> Path:
    """The generated file of `count` cases, written once (cached) for this code."""
    path = cases_path(count)
    if not path.exists():
        engine = create_db_engine(sqlite_url(sqlite_template()))
        with Session(engine) as session:
            write_cases(session, path.with_suffix(".writing"), count)
        engine.dispose()
        path.with_suffix(".writing").rename(path)
    return path


def main() -> None:
    path, count = Path(sys.argv[1]), int(sys.argv[2])
    engine = create_db_engine(sqlite_url(sqlite_template()))
    with Session(engine) as session:
        written = write_cases(session, path, count)
    engine.dispose()
    print(f"{written} cases written to {path}")


if __name__ == "__main__":
    main()
