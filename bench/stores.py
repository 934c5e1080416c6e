"""The stores a benchmark runs against: SQLite files and throw-away PostgreSQL databases,
each holding the demo district (territory, catalogue, routing) and no cases yet; and the
cache of what is slow to make and the same from run to run (the district, generated cases).

The cache (var/bench/cache, or ONEGRID_BENCH_CACHE) is keyed by a hash of onegrid's and the
bench's code, so a change to either builds everything again.
"""

import atexit
import hashlib
import json
import multiprocessing
import os
import shutil
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from sqlalchemy import Engine, create_engine, text
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session

import onegrid
from onegrid.db.engine import create_db_engine
from onegrid.db.migrate import upgrade
from onegrid.demo import build_demo

POSTGRES_ADMIN = os.environ.get(
    "ONEGRID_BENCH_POSTGRES", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
)
BACKENDS = ("sqlite", "postgresql")


def build_district(engine: Engine) -> None:
    """Migrates the database and builds the demo district in it, without case history."""
    upgrade(engine)
    with Session(engine) as session:
        build_demo(session)
        session.commit()


@lru_cache
def code_key() -> str:
    """A short hash of onegrid's and the bench's source: what the cached results depend on."""
    digest = hashlib.sha256()
    for root in (Path(onegrid.__file__).parent, Path(__file__).parent):
        for path in sorted(root.rglob("*")):
            if path.suffix in (".py", ".json", ".geojson", ".csv") and path.is_file():
                digest.update(path.read_bytes())
    return digest.hexdigest()[:12]


def cache_dir() -> Path:
    """The cache folder of this code's results; other codes' folders left alone for an hour
    (a run of other code may be using them) are removed."""
    root = Path(os.environ.get("ONEGRID_BENCH_CACHE", "var/bench/cache"))
    key = code_key()
    if root.exists():
        for old in root.iterdir():
            touched = max((p.stat().st_mtime for p in old.rglob("*")), default=0.0)
            if old.name != key and time.time() - max(touched, old.stat().st_mtime) > 3600:
                shutil.rmtree(old, ignore_errors=True)
    path = root / key
    path.mkdir(parents=True, exist_ok=True)
    return path


def sqlite_template() -> Path:
    """A SQLite file holding the demo district, built once (cached) and copied from."""
    path = cache_dir() / "district.db"
    if not path.exists():
        building = path.with_suffix(".building")
        engine = create_db_engine(f"sqlite:///{building}")
        build_district(engine)
        with engine.connect() as connection:  # one self-contained file to copy
            connection.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
        engine.dispose()
        building.rename(path)
    return path


def sqlite_url(path: Path) -> str:
    return f"sqlite:///{path.resolve()}"


@contextmanager
def store(backend: str, workdir: Path, name: str) -> Iterator[Engine]:
    """Yields an engine on a fresh store holding the demo district; drops it afterwards."""
    if backend == "sqlite":
        path = workdir / f"{name}.db"
        shutil.copyfile(sqlite_template(), path)
        engine = create_db_engine(sqlite_url(path))
        try:
            yield engine
        finally:
            engine.dispose()
        return
    database = f"onegrid_bench_{name}_{uuid.uuid4().hex[:8]}"
    _administer(f'CREATE DATABASE "{database}" TEMPLATE "{_postgres_template()}"')
    engine = create_db_engine(_postgres_url(database))
    try:
        yield engine
    finally:
        engine.dispose()
        _administer(f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)')


_ahead: tuple[str, multiprocessing.Process] | None = None  # the template being built ahead


def postgres_template_ahead() -> None:
    """Starts building the PostgreSQL template in a process of its own, for a step that
    leaves a core free meanwhile (generating the cases); `store` waits for it."""
    global _ahead
    if _ahead is None and _postgres_template.cache_info().currsize == 0:
        database = _new_template()
        process = multiprocessing.get_context("spawn").Process(target=_build, args=(database,))
        process.start()
        _ahead = (database, process)


