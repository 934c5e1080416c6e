"""The indicators read from the rollup equal the same sums over the raw cases (SPEC §8).

Cases go through the real engine (intake, transitions, the escalation sweep) at times of
their own, Dec 2019 – Jan 2020, far from any demo data; then every grouping and period read
from `case_rollup` is compared with `facts(case)` summed in Python over `case_record`.
"""

import itertools
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select

from onegrid.accounts.models import User
from onegrid.accounts.service import principal_for
from onegrid.cases import rollup, service
from onegrid.cases.facts import FACTS, bucket, facts
from onegrid.cases.flows import transition
from onegrid.cases.intake import Report, intake
from onegrid.cases.machine import Action
from onegrid.cases.models import Case, Channel
from onegrid.cases.scheduled import sweep
from onegrid.cases.service import Filters
from onegrid.core.permissions import Scope, operator
from onegrid.indicators import GroupBy, Period, indicators
from onegrid.indicators.queries import grain_for, one_row_per_group
from onegrid.territory.geometry import from_wkb
from onegrid.territory.models import TerritoryUnit

ZONE = ZoneInfo("Asia/Shanghai")
WHO = operator("test")
INSIDE_GRID = "210104002009001"  # the demo grid worker's grid, in the demo street's street
SINCE, UNTIL = date(2019, 12, 20), date(2020, 1, 10)
# The same cases asked for by days (the daily rollup) and by whole months (the monthly grains).
WINDOWS = [(SINCE, UNTIL), (date(2019, 12, 1), date(2020, 1, 31))]
ONE_MONTH = (date(2019, 12, 1), date(2019, 12, 31))  # a month by grid: a grain row per group
# Intake days: across a month, a calendar year and an ISO year (2019-12-30 is in 2020-W01).
DAYS = [date(2019, 12, d) for d in (20, 23, 27, 28, 30, 31)] + [
    date(2020, 1, d) for d in (1, 2, 6, 8)
]
CATEGORIES = ["0101", "0107", "0106", "0103"]  # water, urban_mgmt, emergency, urban_mgmt
ATTRIBUTES = {"0101": {"damage": "broken"}, "0103": {"damage": "missing"}}
CHANNELS = [Channel.HOTLINE, Channel.CITIZEN, Channel.GRID_WORKER, Channel.HOTLINE]
SWEEPS = [datetime(2020, 1, 13, 9, tzinfo=ZONE) + timedelta(days=5 * n) for n in range(3)]
M, D = timedelta(minutes=1), timedelta(days=1)


@dataclass
class Step:
    action: Action
    after: timedelta  # after intake
    data: dict | None = None
    note: str | None = "测试"


def _closing(after: timedelta, rating: int | None = None) -> list[Step]:
    steps = [Step(Action.FEEDBACK, after), Step(Action.CHECK_PASS, after + 10 * M)]
    return steps + ([Step(Action.EVALUATE, after + 20 * M, {"rating": rating})] if rating else [])


_OPENED = [Step(Action.OPEN, 10 * M), Step(Action.DISPATCH, 15 * M)]
PATHS: dict[str, list[Step]] = {
    "waits_verify": [],
    "verified_closed": [
        Step(Action.REQUEST_VERIFY, 5 * M),
        Step(Action.VERIFY, 20 * M, {"valid": True}),
        Step(Action.OPEN, 25 * M),
        Step(Action.DISPATCH, 28 * M),
        *_closing(60 * M, rating=5),
    ],
    "late_all_along": [
        Step(Action.OPEN, 2 * D),
        Step(Action.DISPATCH, 3 * D),
        *_closing(4 * D, rating=2),
    ],
    "voided": [Step(Action.VOID, 10 * M)],
    "verified_voided": [
        Step(Action.REQUEST_VERIFY, 5 * M),
        Step(Action.VERIFY, 20 * M, {"valid": False}),
        Step(Action.VOID, 30 * M),
    ],
    "extended_reworked": [
        *_OPENED,
        Step(Action.REQUEST_EXTENSION, 20 * M, {"duration": "1d"}),
        Step(Action.APPROVE_EXTENSION, 25 * M),
        Step(Action.FEEDBACK, 40 * M),
        Step(Action.CHECK_FAIL, 50 * M),
        *_closing(70 * M, rating=4),
    ],
    "returned_redispatched": [
        *_OPENED,
        Step(Action.RETURN, 20 * M),
        Step(Action.DISPATCH, 30 * M, {"department_code": "urban_mgmt"}),
        Step(Action.FEEDBACK, 60 * M),
    ],
    "returned_waits": [*_OPENED, Step(Action.RETURN, 20 * M)],
    "parked": [*_OPENED, Step(Action.REQUEST_PARK, 20 * M), Step(Action.APPROVE_PARK, 25 * M)],
    "waits_dispatch": [Step(Action.OPEN, 10 * M)],
    "waits_handling": list(_OPENED),  # closed late, after one, two or three sweeps
    "stuck_in_handling": list(_OPENED),
    "closed_unrated": [*_OPENED, *_closing(30 * M)],
    "merged": [],  # merged into the day's first waiting case below
}
# The waiting cases close after the first, second and third sweep, at the level they reached.
AFTER_SWEEP = [0, 1, 2]


