"""The console's queues (cases.queue): which cases each queue holds, in what order, page after
page by cursor, narrowed by each filter, within the reader's scope; pinned against cases built
by hand (states and clocks set directly), on both backends."""

from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import select, update

from onegrid.cases import queue
from onegrid.cases.models import CaseText, Channel, State
from onegrid.cases.queue import Queue, QueueFilters
from onegrid.core.errors import Invalid
from onegrid.core.permissions import Scope
from onegrid.db.base import utcnow
from onegrid.territory.models import Department
from tests.cases.conftest import OTHER_GRID, WORKER_GRID, point_in, report

DISTRICT = "210104"
# The cases of these tests are received in 2031 (no demo case is): the date filter isolates them.
DAY = date(2031, 5, 6)
ONLY_OURS = {"received_from": "2031-01-01", "received_to": "2031-12-31"}


def filters(**params) -> QueueFilters:
    return QueueFilters.parse({**ONLY_OURS, **params})


def whole(scope=None) -> Scope:
    return scope or Scope(district_code=DISTRICT, unit_codes=(DISTRICT,))


@pytest.fixture
def build(session):
    """Returns a function making a case as given: state, deadline (hours from now), grid …"""
    points = {}
    made = []

    def make(
        state=State.RECEIVED,
        *,
        due_in_hours=None,
        started_hours_ago=1.0,
        grid=WORKER_GRID,
        category="0107",
        channel=Channel.HOTLINE,
        pending=None,
        day=DAY,
        hour=9,
        department_id=None,
        description="路灯不亮，晚上很黑",
        address=None,
    ):
        point = points.setdefault(grid, point_in(session, grid))
        received = datetime(day.year, day.month, day.day, hour, tzinfo=UTC) - timedelta(hours=8)
        case = report(
            session,
            point,
            category=category,
            channel=channel,
            when=received,
            description=description,
            address=address,
        )
        now = utcnow()
        case.state = state.value
        case.pending = pending
        case.department_id = department_id
        if department_id is not None:
            case.dispatched_at = received
        if state is State.CLOSED:
            case.closed_at = received + timedelta(days=2)
        if due_in_hours is None:
            case.stage = case.stage_started_at = case.stage_deadline = None
        else:
            case.stage = "handle"
            case.stage_started_at = now - timedelta(hours=started_hours_ago)
            case.stage_deadline = now + timedelta(hours=due_in_hours)
        session.flush()
        made.append(case)
        return case

    return make


def ids(cases) -> list[int]:
    return [c.id for c in cases]


def test_counts_put_each_case_in_its_queues(session, build):
    build(State.RECEIVED, due_in_hours=5)
    build(State.RECEIVED, due_in_hours=-2)  # overdue
    build(State.VERIFYING, due_in_hours=3)
    build(State.VERIFIED, due_in_hours=3)
    build(State.OPENED, due_in_hours=3)
    build(State.RETURNED, due_in_hours=-1)  # overdue
    build(State.DISPATCHED, due_in_hours=30, pending="extension")
    build(State.PARKED)
    build(State.HANDLED, due_in_hours=4)
    build(State.CLOSED)
    build(State.EVALUATED)
    build(State.VOIDED)
    got = queue.counts(session=session, scope=whole(), filters=filters())
    assert got == {
        Queue.RECEIVED: 2,
        Queue.VERIFY: 1,
        Queue.OPEN: 1,
        Queue.DISPATCH: 2,
        Queue.HANDLE: 2,
        Queue.CHECK: 1,
        Queue.EVALUATE: 1,
        Queue.APPROVAL: 1,
        Queue.OVERDUE: 2,
    }
    # The queue chosen does not change the counts (they are the tabs' figures).
    assert queue.counts(session=session, scope=whole(), filters=filters(queue="check")) == got


