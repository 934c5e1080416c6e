"""Two writers appending at once never build on the same head, and a refused login is kept."""

import threading

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from onegrid.audit import AuditRecord, record, record_separately, verify

DISTRICT = "110101"
EACH = 50


def test_two_connections_appending_at_once_keep_one_unbroken_chain(audit_engine):
    start = threading.Barrier(2)
    errors: list[BaseException] = []

    def in_callers_transactions() -> None:
        start.wait()
        for i in range(EACH):
            with Session(audit_engine) as session:
                record(
                    session=session,
                    district_code=DISTRICT,
                    actor="a",
                    action="case.update",
                    object_id=i,
                )
                session.commit()

    def separately() -> None:
        start.wait()
        for i in range(EACH):
            record_separately(
                engine=audit_engine,
                district_code=DISTRICT,
                actor="b",
                action="auth.login",
                outcome="failed",
                object_id=i,
            )

    def run(work) -> None:
        try:
            work()
        except BaseException as error:  # reported by the main thread
            errors.append(error)

    threads = [
        threading.Thread(target=run, args=(w,)) for w in (in_callers_transactions, separately)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    with Session(audit_engine) as session:
        report = verify(session=session)
        assert report.ok, report.first_broken
        assert report.checked == {DISTRICT: 2 * EACH}
        by_actor = dict(
            session.execute(
                select(AuditRecord.actor, func.count()).group_by(AuditRecord.actor)
            ).all()
        )
        assert by_actor == {"a": EACH, "b": EACH}


def test_a_separate_record_is_kept_when_the_callers_transaction_rolls_back(audit_engine):
    with Session(audit_engine) as session:
        record(session=session, district_code=DISTRICT, actor="张三", action="auth.login")
        session.rollback()
        kept = record_separately(
            engine=session.get_bind().engine,
            district_code=DISTRICT,
            actor="张三",
            action="auth.login",
            outcome="failed",
            source="198.51.100.7",
        )
        assert (kept.seq, kept.outcome, kept.source) == (1, "failed", "198.51.100.7")
    with Session(audit_engine) as session:
        assert session.scalars(select(AuditRecord.action)).all() == ["auth.login"]
        assert verify(session=session).checked == {DISTRICT: 1}