def _grids(session) -> list[str]:
    codes = session.scalars(
        select(TerritoryUnit.code).where(TerritoryUnit.level == "grid").order_by(TerritoryUnit.code)
    ).all()
    community = [c for c in codes if c.startswith(INSIDE_GRID[:12]) and c != INSIDE_GRID][0]
    street = [c for c in codes if c.startswith(INSIDE_GRID[:9]) and c[:12] != INSIDE_GRID[:12]][0]
    others = [c for c in codes if not c.startswith(INSIDE_GRID[:9])]
    return [INSIDE_GRID, community, street, others[0], others[-1]]


def _points(session, grids: list[str]) -> dict[str, tuple[float, float]]:
    units = session.scalars(select(TerritoryUnit).where(TerritoryUnit.code.in_(grids)))
    return {
        u.code: (p.x, p.y) for u in units for p in [from_wkb(u.geometry).representative_point()]
    }


def _run(session, case: Case, start: datetime, steps: list[Step]) -> None:
    for step in steps:
        transition(
            session=session,
            case=case,
            action=step.action,
            who=WHO,
            note=step.note,
            data=step.data,
            now=start + step.after,
        )


def _build(session) -> list[Case]:
    """Takes a few dozen cases along every path, then sweeps and closes some late."""
    grids = _grids(session)
    points = _points(session, grids)
    cases, waiting, escalated = [], [], []
    combos = itertools.product(PATHS.items(), range(3))
    for n, ((name, steps), _) in enumerate(combos):
        day, grid = DAYS[n % len(DAYS)], grids[n % len(grids)]
        start = datetime(day.year, day.month, day.day, 9, n % 50, tzinfo=ZONE)
        lon, lat = points[grid]
        category = CATEGORIES[n % len(CATEGORIES)]
        report = Report(
            channel=CHANNELS[n % len(CHANNELS)],
            category_code=category,
            description=f"{name} #{n}",
            lon=lon,
            lat=lat,
            attributes=ATTRIBUTES.get(category, {}),
        )
        case = intake(session=session, report=report, who=WHO, now=start)
        _run(session, case, start, steps)
        if name == "merged" and waiting:
            data = {"into": waiting[-1].receipt}
            _run(session, case, start, [Step(Action.MERGE, 5 * M, data)])
        waiting += [case] if name == "waits_verify" else []
        escalated += [case] if name == "waits_handling" else []
        cases.append(case)
    for number, at in enumerate(SWEEPS):
        sweep(session=session, now=at)
        for case, closes_after in zip(escalated, itertools.cycle(AFTER_SWEEP), strict=False):
            if closes_after == number:
                _run(session, case, at, _closing(60 * M, rating=3 + number))
    session.flush()
    return cases


def _raw(session) -> list[tuple[dict, tuple[int, ...]]]:
    """Returns each case's bucket and facts, computed from case_record alone; its department
    the one it was dispatched to (none before its first dispatch), and its id."""
    items = []
    for case in session.scalars(select(Case).where(Case.district_code == "210104")):
        key = bucket(case, ZONE)
        if SINCE <= key.day <= UNTIL:
            dispatched_to = case.department_id if case.dispatched_at is not None else 0
            fields = vars(key) | {"department_id": dispatched_to, "case_id": case.id}
            items.append((fields, facts(case)))
    return items