def test_a_stage_queue_lists_the_nearest_deadline_first_then_unclocked(session, build):
    late = build(State.OPENED, due_in_hours=-5)
    soon = build(State.RETURNED, due_in_hours=1)
    later = build(State.OPENED, due_in_hours=20)
    unclocked = build(State.OPENED)
    build(State.DISPATCHED, due_in_hours=0.5)  # another queue
    got = queue.page(
        session=session, scope=whole(), filters=filters(queue="dispatch"), after=None, limit=50
    )
    assert ids(got.items) == [late.id, soon.id, later.id, unclocked.id]
    assert got.next_after is None


def test_all_lists_the_newest_first_and_pages_by_cursor(session, build):
    made = [build(State.RECEIVED, day=DAY + timedelta(days=i % 4), hour=8 + i) for i in range(9)]
    newest_first = sorted(made, key=lambda c: (c.received_at, c.id), reverse=True)
    seen, after = [], None
    while True:
        got = queue.page(session=session, scope=whole(), filters=filters(), after=after, limit=2)
        seen += ids(got.items)
        if got.next_after is None:
            break
        after = got.next_after
    assert seen == ids(newest_first)


def test_paging_a_stage_queue_with_unclocked_cases_misses_none(session, build):
    made = [build(State.HANDLED, due_in_hours=h) for h in (3, None, -1, 3, None, 7, None)]
    seen, after = [], None
    for _ in range(10):
        got = queue.page(
            session=session, scope=whole(), filters=filters(queue="check"), after=after, limit=2
        )
        seen += ids(got.items)
        after = got.next_after
        if after is None:
            break
    assert sorted(seen) == sorted(ids(made)) and len(seen) == len(made)
    # Deadlines first (the overdue one first), ties by id; then the unclocked ones by id.
    clocked = [c for c in made if c.stage_deadline is not None]
    assert seen[: len(clocked)] == ids(sorted(clocked, key=lambda c: (c.stage_deadline, c.id)))


def test_each_filter_narrows_to_its_cases(session, build):
    department = session.scalars(
        select(Department).where(Department.district_code == DISTRICT).order_by(Department.id)
    ).first()
    here = build(State.DISPATCHED, due_in_hours=10, department_id=department.id)
    there = build(State.DISPATCHED, due_in_hours=10, grid=OTHER_GRID, category="0201")
    citizen = build(State.DISPATCHED, due_in_hours=-1, channel=Channel.CITIZEN)
    early = build(State.DISPATCHED, due_in_hours=10, day=date(2031, 2, 1))
    lamp = build(State.DISPATCHED, due_in_hours=10, description="井盖丢失", address="北海街12号")

    def found(**params) -> set[int]:
        got = queue.page(
            session=session, scope=whole(), filters=filters(**params), after=None, limit=50
        )
        return set(ids(got.items))

    everyone = {here.id, there.id, citizen.id, early.id, lamp.id}
    assert found() == everyone
    assert found(street=OTHER_GRID[:9]) == {there.id}
    assert found(community=WORKER_GRID[:12]) == everyone - {there.id}
    assert found(grid=OTHER_GRID) == {there.id}
    # A grid outside the street given finds nothing.
    assert found(street=WORKER_GRID[:9], grid=OTHER_GRID) == set()
    assert found(category="0201") == {there.id}
    assert found(department=str(department.id)) == {here.id}
    assert found(channel="citizen") == {citizen.id}
    assert found(light="red") == {citizen.id}
    assert found(light="green") == everyone - {citizen.id}
    assert found(received_from="2031-02-01", received_to="2031-02-01") == {early.id}
    assert found(q="井盖") == {lamp.id}
    assert found(q="北海街") == {lamp.id}
    assert found(q="井盖 北海街") == {lamp.id}
    assert found(q="井盖 南湖") == set()


