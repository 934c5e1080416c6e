"""The formulas and the grouping, on rollup rows made by hand in a district of their own."""

import itertools
from datetime import date

import pytest

from onegrid.cases import rollup
from onegrid.cases.facts import FACTS, BucketKey
from onegrid.core.errors import Invalid
from onegrid.core.permissions import Scope
from onegrid.indicators import BY_CODE, COUNTS, INDICATORS, GroupBy, Period, indicators
from onegrid.indicators.definitions import CHANNELS, facts_used, formula

DISTRICT = "999999"  # no real district: the demo's own rows never mix in
SCOPE = Scope(district_code=DISTRICT, unit_codes=(DISTRICT,))
GRIDS = ("999999001001001", "999999001001002", "999999001002001", "999999002001001")
# Sunday of 2019-W52; Monday and Sunday of 2020-W01 (ISO year ≠ calendar year); 2020-W02; Feb.
DAYS = (
    date(2019, 12, 29),
    date(2019, 12, 30),
    date(2020, 1, 5),
    date(2020, 1, 6),
    date(2020, 2, 1),
)


def _row(
    session,
    *,
    day=DAYS[0],
    grid=GRIDS[0],
    department=1,
    category="0101",
    channel="citizen",
    **counts,
) -> tuple[dict, tuple[int, ...]]:
    fields = {
        "district_code": DISTRICT,
        "day": day,
        "grid_code": grid,
        "department_id": department,
        "category_code": category,
        "channel": channel,
    }
    vector = tuple(counts.get(f, 0) for f in FACTS)
    rollup.add_many(session, {BucketKey(**fields): list(vector)})  # as the engine adds cases
    return fields, vector


def _only(session, **kwargs):
    (row,) = indicators(session=session, scope=SCOPE, **kwargs)
    return row


def test_the_definitions_read_only_known_counts_and_label_every_count():
    assert facts_used() <= set(FACTS)
    assert tuple(COUNTS) == FACTS
    assert len(BY_CODE) == len(INDICATORS)
    assert CHANNELS == ("hotline",)
    assert formula(BY_CODE["on_time_closure_rate"]) == "closed_on_time / (closed + overdue_handle)"
    assert formula(BY_CODE["hotline_resolution_rate"]) == "closed / (received − voided)"


def test_each_formula_counts_overdue_open_cases_in_its_denominator(session):
    _row(
        session,
        received=40,
        voided=4,
        opened=30,
        verified=28,
        verified_on_time=20,
        overdue_verify=2,
        dispatched=25,
        dispatched_on_time=15,
        overdue_dispatch=5,
        fed_back=20,
        reworked=3,
        extended=5,
        closed=16,
        closed_on_time=12,
        overdue_handle=4,
        rated=10,
        satisfied=8,
        closed_at_grid=10,
        closed_at_community=4,
        closed_at_street=2,
    )
    row = _only(session)
    expected = {
        "closure_rate": (16, 30),
        "on_time_closure_rate": (12, 16 + 4),
        "rework_rate": (3, 20),
        "on_time_dispatch_rate": (15, 25 + 5),
        "on_time_verify_rate": (20, 28 + 2),
        "extension_rate": (5, 25),
        "closed_at_grid_share": (10, 16),
        "closed_at_community_share": (4, 16),
        "closed_at_street_share": (2, 16),
        "closed_at_district_share": (0, 16),
        # No hotline case in the row: the hotline's rates have nothing to divide.
        "hotline_response_rate": (0, 0),
        "hotline_resolution_rate": (0, 0),
        "hotline_satisfaction_rate": (0, 0),
    }
    assert {code: (v.numerator, v.denominator) for code, v in row.values.items()} == expected
    assert row.values["on_time_closure_rate"].value == 0.6
    assert row.values["hotline_satisfaction_rate"].value is None
    assert row.counts["received"] == 40 and row.counts["closed_at_district"] == 0
    assert (row.key, row.period) == (None, None)


