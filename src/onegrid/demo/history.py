"""A history of cases for the demo, generated through the real engine (intake + transitions).

About 1,500 routed cases a day for the district (seed figures), skewed by grid (some grids
are busy, most are quiet) and by category (a few problems make up most reports), with the
outcomes a real loop has: voids, returns, extensions, parking, rework, late handling,
escalation while overdue, and citizens' ratings. Deterministic from a seed.
"""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import numpy as np
from shapely import Point
from sqlalchemy import select
from sqlalchemy.orm import Session

from onegrid.cases import intake, scheduled
from onegrid.cases.flows import Action
from onegrid.cases.models import Case, Channel
from onegrid.cases.transitions import transition
from onegrid.config import get_settings
from onegrid.core.permissions import operator
from onegrid.db.base import utcnow
from onegrid.routing.models import Category
from onegrid.territory.geometry import from_wkb
from onegrid.territory.models import Level, TerritoryUnit

CASES_PER_DAY = 1500  # seed 003: the district routes about 1,500 cases a day
CHANNELS = [Channel.HOTLINE, Channel.GRID_WORKER, Channel.CITIZEN, Channel.API]
CHANNEL_SHARE = [0.45, 0.35, 0.15, 0.05]
WHO = operator("demo")
Progress = Callable[[str, int, int], None]


@dataclass
class HistoryReport:
    cases: int
    days: int


class _Pickers:
    """Weighted, seeded choices of grid points, categories, channels and times."""

    def __init__(self, session: Session, district_code: str, rng: np.random.Generator) -> None:
        self.rng = rng
        grids = session.scalars(
            select(TerritoryUnit)
            .where(
                TerritoryUnit.district_code == district_code,
                TerritoryUnit.level == Level.GRID.value,
            )
            .order_by(TerritoryUnit.code)
        ).all()
        self.grids = [from_wkb(g.geometry) for g in grids]
        # Busy and quiet grids: lognormal weights (a few grids take many reports).
        load = rng.lognormal(0.0, 0.9, len(grids))
        self.grid_weights = load / load.sum()
        categories = session.scalars(
            select(Category)
            .where(Category.district_code == district_code, Category.active.is_(True))
            .order_by(Category.code)
        ).all()
        # Only categories whose reports need no attributes, so any channel can enter them.
        self.categories = [c.code for c in categories if not any(a.required for a in c.attributes)]
        ranks = rng.permutation(len(self.categories)) + 1
        zipf = 1.0 / ranks**1.1
        self.category_weights = zipf / zipf.sum()

    def point(self):
        grid = self.grids[self.rng.choice(len(self.grids), p=self.grid_weights)]
        minx, miny, maxx, maxy = grid.bounds
        for _ in range(50):
            x, y = self.rng.uniform(minx, maxx), self.rng.uniform(miny, maxy)
            if grid.contains(Point(x, y)):
                return x, y
        centre = grid.representative_point()
        return centre.x, centre.y

    def category(self) -> str:
        return self.categories[self.rng.choice(len(self.categories), p=self.category_weights)]

    def channel(self) -> Channel:
        return CHANNELS[self.rng.choice(len(CHANNELS), p=CHANNEL_SHARE)]


def _minutes(rng: np.random.Generator, median: float, spread: float = 0.8) -> timedelta:
    return timedelta(minutes=float(rng.lognormal(np.log(median), spread)))


def _act(session: Session, case: Case, action: Action, at: datetime, **kwargs) -> datetime:
    """Runs the sweep's escalations due before `at`, then the action; returns `at`."""
    while case.next_escalation_at is not None and case.next_escalation_at <= at:
        transition(
            session=session,
            case=case,
            action=Action.ESCALATE,
            who=WHO,
            now=case.next_escalation_at,
        )
    transition(session=session, case=case, action=action, who=WHO, now=at, **kwargs)
    return at