def test_the_light_filter_tells_yellow_from_green_by_working_time(session, build):
    yellow = build(State.DISPATCHED, due_in_hours=1, started_hours_ago=24 * 30)
    green = build(State.DISPATCHED, due_in_hours=24 * 30, started_hours_ago=0.01)
    red = build(State.DISPATCHED, due_in_hours=-1)
    build(State.PARKED)  # no clock runs: no light

    def found(light):
        got = queue.page(
            session=session, scope=whole(), filters=filters(light=light), after=None, limit=1
        )
        assert got.next_after is None
        return ids(got.items)

    assert found("yellow") == [yellow.id]
    assert found("green") == [green.id]
    assert found("red") == [red.id]
    counted = queue.counts(session=session, scope=whole(), filters=filters(light="yellow"))
    assert counted[Queue.HANDLE] == 1 and counted[Queue.OVERDUE] == 0


def test_the_scope_keeps_other_areas_and_departments_out(session, build):
    department = session.scalars(select(Department).where(Department.district_code == DISTRICT))
    department = department.first()
    ours = build(State.DISPATCHED, due_in_hours=3, department_id=department.id)
    build(State.DISPATCHED, due_in_hours=3, grid=OTHER_GRID, department_id=department.id)
    undispatched = build(State.OPENED, due_in_hours=3)
    community = Scope(district_code=DISTRICT, unit_codes=(WORKER_GRID[:12],))
    got = queue.page(session=session, scope=community, filters=filters(), after=None, limit=50)
    assert set(ids(got.items)) == {ours.id, undispatched.id}
    counted = queue.counts(session=session, scope=community, filters=filters())
    assert counted[Queue.HANDLE] == 1 and counted[Queue.DISPATCH] == 1
    desk = Scope(district_code=DISTRICT, unit_codes=(DISTRICT,), department_id=department.id)
    got = queue.page(session=session, scope=desk, filters=filters(), after=None, limit=50)
    assert len(got.items) == 2 and undispatched.id not in ids(got.items)
    elsewhere = Scope(district_code="110101", unit_codes=("110101",))
    assert queue.page(session=session, scope=elsewhere, filters=filters(), after=None).items == []


def test_rows_yields_every_case_in_batches(session, build, monkeypatch):
    monkeypatch.setattr(queue, "BATCH", 3)
    made = [build(State.CLOSED, hour=8 + i) for i in range(8)]
    got = list(queue.rows(session=session, scope=whole(), filters=filters(queue="evaluate")))
    assert ids(got) == ids(sorted(made, key=lambda c: (c.closed_at, c.id), reverse=True))


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"queue": "later"}, "queue"),
        ({"street": "2101"}, "street"),
        ({"community": "21010400200x"}, "community"),
        ({"grid": "210104002009"}, "grid"),
        ({"category": "a b"}, "category"),
        ({"department": "0"}, "department"),
        ({"department": "x"}, "department"),
        ({"channel": "fax"}, "channel"),
        ({"light": "blue"}, "light"),
        ({"received_from": "2031-13-01"}, "received_from"),
        ({"received_from": "2031-05-02", "received_to": "2031-05-01"}, "received_to"),
        ({"q": "井" * 101}, "q"),
    ],
)
def test_a_bad_parameter_is_refused_by_name(params, field):
    with pytest.raises(Invalid) as refused:
        QueueFilters.parse(params)
    assert refused.value.detail["field"] == field
    assert field in refused.value.en


def test_blank_parameters_are_absent_and_params_round_trip():
    parsed = QueueFilters.parse({"queue": "check", "street": "", "light": "red", "q": " 井盖 "})
    assert parsed == QueueFilters(queue=Queue.CHECK, light=queue.Light.RED, q="井盖")
    assert QueueFilters.parse(parsed.params()) == parsed


@pytest.mark.parametrize("cursor", ["nonsense", "W10", "WyJhbGwiLCBudWxsLCAwXQ"])
def test_a_bad_cursor_is_refused_by_name(session, cursor):
    with pytest.raises(Invalid) as refused:
        queue.page(session=session, scope=whole(), filters=filters(), after=cursor)
    assert refused.value.detail["field"] == "after"


def test_a_cursor_of_another_queue_is_refused(session, build):
    for _ in range(3):
        build(State.HANDLED, due_in_hours=2)
    first = queue.page(
        session=session, scope=whole(), filters=filters(queue="check"), after=None, limit=1
    )
    with pytest.raises(Invalid):
        queue.page(session=session, scope=whole(), filters=filters(), after=first.next_after)


