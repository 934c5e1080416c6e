"""The bulk engine's writing half: a batch taken in memory, written with one insert per table.

`BulkEngine.take` (onegrid.cases.bulk) turns rows into a `Batch` of plain rows; `write` stores
it in the caller's transaction: cases (their ids come back), the links between cases, the
timeline, the audit chain (its records checked ahead, `audit.checked`), the rollup and the
notices. A batch refers to other cases by receipt, so it can be taken before the batch ahead
of it is stored.

`BackgroundWriter` writes batches in a process of its own, so an import keeps both of a
machine's cores busy: this process reads, locates and moves the cases while the other stores
them. A batch is handed over in parts as it is taken (`Batch.ends` marks its last), and the
writer writes each part as it comes, in the batch's one transaction, committing at the last::

    with BackgroundWriter(database_url) as writer:
        done = writer.send(part)   # once the writer has taken the part before; returns the
                                   # Written(cases, events, peak_kib) of batches finished since
        writer.abort()             # the batch being handed over is bad: none of it is written
        done = writer.wait()       # every batch handed over is finished
    # send and wait raise WriteFailed if a batch handed over was not stored
"""

import multiprocessing
import resource
import traceback
from contextlib import suppress
from dataclasses import dataclass, field

from sqlalchemy import bindparam, select, update
from sqlalchemy.orm import Session

from onegrid.audit import service as audit
from onegrid.cases import rollup
from onegrid.cases.drafts import CaseDraft, insert_cases
from onegrid.cases.models import Case, CaseEvent
from onegrid.cases.notify import notify
from onegrid.core.errors import Conflict
from onegrid.db.many import insert_many
from onegrid.db.session import SQLITE_BEGIN, create_db_engine

LINKS = ("duplicate_of_id", "merged_into_id")


@dataclass
class Batch:
    """A batch of cases taken in memory, or a part of one, as rows to insert (plain data: it
    pickles). Cases are numbered within it; other cases are named by receipt."""

    district_code: str
    source: str | None
    cases: list[dict] = field(default_factory=list)  # the case table's columns, without id
    events: list[dict] = field(default_factory=list)  # "case" is the index of its case
    audit: list[dict] = field(default_factory=list)  # audit.checked: one per event
    links: list[tuple[int, str, str]] = field(default_factory=list)  # (case, column, receipt)
    rollup: list[list[dict]] = field(default_factory=list)  # rollup.rows_to_add, or none
    notices: list[tuple[int, dict]] = field(default_factory=list)  # (case, message)
    ends: bool = True  # the last (or only) part of its batch: the batch commits after it


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
    if batch.rollup:  # a batch's counts come with its last part
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
    """The writing process could not store a batch; nothing of that batch was written.
    `written`: what the batches it finished just before wrote (not told otherwise)."""

    def __init__(self, detail: str, written: list["Written"] | None = None) -> None:
        super().__init__(detail)
        self.written = written or []


@dataclass
class Written:
    cases: int
    events: int
    peak_kib: int  # the writing process's peak resident memory so far


_ABORT = "abort"


class BackgroundWriter:
    """Writes batches in a process of its own, part by part, committing each batch."""

    def __init__(self, url: str) -> None:
        context = multiprocessing.get_context("spawn")  # a fork would share the open database
        self._pipe, theirs = context.Pipe()
        self._process = context.Process(target=_serve, args=(theirs, url), daemon=True)
        self._process.start()
        theirs.close()
        self._pending = 0  # batches handed over (wholly or in part) and not yet answered
        self._open = False  # a batch is being handed over: it has parts, not yet its last
        self.peak_kib = 0  # the writing process's peak resident memory, once finished

    def send(self, part: Batch) -> list[Written]:
        """Hands the part over. The pipe holds little, so this returns only once the writer
        has taken the part before: one part is written while the next is taken. Returns what
        the batches finished meanwhile wrote."""
        done = self._answers(block=False)
        try:
            self._pipe.send(part)
        except OSError:  # the writer has ended; its answers say why, if it could tell
            self._answers(block=True)
            raise self._ended() from None
        if not self._open:
            self._pending += 1
        self._open = not part.ends
        return done

    def abort(self) -> None:
        """Drops the batch being handed over: the writer rolls back what it has of it."""
        if self._open:
            self._open = False
            self._pending -= 1  # an aborted batch is not answered
            with suppress(OSError):  # a writer that has ended has nothing of it either
                self._pipe.send(_ABORT)

    def wait(self) -> list[Written]:
        """Waits for every batch handed over; raises WriteFailed if one was not stored."""
        self.abort()  # a batch without its last part is not to be written
        return self._answers(block=True)

    def _answers(self, *, block: bool) -> list[Written]:
        done = []
        while self._pending and (block or self._pipe.poll()):
            kind, *answer = self._receive()
            self._pending -= 1
            if kind == "failed":
                raise WriteFailed(answer[0], done)
            done.append(Written(*answer))
        return done

    def close(self) -> None:
        """Ends the writing process (after the batches handed over) and reads its peak memory."""
        if self._process.is_alive():
            try:
                self.wait()
                self._pipe.send(None)
                kind, *answer = self._receive()
                if kind == "peak":
                    self.peak_kib = answer[0]
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
    """The writing process: writes each part it is sent, commits each batch at its last part,
    drops the batch it has parts of when told to abort; until sent None."""
    engine = create_db_engine(url)
    try:
        with Session(engine, expire_on_commit=False) as session:
            cases = events = 0  # of the batch being written
            while (part := _next(pipe)) is not None:
                if part == _ABORT:
                    session.rollback()
                    cases = events = 0
                    continue
                try:
                    if not session.in_transaction():
                        # SQLite's write lock first: the server may be writing too, and a
                        # transaction that read before it writes would fail if it committed
                        # between.
                        session.connection(execution_options={SQLITE_BEGIN: "IMMEDIATE"})
                    write(session, part)
                    cases, events = cases + len(part.cases), events + len(part.events)
                    if part.ends:
                        session.commit()
                except BaseException as error:  # noqa: BLE001 — told to the importing process
                    session.rollback()
                    detail = "".join(traceback.format_exception_only(error)).strip()
                    pipe.send(("failed", detail))
                    return
                if part.ends:
                    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
                    pipe.send(("written", cases, events, peak))
                    cases = events = 0
        with suppress(OSError):  # the importing process may be gone
            pipe.send(("peak", resource.getrusage(resource.RUSAGE_SELF).ru_maxrss))
    finally:
        engine.dispose()
        pipe.close()


def _next(pipe) -> Batch | str | None:
    """The next part to write (or _ABORT); None once told to stop, or if the importing process
    is gone (the batch it was handing over, if any, is not written)."""
    try:
        return pipe.recv()
    except (EOFError, OSError):
        return None
