"""What each indicator means, stated on its own (docs/indicators.md, SPEC §3 and §6).

The other indicator tests check that the rollup equals `facts(case)` summed: they would stay
green if a definition changed in both. Here a handful of cases go through the API at chosen
moments, and the figures the indicators API returns are literals worked out by hand in the
comments: a changed threshold, deadline rule or formula fails one of them.

Working time (docs/cases.md): 08:30–12:00 and 13:30–17:30 on China's working days (450
minutes a day), with 调休. Category 0107 (路灯不亮, urban_mgmt) has the limits
verify 4h, dispatch 1h, handle 2d, check 4h. 2023: 9-29 … 10-06 are holidays (中秋 + 国庆)
and Saturday 10-07 and Sunday 10-08 are working days (调休); 9-23/9-24 is a plain weekend.
"""

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select

import onegrid.db.base
from onegrid.cases import scheduled
from onegrid.cases.models import Case
from tests.cases.conftest import WORKER_GRID, point_in

ZONE = ZoneInfo("Asia/Shanghai")


def local(month: int, day: int, hour: int, minute: int = 0, second: int = 0) -> datetime:
    """A moment of 2023 on Shanghai's wall clock."""
    return datetime(2023, month, day, hour, minute, second, tzinfo=ZONE)


class Loop:
    """Cases taken through the API by the demo users, at moments the test chooses."""

    def __init__(self, api, session, monkeypatch) -> None:
        self.api, self.session = api, session
        self.point = point_in(session, WORKER_GRID)  # the grid worker's grid
        self.now = local(1, 2, 9)
        loop = self

        class Frozen(datetime):
            @classmethod
            def now(cls, tz=None):
                return loop.now.astimezone(tz or UTC)

        # Every part of the product reads the time through onegrid.db.base.utcnow.
        monkeypatch.setattr(onegrid.db.base, "datetime", Frozen)

    def at(self, moment: datetime) -> "Loop":
        self.now = moment
        return self

    def report(self, channel: str = "hotline") -> int:
        """Enters a dark street light as the command centre (12345 or another system)."""
        body = {
            "category_code": "0107",
            "description": "路灯不亮",
            "lon": self.point.x,
            "lat": self.point.y,
            "channel": channel,
        }
        response = self.api("command", "post", "/cases", json=body)
        assert response.status_code == 201, response.text
        receipt = response.json()["receipt"]
        return self.session.scalars(select(Case.id).where(Case.receipt == receipt)).one()

    def act(self, username: str, case_id: int, action: str, **data) -> dict:
        body = {"action": action, "note": "测试", "data": data}
        response = self.api(username, "post", f"/cases/{case_id}/transitions", json=body)
        assert response.status_code == 200, response.text
        return response.json()

    def open_dispatch(self, case_id: int) -> None:
        self.act("command", case_id, "open")
        self.act("command", case_id, "dispatch")

    def close(self, case_id: int) -> None:
        """Feedback by urban_mgmt, then the grid worker's check passes: 结案."""
        self.act("department", case_id, "feedback")
        self.act("gridworker", case_id, "check_pass")

    def rate(self, case_id: int, rating: int) -> None:
        """The citizen rates with the receipt alone."""
        receipt = self.session.get(Case, case_id).receipt
        response = self.api(None, "post", f"/receipts/{receipt}/rating", json={"rating": rating})
        assert response.status_code == 200, response.text

    def sweep(self) -> None:
        """The escalation sweep (every minute inside `onegrid serve`), run now."""
        scheduled.sweep(session=self.session, now=self.now)

    def figures(self, since: str, until: str, **params) -> tuple[dict, dict]:
        """Returns the district's counts and indicators for cases received in these days."""
        query = {"by": "none", "period": "all", "since": since, "until": until} | params
        response = self.api("command", "get", "/indicators", params=query)
        assert response.status_code == 200, response.text
        [group] = response.json()["groups"]
        return group["counts"], group["indicators"]


@pytest.fixture
def loop(api, session, monkeypatch) -> Loop:
    return Loop(api, session, monkeypatch)


def ratio(indicators: dict, code: str) -> tuple[int, int, float | None]:
    value = indicators[code]
    rounded = None if value["value"] is None else round(value["value"], 4)
    return value["numerator"], value["denominator"], rounded