def test_the_hotline_rates_count_hotline_cases_only(session):
    _row(
        session,
        channel="hotline",
        received=10,
        voided=2,
        dispatched=6,
        dispatched_on_time=3,
        overdue_dispatch=2,
        closed=4,
        rated=4,
        satisfied=3,
        opened=8,
    )
    _row(
        session,
        channel="citizen",
        received=50,
        voided=0,
        dispatched=40,
        dispatched_on_time=40,
        closed=40,
        rated=20,
        satisfied=20,
        opened=45,
    )
    values = _only(session).values
    assert (
        values["hotline_response_rate"].numerator,
        values["hotline_response_rate"].denominator,
    ) == (3, 8)
    assert values["hotline_resolution_rate"].value == 4 / 8
    assert values["hotline_satisfaction_rate"].value == 3 / 4
    assert values["closure_rate"].value == 44 / 53  # every channel
    citizen = _only(session, channel="citizen").values
    assert (
        citizen["hotline_resolution_rate"].value is None
        and citizen["closure_rate"].value == 40 / 45
    )


def test_nothing_in_scope_gives_zero_counts_and_no_ratios(session):
    row = _only(session, since=date(2001, 1, 1), until=date(2001, 1, 31))
    assert set(row.counts.values()) == {0}
    assert all(v.value is None and v.denominator == 0 for v in row.values.values())
    assert indicators(session=session, scope=SCOPE, by=GroupBy.GRID, period=Period.DAY) == []


def _many(session) -> list:
    items = []
    for n, (day, grid, department, category, channel) in enumerate(
        itertools.product(DAYS, GRIDS, (0, 1, 2), ("0101", "0107"), ("citizen", "hotline"))
    ):
        counts = {fact: (n * (i + 3)) % 7 for i, fact in enumerate(FACTS)}
        items.append(
            _row(
                session,
                day=day,
                grid=grid,
                department=department,
                category=category,
                channel=channel,
                **counts,
            )
        )
    return items


@pytest.mark.parametrize("by", list(GroupBy))
@pytest.mark.parametrize("period", list(Period))
def test_every_grouping_and_period_equals_the_sums_of_its_rows(session, reference, by, period):
    items = _many(session)
    rows = indicators(session=session, scope=SCOPE, by=by, period=period)
    assert {(r.key, r.period): (r.counts, r.values) for r in rows} == reference(items, by, period)
    keys = [(r.period or "", str(r.key)) for r in rows]
    assert keys == sorted(keys)  # period first, then key


def test_period_keys_follow_iso_weeks_and_calendar_months(session):
    _many(session)

    def periods(period):
        return [r.period for r in indicators(session=session, scope=SCOPE, period=period)]

    assert periods(Period.WEEK) == ["2019-W52", "2020-W01", "2020-W02", "2020-W05"]
    assert periods(Period.MONTH) == ["2019-12", "2020-01", "2020-02"]
    assert periods(Period.DAY) == [d.isoformat() for d in DAYS]
    street = indicators(session=session, scope=SCOPE, by=GroupBy.STREET, period=Period.MONTH)
    assert {r.key for r in street} == {"999999001", "999999002"}
    community = indicators(session=session, scope=SCOPE, by=GroupBy.COMMUNITY)
    assert [r.key for r in community] == ["999999001001", "999999001002", "999999002001"]


def test_filters_keep_their_days_channel_category_scope_and_department(session, reference):
    items = _many(session)

    def check(keep, **kwargs):
        rows = indicators(session=session, by=GroupBy.GRID, period=Period.WEEK, **kwargs)
        expected = reference([i for i in items if keep(i[0])], "grid", "week")
        assert {(r.key, r.period): (r.counts, r.values) for r in rows} == expected
        assert rows

    check(lambda f: DAYS[1] <= f["day"] <= DAYS[3], scope=SCOPE, since=DAYS[1], until=DAYS[3])
    check(lambda f: f["channel"] == "hotline", scope=SCOPE, channel="hotline")
    check(lambda f: f["category_code"] == "0107", scope=SCOPE, category_code="0107")
    street = Scope(district_code=DISTRICT, unit_codes=("999999001",))
    check(lambda f: f["grid_code"].startswith("999999001"), scope=street)
    grids = Scope(district_code=DISTRICT, unit_codes=(GRIDS[1], GRIDS[3]))
    check(lambda f: f["grid_code"] in (GRIDS[1], GRIDS[3]), scope=grids)
    department = Scope(district_code=DISTRICT, unit_codes=(DISTRICT,), department_id=2)
    check(lambda f: f["department_id"] == 2, scope=department)
    other_district = Scope(district_code="210104", unit_codes=(DISTRICT,))
    assert indicators(session=session, scope=other_district, by=GroupBy.GRID) == []


def test_since_after_until_is_refused(session):
    with pytest.raises(Invalid, match="since is after until"):
        indicators(session=session, scope=SCOPE, since=DAYS[2], until=DAYS[1])
