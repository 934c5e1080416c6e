"""A history of cases for the demo, generated through the real engine in bulk.

About 1,500 routed cases a day for the district (seed figures), skewed by grid (some grids
are busy, most are quiet) and by category (a few problems make up most reports), with the
outcomes a real loop has: voids, returns, extensions, parking, rework, late handling,
escalation while overdue, and citizens' ratings. Each report is written as people write it
(onegrid.demo.reports): a description in the category's words and the channel's register, and
an address in the case's own street and community. Deterministic from a seed. Each day is one
batch of onegrid.cases.bulk: intake and every transition run as they do online.
"""

import random
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import numpy as np
import shapely
from sqlalchemy import select
from sqlalchemy.orm import Session

from onegrid.cases import intake
from onegrid.cases.bulk.engine import BulkEngine, Row, Step
from onegrid.cases.machine import Action
from onegrid.cases.models import Channel
from onegrid.config import get_settings
from onegrid.core.errors import Invalid
from onegrid.core.levels import Level
from onegrid.core.permissions import operator
from onegrid.db.base import utcnow
from onegrid.demo.reports import Place, Topic, describe, register_of
from onegrid.routing.models import Category
from onegrid.territory.geometry import from_wkb
from onegrid.territory.models import TerritoryUnit

CASES_PER_DAY = 1500  # seed 003: the district routes about 1,500 cases a day
CHANNELS = [Channel.HOTLINE, Channel.GRID_WORKER, Channel.CITIZEN, Channel.API]
CHANNEL_SHARE = [0.45, 0.35, 0.15, 0.05]
WHO = operator("demo")
Progress = Callable[[str, int, int], None]


@dataclass
class HistoryReport:
    cases: int
    days: int


