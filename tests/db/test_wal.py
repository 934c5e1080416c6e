"""SQLite's WAL checkpoints (db/wal.py): while the application runs, its connections leave
them to a thread, which copies the log into the database file; stopped, they are as before."""

import time

from sqlalchemy import text

from onegrid.db.engine import create_db_engine
from onegrid.db.wal import Checkpointer

ROWS = 3000  # of 2 kB each: 6 MB, beyond SQLite's own checkpoint (1,000 pages of 4 kB)


def _write(engine) -> None:
    with engine.begin() as connection:
        connection.execute(text("CREATE TABLE IF NOT EXISTS filler (body TEXT)"))
    for start in range(0, ROWS, 100):  # many commits, as requests make them
        with engine.begin() as connection:
            connection.execute(
                text("INSERT INTO filler (body) VALUES (:body)"),
                [{"body": f"{n:06d}" + "x" * 2000} for n in range(start, start + 100)],
            )


def _autocheckpoint(engine) -> int:
    with engine.connect() as connection:
        return connection.exec_driver_sql("PRAGMA wal_autocheckpoint").scalar()


def test_the_log_is_copied_by_the_thread_not_by_the_writes(tmp_path):
    path = tmp_path / "onegrid.db"
    engine = create_db_engine(f"sqlite:///{path}")
    idle = Checkpointer(engine, every=3600)  # its thread waits an hour: the writes alone
    idle.start()
    try:
        assert _autocheckpoint(engine) == 0
        _write(engine)
        assert path.stat().st_size < 1_000_000  # the 6 MB are in the log, not the file
        assert (tmp_path / "onegrid.db-wal").stat().st_size > 6_000_000
    finally:
        idle.stop()  # a last checkpoint
    assert path.stat().st_size > 6_000_000
    assert _autocheckpoint(engine) == 1000  # SQLite's own again
    busy = Checkpointer(engine, every=0.05)
    busy.start()
    try:
        _write(engine)
        deadline = time.monotonic() + 10
        while path.stat().st_size < 12_000_000 and time.monotonic() < deadline:
            time.sleep(0.05)
        assert path.stat().st_size > 12_000_000  # copied by the thread, the writers done
    finally:
        busy.stop()
    engine.dispose()


def test_postgresql_and_memory_have_no_log_to_checkpoint():
    memory = create_db_engine("sqlite://")
    postgres = create_db_engine("postgresql://postgres@127.0.0.1:5432/none")
    assert not Checkpointer(memory).applies and not Checkpointer(postgres).applies
    Checkpointer(memory).start()  # nothing started, nothing to stop
    assert _autocheckpoint(memory) == 1000


def test_two_applications_on_one_engine_stop_in_any_order(tmp_path):
    engine = create_db_engine(f"sqlite:///{tmp_path / 'onegrid.db'}")
    first, second = Checkpointer(engine, every=3600), Checkpointer(engine, every=3600)
    first.start()
    second.start()
    first.stop()
    assert _autocheckpoint(engine) == 0  # the second still runs
    second.stop()
    assert _autocheckpoint(engine) == 1000
    engine.dispose()
