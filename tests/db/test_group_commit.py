"""Group commit: concurrent works share commits and each returns only once committed; a work
that raises fails alone, a database error or a failed commit fails its whole batch."""

import threading
import time
from collections.abc import Iterator

import pytest
from sqlalchemy import Column, Engine, Integer, MetaData, String, Table, event, func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from onegrid.core.errors import Invalid
from onegrid.db import create_db_engine, write_durably, write_durably_together
from onegrid.db.group_commit import GroupCommit

THREADS = 8
EACH = 25
NOTE = Table(
    "note",
    MetaData(),
    Column("id", Integer, primary_key=True),
    Column("text", String(50), unique=True),
)


@pytest.fixture
def engine(empty_db_url) -> Iterator[Engine]:
    engine = create_db_engine(empty_db_url)
    NOTE.metadata.create_all(engine)
    yield engine
    engine.dispose()


def _note(text: str):
    def work(session: Session) -> str:
        if text.startswith("bad"):
            session.execute(NOTE.insert().values(text=text))  # written, then rolled back
            raise Invalid("坏的", "bad")
        session.execute(NOTE.insert().values(text=text))
        return text

    return work


def _texts(engine: Engine) -> set[str]:
    with engine.connect() as connection:
        return set(connection.scalars(select(NOTE.c.text)))


def _in_threads(work) -> list[BaseException]:
    errors: list[BaseException] = []
    start = threading.Barrier(THREADS)

    def run(n: int) -> None:
        start.wait()
        try:
            work(n)
        except BaseException as error:  # reported by the test's thread
            errors.append(error)

    threads = [threading.Thread(target=run, args=(n,)) for n in range(THREADS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    return errors


def test_concurrent_works_are_all_committed_in_fewer_commits_and_seen_on_return(engine):
    group = GroupCommit(sessionmaker(bind=engine, expire_on_commit=False))
    commits = []
    event.listen(engine, "commit", lambda _connection: commits.append(1))
    unseen: list[str] = []

    def work(n: int) -> None:
        for i in range(EACH):
            text = group.run(_note(f"{n}-{i}"))
            if text not in _texts(engine):  # another connection must see it on return
                unseen.append(text)

    assert _in_threads(work) == []
    assert unseen == []
    assert len(_texts(engine)) == THREADS * EACH
    assert len(commits) < THREADS * EACH  # works that arrived together shared a commit


def test_a_work_that_fails_fails_alone_having_written_nothing(engine):
    group = GroupCommit(sessionmaker(bind=engine, expire_on_commit=False))
    failures: list[BaseException] = []

    def work(n: int) -> None:
        for i in range(EACH):
            try:
                group.run(_note(f"bad-{n}-{i}" if i % 5 == 0 else f"{n}-{i}"))
            except Invalid as error:
                failures.append(error)

    assert _in_threads(work) == []
    assert len(failures) == THREADS * EACH // 5
    texts = _texts(engine)
    assert len(texts) == THREADS * EACH - len(failures)
    assert not any(t.startswith("bad") for t in texts)


def test_a_database_error_fails_the_whole_batch_having_written_nothing(engine):
    group = GroupCommit(sessionmaker(bind=engine, expire_on_commit=False))
    group.run(_note("taken"))
    holding, release = threading.Event(), threading.Event()
    outcomes: dict[str, object] = {}

    def held(session: Session) -> str:
        holding.set()
        release.wait(timeout=60)  # the next two works queue up meanwhile: one batch
        return "held"

    def run(name: str, work) -> None:
        try:
            outcomes[name] = group.run(work)
        except Exception as error:  # reported by the test's thread
            outcomes[name] = error

    threads = [
        threading.Thread(target=run, args=args)
        for args in (("held", held), ("good", _note("good")), ("duplicate", _note("taken")))
    ]
    threads[0].start()
    holding.wait(timeout=60)
    for thread in threads[1:]:
        thread.start()
    deadline = time.monotonic() + 60
    while len(group._waiting) < 2 and time.monotonic() < deadline:
        time.sleep(0.01)
    release.set()
    for thread in threads:
        thread.join(timeout=60)
    assert outcomes["held"] == "held"
    assert isinstance(outcomes["duplicate"], IntegrityError)
    assert isinstance(outcomes["good"], IntegrityError)  # its batch was rolled back with it
    assert _texts(engine) == {"taken"}


def test_when_the_commit_fails_every_work_of_the_batch_fails(engine):
    group = GroupCommit(sessionmaker(bind=engine, expire_on_commit=False))

    def refuse(_connection) -> None:
        raise RuntimeError("the disk is full")

    event.listen(engine, "commit", refuse)
    with pytest.raises(RuntimeError, match="the disk is full"):
        group.run(_note("lost"))
    event.remove(engine, "commit", refuse)
    assert _texts(engine) == set()
    assert group.run(_note("next")) == "next"  # the group goes on with the next batch


def test_outside_a_request_the_work_runs_in_a_savepoint_of_the_callers_session(engine):
    with Session(engine) as session:
        assert write_durably(session, _note("kept")) == "kept"
        with pytest.raises(Invalid):
            write_durably(session, _note("bad"))
        session.commit()
    with engine.connect() as connection:
        assert connection.scalar(select(func.count()).select_from(NOTE)) == 1


def _notes_together(calls: list[int]):
    """Work done for many callers at once: writes each good text, fails each bad one alone."""

    def together(session: Session, texts: list[str]) -> list:
        calls.append(len(texts))
        good = [t for t in texts if not t.startswith("bad")]
        if good:
            session.execute(NOTE.insert(), [{"text": t} for t in good])
        return [Invalid("坏的", "bad") if t.startswith("bad") else t.upper() for t in texts]

    return together


def test_items_of_callers_arriving_together_go_to_one_call_and_fail_alone(engine):
    group = GroupCommit(sessionmaker(bind=engine, expire_on_commit=False))
    calls: list[int] = []
    together = _notes_together(calls)
    answers, failures = [], []

    def work(n: int) -> None:
        for i in range(EACH):
            text = f"bad-{n}-{i}" if i % 5 == 0 else f"{n}-{i}"
            try:
                answers.append(group.run_together(together, text))
            except Invalid as error:
                failures.append(error)

    assert _in_threads(work) == []
    assert len(failures) == THREADS * EACH // 5
    assert sorted(answers) == sorted(t.upper() for t in _texts(engine))
    assert len(_texts(engine)) == THREADS * EACH - len(failures)
    assert sum(calls) == THREADS * EACH and max(calls) > 1  # shared calls
    assert len(calls) < THREADS * EACH


def test_a_shared_work_that_raises_fails_every_caller_in_it(engine):
    group = GroupCommit(sessionmaker(bind=engine, expire_on_commit=False))

    def broken(session: Session, texts: list[str]) -> list:
        session.execute(NOTE.insert(), [{"text": t} for t in texts])
        raise ValueError("a bug")

    with pytest.raises(ValueError, match="a bug"):
        group.run_together(broken, "lost")
    assert _texts(engine) == set()
    assert group.run(_note("next")) == "next"


def test_outside_a_request_shared_work_runs_for_the_one_item_in_a_savepoint(engine):
    calls: list[int] = []
    with Session(engine) as session:
        assert write_durably_together(session, _notes_together(calls), "kept") == "KEPT"
        with pytest.raises(Invalid):
            write_durably_together(session, _notes_together(calls), "bad")
        session.commit()
    assert _texts(engine) == {"kept"}
    assert calls == [1, 1]