def test_the_api_pages_by_cursor_and_searches(session, build, api):
    made = [build(State.RECEIVED, hour=8 + i, description=f"第{i}号井盖松动") for i in range(5)]
    build(State.RECEIVED, description="噪音扰民")
    query = {"received_from": "2031-01-01T00:00:00Z", "limit": 2, "q": "井盖"}
    seen, after = [], None
    while True:
        answer = api("command", "get", "/cases", params=query | ({"after": after} if after else {}))
        assert answer.status_code == 200, answer.text
        body = answer.json()
        assert body["total"] == 5
        seen += [c["id"] for c in body["items"]]
        after = body["next_after"]
        if after is None:
            break
    assert seen == ids(reversed(made))
    # The old offset paging still answers, the same order.
    answer = api("command", "get", "/cases", params=query | {"offset": 2})
    assert [c["id"] for c in answer.json()["items"]] == seen[2:4]
    refused = api("command", "get", "/cases", params=query | {"after": "nonsense"})
    assert refused.status_code == 422 and "after" in refused.text
    both = api("command", "get", "/cases", params=query | {"after": after or "x", "offset": 2})
    assert both.status_code == 422 and "after" in both.text


@pytest.mark.parametrize("scan", [1, 2, 5, 1000])
@pytest.mark.parametrize("rare", [0, 1000])
def test_a_search_pages_the_same_whether_candidates_or_the_index_answer(
    session, build, monkeypatch, scan, rare
):
    # Words few cases hold (up to queue.RARE) are looked up in the index at once; others are
    # tested on the newest candidates in Python first (queue.SCAN of them), the index asked for
    # the rest: whichever answers, the pages hold the same cases in the same order.
    monkeypatch.setattr(queue, "SCAN", scan)
    monkeypatch.setattr(queue, "RARE", rare)
    texts = ["井盖丢失", "路灯闪烁", "路灯熄灭", "井盖松动", "噪音扰民", "路灯闪烁", "井盖丢失"]
    made = [
        build(State.DISPATCHED, due_in_hours=5 + i, hour=8 + i, description=text)
        for i, text in enumerate(texts)
    ]
    closed = build(State.CLOSED, hour=20, description="井盖已修好")

    def listed(q, queue_name="all") -> list[int]:
        seen, after = [], None
        while True:
            got = queue.page(
                session=session,
                scope=whole(),
                filters=filters(q=q, queue=queue_name),
                after=after,
                limit=2,
            )
            seen += ids(got.items)
            after = got.next_after
            if after is None:
                return seen

    manholes = [made[6].id, made[3].id, made[0].id]  # newest first
    assert listed("井盖") == [closed.id, *manholes]
    assert listed("井") == [closed.id, *manholes]  # a word's start finds it
    assert listed("路灯") == [made[5].id, made[2].id, made[1].id]
    assert listed("井盖 丢失") == [made[6].id, made[0].id]
    assert listed("噪音") == [made[4].id]
    assert listed("南湖") == []
    # The handling queue: the deadline nearest first (made in order of their deadlines).
    assert listed("井盖", "handle") == list(reversed(manholes))