def test_satisfied_means_rated_4_or_5_and_the_hotline_rate_counts_hotline_cases(loop):
    loop.at(local(9, 18, 9))
    hotline = [loop.report() for _ in range(5)]
    other = loop.report(channel="api")
    for case in [*hotline, other]:
        loop.open_dispatch(case)
        loop.close(case)
    loop.at(local(9, 18, 10))
    for case, rating in zip(hotline, (5, 4, 3, 1), strict=False):  # the fifth is not rated
        loop.rate(case, rating)
    loop.rate(other, 5)
    counts, indicators = loop.figures("2023-09-18", "2023-09-18")
    # Rated 5, 4, 3, 1 and 5 (another channel): rated 5; satisfied (4 or 5) 5, 4, 5 → 3.
    assert (counts["rated"], counts["satisfied"]) == (5, 3)
    # 满意率, hotline only: satisfied 5, 4 → 2 of the 4 rated hotline cases = 50 %.
    assert ratio(indicators, "hotline_satisfaction_rate") == (2, 4, 0.5)


def test_a_hotline_callback_rating_counts_like_the_citizens_own(loop):
    loop.at(local(9, 18, 9))
    cases = [loop.report() for _ in range(2)]
    for case in cases:
        loop.open_dispatch(case)
        loop.close(case)
    loop.act("command", cases[0], "evaluate", rating=4)  # the 12345 callback
    loop.act("command", cases[1], "evaluate", rating=2)
    _, indicators = loop.figures("2023-09-18", "2023-09-18")
    assert ratio(indicators, "hotline_satisfaction_rate") == (1, 2, 0.5)  # 4 yes, 2 no


def test_on_time_verification_counts_working_time_with_tiaoxiu(loop):
    # Received Thu 9-28 16:30: 1h left that day, 9-29 … 10-06 off, Sat 10-07 a working day
    # (调休): 08:30 + 3h → the 4h limit runs out on Sat 10-07 at 11:30:00.
    loop.at(local(9, 28, 16, 30))
    early, at_deadline, late, opened, waiting = (loop.report() for _ in range(5))
    for case in (early, at_deadline, late):
        loop.act("command", case, "request_verify")
    # Opened straight from the report on a holiday, days of wall time later: still on time.
    loop.at(local(10, 3, 10)).act("command", opened, "open")
    loop.at(local(10, 7, 9))
    fresh = loop.report()  # due at 14:30 the same day: not overdue at the sweep below
    loop.at(local(10, 7, 11, 29, 59)).act("gridworker", early, "verify", valid=True)
    loop.at(local(10, 7, 11, 30, 0)).act("gridworker", at_deadline, "verify", valid=True)
    loop.at(local(10, 7, 11, 30, 1)).act("gridworker", late, "verify", valid=True)
    loop.sweep()  # `waiting` is now flagged overdue for verification; `fresh` is not
    counts, indicators = loop.figures("2023-09-28", "2023-10-07")
    # verified: early, at_deadline, late, opened = 4; on time: early, at_deadline, opened = 3;
    # open and overdue for verification: waiting = 1.
    assert (counts["verified"], counts["verified_on_time"], counts["overdue_verify"]) == (4, 3, 1)
    # 按时核实率 = 3 / (4 + 1) = 60 %.
    assert ratio(indicators, "on_time_verify_rate") == (3, 5, 0.6)
    assert loop.session.get(Case, fresh).overdue is False
    assert loop.session.get(Case, waiting).overdue is True