class Pickers:
    """Weighted, seeded choices of grid points, categories, channels and times.

    The reports' texts come from their own generator, seeded by `seed` and the day, so the
    cases (counts, places, paths) are the same whatever the texts are.
    """

    def __init__(
        self, session: Session, district_code: str, rng: np.random.Generator, *, seed: int = 0
    ) -> None:
        self.rng = rng
        self.seed = seed
        units = session.scalars(
            select(TerritoryUnit)
            .where(TerritoryUnit.district_code == district_code)
            .order_by(TerritoryUnit.code)
        ).all()
        by_id = {u.id: u for u in units}
        grids = [u for u in units if u.level == Level.GRID.value]
        self.grids = np.array([from_wkb(g.geometry) for g in grids], dtype=object)
        self.places = [_place(g, by_id) for g in grids]
        shapely.prepare(self.grids)
        self.bounds = shapely.bounds(self.grids)
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
        self.topics = {c.code: Topic.of(c) for c in categories}
        ranks = rng.permutation(len(self.categories)) + 1
        zipf = 1.0 / ranks**1.1
        self.category_weights = zipf / zipf.sum()

    def points(self, count: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Returns `count` points, each inside a grid chosen by the grids' weights, and the
        grids' indexes."""
        grids = self.rng.choice(len(self.grids), size=count, p=self.grid_weights)
        lons, lats = np.empty(count), np.empty(count)
        todo = np.arange(count)
        for _ in range(50):  # sample each grid's bounding box until the point falls inside
            box = self.bounds[grids[todo]]
            x = self.rng.uniform(box[:, 0], box[:, 2])
            y = self.rng.uniform(box[:, 1], box[:, 3])
            inside = shapely.contains_xy(self.grids[grids[todo]], x, y)
            lons[todo[inside]], lats[todo[inside]] = x[inside], y[inside]
            todo = todo[~inside]
            if not len(todo):
                break
        for i in todo:
            centre = self.grids[grids[i]].representative_point()
            lons[i], lats[i] = centre.x, centre.y
        return lons, lats, grids

    def categories_for(self, count: int) -> list[str]:
        chosen = self.rng.choice(len(self.categories), size=count, p=self.category_weights)
        return [self.categories[i] for i in chosen]

    def channels_for(self, count: int) -> list[Channel]:
        return [CHANNELS[i] for i in self.rng.choice(len(CHANNELS), size=count, p=CHANNEL_SHARE)]


def _place(grid: TerritoryUnit, by_id: dict[int, TerritoryUnit]) -> Place:
    community = by_id[grid.parent_id]
    return Place.of(by_id[community.parent_id].name, community.name, grid.code)


def _minutes(rng: np.random.Generator, median: float, spread: float = 0.8) -> timedelta:
    return timedelta(minutes=float(rng.lognormal(np.log(median), spread)))


def _life(channel: Channel, rng: np.random.Generator) -> list[tuple[Action, timedelta, dict]]:
    """Returns a realistic path for one case: each step, its delay after the one before."""
    steps: list[tuple[Action, timedelta, dict]] = []
    if channel is not Channel.GRID_WORKER:  # a patrol report is verified on the spot
        steps += [
            (Action.REQUEST_VERIFY, _minutes(rng, 20), {}),
            (Action.VERIFY, _minutes(rng, 90), {"data": {"valid": True}}),
        ]
    if rng.random() < 0.08:
        return [*steps, (Action.VOID, _minutes(rng, 30), {"note": "核实后不属实"})]
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
        return [
            *steps,
            (Action.REQUEST_PARK, _minutes(rng, 600), {"note": "纳入改造计划"}),
            (Action.APPROVE_PARK, _minutes(rng, 120), {}),
        ]
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
    return steps


def _steps(channel: Channel, received: datetime, rng, present: datetime) -> list[Step]:
    """The case's path in time, cut at the present: later steps have not happened yet."""
    steps, at = [], received
    for action, delay, kwargs in _life(channel, rng):
        at += delay
        if at > present:
            break
        steps.append(Step(action, at, kwargs.get("note"), kwargs.get("data", {})))
    return steps


def day_of_cases(
    pick: Pickers, day: date, zone: ZoneInfo, per_day: int, present: datetime, first_line: int
) -> list[Row]:
    """One day's reports, each with its path until the present, numbered from first_line."""
    rng = pick.rng
    count = int(rng.poisson(per_day * (0.75 if day.weekday() >= 5 else 1.08)))
    # Reports arrive mostly in the day: 07:00–21:00 local, peaking late morning.
    hours = np.sort(np.clip(rng.normal(12.5, 3.5, count), 6.5, 22.5))
    midnight = datetime.combine(day, time(), zone)
    received = [(midnight + timedelta(hours=float(h))).astimezone(UTC) for h in hours]
    received = [at for at in received if at <= present]  # later today: not reported yet
    lons, lats, grids = pick.points(len(received))
    words = random.Random(f"{pick.seed}:{day.isoformat()}")  # the texts' own stream
    rows = []
    for i, (at, lon, lat, grid, category, channel) in enumerate(
        zip(
            received,
            lons,
            lats,
            grids,
            pick.categories_for(len(received)),
            pick.channels_for(len(received)),
            strict=True,
        )
    ):
        description, address = describe(
            words, pick.topics[category], pick.places[grid], register_of(channel.value)
        )
        report = intake.Report(
            channel=channel,
            category_code=category,
            description=description,
            address=address,
            lon=float(lon),
            lat=float(lat),
        )
        steps = _steps(channel, at, rng, present)
        rows.append(Row(line=first_line + i, report=report, received_at=at, steps=steps))
    return rows


def present_of(end: date, zone: ZoneInfo) -> datetime:
    """The present of a history ending on `end`: now, or the end of that day if it is past."""
    return min(datetime.combine(end, time(23, 59), zone).astimezone(UTC), utcnow())


def generate(
    session: Session,
    *,
    district_code: str,
    days: int,
    end: date | None = None,
    per_day: int = CASES_PER_DAY,
    seed: int = 210104,
    commit_each_day: bool = False,
    progress: Progress | None = None,
) -> HistoryReport:
    """Generates `days` days of cases up to `end` (default: today), through the engine."""
    zone = ZoneInfo(get_settings().time_zone)
    pick = Pickers(session, district_code, np.random.default_rng(seed), seed=seed)
    end = end or datetime.now(zone).date()
    present = present_of(end, zone)
    engine = BulkEngine(
        session, district_code=district_code, who=WHO, source="demo", present=present
    )
    total = 0
    for n in range(days):
        day = end - timedelta(days=days - 1 - n)
        result = engine.run(day_of_cases(pick, day, zone, per_day, present, total + 1))
        if result.rejected:  # the generator's own mistake: say which row and why
            first = result.rejected[0]
            raise Invalid(
                f"演示案件第 {first.line} 行：{first.zh}", f"demo row {first.line}: {first.en}"
            )
        total += result.cases
        if commit_each_day:
            session.commit()
        if progress:
            progress("history", n + 1, days)
    return HistoryReport(cases=total, days=days)