@pytest.mark.parametrize("count_scan", [0, 1000])
@pytest.mark.parametrize("rare", [0, 1000])
def test_the_counts_of_a_search_are_the_same_tested_or_indexed(
    session, build, monkeypatch, count_scan, rare
):
    monkeypatch.setattr(queue, "COUNT_SCAN", count_scan)
    monkeypatch.setattr(queue, "RARE", rare)
    build(State.DISPATCHED, due_in_hours=5, description="井盖丢失")
    build(State.DISPATCHED, due_in_hours=-5, description="井盖松动", pending="extension")
    build(State.RECEIVED, due_in_hours=5, description="路灯不亮")
    build(State.RECEIVED, due_in_hours=5, description="井盖丢失")
    build(State.CLOSED, description="井盖已修好")
    build(State.EVALUATED, description="井盖丢失")
    got = queue.counts(session=session, scope=whole(), filters=filters(q="井盖"))
    assert got == {
        Queue.RECEIVED: 1,
        Queue.VERIFY: 0,
        Queue.OPEN: 0,
        Queue.DISPATCH: 0,
        Queue.HANDLE: 2,
        Queue.CHECK: 0,
        Queue.EVALUATE: 1,
        Queue.APPROVAL: 1,
        Queue.OVERDUE: 1,
    }
    red = queue.counts(session=session, scope=whole(), filters=filters(q="井盖", light="red"))
    assert red[Queue.HANDLE] == 1 and red[Queue.EVALUATE] == 0 and red[Queue.OVERDUE] == 1
    green = queue.counts(session=session, scope=whole(), filters=filters(q="井盖", light="green"))
    assert green[Queue.HANDLE] == 1 and green[Queue.RECEIVED] == 1 and green[Queue.EVALUATE] == 0


def test_a_search_of_the_open_queues_follows_each_case_in_and_out_of_them(session, build):
    # SQLite keeps the open cases' words in an index of their own (migration 0021), by
    # triggers on the case's state and on its words: a case leaving, entering again, or
    # segmented again is found where it now is.
    case = build(State.DISPATCHED, due_in_hours=5, description="井盖丢失")

    def handling(q: str) -> tuple[int, list[int]]:
        counted = queue.counts(session=session, scope=whole(), filters=filters(q=q))
        listed = queue.page(
            session=session, scope=whole(), filters=filters(q=q, queue="handle"), after=None
        )
        return counted[Queue.HANDLE], ids(listed.items)

    assert handling("井盖") == (1, [case.id])
    case.state = State.CLOSED.value
    session.flush()
    assert handling("井盖") == (0, [])
    assert (
        queue.counts(session=session, scope=whole(), filters=filters(q="井盖"))[Queue.EVALUATE] == 1
    )
    case.state = State.DISPATCHED.value
    session.flush()
    assert handling("井盖") == (1, [case.id])
    session.execute(update(CaseText).where(CaseText.case_id == case.id).values(words="路灯 熄灭"))
    assert handling("井盖") == (0, [])
    assert handling("路灯") == (1, [case.id])


def test_a_searchs_closed_cases_are_counted_up_to_one_more_than_the_cap(
    session, build, monkeypatch
):
    # A common word (held by more than RARE cases) and many closed candidates (more than
    # COUNT_SCAN): the index counts them, stopping at SEARCH_COUNTED + 1 ("more than
    # SEARCH_COUNTED"); fewer are counted exactly, and a rare word's always.
    monkeypatch.setattr(queue, "COUNT_SCAN", 0)
    monkeypatch.setattr(queue, "RARE", 0)
    monkeypatch.setattr(queue, "SEARCH_COUNTED", 2)
    for hour in range(8, 12):
        build(State.CLOSED, hour=hour, description="井盖丢失")
    build(State.CLOSED, description="路灯闪烁")
    many = queue.counts(session=session, scope=whole(), filters=filters(q="井盖"))
    assert many[Queue.EVALUATE] == 3
    # A word's start alone (no case holds "井" as a word of its own): counted as the start.
    started = queue.counts(session=session, scope=whole(), filters=filters(q="井"))
    assert started[Queue.EVALUATE] == 3
    monkeypatch.setattr(queue, "SEARCH_COUNTED", 10)
    exact = queue.counts(session=session, scope=whole(), filters=filters(q="井盖"))
    assert exact[Queue.EVALUATE] == 4
    assert (
        queue.counts(session=session, scope=whole(), filters=filters(q="路灯"))[Queue.EVALUATE] == 1
    )
    monkeypatch.setattr(queue, "SEARCH_COUNTED", 2)
    monkeypatch.setattr(queue, "RARE", 1000)
    rare = queue.counts(session=session, scope=whole(), filters=filters(q="井盖"))
    assert rare[Queue.EVALUATE] == 4
