"""The demo's case history runs through the engine and leaves a loop that adds up."""

from collections import Counter
from datetime import date

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from onegrid.cases.bulk.engine import BulkEngine
from onegrid.cases.facts import FACTS, facts
from onegrid.cases.models import Case, CaseEvent, CaseRollup
from onegrid.db.engine import create_db_engine
from onegrid.db.migrate import upgrade
from onegrid.demo import build_demo
from onegrid.demo.history import generate


def test_two_days_of_history(session):
    report = generate(
        session, district_code="210104", days=2, end=date(2026, 3, 4), per_day=120, seed=3
    )
    cases = session.scalars(select(Case)).all()
    assert report.cases == len(cases) and 150 < len(cases) < 350
    states = Counter(c.state for c in cases)
    # Most were taken to the end of the loop, some are still being handled, a few voided.
    assert states["closed"] + states["evaluated"] > len(cases) / 3
    assert states["voided"] > 0 and states["dispatched"] + states["handled"] > 0
    channels = Counter(c.channel for c in cases)
    assert channels["hotline"] > channels["citizen"] > 0
    assert len({c.grid_code for c in cases}) > 50
    events = session.scalar(select(func.count()).select_from(CaseEvent))
    assert events > 4 * len(cases)
    rolled = session.execute(select(*[func.sum(getattr(CaseRollup, name)) for name in FACTS])).one()
    direct = [sum(values) for values in zip(*(facts(c) for c in cases), strict=True)]
    assert list(rolled) == direct


def test_a_build_cut_off_in_its_history_is_built_again(empty_db_url, monkeypatch):
    engine = create_db_engine(empty_db_url)
    upgrade(engine)
    days_run = 0
    real_run = BulkEngine.run

    def cut_off(self, rows, **kwargs):
        nonlocal days_run
        days_run += 1
        if days_run == 2:
            raise KeyboardInterrupt  # the operator's Ctrl-C on the second day
        return real_run(self, rows, **kwargs)

    with monkeypatch.context() as patch, Session(engine) as session:
        patch.setattr(BulkEngine, "run", cut_off)
        with pytest.raises(KeyboardInterrupt):
            build_demo(session, history_days=3, commit_each_day=True)
    with Session(engine) as session:
        # The district and the first day were committed, so the cut-off build shows.
        assert session.scalar(select(func.count()).select_from(Case)) > 1000
        again = build_demo(session, history_days=2, commit_each_day=True)
        session.commit()
        assert again.built and again.resumed and again.cases > 1000
        assert session.scalar(select(func.count()).select_from(Case)) == again.cases
        once_more = build_demo(session)
        assert not once_more.built and not once_more.resumed
    engine.dispose()