def test_on_time_dispatch_skips_the_weekend_and_a_return_is_not_overdue(loop):
    # Opened Fri 9-22 17:00: 30 min left that day, the weekend off, Mon 9-25 08:30 + 30 min →
    # the 1h dispatch limit runs out on Mon 9-25 at 09:00:00.
    loop.at(local(9, 22, 16, 55))
    on_saturday, at_deadline, late, returned, waiting = (loop.report() for _ in range(5))
    early_api, late_api = loop.report("api"), loop.report("api")
    every = [on_saturday, at_deadline, late, returned, waiting, early_api, late_api]
    loop.at(local(9, 22, 17))
    for case in every:
        loop.act("command", case, "open")
    loop.at(local(9, 23, 10))
    for case in (on_saturday, returned):
        loop.act("command", case, "dispatch")
    # A return (回退) waits for a second dispatch: due Mon 09:30, overdue at the sweep, and yet
    # it was dispatched once, on time, and counts there.
    loop.at(local(9, 23, 10, 5)).act("department", returned, "return")
    loop.at(local(9, 25, 8, 59, 59)).act("command", early_api, "dispatch")
    loop.at(local(9, 25, 9, 0, 0)).act("command", at_deadline, "dispatch")
    loop.at(local(9, 25, 9, 0, 1)).act("command", late, "dispatch")
    loop.at(local(9, 25, 9, 30, 1)).act("command", late_api, "dispatch")
    loop.at(local(9, 25, 10)).sweep()  # `waiting` and `returned` are flagged overdue
    counts, indicators = loop.figures("2023-09-22", "2023-09-22")
    # dispatched: every case but `waiting` = 6; on time: on_saturday, returned, early_api,
    # at_deadline = 4; open and overdue for a first dispatch: waiting = 1.
    assert (counts["dispatched"], counts["dispatched_on_time"], counts["overdue_dispatch"]) == (
        6,
        4,
        1,
    )
    # 按时派遣率 = 4 / (6 + 1) = 0.5714.
    assert ratio(indicators, "on_time_dispatch_rate") == (4, 7, 0.5714)
    # 响应率, the hotline's five: dispatched on_saturday, at_deadline, late, returned = 4, on
    # time 3 (not `late`), overdue 1 (waiting) → 3 / (4 + 1) = 60 %.
    assert ratio(indicators, "hotline_response_rate") == (3, 5, 0.6)


def test_on_time_closure_is_the_last_handling_within_the_deadline(loop):
    # Dispatched Thu 9-28 10:00: 6h left that day, 9-29 … 10-06 off, Sat 10-07 a whole working
    # day (7.5h), Sun 10-08 08:30 + 1.5h → the 2d (15h) handling limit runs out Sun 10-08 10:00.
    loop.at(local(9, 28, 9, 50))
    early, at_deadline, late, extended, stuck, unchecked, undispatched, voided = (
        loop.report() for _ in range(8)
    )
    dispatched = [early, at_deadline, late, extended, stuck, unchecked]
    loop.at(local(9, 28, 9, 55))
    for case in [*dispatched, undispatched]:
        loop.act("command", case, "open")
    loop.act("command", voided, "void")
    loop.at(local(9, 28, 10))
    for case in dispatched:
        loop.act("command", case, "dispatch")
    # 延期 one working day, approved: the deadline moves from Sun 10-08 10:00 by 7.5h
    # (10:00–12:00, 13:30–17:30 = 6h, then Mon 10-09 08:30 + 1.5h) to Mon 10-09 10:00.
    loop.at(local(9, 28, 11)).act("department", extended, "request_extension", duration="1d")
    loop.at(local(9, 28, 11, 5)).act("command", extended, "approve_extension")
    # Handled in time, but its 4h check runs out Sat 10-07 14:30 and nobody checks it.
    loop.at(local(10, 7, 9)).act("department", unchecked, "feedback")
    loop.at(local(10, 8, 9, 59, 59)).act("department", early, "feedback")
    loop.at(local(10, 8, 10, 0, 0)).act("department", at_deadline, "feedback")
    loop.at(local(10, 8, 10, 0, 1)).act("department", late, "feedback")
    loop.sweep()  # `stuck` (handling) and `unchecked` (checking) are flagged overdue
    loop.at(local(10, 8, 11))  # the check may come after the deadline: the handling counts
    for case in (early, at_deadline, late):
        loop.act("gridworker", case, "check_pass")
    loop.at(local(10, 9, 9)).close(extended)
    counts, indicators = loop.figures("2023-09-28", "2023-09-28")
    # opened: all but `voided` = 7; closed: early, at_deadline, late, extended = 4; closed on
    # time: early, at_deadline, extended = 3; open and overdue in handling or checking: stuck,
    # unchecked = 2; dispatched 6, of which 1 extended.
    assert {f: counts[f] for f in ("opened", "closed", "closed_on_time", "overdue_handle")} == {
        "opened": 7,
        "closed": 4,
        "closed_on_time": 3,
        "overdue_handle": 2,
    }
    assert ratio(indicators, "closure_rate") == (4, 7, 0.5714)  # 结案率 4 / 7
    assert ratio(indicators, "on_time_closure_rate") == (3, 6, 0.5)  # 按期结案率 3 / (4 + 2)
    assert ratio(indicators, "extension_rate") == (1, 6, 0.1667)  # 延期率 1 / 6


