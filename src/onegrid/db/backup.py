"""Backups that restore: a consistent copy of the whole database, taken while it serves.

SQLite: the online backup API (`sqlite3.Connection.backup`) copies the database as of one
moment while writers go on (WAL). PostgreSQL: `pg_dump -Fc` (one snapshot), restored with
`pg_restore`. Restoring refuses a database that already holds tables unless told to replace
them. The audit chain's keys are not in the database: a restored copy verifies under the
same ONEGRID_AUDIT_KEY (and old keys) as the original.
"""

import os
import shutil
import sqlite3
import subprocess
from pathlib import Path

from sqlalchemy import inspect
from sqlalchemy.engine import make_url

from onegrid.core.errors import Conflict, Invalid
from onegrid.db.engine import create_db_engine

SQLITE_MAGIC = b"SQLite format 3\x00"
PG_DUMP_MAGIC = b"PGDMP"


def backup(*, url: str, file: Path) -> None:
    """Writes a consistent copy of the database at url to file (replaced only once complete)."""
    partial = file.with_name(file.name + ".partial")
    file.parent.mkdir(parents=True, exist_ok=True)
    try:
        if _is_sqlite(url):
            _sqlite_backup(_sqlite_path(url), partial)
        else:
            _run(["pg_dump", "--format=custom", f"--file={partial}"], url)
        os.replace(partial, file)
    finally:
        partial.unlink(missing_ok=True)


def restore(*, url: str, file: Path, force: bool = False) -> None:
    """Restores file, made by `backup`, into the (empty, unless force) database at url."""
    if not file.is_file():
        raise Invalid(f"备份文件不存在：{file}", f"no such backup file: {file}")
    with open(file, "rb") as handle:
        magic = handle.read(len(SQLITE_MAGIC))
    sqlite = _is_sqlite(url)
    if not magic.startswith(SQLITE_MAGIC if sqlite else PG_DUMP_MAGIC):
        store, made = ("SQLite", "SQLite") if sqlite else ("PostgreSQL", "pg_dump -Fc")
        raise Invalid(
            f"{file} 不是 {made} 备份，无法恢复到 {store} 数据库",
            f"{file} is not a {made} backup: it cannot be restored into a {store} database",
        )
    tables = _tables(url)
    if tables and not force:
        raise Conflict(
            f"目标数据库不为空（有 {len(tables)} 张表）：加 --force 才会用备份替换其全部内容",
            f"the target database is not empty ({len(tables)} tables): --force replaces all "
            "of it with the backup",
        )
    if sqlite:
        target = _sqlite_path(url)
        target.parent.mkdir(parents=True, exist_ok=True)
        _sqlite_backup(file, target)
    else:
        clean = ["--clean", "--if-exists"] if tables else []
        options = ["--no-owner", "--exit-on-error", "--single-transaction", *clean, str(file)]
        _run(["pg_restore", *options], url)


def _is_sqlite(url: str) -> bool:
    return url.startswith("sqlite")


def _sqlite_path(url: str) -> Path:
    path = make_url(url).database
    if not path or path == ":memory:":
        raise Invalid("内存数据库无法备份或恢复", "an in-memory database cannot be backed up")
    return Path(path)


def _sqlite_backup(source: Path, target: Path) -> None:
    if not source.is_file():
        raise Invalid(f"数据库文件不存在：{source}", f"no such database file: {source}")
    # One step (pages=-1): the copy is the database as of one read transaction; writers go on.
    with sqlite3.connect(source) as src, sqlite3.connect(target) as dst:
        src.execute("PRAGMA busy_timeout=10000")
        dst.execute("PRAGMA busy_timeout=10000")
        src.backup(dst)
        result = dst.execute("PRAGMA quick_check").fetchone()[0]
    src.close()
    dst.close()
    if result != "ok":
        raise Invalid(f"备份校验失败：{result}", f"the copy failed its check: {result}")


def _tables(url: str) -> list[str]:
    if _is_sqlite(url) and not _sqlite_path(url).exists():
        return []
    engine = create_db_engine(url)
    try:
        return inspect(engine).get_table_names()
    finally:
        engine.dispose()


def _run(command: list[str], url: str) -> None:
    program = command[0]
    if shutil.which(program) is None:
        raise Invalid(
            f"找不到 {program}：请安装与服务器版本相同的 PostgreSQL 客户端",
            f"{program} not found: install the PostgreSQL client of the server's version",
        )
    parsed = make_url(url)
    env = {**os.environ}
    if parsed.password:  # not on the command line, where every user of the machine sees it
        env["PGPASSWORD"] = parsed.password
    libpq = parsed.set(drivername="postgresql", password=None).render_as_string()
    done = subprocess.run(
        [program, f"--dbname={libpq}", *command[1:]],
        capture_output=True,
        text=True,
        env=env,
    )
    if done.returncode != 0:
        raise Invalid(
            f"{program} 失败：{done.stderr.strip()}", f"{program} failed: {done.stderr.strip()}"
        )
