"""The demo's case history runs through the engine and leaves a loop that adds up."""

from collections import Counter
from datetime import date

from sqlalchemy import func, select

from onegrid.cases.facts import FACTS, facts
from onegrid.cases.models import Case, CaseEvent
from onegrid.cases.rollup import CaseRollup
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