def test_a_rework_gives_the_handling_a_new_limit(loop):
    # Dispatched Thu 9-28 10:00, due Sun 10-08 10:00 (as above). Reworked (返工) Sun 10-08
    # 11:00, after that deadline: the department gets the full 2d again, until Tue 10-10 11:00.
    loop.at(local(9, 28, 10))
    case = loop.report()
    loop.open_dispatch(case)
    loop.at(local(10, 7, 9)).act("department", case, "feedback")
    loop.at(local(10, 8, 11)).act("gridworker", case, "check_fail")
    loop.at(local(10, 9, 16)).close(case)
    counts, _ = loop.figures("2023-09-28", "2023-09-28")
    assert (counts["closed"], counts["closed_on_time"], counts["reworked"]) == (1, 1, 1)


def test_rework_rate_counts_cases_reworked_at_least_once_among_those_fed_back(loop):
    loop.at(local(9, 18, 9))
    passed, once, twice, unhandled = (loop.report() for _ in range(4))
    for case in (passed, once, twice, unhandled):
        loop.open_dispatch(case)
    loop.close(passed)
    loop.act("department", once, "feedback")
    loop.act("gridworker", once, "check_fail")
    loop.close(once)
    for _ in range(2):
        loop.act("department", twice, "feedback")
        loop.act("gridworker", twice, "check_fail")
    loop.act("department", twice, "feedback")  # handled a third time, not yet checked
    counts, indicators = loop.figures("2023-09-18", "2023-09-18")
    # fed back: passed, once, twice = 3 (unhandled never was); reworked: once, twice = 2.
    assert (counts["fed_back"], counts["reworked"]) == (3, 2)
    assert ratio(indicators, "rework_rate") == (2, 3, 0.6667)  # 返工率 2 / 3


def test_hotline_resolution_is_closed_over_received_less_voided(loop):
    loop.at(local(9, 18, 9))
    closed, also_closed, voided, still_open, merged = (loop.report() for _ in range(5))
    other_closed, other_voided = loop.report("api"), loop.report("api")
    for case in (closed, also_closed, other_closed):
        loop.open_dispatch(case)
        loop.close(case)
    for case in (voided, other_voided):
        loop.act("command", case, "void")
    receipt = loop.session.get(Case, still_open).receipt
    loop.act("command", merged, "merge", into=receipt)  # 并入: counts in the case it joined
    counts, indicators = loop.figures("2023-09-18", "2023-09-18")
    # Every channel: received 6 (the merged case counts nothing), voided 2, closed 3.
    assert (counts["received"], counts["voided"], counts["closed"]) == (6, 2, 3)
    # 解决率, hotline only: closed 2 / (received 4 − voided 1) = 0.6667.
    assert ratio(indicators, "hotline_resolution_rate") == (2, 3, 0.6667)
    # The same request for the hotline alone: every count is the hotline's.
    counts, _ = loop.figures("2023-09-18", "2023-09-18", channel="hotline")
    assert (counts["received"], counts["voided"], counts["closed"]) == (4, 1, 2)


def test_a_case_closes_at_the_level_the_sweep_raised_it_to(loop):
    # Received Mon 9-18 09:00, the 4h verification runs out at 14:30 (3h, lunch, 1h).
    loop.at(local(9, 18, 9))
    grid, also_grid, community, district, left_open = (loop.report() for _ in range(5))
    loop.at(local(9, 18, 10))
    for case in (grid, also_grid):
        loop.open_dispatch(case)
        loop.close(case)
    loop.at(local(9, 18, 14, 30, 1)).sweep()  # community, district, left_open → level 1
    loop.at(local(9, 18, 15))
    loop.open_dispatch(community)
    loop.close(community)
    # Each further verification limit overdue raises the rest one more level: next due Tue
    # 09:30:01, then Wed 09:00.
    loop.at(local(9, 19, 14)).sweep()  # level 2, street
    loop.at(local(9, 20, 14)).sweep()  # level 3, district
    loop.at(local(9, 20, 15))
    loop.open_dispatch(district)
    loop.close(district)
    counts, indicators = loop.figures("2023-09-18", "2023-09-18")
    # closed: grid, also_grid at the grid; community at level 1; district at level 3.
    levels = ("grid", "community", "street", "district")
    assert [counts[f"closed_at_{level}"] for level in levels] == [2, 1, 0, 1]
    shares = [ratio(indicators, f"closed_at_{level}_share") for level in levels]
    # 网格 2 / 4, 社区 1 / 4, 街道 0 / 4, 区级 1 / 4.
    assert shares == [(2, 4, 0.5), (1, 4, 0.25), (0, 4, 0.0), (1, 4, 0.25)]
