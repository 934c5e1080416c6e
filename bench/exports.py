"""(h) Exports stream in constant memory: a list of 1M cases to CSV and XLSX, beside 100k.

Each export runs in a process of its own (`bench.exporter`, which measures its own peak
resident memory), over a copy of a store `onegrid import cases` filled (bench.stores): every
case of the store, as `GET /api/v1/cases/export` streams them (`cases.exporting.rows` through
`core.exports`). Memory is flat when the large export's peak equals the small one's.

The quick run's 50k store is the imported 10k and four copies of its case rows; the 1M store
is the imported 1M year if a full run has imported it already (the pages bench does), else the
imported 100k and nine copies of its case rows (new ids and receipts, earlier
times: bench.years' SQL), which is what an export reads: importing 1M cases takes most of an
hour on a busy 2-core machine and measures the import, not the export.

Baselines: the same export of the smaller store (for memory: flat means a ratio near 1), and a
naive export, which reads the whole list into memory and then writes it (in the quick run at
both sizes for CSV, to show how it grows, at the smaller for XLSX; the full run leaves the
naive export of 1M rows out: a few gigabytes of cells, which is the point).
"""

import json
import shutil
import subprocess
import sys
from pathlib import Path

from sqlalchemy import func, select, text

from bench.common import Figure, Scale
from bench.generate import cases_file
from bench.stores import cache_dir, imported_sqlite, sqlite_url
from bench.years import copy_cases_sql, copy_texts_sql
from onegrid.cases.models import Case
from onegrid.db.engine import create_db_engine

SIZES = {
    Scale.SMOKE: (500, 2_000),
    Scale.QUICK: (10_000, 50_000),  # make bench's 5 minutes: the 10k import and 4 copies
    Scale.FULL: (100_000, 1_000_000),
}
FLAT = 1.25  # the large export's peak within this many times the small one's
FORMATS = ("csv", "xlsx")


def export(store: Path, format: str, mode: str) -> dict:
    """Runs one export in a fresh process and returns what it measured."""
    done = subprocess.run(
        [sys.executable, "-m", "bench.exporter", sqlite_url(store), format, mode],
        capture_output=True,
        text=True,
        check=False,
    )
    if done.returncode != 0:
        raise RuntimeError(f"the export failed:\n{done.stdout}{done.stderr}")
    said = json.loads(done.stdout.splitlines()[-1])
    mib = said["peak_kib"] / 1024
    print(
        f"   {mode} {format} {said['rows']:,} rows: {said['seconds']:.1f} s, peak {mib:.0f} MiB",
        file=sys.stderr,
        flush=True,
    )
    return said


def copied_store(count: int, small: int, path: Path, texts: bool = False) -> None:
    """Puts a store of `count` cases at path: imported, or the smaller import and its copies
    (with their rows of the search index too if `texts`: the console searches them)."""
    if count <= small or (cache_dir() / f"imported-{count}.db").exists():
        shutil.copyfile(imported_sqlite(count, cases_file(count)), path)
        return
    shutil.copyfile(imported_sqlite(small, cases_file(small)), path)
    engine = create_db_engine(sqlite_url(path))
    with engine.begin() as connection:
        offset = connection.scalar(select(func.max(Case.id)))
        for k in range(1, count // small):
            connection.execute(text(copy_cases_sql(offset, k, days=371 * k)))
            if texts:
                connection.execute(text(copy_texts_sql(offset, k)))
    engine.dispose()


def _mib(said: dict) -> float:
    return said["peak_kib"] / 1024


def run(scale: Scale, workdir: Path) -> list[Figure]:
    small, large = SIZES[scale]
    stores = {}
    for count in (small, large):
        stores[count] = workdir / f"exports-{count}.db"
        copied_store(count, small, stores[count])
    figures = []
    for format in FORMATS:
        name = format.upper()
        little, big = (export(stores[n], format, "streamed") for n in (small, large))
        naive_small = export(stores[small], format, "naive")
        # The naive export of the larger store: in the quick run for CSV only (XLSX's takes
        # half a minute of make bench's five; the CSV's shows how it grows), never in the full.
        naive_large = (
            export(stores[large], format, "naive")
            if scale is Scale.SMOKE or (scale is Scale.QUICK and format == "csv")
            else None
        )
        if big["rows"] != large or little["rows"] != small:
            raise RuntimeError(f"{format}: exported {little['rows']} and {big['rows']} rows")
        ratio = _mib(big) / _mib(little)
        figures += [
            Figure(
                bench="exports",
                name=f"{name} export of {large:,} cases, peak RSS",
                value=_mib(big),
                unit="MiB",
                baseline=f"the same export of {small:,} cases",
                baseline_value=_mib(little),
                target=f"flat (≤ {FLAT}×)",
                met=ratio <= FLAT,
                note=f"{big['seconds']:.1f} s, {big['bytes'] / 2**20:,.0f} MiB written; "
                f"the process before the export: {big['ready_kib'] / 1024:.0f} MiB",
            ),
            Figure(
                bench="exports",
                name=f"{name} export of {large:,} cases, rows/s",
                value=big["rows"] / big["seconds"],
                unit="rows/s",
                baseline=f"the same export of {small:,} cases",
                baseline_value=little["rows"] / little["seconds"],
                note=f"{big['seconds']:.1f} s",
            ),
            Figure(
                bench="exports",
                name=f"{name} export of {small:,} cases, peak RSS",
                value=_mib(little),
                unit="MiB",
                baseline="naive: the whole list in memory, then written",
                baseline_value=_mib(naive_small),
                note=f"naive {naive_small['seconds']:.1f} s, streamed {little['seconds']:.1f} s",
            ),
        ]
        if naive_large is not None:
            figures.append(
                Figure(
                    bench="exports",
                    name=f"naive {name} export of {large:,} cases, peak RSS (for contrast)",
                    value=_mib(naive_large),
                    unit="MiB",
                    baseline=f"the naive export of {small:,} cases",
                    baseline_value=_mib(naive_small),
                    note=f"{naive_large['seconds']:.1f} s",
                )
            )
    return figures