@pytest.fixture
def built(session):
    cases = _build(session)
    return cases, _raw(session)


def test_the_cases_reach_every_count(built):
    cases, items = built
    assert len(cases) >= 36
    totals = {fact: sum(counts[i] for _, counts in items) for i, fact in enumerate(FACTS)}
    # "received" leaves merged cases out: they count once, in the case they joined.
    assert totals["received"] == len(cases) - sum(c.state == "merged" for c in cases) > 0
    assert all(totals.values()), {f: n for f, n in totals.items() if not n}
    assert 0 < totals["verified_on_time"] < totals["verified"]
    assert 0 < totals["dispatched_on_time"] < totals["dispatched"]
    assert 0 < totals["closed_on_time"] < totals["closed"]


def _compare(rows, expected) -> None:
    got = {(row.key, row.period): (row.counts, row.values) for row in rows}
    assert got.keys() == expected.keys()
    for group, values in expected.items():
        assert got[group] == values, group


@pytest.mark.parametrize(
    ("since", "until"), [*WINDOWS, ONE_MONTH], ids=["days", "months", "one-month"]
)
def test_every_indicator_from_the_rollup_equals_the_raw_cases(
    session, built, reference, since, until
):
    items = [item for item in built[1] if since <= item[0]["day"] <= until]
    scope = Scope(district_code="210104", unit_codes=("210104",))
    grains, summed = set(), set()
    for by, period in itertools.product(GroupBy, Period):
        rows = indicators(
            session=session, scope=scope, by=by, period=period, since=since, until=until
        )
        _compare(rows, reference(items, by.value, period.value))
        query = {"by": by, "period": period, "since": since, "until": until, "channel": None}
        grain = grain_for(scope=scope, category_code=None, **query)
        grains.add(grain.table.name)
        summed.add(not one_row_per_group(grain, by, period, since, until))
    for channel, by in itertools.product(("hotline", "citizen"), (GroupBy.STREET, GroupBy.GRID)):
        rows = indicators(
            session=session, scope=scope, by=by, since=since, until=until, channel=channel
        )
        chosen = [i for i in items if i[0]["channel"] == channel]
        _compare(rows, reference(chosen, by.value, "all"))
        query = {"by": by, "period": Period.ALL, "since": since, "until": until}
        grains.add(grain_for(scope=scope, category_code=None, channel=channel, **query).table.name)
    # Whole months read every grain; days and weeks, and any window that cuts a month, the finest.
    assert grains == ({"case_rollup"} if since == SINCE else {g.table.name for g in rollup.GRAINS})
    # By grid, month by month or for one month, each group is one row read as it is.
    assert summed == ({True} if since == SINCE else {True, False})


def _scope_of(session, username: str) -> Scope:
    return principal_for(session.scalars(select(User).where(User.username == username)).one()).scope


@pytest.mark.parametrize(("since", "until"), WINDOWS, ids=["days", "months"])
@pytest.mark.parametrize(
    ("username", "keep"),
    [
        ("gridworker", lambda f, _: f["grid_code"] == INSIDE_GRID),
        ("community", lambda f, _: f["grid_code"].startswith(INSIDE_GRID[:12])),
        ("street", lambda f, _: f["grid_code"].startswith(INSIDE_GRID[:9])),
        ("department", lambda f, listed: f["case_id"] in listed),  # what its staff list
        ("leader", lambda f, _: True),
    ],
)
def test_each_reader_sees_the_indicators_of_their_scope_only(
    session, built, reference, username, keep, since, until
):
    _, items = built
    scope = _scope_of(session, username)
    listed = service.list_in_scope(session=session, scope=scope, filters=Filters(), limit=10**6)
    chosen = [i for i in items if keep(i[0], {case.id for case in listed[0]})]
    assert 0 < len(chosen) <= len(items)
    for by, period in [
        (GroupBy.GRID, Period.ALL),
        (GroupBy.STREET, Period.MONTH),
        (GroupBy.DEPARTMENT, Period.WEEK),
        (GroupBy.CATEGORY, Period.ALL),
    ]:
        rows = indicators(
            session=session, scope=scope, by=by, period=period, since=since, until=until
        )
        _compare(rows, reference(chosen, by.value, period.value))