def _life(session: Session, case: Case, rng: np.random.Generator, end: datetime) -> None:
    """Takes one case along a realistic path, stopping at `end` (the present)."""
    t = case.received_at
    steps: list[tuple[Action, timedelta, dict]] = []
    if case.channel != Channel.GRID_WORKER.value:  # a patrol report is verified on the spot
        steps += [
            (Action.REQUEST_VERIFY, _minutes(rng, 20), {}),
            (Action.VERIFY, _minutes(rng, 90), {"data": {"valid": True}}),
        ]
    if rng.random() < 0.08:
        steps.append((Action.VOID, _minutes(rng, 30), {"note": "核实后不属实"}))
    else:
        steps += [(Action.OPEN, _minutes(rng, 15), {}), (Action.DISPATCH, _minutes(rng, 30), {})]
        if rng.random() < 0.05:
            steps += [
                (Action.RETURN, _minutes(rng, 120), {"note": "不属本部门职责"}),
                (Action.DISPATCH, _minutes(rng, 60), {"data": {"department_code": "urban_mgmt"}}),
            ]
        if rng.random() < 0.06:
            steps += [
                (
                    Action.REQUEST_EXTENSION,
                    _minutes(rng, 600),
                    {"note": "需协调施工", "data": {"duration": "2d"}},
                ),
                (Action.APPROVE_EXTENSION, _minutes(rng, 60), {}),
            ]
        if rng.random() < 0.01:
            steps += [
                (Action.REQUEST_PARK, _minutes(rng, 600), {"note": "纳入改造计划"}),
                (Action.APPROVE_PARK, _minutes(rng, 120), {}),
            ]
        else:
            # Handling: usually well inside the limit, about one in ten late.
            steps.append((Action.FEEDBACK, _minutes(rng, 600, 1.2), {"note": "已处置完毕"}))
            if rng.random() < 0.07:
                steps += [
                    (Action.CHECK_FAIL, _minutes(rng, 90), {"note": "现场核查未整改到位"}),
                    (Action.FEEDBACK, _minutes(rng, 400), {"note": "已返工处置"}),
                ]
            steps.append((Action.CHECK_PASS, _minutes(rng, 90), {}))
            if rng.random() < 0.6:
                rating = int(rng.choice([5, 4, 3, 2, 1], p=[0.62, 0.25, 0.07, 0.04, 0.02]))
                steps.append((Action.EVALUATE, _minutes(rng, 600), {"data": {"rating": rating}}))
    for action, delay, kwargs in steps:
        t += delay
        if t > end:
            break  # the present: the case is still in the loop
        _act(session, case, action, t, **kwargs)


def generate(
    session: Session,
    *,
    district_code: str,
    days: int,
    end: date | None = None,
    per_day: int = CASES_PER_DAY,
    seed: int = 210104,
    progress: Progress | None = None,
) -> HistoryReport:
    """Generates `days` days of cases up to `end` (default: today), through the engine."""
    zone = ZoneInfo(get_settings().time_zone)
    rng = np.random.default_rng(seed)
    pick = _Pickers(session, district_code, rng)
    end = end or datetime.now(zone).date()
    # The present: now, or the end of the last day when the history ends in the past.
    present = min(datetime.combine(end, time(23, 59), zone).astimezone(UTC), utcnow())
    total = 0
    for n in range(days):
        day = end - timedelta(days=days - 1 - n)
        count = int(rng.poisson(per_day * (0.75 if day.weekday() >= 5 else 1.08)))
        # Reports arrive mostly in the day: 07:00–21:00 local, peaking late morning.
        hours = np.clip(rng.normal(12.5, 3.5, count), 6.5, 22.5)
        for hour in np.sort(hours):
            received = datetime.combine(day, time(), zone) + timedelta(hours=float(hour))
            if received > present:
                break  # later today: not reported yet
            lon, lat = pick.point()
            case = intake.intake(
                session=session,
                report=intake.Report(
                    channel=pick.channel(),
                    category_code=pick.category(),
                    description="演示案件 demo case",
                    lon=lon,
                    lat=lat,
                ),
                who=WHO,
                now=received.astimezone(UTC),
            )
            _life(session, case, rng, present)
            total += 1
        session.flush()
        if progress:
            progress("history", n + 1, days)
    # Cases still open at the present are overdue where their clocks ran out, as a sweep finds.
    scheduled.sweep(session=session, now=present)
    return HistoryReport(cases=total, days=days)
