"""The bulk engine's writing half: a batch prepared in memory, written with one insert per table.

`BulkEngine.prepare` (bulk.engine) turns rows into a `Batch` of plain rows; `write` stores
it in the caller's transaction: cases (their ids come back), the links between cases, the
timeline, the audit chain (its records checked ahead, `audit.checked_values`), the rollup and the
notices. A batch refers to other cases by receipt, so it can be prepared before the batch ahead
of it is stored.

`BackgroundWriter` writes batches in a process of its own, one batch behind the preparing, so an
import keeps both of a machine's cores busy: this process reads, locates and moves the next
batch's cases while the other stores the last one::

    with BackgroundWriter(database_url) as writer:
        written = writer.send(batch)   # hands it over once the batch before is stored
        written = writer.wait()        # the last batch's Written(cases, events)
    # either raises WriteFailed if the batch it waits for was not stored
"""

import gc
import multiprocessing
import traceback
from dataclasses import dataclass, field

from sqlalchemy import bindparam, select, update
from sqlalchemy.orm import Session

from onegrid.audit import service as audit
from onegrid.cases import rollup
from onegrid.cases.drafts import CaseDraft, insert_cases
from onegrid.cases.models import Case, CaseEvent
from onegrid.cases.notify import notify
from onegrid.core.errors import Conflict
from onegrid.db.engine import SQLITE_BEGIN, create_db_engine
from onegrid.db.inserts import insert_many

LINKS = ("duplicate_of_id", "merged_into_id")


@dataclass
class Batch:
    """A batch of cases prepared in memory, as rows to insert (plain data: it pickles)."""

    district_code: str
    source: str | None
    cases: list[dict] = field(default_factory=list)  # the case table's columns, without id
    events: list[dict] = field(default_factory=list)  # "case" is the index of its case
    audit: list[dict] = field(default_factory=list)  # audit.checked_values: one per event
    links: list[tuple[int, str, str]] = field(default_factory=list)  # (case, column, receipt)
    rollup: list[list[dict]] = field(default_factory=list)  # rollup.rows_to_add
    notices: list[tuple[int, dict]] = field(default_factory=list)  # (case, message)


def write(session: Session, batch: Batch) -> list[int]:
    """Stores the batch in the session's transaction; returns its cases' ids, in order."""
    within = {row["receipt"]: n for n, row in enumerate(batch.cases)}
    wanted = {r for _, _, r in batch.links if r not in within}
    stored = stored_ids(session, wanted)
    if missing := wanted - stored.keys():
        first = min(missing)
        raise Conflict(f"所关联的案件 {first} 不存在", f"the linked case {first} is not stored")
    later: list[tuple[int, str, int]] = []  # links to cases of this batch: ids known once written
    for n, column, receipt in batch.links:
        if receipt in within:
            later.append((n, column, within[receipt]))
        else:
            batch.cases[n][column] = stored[receipt]
    ids = insert_cases(session, batch.cases)
    table = Case.__table__
    for column in LINKS:
        links = [{"b_id": ids[n], "b_to": ids[to]} for n, name, to in later if name == column]
        if links:
            statement = update(table).where(table.c.id == bindparam("b_id"))
            session.execute(statement.values({column: bindparam("b_to")}), links)
    for event in batch.events:  # the batch is written once: its rows are changed in place
        event["case_id"] = ids[event.pop("case")]
    insert_many(session, CaseEvent.__table__, batch.events)
    audit.record_checked(session=session, district_code=batch.district_code, rows=batch.audit)
    rollup.add_rows(session, batch.rollup)
    for n, message in batch.notices:
        notify(session, CaseDraft(id=ids[n], **batch.cases[n]), **message)
    return ids


def stored_ids(session: Session, receipts: set[str]) -> dict[str, int]:
    """The ids of the stored cases among these receipts, by receipt."""
    found: dict[str, int] = {}
    wanted = sorted(receipts)
    for start in range(0, len(wanted), 500):
        query = select(Case.receipt, Case.id).where(Case.receipt.in_(wanted[start : start + 500]))
        found.update((receipt, id_) for receipt, id_ in session.execute(query))
    return found


class WriteFailed(RuntimeError):
    """The writing process could not store a batch; nothing of that batch was written."""


@dataclass
class Written:
    cases: int
    events: int


class BackgroundWriter:
    """Writes batches in a process of its own, committing each; one batch in flight."""

    def __init__(self, url: str) -> None:
        context = multiprocessing.get_context("spawn")  # a fork would share the open database
        self._pipe, theirs = context.Pipe()
        self._process = context.Process(target=_serve, args=(theirs, url), daemon=True)
        self._process.start()
        theirs.close()
        self._in_flight = False

    def send(self, batch: Batch) -> Written | None:
        """Hands the batch over once the one before it is stored; returns what that one wrote."""
        written = self.wait()
        try:
            self._pipe.send(batch)
        except OSError:
            raise self._ended() from None
        self._in_flight = True
        return written

    def wait(self) -> Written | None:
        """Waits for the batch in flight, if any; raises WriteFailed if it was not stored."""
        if not self._in_flight:
            return None
        self._in_flight = False
        kind, *answer = self._receive()
        if kind == "failed":
            raise WriteFailed(answer[0])
        return Written(*answer)

    def close(self) -> None:
        """Ends the writing process, after the batch in flight."""
        if self._process.is_alive():
            try:
                self.wait()
                self._pipe.send(None)
            except (EOFError, OSError, WriteFailed):
                pass
        self._process.join(timeout=30)
        if self._process.is_alive():
            self._process.kill()
        self._pipe.close()

    def _receive(self) -> tuple:
        try:
            return self._pipe.recv()
        except (EOFError, OSError):
            raise self._ended() from None

    def _ended(self) -> WriteFailed:
        self._process.join(timeout=5)
        code = self._process.exitcode
        return WriteFailed(f"the writing process ended unexpectedly (exit code {code})")

    def __enter__(self) -> "BackgroundWriter":
        return self

    def __exit__(self, *exc) -> None:
        self.close()


def _serve(pipe, url: str) -> None:
    """The writing process: stores each batch it is sent and commits it, until sent None."""
    engine = create_db_engine(url)
    gc.freeze()  # the modules loaded: the collector need not scan them while batches come and go
    try:
        with Session(engine, expire_on_commit=False) as session:
            while (batch := _next(pipe)) is not None:
                try:
                    # SQLite's write lock first: the server may be writing too, and a
                    # transaction that read before it writes would fail if it committed between.
                    session.connection(execution_options={SQLITE_BEGIN: "IMMEDIATE"})
                    write(session, batch)
                    session.commit()
                except BaseException as error:  # noqa: BLE001 — told to the importing process
                    session.rollback()
                    detail = "".join(traceback.format_exception_only(error)).strip()
                    pipe.send(("failed", detail))
                    return
                pipe.send(("written", len(batch.cases), len(batch.events)))
    finally:
        engine.dispose()
        pipe.close()


def _next(pipe) -> Batch | None:
    """The next batch to write; None once told to stop, or if the importing process is gone
    (what it was sending, if anything, is not written)."""
    try:
        return pipe.recv()
    except (EOFError, OSError):
        return None