@lru_cache
def _postgres_template() -> str:
    """A PostgreSQL database holding the demo district, built once a run and copied from
    (CREATE DATABASE … TEMPLATE); dropped when the run ends."""
    if _ahead is not None:
        database, process = _ahead
        process.join()
        if process.exitcode != 0:
            raise RuntimeError(f"building the PostgreSQL template failed ({process.exitcode})")
        return database
    database = _new_template()
    _build(database)
    return database


def _new_template() -> str:
    database = f"onegrid_bench_template_{uuid.uuid4().hex[:8]}"
    _administer(f'CREATE DATABASE "{database}"')
    atexit.register(_administer, f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)')
    return database


def _build(database: str) -> None:
    engine = create_db_engine(_postgres_url(database))
    try:
        build_district(engine)
    finally:
        engine.dispose()  # a template must have no connections when it is copied


def _postgres_url(database: str) -> str:
    return make_url(POSTGRES_ADMIN).set(database=database).render_as_string(hide_password=False)


def _administer(statement: str) -> None:
    admin = create_engine(POSTGRES_ADMIN, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as connection:
            connection.execute(text(statement))
    finally:
        admin.dispose()


_ROOT = Path(__file__).resolve().parents[1]  # where `python -m bench…` finds the bench package


@dataclass(frozen=True)
class Import:
    """What an import measured: its wall time and its peak resident memory (KiB, its two
    processes' peaks added) at the end and, with two batches or more, once its second batch
    was written (`settled`: cases written by then, KiB)."""

    seconds: float
    peak_kib: int
    settled: tuple[int, int] | None


def run_import(engine: Engine, path: Path, batch_size: int = 10_000) -> Import:
    """Imports the file into the store as `onegrid import cases` does, in a process of its own
    (`bench.importer`, which measures its memory); returns its wall time and memory."""
    env = os.environ | {"ONEGRID_DATABASE_URL": engine.url.render_as_string(hide_password=False)}
    command = [sys.executable, "-m", "bench.importer", str(path.resolve())]
    command += ["--batch-size", str(batch_size)]
    start = time.perf_counter()
    done = subprocess.run(command, env=env, capture_output=True, text=True, cwd=_ROOT)
    seconds = time.perf_counter() - start
    if done.returncode != 0:
        raise RuntimeError(f"the import failed:\n{done.stdout}{done.stderr}")
    said = json.loads(done.stdout.splitlines()[-1])
    settled = tuple(said["settled"]) if said["settled"] else None
    return Import(seconds, said["peak_kib"], settled)


def imported_sqlite(count: int, cases: Path) -> Path:
    """A SQLite store holding the demo district and the `count` cases of the file, imported
    once (cached); callers copy it or only read it. What that import measured is kept beside
    it (`import_record`): a 10M-case import takes hours and is not run twice."""
    path = cache_dir() / f"imported-{count}.db"
    if not path.exists():
        building = path.with_suffix(".building")
        shutil.copyfile(sqlite_template(), building)
        engine = create_db_engine(sqlite_url(building))
        done = run_import(engine, cases)
        record = {"cases": count, "seconds": round(done.seconds, 1), "peak_kib": done.peak_kib}
        record["at"] = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())
        path.with_suffix(".json").write_text(json.dumps(record))
        keep_sqlite(engine, path)
        building.unlink()  # a 10M-case store is tens of gigabytes
    return path


def import_record(count: int) -> dict:
    """What the import behind `imported_sqlite(count, …)` measured: cases, seconds, peak_kib
    (its peak resident memory) and at (when it ran)."""
    return json.loads((cache_dir() / f"imported-{count}.json").read_text())


def keep_sqlite(engine: Engine, path: Path) -> None:
    """Checkpoints the store behind engine into one file and keeps a copy of it at path."""
    with engine.connect() as connection:
        connection.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
    engine.dispose()
    source = Path(engine.url.database)
    shutil.copyfile(source, path.with_suffix(".copying"))
    path.with_suffix(".copying").rename(path)
